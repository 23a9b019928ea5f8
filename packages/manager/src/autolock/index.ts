import { timingSafeEqual, type KeyObject } from "node:crypto";
import { RampartError, SEAL_KEY_BYTES, formatUnlockKey, parseUnlockKey, type Actor, type ClusterRecord } from "@rampart/core";
import {
  clusterSecretContext,
  getCluster,
  getClusterSecrets,
  loadKek,
  nodeKeyPassphrase,
  readLockState,
  removeKekFile,
  rewrapDataKeys,
  setWrappedKek,
  toKeyObject,
  updateCluster,
  wrapKek,
  writeKekFile,
  type KekSource,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ClusterService } from "../cluster/index.js";
import type { ManagerDeps } from "../deps.js";
import { AUTOLOCK_OFF_MESSAGE, NO_UNLOCK_KEY_MESSAGE, NOT_LOCKED_MESSAGE, type LockStatus } from "./messages.js";

export { createLockedAutolock, type LockedAutolock, type LockedDeps } from "./locked.js";
export { UNLOCK_MAX_FAILURES_PER_ADDRESS, UNLOCK_SLOW_AFTER } from "./throttle.js";
export * from "./messages.js";

/** Autolock as the settings page and `rampart swarm update` see it. No key here: that is `reveal`. */
export interface AutolockView {
  autolock: boolean;
  /** The swarm settings' version, which `update` is checked against. */
  version: number;
  /** When the unlock key was made; null with autolock off. */
  unlockKeyRotatedAt: Date | null;
  /** Why autolock cannot be turned on, or why its files are not as the store says; null when all is well. */
  problem: string | null;
}

/** What the server hands autolock once its keyring is open: the KEK, and the files that follow the store. */
export interface AutolockKeys {
  /** The key-encryption key in force. */
  kek: KeyObject;
  /** Where the KEK's file is: the data directory's `kek`, or the file RAMPART_KEK_FILE names. */
  kekSource: KekSource;
  /** Rewrites the manager's node key: encrypted with `passphrase`, or in the clear for null. A missing key is left missing. */
  protectNodeKey(passphrase: string | null): void;
}

/** Whether the KEK's file is there and holds this key: the usual case at a start without autolock. */
function holdsKek(source: KekSource, kek: KeyObject): boolean {
  let stored: Buffer;
  try {
    stored = loadKek(source, false).key;
  } catch {
    return false;
  }
  const wanted = kek.export();
  const same = stored.length === wanted.length && timingSafeEqual(stored, wanted);
  stored.fill(0);
  wanted.fill(0);
  return same;
}

const NAMED_KEK_PROBLEM =
  "the key-encryption key comes from the file RAMPART_KEK_FILE names, which Rampart does not manage, so autolock cannot take it out of the way: " +
  "move that file to kek in the data directory and start the server without RAMPART_KEK_FILE, then turn autolock on";
const NOT_ATTACHED_PROBLEM = "this server has not handed its key-encryption key to autolock, so autolock cannot be changed here";

/**
 * The running server's side of autolock: turning it on and off, revealing and rotating
 * the unlock key. Each change commits the store first and then makes the data directory
 * follow (the KEK's file, the node key), so that a crash in between leaves a server that
 * starts locked and needs the key it was given: see `settleFiles`.
 */
export function createAutolockService(deps: ManagerDeps, audit: AuditService, cluster: ClusterService) {
  const db = deps.store.prisma;
  let keys: AutolockKeys | undefined;
  /** Why the files do not follow the store just now (a failed write), shown until they do. */
  let filesProblem: string | null = null;

  function attached(): AutolockKeys {
    if (!keys) throw new RampartError("failed_precondition", NOT_ATTACHED_PROBLEM);
    return keys;
  }

  /** The cluster service keeps the record it last wrote; a change made here is its change too. */
  function adopt(record: ClusterRecord): void {
    cluster.current().record = record;
  }

  const conflict = (version: number) =>
    new RampartError("conflict", `the swarm settings changed since version ${version}; reload and try again`, { field: "version" });

  /**
   * Makes the data directory say what the store says. With autolock on: the node key
   * encrypted under the KEK, then no KEK file (a crash between the two leaves a file
   * that still opens nothing but an old key's worth). With it off: the KEK's file, then
   * the node key in the clear. Run after every change and at every start.
   */
  function settleFiles(autolock: boolean): void {
    const k = attached();
    try {
      if (autolock) {
        k.protectNodeKey(nodeKeyPassphrase(k.kek));
        if (k.kekSource.createIfMissing && removeKekFile(k.kekSource)) deps.log.info({}, "removed the key-encryption key's file: autolock keeps it wrapped in the store");
      } else {
        if (k.kekSource.createIfMissing && !holdsKek(k.kekSource, k.kek)) writeKekFile(k.kekSource, k.kek);
        k.protectNodeKey(null);
      }
      filesProblem = null;
    } catch (error) {
      filesProblem = `the data directory's keys could not be made to match autolock ${autolock ? "on" : "off"} (${error instanceof Error ? error.name : "error"}); the server tries again at its next start`;
      deps.log.error({ error: error instanceof Error ? error.name : String(error), autolock }, "autolock: the key files could not be updated");
    }
  }

  /** A fresh unlock key: its bytes (to wrap with) and its text (`SWMKEY-1-…`, to seal and show). */
  function newUnlockKey(): { bytes: Uint8Array; text: string } {
    const bytes = deps.random(SEAL_KEY_BYTES);
    return { bytes, text: formatUnlockKey(bytes) };
  }

  function view(): AutolockView {
    const { record } = cluster.current();
    const problem = !keys ? NOT_ATTACHED_PROBLEM : !keys.kekSource.createIfMissing && !record.autolock ? NAMED_KEK_PROBLEM : filesProblem;
    return { autolock: record.autolock, version: record.version, unlockKeyRotatedAt: record.unlockKeyRotatedAt, problem };
  }

  async function enable(version: number, actor: Actor, ip: string | null): Promise<{ record: ClusterRecord; unlockKey: string }> {
    const k = attached();
    if (!k.kekSource.createIfMissing) throw new RampartError("failed_precondition", NAMED_KEK_PROBLEM);
    const id = cluster.current().record.id;
    const unlock = newUnlockKey();
    // The KEK lay in a file until now, so a copy of it may exist: a new one takes over,
    // and the data keys are wrapped again under it (Swarm renews its DEK for the same reason).
    const kekBytes = deps.random(SEAL_KEY_BYTES);
    const next = toKeyObject(kekBytes);
    kekBytes.fill(0);
    const record = await deps.store.transaction(async (tx) => {
      const updated = await updateCluster(tx, id, version, { autolock: true, unlockKey: deps.codec.sealText(clusterSecretContext(id, "unlock_key"), unlock.text) }, deps.now());
      if (!updated) throw conflict(version);
      await rewrapDataKeys(tx, k.kek, next);
      await setWrappedKek(tx, id, wrapKek(id, unlock.bytes, next));
      await audit.recordMany(
        [
          { actor, action: "autolock.enable", target: { type: "cluster", id }, outcome: "success", ip },
          { actor, action: "unlockkey.reveal", target: { type: "unlockkey", name: "manager" }, outcome: "success", reason: "shown once, on turning autolock on", ip },
        ],
        tx,
      );
      return updated;
    });
    unlock.bytes.fill(0);
    k.kek = next;
    adopt(record);
    settleFiles(true);
    return { record, unlockKey: unlock.text };
  }

  async function disable(version: number, actor: Actor, ip: string | null): Promise<ClusterRecord> {
    attached();
    const id = cluster.current().record.id;
    // The files first: once the store says autolock is off, the next start reads the KEK's file.
    settleFiles(false);
    if (filesProblem) {
      const problem = filesProblem;
      settleFiles(true);
      throw new RampartError("failed_precondition", problem);
    }
    try {
      const record = await deps.store.transaction(async (tx) => {
        const updated = await updateCluster(tx, id, version, { autolock: false, unlockKey: null }, deps.now());
        if (!updated) throw conflict(version);
        await setWrappedKek(tx, id, null);
        await audit.record({ actor, action: "autolock.disable", target: { type: "cluster", id }, outcome: "success", ip }, tx);
        return updated;
      });
      adopt(record);
      return record;
    } catch (error) {
      // The store still says autolock is on: the files go back with it.
      settleFiles(true);
      throw error;
    }
  }

  return {
    /** Not locked: this server is running. */
    status(): LockStatus {
      return { locked: false };
    },

    /** `rampart swarm unlock` on a running server: Swarm's conflict. */
    async unlock(_key: string, _actor: Actor, _ip: string | null): Promise<void> {
      throw new RampartError("conflict", NOT_LOCKED_MESSAGE);
    },

    /**
     * Takes the server's keys, then makes the data directory match the store, finishing
     * what a crash may have left half-done (a KEK file left behind after turning autolock
     * on, a node key still in the clear, a wrapped KEK not yet written).
     */
    async attach(given: AutolockKeys): Promise<void> {
      keys = given;
      const { record } = cluster.current();
      if (record.autolock && given.kekSource.createIfMissing) {
        const lock = await readLockState(db);
        if (lock && !lock.wrappedKek) await wrapUnderStoredKey(record);
      }
      settleFiles(record.autolock);
    },

    get: view,

    /**
     * `rampart swarm update --autolock=true|false` at the settings' version. Turning it on
     * answers with the new unlock key, once (audited as a reveal); anything else with none.
     * Asking for what already is changes nothing.
     */
    async update(input: { version: number; autolock: boolean }, actor: Actor, ip: string | null): Promise<{ view: AutolockView; unlockKey: string | null }> {
      const { record } = cluster.current();
      if (input.version !== record.version) throw conflict(input.version);
      if (input.autolock === record.autolock) return { view: view(), unlockKey: null };
      if (input.autolock) {
        const { unlockKey } = await enable(input.version, actor, ip);
        return { view: view(), unlockKey };
      }
      await disable(input.version, actor, ip);
      return { view: view(), unlockKey: null };
    },

    /** The one path that returns the unlock key as it is: audited, never logged. */
    async reveal(actor: Actor, ip: string | null): Promise<string> {
      const { record } = cluster.current();
      const { unlockKey } = await getClusterSecrets(db, record.id);
      if (!record.autolock || !unlockKey) throw new RampartError("failed_precondition", NO_UNLOCK_KEY_MESSAGE);
      const text = deps.codec.openText(clusterSecretContext(record.id, "unlock_key"), unlockKey);
      await audit.record({ actor, action: "unlockkey.reveal", target: { type: "unlockkey", name: "manager" }, outcome: "success", ip });
      return text;
    },

    /**
     * `rampart swarm unlock-key --rotate`: a new unlock key wraps the same KEK, in one
     * transaction; the old key opens nothing from this moment. Nothing stops: the KEK
     * and every key under it stay as they are, in memory and in the store.
     */
    async rotate(actor: Actor, ip: string | null): Promise<string> {
      const k = attached();
      const id = cluster.current().record.id;
      const unlock = newUnlockKey();
      const record = await deps.store.transaction(async (tx) => {
        // The version as the store has it, as a join token's rotation reads it.
        const current = await getCluster(tx);
        if (!current?.autolock) throw new RampartError("failed_precondition", AUTOLOCK_OFF_MESSAGE);
        const updated = await updateCluster(tx, id, current.version, { unlockKey: deps.codec.sealText(clusterSecretContext(id, "unlock_key"), unlock.text) }, deps.now());
        if (!updated) throw new RampartError("conflict", "the swarm was changed at the same time; try again");
        await setWrappedKek(tx, id, wrapKek(id, unlock.bytes, k.kek));
        await audit.recordMany(
          [
            { actor, action: "unlockkey.rotate", target: { type: "unlockkey", name: "manager" }, outcome: "success", ip },
            { actor, action: "unlockkey.reveal", target: { type: "unlockkey", name: "manager" }, outcome: "success", reason: "shown once, on rotating it", ip },
          ],
          tx,
        );
        return updated;
      });
      unlock.bytes.fill(0);
      adopt(record);
      return unlock.text;
    },
  };

  /**
   * Autolock on in the store with no wrapped KEK (a change that set the flag alone): the
   * KEK is wrapped under the stored unlock key, or a new one an administrator reveals.
   */
  async function wrapUnderStoredKey(record: ClusterRecord): Promise<void> {
    const k = attached();
    const { unlockKey } = await getClusterSecrets(db, record.id);
    let text = unlockKey ? deps.codec.openText(clusterSecretContext(record.id, "unlock_key"), unlockKey) : undefined;
    const fresh = text === undefined ? newUnlockKey() : undefined;
    text ??= fresh!.text;
    const bytes = parseUnlockKey(text);
    const updated = await deps.store.transaction(async (tx) => {
      await setWrappedKek(tx, record.id, wrapKek(record.id, bytes, k.kek));
      if (!fresh) return null;
      return updateCluster(tx, record.id, record.version, { unlockKey: deps.codec.sealText(clusterSecretContext(record.id, "unlock_key"), fresh.text) }, deps.now());
    });
    bytes.fill(0);
    if (updated) adopt(updated);
    deps.log.warn({}, "autolock was on without a wrapped key-encryption key; it is wrapped under the unlock key now");
  }
}

export type AutolockService = ReturnType<typeof createAutolockService>;
