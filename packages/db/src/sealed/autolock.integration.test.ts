import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createCluster } from "../repo/cluster.js";
import { createTestStore, testStoreKinds, type TestStore } from "../testing/index.js";
import { nodeKeyPassphrase, readLockState, setWrappedKek, unwrapKek, wrapKek } from "./autolock.js";
import { toKeyObject } from "./codec.js";
import { kekFileExists, kekSource, loadKek, removeKekFile, writeKekFile } from "./kek.js";
import { openKeyring, openKeyringWithKek, rewrapDataKeys } from "./keyring.js";

const CLUSTER = "0123456789abcdefghijklmno";
const context = { table: "t", rowId: "r", column: "c" };

describe.each(testStoreKinds())("autolock's keys on %s", (kind) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  async function storeWithCluster() {
    t = await createTestStore(kind);
    const keyring = await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined));
    await createCluster(t.store.prisma, {
      id: CLUSTER,
      certExpiryMs: 3_600_000,
      heartbeatPeriodMs: 5000,
      rootCaCert: "-----BEGIN CERTIFICATE-----\n",
      rootCaKey: new Uint8Array(8),
      workerToken: new Uint8Array(8),
      managerToken: new Uint8Array(8),
      at: new Date(),
    });
    return { t, keyring };
  }

  it("ok/the KEK wrapped under an unlock key opens with that key, for that cluster row, and nothing else", async () => {
    const { t, keyring } = await storeWithCluster();
    const unlockKey = randomBytes(32);
    const wrapped = wrapKek(CLUSTER, unlockKey, keyring.kek);
    await setWrappedKek(t.store.prisma, CLUSTER, wrapped);
    const state = await readLockState(t.store.prisma);
    expect(state).toMatchObject({ clusterId: CLUSTER, autolock: false });
    expect(Buffer.from(state!.wrappedKek!)).toEqual(Buffer.from(wrapped));

    const opened = unwrapKek(CLUSTER, unlockKey, state!.wrappedKek!);
    expect(opened?.export()).toEqual(keyring.kek.export());
    // The wrapped value holds no form of the KEK.
    expect(Buffer.from(wrapped).includes(keyring.kek.export())).toBe(false);

    expect(unwrapKek(CLUSTER, randomBytes(32), wrapped), "another key").toBeNull();
    expect(unwrapKek(CLUSTER, unlockKey.subarray(0, 31), wrapped), "the key cut short").toBeNull();
    expect(unwrapKek("1123456789abcdefghijklmno", unlockKey, wrapped), "copied to another row").toBeNull();
    expect(unwrapKek(CLUSTER, unlockKey, new Uint8Array([1, 2, 3])), "not an envelope").toBeNull();

    await setWrappedKek(t.store.prisma, CLUSTER, null);
    expect((await readLockState(t.store.prisma))?.wrappedKek).toBeNull();
  });

  it("ok/re-wrapping the data keys under a new KEK: the old KEK's file no longer opens the store, values sealed before still open", async () => {
    const { t, keyring } = await storeWithCluster();
    const sealed = keyring.codec.sealText(context, "before");
    const oldSource = kekSource(t.dataDir, undefined);
    const next = toKeyObject(randomBytes(32));
    await t.store.transaction((tx) => rewrapDataKeys(tx, keyring.kek, next));

    await expect(openKeyring(t.store.prisma, oldSource)).rejects.toMatchObject({ code: "key_mismatch" });
    const reopened = await openKeyringWithKek(t.store.prisma, next, "unwrapped by the unlock key");
    expect(reopened.codec.openText(context, sealed)).toBe("before");
    await expect(openKeyringWithKek(t.store.prisma, toKeyObject(randomBytes(32)), "given")).rejects.toMatchObject({
      code: "key_mismatch",
      message: "the key-encryption key given does not match this store: its data keys do not open",
    });
  });

  it("ok/the KEK's file is removed and written back whole, mode 0600, and read back as the same key", async () => {
    const { t, keyring } = await storeWithCluster();
    const source = kekSource(t.dataDir, undefined);
    expect(removeKekFile(source)).toBe(true);
    expect(kekFileExists(source)).toBe(false);
    expect(removeKekFile(source)).toBe(false);
    writeKekFile(source, keyring.kek);
    expect(statSync(source.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(source.path)).toEqual(keyring.kek.export());
    expect(loadKek(source, false).key).toEqual(keyring.kek.export());
    // Written again over itself: still one whole key.
    writeKekFile(source, keyring.kek);
    expect(readFileSync(source.path)).toHaveLength(32);
  });

  it("fail/a KEK file named by RAMPART_KEK_FILE is neither written nor removed", async () => {
    const { t, keyring } = await storeWithCluster();
    const named = kekSource(t.dataDir, `${t.dataDir}/kek`);
    expect(() => removeKekFile(named)).toThrow("named by RAMPART_KEK_FILE");
    expect(() => writeKekFile(named, keyring.kek)).toThrow("named by RAMPART_KEK_FILE");
    expect(kekFileExists(named)).toBe(true);
  });
});

describe("the node key's passphrase", () => {
  it("ok/64 hex characters, the same for the same KEK, another for another", () => {
    const kek = toKeyObject(randomBytes(32));
    const passphrase = nodeKeyPassphrase(kek);
    expect(passphrase).toMatch(/^[0-9a-f]{64}$/);
    expect(nodeKeyPassphrase(kek)).toBe(passphrase);
    expect(nodeKeyPassphrase(toKeyObject(randomBytes(32)))).not.toBe(passphrase);
    expect(passphrase).not.toContain(kek.export().toString("hex"));
  });
});
