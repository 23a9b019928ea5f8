import { kekSource, openKeyring } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

const KEY = /^SWMKEY-1-[A-Za-z0-9+/]{43}$/;

/**
 * The PKI procedures on Rampart's own cluster, where a connected swarm's are Docker's
 * (apps/cli/src/environments/pki.integration.test.ts): a rotation through `pki.rotate`,
 * and autolock's unlock key through `pki.setAutolock`, `pki.revealUnlockKey` and
 * `pki.rotateUnlockKey`, which are the native autolock service's.
 */
describe.each(testStoreKinds())("the PKI procedures on the native cluster, on %s", (kind) => {
  let h: Harness;
  let admin: Awaited<ReturnType<Harness["caller"]>>;

  beforeEach(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    admin = await h.caller({ sessionToken: await h.login("admin", "correct horse battery") });
    const { kek } = await openKeyring(h.t.store.prisma, kekSource(h.t.dataDir, undefined));
    await h.manager.autolock.attach({ kek, kekSource: kekSource(h.t.dataDir, undefined), protectNodeKey: () => undefined });
  });
  afterEach(async () => {
    await h.dispose();
  });

  it("ok/pki.rotate starts the native rotation to a new root, with its target", async () => {
    const before = await admin.pki.status();
    const started = await admin.pki.rotate({ version: before.version });
    expect(started).toMatchObject({ kind: "native", forceRotate: before.forceRotate + 1, trustRoot: { digest: before.trustRoot.digest } });
    expect(started.rotation?.target?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(started.rotation?.target?.digest).not.toBe(before.trustRoot.digest);
  });

  it("ok/autolock on, reveal, rotate, off: the native autolock's keys and answers", async () => {
    const { version } = await admin.pki.status();
    const on = await admin.pki.setAutolock({ version, autolock: true });
    expect(on).toMatchObject({ autolock: true, problem: null });
    expect(on.unlockKey).toMatch(KEY);
    expect((await admin.pki.revealUnlockKey()).unlockKey).toBe(on.unlockKey);
    const rotated = await admin.pki.rotateUnlockKey();
    expect(rotated.unlockKey).toMatch(KEY);
    expect(rotated.unlockKey).not.toBe(on.unlockKey);
    expect((await admin.autolock.reveal()).unlockKey).toBe(rotated.unlockKey);
    const off = await admin.pki.setAutolock({ version: (await admin.autolock.get()).version, autolock: false });
    expect(off).toMatchObject({ autolock: false, unlockKey: null });
    await expect(admin.pki.revealUnlockKey()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: "no unlock key is set" });
    await expect(admin.pki.rotateUnlockKey()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: "cannot rotate because autolock is not turned on" });
  });
});
