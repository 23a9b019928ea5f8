import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a brand new passphrase";
const ONLY_ON_THE_SOCKET = "account recovery runs only on the server's admin socket: use 'rampart user' on the server";

/** `user.unlock` and `user.resetPassword`: account recovery, on the admin socket alone. */
describe.each(testStoreKinds())("account recovery on %s", (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(kind);
    await h.setupAdmin("admin", PASSWORD);
  });
  afterEach(async () => {
    await h.dispose();
  });

  const lockOut = async (ip: string) => {
    for (let i = 0; i < 5; i++) await (await h.caller({ ip })).auth.login({ username: "admin", password: "wrong password!" }).catch(() => undefined);
    await expect((await h.caller({ ip })).auth.login({ username: "admin", password: PASSWORD })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  };

  it("fail/a session or an API token may not unlock or reset, however much an admin", async () => {
    const session = await h.login("admin", PASSWORD);
    const viaSession = await h.caller({ sessionToken: session });
    const { token } = await viaSession.apiToken.create({ name: "ci" });
    for (const c of [viaSession, await h.caller({ bearerToken: token })]) {
      await expect(c.user.unlock({ username: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN", message: ONLY_ON_THE_SOCKET });
      await expect(c.user.resetPassword({ username: "admin", password: NEW_PASSWORD })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: ONLY_ON_THE_SOCKET,
      });
    }
    await expect((await h.caller()).user.unlock({ username: "admin" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await h.manager.audit.list({ action: "user.reset-password", limit: 10 })).toHaveLength(0);
    await h.login("admin", PASSWORD);
  });

  it("ok/unlock lifts the locks of that account only, and is audited", async () => {
    await lockOut("198.51.100.1");
    await h.t.store.prisma.loginThrottle.create({ data: { key: "ip:198.51.100.99", failures: 3, windowStart: h.clock.now } });
    const local = await h.caller({ channel: "socket", ip: "local" });
    expect(await local.user.unlock({ username: " Admin " })).toEqual({ username: "admin", cleared: 2 });
    await h.login("admin", PASSWORD, "198.51.100.1");
    // Another address's counter is not the account's to clear.
    expect(await h.t.store.prisma.loginThrottle.count({ where: { key: "ip:198.51.100.99" } })).toBe(1);
    // The account's own counter outlives a success (an attack keeps its backoff) until unlocked.
    expect(await local.user.unlock({ username: "admin" })).toEqual({ username: "admin", cleared: 1 });
    expect(await local.user.unlock({ username: "admin" })).toEqual({ username: "admin", cleared: 0 });
    const events = await h.manager.audit.list({ action: "user.unlock", limit: 10 });
    expect(events.map((e) => [e.actorType, e.actorName, e.targetName, e.outcome, e.reason])).toEqual([
      ["local", "local-admin", "admin", "success", "nothing was locked"],
      ["local", "local-admin", "admin", "success", null],
      ["local", "local-admin", "admin", "success", null],
    ]);
  });

  it("ok/reset-password sets the password, ends every session, lifts the locks, and is audited", async () => {
    const sessions = [await h.login("admin", PASSWORD, "203.0.113.1"), await h.login("admin", PASSWORD, "203.0.113.2")];
    await lockOut("198.51.100.1");
    const local = await h.caller({ channel: "socket", ip: "local" });
    // Both sign-ins, and the session setup made.
    expect(await local.user.resetPassword({ username: "admin", password: NEW_PASSWORD })).toEqual({ username: "admin", sessionsEnded: 3 });
    for (const token of sessions) {
      await expect((await h.caller({ sessionToken: token })).auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    await expect(h.login("admin", PASSWORD, "203.0.113.3")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await h.login("admin", NEW_PASSWORD, "198.51.100.1");
    const [event] = await h.manager.audit.list({ action: "user.reset-password", limit: 10 });
    expect(event).toMatchObject({ actorType: "local", targetName: "admin", outcome: "success" });
    expect(JSON.stringify(await h.manager.audit.list({ limit: 100 }))).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(h.log.lines)).not.toContain(NEW_PASSWORD);
  });

  it.each([
    [{ username: "admin", password: "short" }, "BAD_REQUEST", "password must be at least 12 characters"],
    [{ username: "admin", password: "x".repeat(257) }, "BAD_REQUEST", "password must be at most 256 characters"],
    [{ username: "nobody", password: NEW_PASSWORD }, "NOT_FOUND", "user nobody does not exist"],
  ])("fail/reset-password %j is refused, naming what is wrong, and changes nothing", async (input, code, message) => {
    const session = await h.login("admin", PASSWORD);
    const local = await h.caller({ channel: "socket" });
    await expect(local.user.resetPassword(input)).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
    expect((await (await h.caller({ sessionToken: session })).auth.me())?.user.username).toBe("admin");
    expect(await h.manager.audit.list({ action: "user.reset-password", limit: 10 })).toHaveLength(0);
  });

  it("fail/a password that is the username is refused", async () => {
    const local = await h.caller({ channel: "socket" });
    await h.t.store.prisma.user.create({ data: { id: "u2", username: "longusername1", passwordHash: "x", role: "viewer" } });
    await expect(local.user.resetPassword({ username: "longusername1", password: "LongUserName1" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "password must not be the username",
    });
  });

  it("fail/unlocking an unknown user is a 404 naming it", async () => {
    const local = await h.caller({ channel: "socket" });
    await expect(local.user.unlock({ username: "nobody" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "user nobody does not exist" });
  });
});
