import { hkdfSync, type KeyObject } from "node:crypto";
import { SEAL_KEY_BYTES, isRampartError } from "@rampart/core";
import type { Db } from "../prisma.js";
import { openWith, sealWith, toKeyObject } from "./codec.js";

/**
 * Autolock's keys (ADR 0022). With autolock on, the key-encryption key is not in a file:
 * the store holds it sealed in the usual envelope under a key derived from the unlock
 * key (`SWMKEY-1-…`) with HKDF-SHA256, bound to the cluster row and its `wrapped_kek`
 * column. The manager's node key is encrypted (PKCS#8, PBES2) with a passphrase derived
 * from the KEK the same way, so it opens only once the KEK does; rotating the unlock key
 * re-wraps the KEK alone, in one statement, and the node key's file stays as it is.
 */

/** The envelope's key id for a KEK wrapped under an unlock key. */
const UNLOCK_KID = "unlock";

/** HKDF's `info`: each derived key is for one purpose only. */
const KEK_WRAP_INFO = "rampart autolock v1: key-encryption key wrap";
const NODE_KEY_INFO = "rampart autolock v1: node key passphrase";

export const wrappedKekContext = (clusterId: string) => ({ table: "cluster", rowId: clusterId, column: "wrapped_kek" });

/** HKDF-SHA256 with no salt: its inputs are 256-bit random keys already, and `info` keeps purposes apart. */
function derive(input: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", input, Buffer.alloc(0), info, SEAL_KEY_BYTES));
}

/** The KEK sealed under the unlock key, for the cluster row `clusterId`. */
export function wrapKek(clusterId: string, unlockKey: Uint8Array, kek: KeyObject): Uint8Array<ArrayBuffer> {
  const wrapKey = derive(unlockKey, KEK_WRAP_INFO);
  const bytes = kek.export();
  try {
    return sealWith(UNLOCK_KID, toKeyObject(wrapKey), wrappedKekContext(clusterId), bytes);
  } finally {
    wrapKey.fill(0);
    bytes.fill(0);
  }
}

/**
 * The KEK the unlock key opens, or null when it does not: a wrong key, of any length,
 * fails the envelope's authentication like any other (Swarm checks no length either).
 */
export function unwrapKek(clusterId: string, unlockKey: Uint8Array, wrapped: Uint8Array): KeyObject | null {
  const wrapKey = toKeyObject(derive(unlockKey, KEK_WRAP_INFO));
  let bytes: Buffer;
  try {
    bytes = openWith((kid) => (kid === UNLOCK_KID ? wrapKey : undefined), wrappedKekContext(clusterId), wrapped);
  } catch (error) {
    if (isRampartError(error) && (error.code === "sealed_open_failed" || error.code === "invalid_argument")) return null;
    throw error;
  }
  try {
    return bytes.length === SEAL_KEY_BYTES ? toKeyObject(bytes) : null;
  } finally {
    bytes.fill(0);
  }
}

/**
 * The passphrase of the manager's node key while autolock is on: 64 hex characters
 * derived from the KEK, so `openssl pkey -passin` can open the file for whoever holds
 * the KEK, and nobody else.
 */
export function nodeKeyPassphrase(kek: KeyObject): string {
  const bytes = kek.export();
  const derived = derive(bytes, NODE_KEY_INFO);
  bytes.fill(0);
  const text = derived.toString("hex");
  derived.fill(0);
  return text;
}

export interface LockState {
  clusterId: string;
  autolock: boolean;
  /** Null when autolock is off, or (after a crash half-way through turning it on) not yet written. */
  wrappedKek: Uint8Array | null;
}

/** What a start reads before it has any key: whether autolock is on, and the wrapped KEK. Null before the swarm exists. */
export async function readLockState(db: Db): Promise<LockState | null> {
  const row = await db.cluster.findFirst({ select: { id: true, autolock: true, wrappedKek: true } });
  return row ? { clusterId: row.id, autolock: row.autolock, wrappedKek: row.wrappedKek } : null;
}

/** Stores the wrapped KEK (or removes it: null), in the caller's transaction. */
export async function setWrappedKek(db: Db, clusterId: string, wrapped: Uint8Array<ArrayBuffer> | null): Promise<void> {
  await db.cluster.update({ where: { id: clusterId }, data: { wrappedKek: wrapped }, select: { id: true } });
}
