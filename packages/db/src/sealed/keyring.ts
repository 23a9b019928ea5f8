import { randomBytes, type KeyObject } from "node:crypto";
import { RampartError, SEAL_KEY_BYTES, isRampartError, toHex } from "@rampart/core";
import type { PrismaClient } from "../prisma.js";
import { createCodec, openWith, sealWith, toKeyObject, type SealedCodec } from "./codec.js";
import { loadKek, type KekSource } from "./kek.js";

/** The key id written into envelopes that wrap data keys under the KEK. */
const KEK_ID = "kek";

const wrapContext = (kid: string) => ({ table: "data_key", rowId: kid, column: "wrapped" });

export interface Keyring {
  codec: SealedCodec;
  /** True when this start created the KEK file (a new store). */
  kekCreated: boolean;
}

/**
 * Loads the data-encryption keys, unwrapping each with the KEK. A new store gets its
 * first data key here. A KEK that does not unwrap the stored keys is refused outright:
 * the server must not start and write values nobody can read back.
 */
export async function openKeyring(prisma: PrismaClient, source: KekSource): Promise<Keyring> {
  let rows = await prisma.dataKey.findMany({ select: { id: true, wrapped: true, active: true } });
  const { key, created } = loadKek(source, rows.length === 0);
  const kek = toKeyObject(key);
  key.fill(0);

  if (rows.length === 0) {
    const kid = `k${toHex(randomBytes(8))}`;
    const dek = randomBytes(SEAL_KEY_BYTES);
    const wrapped = sealWith(KEK_ID, kek, wrapContext(kid), dek);
    dek.fill(0);
    try {
      await prisma.dataKey.create({ data: { id: kid, wrapped, active: true }, select: { id: true } });
    } catch (error) {
      // Another replica created the first key at the same moment; use theirs.
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
    rows = await prisma.dataKey.findMany({ select: { id: true, wrapped: true, active: true } });
  }

  const keys = new Map<string, KeyObject>();
  for (const row of rows) {
    try {
      const dek = openWith((kid) => (kid === KEK_ID ? kek : undefined), wrapContext(row.id), row.wrapped);
      keys.set(row.id, toKeyObject(dek));
      dek.fill(0);
    } catch (error) {
      if (isRampartError(error) && error.code === "sealed_open_failed") {
        throw new RampartError(
          "key_mismatch",
          `the key-encryption key in ${source.path} does not match this store: its data keys do not open`,
        );
      }
      throw error;
    }
  }
  const active = rows.find((r) => r.active);
  if (!active) throw new RampartError("failed_precondition", "the store has data keys but none is active");
  return { codec: createCodec(active.id, keys), kekCreated: created };
}
