import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SYSTEM_ACTOR, parseUnlockKey } from "@rampart/core";
import { createUser, kekSource, openKeyring, openKeyringWithKek, readLockState, unwrapKek } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

const KEY = /^SWMKEY-1-[A-Za-z0-9+/]{43}$/;

/**
 * Autolock through the API (ADR 0022), with the server's keys handed over as the server
 * hands them: the KEK its keyring opened and the data directory's `kek`. The node key's
 * file belongs to the server (apps/cli tests it); here its protection is recorded.
 */
describe.each(testStoreKinds())("autolock on %s", (kind) => {
  let h: Harness;
  let admin: Awaited<ReturnType<Harness["caller"]>>;
  /** Each passphrase the node key was given: 64 hex characters, or null for the clear. */
  let nodeKey: Array<string | null>;

  beforeEach(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    admin = await h.caller({ sessionToken: await h.login("admin", "correct horse battery") });
    nodeKey = [];
    const { kek } = await openKeyring(h.t.store.prisma, kekSource(h.t.dataDir, undefined));
    await h.manager.autolock.attach({ kek, kekSource: kekSource(h.t.dataDir, undefined), protectNodeKey: (p) => void nodeKey.push(p) });
  });
  afterEach(async () => {
    await h.dispose();
  });

  const kekPath = () => join(h.t.dataDir, "kek");
  const clusterId = () => h.manager.cluster.current().record.id;

  /** What the store's wrapped KEK opens with `key`, checked against the data keys. */
  async function opensStore(key: string): Promise<boolean> {
    const lock = await readLockState(h.t.store.prisma);
    if (!lock?.wrappedKek) return false;
    const kek = unwrapKek(lock.clusterId, parseUnlockKey(key), lock.wrappedKek);
    if (!kek) return false;
    await openKeyringWithKek(h.t.store.prisma, kek, "test");
    return true;
  }

  it("ok/off at first: Swarm's answers for reveal, rotate and unlock on a running server", async () => {
    expect(await admin.autolock.get()).toMatchObject({ autolock: false, unlockKeyRotatedAt: null, problem: null });
    expect(await admin.autolock.status()).toEqual({ locked: false });
    await expect(admin.autolock.reveal()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: "no unlock key is set" });
    await expect(admin.autolock.rotate()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: "cannot rotate because autolock is not turned on" });
    await expect((await h.caller()).autolock.unlock({ unlockKey: "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "swarm is not locked",
    });
    expect(existsSync(kekPath())).toBe(true);
    expect(nodeKey).toEqual([null]);
  });

  it("ok/turning it on: the key once, the KEK's file gone, the node key encrypted, the store opening only with the key; again changes nothing", async () => {
    const before = readFileSync(kekPath());
    const { version } = await admin.autolock.get();
    const on = await admin.autolock.update({ version, autolock: true });
    expect(on).toMatchObject({ autolock: true, version: version + 1, problem: null });
    expect(on.unlockKey).toMatch(KEY);
    expect(on.unlockKeyRotatedAt).toEqual(h.clock.now);
    expect(existsSync(kekPath())).toBe(false);
    expect(nodeKey.at(-1)).toMatch(/^[0-9a-f]{64}$/);

    expect(await opensStore(on.unlockKey!)).toBe(true);
    expect(await opensStore("SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8")).toBe(false);
    // A new KEK took over: the one that lay in the file opens nothing any more.
    writeFileSync(kekPath(), before, { mode: 0o600 });
    await expect(openKeyring(h.t.store.prisma, kekSource(h.t.dataDir, undefined))).rejects.toMatchObject({ code: "key_mismatch" });

    // What was sealed before still opens, and the cluster service follows the new version.
    await admin.swarm.revealToken({ role: "worker" });
    expect((await admin.swarm.info()).version).toBe(version + 1);
    expect((await admin.autolock.reveal()).unlockKey).toBe(on.unlockKey);
    const again = await admin.autolock.update({ version: version + 1, autolock: true });
    expect(again).toMatchObject({ autolock: true, version: version + 1, unlockKey: null });

    const events = await h.manager.audit.list({ actions: ["autolock.enable", "unlockkey.reveal"], limit: 10 });
    expect(events.map((e) => [e.action, e.outcome, e.actorName])).toEqual([
      ["unlockkey.reveal", "success", "admin"],
      ["unlockkey.reveal", "success", "admin"],
      ["autolock.enable", "success", "admin"],
    ]);
    const everything = JSON.stringify([h.log.lines, await h.manager.audit.list({ limit: 100 })]);
    expect(everything).not.toContain(on.unlockKey!.slice(9));
  });

  it("ok/rotating: a new key opens the store, the old one no longer does, nothing else changes", async () => {
    const { version } = await admin.autolock.get();
    const { unlockKey: first } = await admin.autolock.update({ version, autolock: true });
    const passphrase = nodeKey.at(-1);
    const { unlockKey: second } = await admin.autolock.rotate();
    expect(second).toMatch(KEY);
    expect(second).not.toBe(first);
    expect(await opensStore(second)).toBe(true);
    expect(await opensStore(first!)).toBe(false);
    expect(nodeKey.at(-1)).toBe(passphrase);
    expect((await admin.autolock.reveal()).unlockKey).toBe(second);
    expect((await h.manager.audit.list({ action: "unlockkey.rotate", limit: 10 })).map((e) => e.actorName)).toEqual(["admin"]);
  });

  it("ok/turning it off: the KEK back in its file whole, the node key in the clear, no key in the store", async () => {
    const { version } = await admin.autolock.get();
    await admin.autolock.update({ version, autolock: true });
    const off = await admin.autolock.update({ version: version + 1, autolock: false });
    expect(off).toMatchObject({ autolock: false, unlockKey: null, unlockKeyRotatedAt: null });
    expect(nodeKey.at(-1)).toBeNull();
    expect(readFileSync(kekPath())).toHaveLength(32);
    await openKeyring(h.t.store.prisma, kekSource(h.t.dataDir, undefined));
    const row = await h.t.store.prisma.cluster.findFirstOrThrow({ select: { unlockKey: true, wrappedKek: true } });
    expect(row).toEqual({ unlockKey: null, wrappedKek: null });
    await expect(admin.autolock.reveal()).rejects.toMatchObject({ message: "no unlock key is set" });
    expect((await h.manager.audit.list({ action: "autolock.disable", limit: 10 })).map((e) => e.outcome)).toEqual(["success"]);
  });

  it("fail/a change at an old version is a conflict, and changes nothing", async () => {
    const { version } = await admin.autolock.get();
    await admin.swarm.update({ version, taskHistoryLimit: 3 });
    await expect(admin.autolock.update({ version, autolock: true })).rejects.toMatchObject({ code: "CONFLICT", message: `the swarm settings changed since version ${version}; reload and try again` });
    expect((await admin.autolock.get()).autolock).toBe(false);
    expect(existsSync(kekPath())).toBe(true);
  });

  it("fail/a KEK given through RAMPART_KEK_FILE: autolock cannot be turned on, and says why", async () => {
    const named = join(h.t.dataDir, "named-kek");
    writeFileSync(named, readFileSync(kekPath()), { mode: 0o600 });
    const { kek } = await openKeyring(h.t.store.prisma, kekSource(h.t.dataDir, named));
    await h.manager.autolock.attach({ kek, kekSource: kekSource(h.t.dataDir, named), protectNodeKey: () => undefined });
    const view = await admin.autolock.get();
    expect(view.problem).toContain("RAMPART_KEK_FILE");
    await expect(admin.autolock.update({ version: view.version, autolock: true })).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: view.problem });
    expect(existsSync(named)).toBe(true);
  });

  it("fail/who may do what: a viewer reads the state only; without signing in, only status and unlock", async () => {
    await createUser(h.t.store.prisma, { id: "v1", username: "viewer", passwordHash: "x", role: "viewer" });
    await h.manager.auth.resetPassword({ username: "viewer", password: "a viewer's passphrase" }, SYSTEM_ACTOR, { ip: null, userAgent: null });
    const viewer = await h.caller({ sessionToken: await h.login("viewer", "a viewer's passphrase") });
    const { version } = await viewer.autolock.get();
    await expect(viewer.autolock.update({ version, autolock: true })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.autolock.reveal()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.autolock.rotate()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const anonymous = await h.caller();
    await expect(anonymous.autolock.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await anonymous.autolock.status()).toEqual({ locked: false });
    expect((await admin.autolock.get()).autolock).toBe(false);
  });

  it("fail/a connected swarm's autolock is Docker's: refused by name before anything is read", async () => {
    await expect(admin.autolock.get({ env: "prod" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("fail/an oversized unlock key is refused before anything is counted", async () => {
    await expect((await h.caller()).autolock.unlock({ unlockKey: "x".repeat(300) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await h.t.store.prisma.loginThrottle.count({ where: { key: { startsWith: "unlock" } } })).toBe(0);
    expect(clusterId()).toMatch(/^[0-9a-z]{25}$/);
  });
});
