import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { kekSource, openKeyring, readLockState } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { createLockedAutolock, SWARM_LOCKED_MESSAGE, UNLOCK_MAX_FAILURES_PER_ADDRESS } from "@rampart/manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiHandler } from "./http/handler.js";
import { LOCKED_PROCEDURES, lockedManager, lockedRouter } from "./locked.js";
import { appRouter } from "./root.js";
import { createHarness, type Harness } from "./test-support/harness.js";

/**
 * A locked server's API (ADR 0022) over real HTTP, as the browser and the CLI reach it:
 * every procedure refuses with Swarm's sentence, whoever asks, except the lock's status
 * and the unlock, which takes Swarm's words for a bad key, counts every attempt and
 * audits its outcome.
 */
describe.each(testStoreKinds())("a locked server's API on %s", (kind) => {
  let h: Harness;
  let base: string;
  let close: () => Promise<void>;
  let unlockKey: string;
  let opened: KeyObject[];

  beforeEach(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    const { kek } = await openKeyring(h.t.store.prisma, kekSource(h.t.dataDir, undefined));
    await h.manager.autolock.attach({ kek, kekSource: kekSource(h.t.dataDir, undefined), protectNodeKey: () => undefined });
    const { version } = h.manager.autolock.get();
    unlockKey = (await h.manager.autolock.update({ version, autolock: true }, SYSTEM, null)).unlockKey!;
    const lock = (await readLockState(h.t.store.prisma))!;
    opened = [];
    const locked = createLockedAutolock(
      { store: h.t.store, log: h.log, now: () => h.clock.now, random: (n) => new Uint8Array(randomBytes(n)), version: "test" },
      { clusterId: lock.clusterId, wrappedKek: lock.wrappedKek! },
      async (k) => void opened.push(k),
    );
    const handle = createApiHandler({ manager: lockedManager(locked), log: h.log, channel: "http", router: lockedRouter });
    const server = createServer((req, res) => void handle(req, res, new URL(req.url!, "http://x").pathname.slice("/api/trpc/".length)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(async () => {
    await close();
    await h.dispose();
  });

  const SYSTEM = { type: "system" as const, id: null, name: "test" };
  const post = (path: string, input: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/${path}`, { method: "POST", headers: { "content-type": "application/json", origin: new URL(base).origin, ...headers }, body: JSON.stringify({ json: input }) });
  const messageOf = async (response: Response) => ((await response.json()) as { error: { json: { message: string } } }).error.json.message;

  it("ok/the locked router has every path of the API, and serves only the status and the unlock", () => {
    expect(Object.keys(lockedRouter._def.procedures).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    expect([...LOCKED_PROCEDURES].sort()).toEqual(["autolock.status", "autolock.unlock"]);
  });

  it("fail/every other procedure is Swarm's refusal, 503, with a token, a cookie or nothing, alone or in a batch", async () => {
    for (const [path, method] of [
      ["secret.list", "GET"],
      ["swarm.revealToken", "POST"],
      ["auth.login", "POST"],
      ["autolock.reveal", "POST"],
      ["system.status", "GET"],
    ] as const) {
      const response = method === "GET" ? await fetch(`${base}/${path}`, { headers: { authorization: "Bearer rpt_x" } }) : await post(path, { role: "worker" }, { cookie: "__Host-rampart_session=x" });
      expect(response.status, path).toBe(503);
      expect(await messageOf(response), path).toBe(SWARM_LOCKED_MESSAGE);
    }
    const batch = await fetch(`${base}/node.list,autolock.status?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`);
    const answers = (await batch.json()) as Array<{ error?: { json: { message: string } }; result?: { data: { json: unknown } } }>;
    expect(answers[0]!.error!.json.message).toBe(SWARM_LOCKED_MESSAGE);
    expect(answers[1]!.result!.data.json).toEqual({ locked: true });
  });

  it("fail/Swarm's words for a malformed key and a wrong one; ok/the right key opens the KEK once, then the server is not locked", async () => {
    const malformed = await post("autolock.unlock", { unlockKey: "SWMKEY-1-@@@" });
    expect([malformed.status, await messageOf(malformed)]).toEqual([400, "invalid key string"]);
    const oversized = await post("autolock.unlock", { unlockKey: `SWMKEY-1-${"A".repeat(300)}` });
    expect([oversized.status, await messageOf(oversized)]).toEqual([400, "unlockKey: invalid key string"]);
    const wrong = await post("autolock.unlock", { unlockKey: "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8" });
    expect([wrong.status, await messageOf(wrong)]).toEqual([401, "swarm could not be unlocked: invalid key provided"]);
    expect(opened).toHaveLength(0);

    const right = await post("autolock.unlock", { unlockKey: `  ${unlockKey}\n` });
    expect(right.status).toBe(200);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.export()).toHaveLength(32);
    const again = await post("autolock.unlock", { unlockKey });
    expect([again.status, await messageOf(again)]).toEqual([409, "swarm is not locked"]);
    expect(opened).toHaveLength(1);

    const events = await h.manager.audit.list({ action: "swarm.unlock", limit: 10 });
    expect(events.map((e) => [e.outcome, e.reason, e.actorType, e.ip])).toEqual([
      ["success", null, "anonymous", "127.0.0.1"],
      ["denied", "invalid key provided", "anonymous", "127.0.0.1"],
      ["denied", "invalid key string", "anonymous", "127.0.0.1"],
    ]);
    expect(JSON.stringify([h.log.lines, events])).not.toContain(unlockKey.slice(9));
  });

  it("fail/failed attempts are counted per address: past the limit even the right key waits, and the lockout is audited once", async () => {
    for (let i = 0; i < UNLOCK_MAX_FAILURES_PER_ADDRESS; i++) {
      const wrong = await post("autolock.unlock", { unlockKey: `SWMKEY-1-${randomBytes(32).toString("base64").replace(/=+$/, "")}` });
      expect(wrong.status).toBe(401);
    }
    const refused = await post("autolock.unlock", { unlockKey });
    expect(refused.status).toBe(429);
    expect(await messageOf(refused)).toBe("too many failed attempts; try again in 15 minutes");
    expect(opened).toHaveLength(0);
    const lockouts = (await h.manager.audit.list({ action: "swarm.unlock", limit: 50 })).filter((e) => e.reason?.includes("may not try again"));
    expect(lockouts).toHaveLength(1);
    // Once the lock has run out, the right key opens.
    h.clock.advance(16 * 60_000);
    expect((await post("autolock.unlock", { unlockKey })).status).toBe(200);
    expect(opened).toHaveLength(1);
  });
});
