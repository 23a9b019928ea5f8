import { randomBytes, type KeyObject } from "node:crypto";
import { RampartError, SEAL_KEY_BYTES, isRampartError, toHex } from "@rampart/core";
import type { Db, PrismaClient } from "../prisma.js";
import { createCodec, openWith, sealWith, toKeyObject, type SealedCodec } from "./codec.js";
import { loadKek, type KekSource } from "./kek.js";

/** The key id written into envelopes that wrap data keys under the KEK. */
const KEK_ID = "kek";

/** The sealed-field context of a data key wrapped under the KEK. */
export const dataKeyContext = (kid: string) => ({ table: "data_key", rowId: kid, column: "wrapped" });

export interface Keyring {
  codec: SealedCodec;
  /** True when this start created the KEK file (a new store). */
  kekCreated: boolean;
  /**
   * The KEK itself, kept in memory (never exported to a log or an answer) so that
   * autolock can wrap it under an unlock key, or write it back to its file.
   */
  kek: KeyObject;
}

type DataKeyRow = { id: string; wrapped: Uint8Array; active: boolean };
const listDataKeys = (prisma: PrismaClient): Promise<DataKeyRow[]> => prisma.dataKey.findMany({ select: { id: true, wrapped: true, active: true } });

/**
 * Loads the data-encryption keys, unwrapping each with the KEK. A new store gets its
 * first data key here. A KEK that does not unwrap the stored keys is refused outright:
 * the server must not start and write values nobody can read back.
 */
export async function openKeyring(prisma: PrismaClient, source: KekSource): Promise<Keyring> {
  const rows = await listDataKeys(prisma);
  const { key, created } = loadKek(source, rows.length === 0);
  const kek = toKeyObject(key);
  key.fill(0);
  const codec = await unwrapDataKeys(prisma, kek, rows, `the key-encryption key in ${source.path} does not match this store: its data keys do not open`);
  return { codec, kekCreated: created, kek };
}

/**
 * The same with a KEK already in memory: the one an unlock key unwrapped (ADR 0022).
 * `where` says where it came from, for the refusal when it does not match.
 */
export async function openKeyringWithKek(prisma: PrismaClient, kek: KeyObject, where: string): Promise<Keyring> {
  const codec = await unwrapDataKeys(prisma, kek, await listDataKeys(prisma), `the key-encryption key ${where} does not match this store: its data keys do not open`);
  return { codec, kekCreated: false, kek };
}

async function unwrapDataKeys(prisma: PrismaClient, kek: KeyObject, found: DataKeyRow[], mismatch: string): Promise<SealedCodec> {
  let rows = found;
  if (rows.length === 0) {
    const kid = `k${toHex(randomBytes(8))}`;
    const dek = randomBytes(SEAL_KEY_BYTES);
    const wrapped = sealWith(KEK_ID, kek, dataKeyContext(kid), dek);
    dek.fill(0);
    try {
      await prisma.dataKey.create({ data: { id: kid, wrapped, active: true }, select: { id: true } });
    } catch (error) {
      // Another replica created the first key at the same moment; use theirs.
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
    rows = await listDataKeys(prisma);
  }

  const keys = new Map<string, KeyObject>();
  for (const row of rows) {
    try {
      const dek = openWith((kid) => (kid === KEK_ID ? kek : undefined), dataKeyContext(row.id), row.wrapped);
      keys.set(row.id, toKeyObject(dek));
      dek.fill(0);
    } catch (error) {
      if (isRampartError(error) && error.code === "sealed_open_failed") throw new RampartError("key_mismatch", mismatch);
      throw error;
    }
  }
  const active = rows.find((r) => r.active);
  if (!active) throw new RampartError("failed_precondition", "the store has data keys but none is active");
  return createCodec(active.id, keys);
}

/**
 * Wraps every data key again, from one KEK to another, in the caller's transaction:
 * turning autolock on replaces a KEK that lay in a file (ADR 0022). Returns how many.
 */
export async function rewrapDataKeys(db: Db, from: KeyObject, to: KeyObject): Promise<number> {
  const rows = await db.dataKey.findMany({ select: { id: true, wrapped: true } });
  for (const row of rows) {
    const dek = openWith((kid) => (kid === KEK_ID ? from : undefined), dataKeyContext(row.id), row.wrapped);
    try {
      await db.dataKey.update({ where: { id: row.id }, data: { wrapped: sealWith(KEK_ID, to, dataKeyContext(row.id), dek) }, select: { id: true } });
    } finally {
      dek.fill(0);
    }
  }
  return rows.length;
}
