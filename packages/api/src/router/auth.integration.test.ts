import { createHash } from "node:crypto";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createManager } from "@rampart/manager";
import { createContext } from "../context.js";
import { createCaller } from "../root.js";
import { anonymousRequest, createHarness, type Harness } from "../test-support/harness.js";

describe.each(testStoreKinds())("auth on %s", (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(kind);
  });
  afterEach(async () => {
    await h.dispose();
  });

  describe("setup", () => {
    it("ok/reports setup as needed until the first admin exists", async () => {
      const c = await h.caller();
      expect(await c.auth.setupStatus()).toEqual({ setupNeeded: true });
      await h.setupAdmin();
      expect(await c.auth.setupStatus()).toEqual({ setupNeeded: false });
    });

    it("fail/a wrong setup code is refused and audited", async () => {
      await h.manager.auth.issueSetupCode();
      const c = await h.caller();
      await expect(
        c.auth.setup({ code: "AAAA-BBBB-CCCC-DDDD", username: "admin", password: "correct horse battery" }),
      ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("setup code is not correct") });
      expect(await h.t.store.prisma.user.count()).toBe(0);
      const events = await h.manager.audit.list({ limit: 10 });
      expect(events[0]).toMatchObject({ action: "setup.complete", outcome: "denied" });
    });

    it("ok/the code is forgiving of case and dashes, and only its hash is stored", async () => {
      const code = (await h.manager.auth.issueSetupCode())!;
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      const row = await h.t.store.prisma.installation.findUniqueOrThrow({ where: { id: 1 } });
      expect(Buffer.from(row.setupCodeHash!).toString("hex")).toBe(createHash("sha256").update(code).digest("hex"));
      const c = await h.caller();
      const { user } = await c.auth.setup({
        code: code.toLowerCase().replaceAll("-", ""),
        username: "Admin",
        password: "correct horse battery",
      });
      expect(user).toMatchObject({ username: "admin", role: "admin" });
    });

    it("ok/setup signs the new administrator in: its cookie is a session, and the sign-in is audited", async () => {
      const code = (await h.manager.auth.issueSetupCode())!;
      const before = h.cookies.length;
      const { user, expiresAt } = await (await h.caller({ ip: "192.0.2.9" })).auth.setup({ code, username: "admin", password: "correct horse battery" });
      expect(h.cookies).toHaveLength(before + 1);
      const token = /^__Host-rampart_session=([^;]+);/.exec(h.cookies.at(-1)!)![1]!;
      const session = await h.manager.auth.authenticate(token);
      expect(session).toMatchObject({ user: { id: user.id, username: "admin" }, expiresAt });
      const events = await h.manager.audit.list({ limit: 2 });
      expect(events.map((e) => [e.action, e.outcome, e.reason])).toEqual([
        ["auth.login", "success", "signed in by setup"],
        ["setup.complete", "success", null],
      ]);
    });

    it("fail/a second setup is refused, even with the old code", async () => {
      const code = (await h.manager.auth.issueSetupCode())!;
      const c = await h.caller();
      await c.auth.setup({ code, username: "admin", password: "correct horse battery" });
      await expect(c.auth.setup({ code, username: "mallory", password: "correct horse battery" })).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
        message: "setup has already been completed; sign in instead",
      });
      expect(await h.manager.auth.issueSetupCode()).toBeUndefined();
      expect(await h.t.store.prisma.user.count()).toBe(1);
    });

    it("fail/two setups at once create exactly one admin", async () => {
      const code = (await h.manager.auth.issueSetupCode())!;
      const c = await h.caller();
      const results = await Promise.allSettled([
        c.auth.setup({ code, username: "one", password: "correct horse battery" }),
        c.auth.setup({ code, username: "two", password: "correct horse battery" }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await h.t.store.prisma.user.count()).toBe(1);
    });

    it.each([
      ["password", { username: "admin", password: "short" }, "password must be at least 12 characters"],
      ["password", { username: "admin", password: "x".repeat(257) }, "password must be at most 256 characters"],
      ["username", { username: "no spaces allowed", password: "correct horse battery" }, "username may contain only"],
      ["password", { username: "administrator1", password: "administrator1" }, "password must not be the username"],
    ])("fail/a weak %s is refused with its field named", async (field, input, message) => {
      const code = (await h.manager.auth.issueSetupCode())!;
      const c = await h.caller();
      const error = await c.auth.setup({ code, ...input }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining(message) });
      expect((error as Error).message).toContain(field);
      expect(await h.t.store.prisma.user.count()).toBe(0);
    });
  });

  describe("login", () => {
    beforeEach(async () => {
      await h.setupAdmin();
    });

    it("ok/sets a __Host- cookie that is Secure, HttpOnly and SameSite=Strict, and stores only a hash", async () => {
      const c = await h.caller();
      const result = await c.auth.login({ username: "admin", password: "correct horse battery" });
      expect(result.user.username).toBe("admin");
      const cookie = h.cookies.at(-1)!;
      expect(cookie).toMatch(/^__Host-rampart_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; Secure; HttpOnly; SameSite=Strict$/);
      const token = /=([^;]+);/.exec(cookie)![1]!;
      // The setup's own session, and this one.
      const sessions = await h.t.store.prisma.session.findMany({ orderBy: { createdAt: "asc" } });
      expect(sessions).toHaveLength(2);
      expect(Buffer.from(sessions[1]!.tokenHash).toString("hex")).toBe(createHash("sha256").update(token).digest("hex"));
      expect(JSON.stringify(sessions)).not.toContain(token);
      expect(JSON.stringify(result)).not.toContain(token);
    });

    it("ok/a session works, then ends at logout", async () => {
      const token = await h.login("admin", "correct horse battery");
      const c = await h.caller({ sessionToken: token });
      expect((await c.auth.me())?.user.username).toBe("admin");
      await c.auth.logout();
      expect(h.cookies.at(-1)).toContain("Max-Age=0");
      const after = await h.caller({ sessionToken: token });
      await expect(after.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      const hash = new Uint8Array(createHash("sha256").update(token).digest());
      expect(await h.t.store.prisma.session.count({ where: { tokenHash: hash } })).toBe(0);
    });

    it("fail/a session idle for 30 minutes has expired", async () => {
      const token = await h.login("admin", "correct horse battery");
      h.clock.advance(SESSION_IDLE_MS - 1000);
      expect(await (await h.caller({ sessionToken: token })).auth.me()).not.toBeNull();
      h.clock.advance(SESSION_IDLE_MS - 1000);
      expect(await (await h.caller({ sessionToken: token })).auth.me()).not.toBeNull();
      h.clock.advance(SESSION_IDLE_MS);
      await expect((await h.caller({ sessionToken: token })).auth.me()).rejects.toMatchObject({
        code: "UNAUTHORIZED",
        message: "your session has expired; sign in again",
      });
    });

    it("fail/background polling does not keep an idle session alive", async () => {
      const token = await h.login("admin", "correct horse battery");
      for (let i = 0; i < 4; i++) {
        h.clock.advance(10 * 60 * 1000 - 1000);
        const poll = await h.caller({ sessionToken: token, background: true });
        if (i < 3) expect((await poll.system.status()).healthy).toBe(true);
        else await expect(poll.system.status()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      }
    });

    it("fail/a session ends 12 hours after login however busy it is", async () => {
      const token = await h.login("admin", "correct horse battery");
      for (let elapsed = 0; elapsed < SESSION_ABSOLUTE_MS - 20 * 60 * 1000; elapsed += 20 * 60 * 1000) {
        h.clock.advance(20 * 60 * 1000);
        expect(await (await h.caller({ sessionToken: token })).auth.me()).not.toBeNull();
      }
      h.clock.advance(20 * 60 * 1000);
      await expect((await h.caller({ sessionToken: token })).auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    });

    it("fail/a wrong password and an unknown user get the same message", async () => {
      const c = await h.caller();
      const wrong = await c.auth.login({ username: "admin", password: "not the password" }).catch((e: unknown) => e);
      const unknown = await c.auth.login({ username: "nobody", password: "not the password" }).catch((e: unknown) => e);
      expect(wrong).toMatchObject({ code: "UNAUTHORIZED", message: "username or password is not correct" });
      expect(unknown).toMatchObject({ code: "UNAUTHORIZED", message: "username or password is not correct" });
      const events = await h.manager.audit.list({ action: "auth.login", limit: 10 });
      // Newest first: the two failures, then the sign-in that setup made.
      expect(events.map((e) => e.outcome)).toEqual(["failure", "failure", "success"]);
    });

    const ADMIN_PASSWORD = "correct horse battery";
    const guess = async (ip: string, password = "wrong password!", username = "admin") =>
      (await h.caller({ ip })).auth.login({ username, password }).then(
        () => "OK",
        (e: { code: string }) => e.code,
      );
    const lockouts = () => h.manager.audit.list({ action: "auth.lockout", limit: 100 });

    it("fail/five failures lock that address out of the account, even for the right password, across restarts", async () => {
      for (let i = 0; i < 5; i++) expect(await guess("198.51.100.1")).toBe("UNAUTHORIZED");
      // A restart: a fresh manager over the same store still sees the lock.
      const restarted = createManager({ ...h.manager.deps });
      const locked = await createCaller(await createContext(restarted, { ...anonymousRequest, ip: "198.51.100.1" }))
        .auth.login({ username: "admin", password: ADMIN_PASSWORD })
        .catch((e: unknown) => e);
      expect(locked).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringContaining("try again in 15 minutes") });
      // The lock is that pair's alone: the owner signs in from elsewhere.
      expect(await guess("203.0.113.9", ADMIN_PASSWORD)).toBe("OK");
      h.clock.advance(15 * 60 * 1000);
      expect(await guess("198.51.100.1", ADMIN_PASSWORD)).toBe("OK");
      // Success clears the pair's counter.
      expect(await h.t.store.prisma.loginThrottle.count({ where: { key: { startsWith: "pair:" } } })).toBe(0);
    });

    it("ok/twelve wrong guesses from twelve addresses do not keep the owner out from a new address", async () => {
      for (let i = 0; i < 12; i++) expect(await guess(`198.51.100.${i}`)).toBe("UNAUTHORIZED");
      expect(await guess("203.0.113.9", ADMIN_PASSWORD)).toBe("OK");
      // Nor does the attack repeated until every attacking pair is locked.
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 12; i++) await guess(`198.51.100.${i}`);
      }
      expect(await guess("198.51.100.3")).toBe("TOO_MANY_REQUESTS");
      expect(await guess("203.0.113.10", ADMIN_PASSWORD)).toBe("OK");
      expect(await guess("203.0.113.9", ADMIN_PASSWORD)).toBe("OK");
    });

    it("fail/parallel guesses from one address cannot outrun its limit", async () => {
      const codes = await Promise.all(Array.from({ length: 25 }, (_, i) => guess("198.51.100.7", `guess number ${i}`)));
      // Each attempt is counted before the check, so exactly five reach it, whatever the interleaving.
      const tally = (code: string) => codes.filter((c) => c === code).length;
      expect({ UNAUTHORIZED: tally("UNAUTHORIZED"), TOO_MANY_REQUESTS: tally("TOO_MANY_REQUESTS") }).toEqual({ UNAUTHORIZED: 5, TOO_MANY_REQUESTS: 20 });
      const checked = await h.manager.audit.list({ action: "auth.login", outcome: "failure", limit: 100 });
      expect(checked).toHaveLength(5);
    });

    it("fail/once an account has failed five times, addresses that failed take turns, and a new one goes straight in", async () => {
      const attackers = Array.from({ length: 8 }, (_, i) => `198.51.100.${i}`);
      for (const ip of attackers.slice(0, 5)) expect(await guess(ip)).toBe("UNAUTHORIZED");
      // Every attacker tries again at once, beside the owner from a new address.
      const [owner, ...codes] = await Promise.all([guess("203.0.113.9", ADMIN_PASSWORD), ...attackers.map((ip) => guess(ip))]);
      expect(owner).toBe("OK");
      // Three attackers had never failed against it, so they reach the check; of the five
      // that had, exactly one gets the account's turn.
      expect(codes.filter((c) => c === "UNAUTHORIZED")).toHaveLength(3 + 1);
      expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(4);
      const waiting = await (await h.caller({ ip: attackers[0] })).auth.login({ username: "admin", password: "again!" }).catch((e: unknown) => e);
      expect(waiting).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/^too many failed attempts; try again in (\d+ seconds?|1 minute)$/) });
      // The wait is a delay, not a lock: after a minute (the longest) one more turn comes.
      h.clock.advance(60 * 1000);
      expect(await guess(attackers[1]!)).toBe("UNAUTHORIZED");
      // The owner who mistyped once is slowed like anyone else, never locked out.
      expect(await guess("203.0.113.10", "mistyped password")).toBe("UNAUTHORIZED");
      h.clock.advance(60 * 1000);
      expect(await guess("203.0.113.10", ADMIN_PASSWORD)).toBe("OK");
    });

    it("ok/each lockout is audited once however hard it is hammered, naming the account only if it exists", async () => {
      for (let i = 0; i < 15; i++) await guess("198.51.100.1");
      for (let i = 0; i < 15; i++) await guess("198.51.100.2", "wrong password!", "MyS3cretPassw0rd");
      const events = await lockouts();
      const summary = events.map((e) => [e.targetName, e.contextName, e.reason, e.outcome]).sort();
      expect(summary).toEqual(
        [
          ["admin", "198.51.100.1", "5 failed sign-ins: this address may not sign in to this account for 15 minutes", "denied"],
          ["admin", null, "5 failed sign-ins in 15 minutes: addresses that failed are slowed", "denied"],
          [null, "198.51.100.2", "5 failed sign-ins: this address may not sign in to this account for 15 minutes", "denied"],
          [null, null, "5 failed sign-ins in 15 minutes: addresses that failed are slowed", "denied"],
        ].sort(),
      );
      expect(JSON.stringify(events).toLowerCase()).not.toContain("mys3cretpassw0rd");
      // After the lock runs out, a new lockout is a new event.
      h.clock.advance(15 * 60 * 1000);
      for (let i = 0; i < 5; i++) await guess("198.51.100.1");
      expect((await lockouts()).filter((e) => e.contextName === "198.51.100.1")).toHaveLength(2);
    });

    it("ok/neither the audit log nor the throttle keeps a typed name that is not an account", async () => {
      await (await h.caller()).auth.login({ username: "MyS3cretPassw0rd", password: "x" }).catch(() => undefined);
      const [event] = await h.manager.audit.list({ action: "auth.login", limit: 1 });
      expect(event).toMatchObject({ outcome: "failure", reason: "unknown user", targetName: null });
      const keys = (await h.t.store.prisma.loginThrottle.findMany()).map((r) => r.key);
      expect(keys.join(" ").toLowerCase()).not.toContain("mys3cretpassw0rd");
    });

    it("fail/twenty failures from one address lock that address for every account", async () => {
      for (let i = 0; i < 20; i++) {
        await expect(
          (await h.caller({ ip: "198.51.100.7" })).auth.login({ username: `guess${i}`, password: "wrong password!" }),
        ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      }
      await expect(
        (await h.caller({ ip: "198.51.100.7" })).auth.login({ username: "admin", password: "correct horse battery" }),
      ).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
      await (await h.caller({ ip: "198.51.100.8" })).auth.login({ username: "admin", password: "correct horse battery" });
      const [locked] = await h.manager.audit.list({ action: "auth.lockout", limit: 1 });
      expect(locked).toMatchObject({ targetType: "address", targetName: "198.51.100.7", reason: "20 failed sign-ins: this address may not sign in for 15 minutes" });
    });

    it("ok/no password or session token reaches the manager's log calls", async () => {
      const token = await h.login("admin", "correct horse battery");
      await (await h.caller()).auth.login({ username: "admin", password: "wrong password!" }).catch(() => undefined);
      const logs = JSON.stringify(h.log.lines);
      expect(logs).not.toContain("correct horse battery");
      expect(logs).not.toContain("wrong password!");
      expect(logs).not.toContain(token);
    });
  });

  it("fail/protected procedures refuse anonymous callers", async () => {
    const c = await h.caller();
    await expect(c.system.status()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "sign in first" });
    await expect(c.apiToken.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("ok/the local admin channel is an administrator", async () => {
    const c = await h.caller({ channel: "socket" });
    const status = await c.system.status();
    expect(status.store).toMatchObject({ kind, reachable: true, migrated: true });
    await expect(c.apiToken.list()).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});
