import { RampartError } from "../errors/index.js";

/**
 * Unlock keys (manager/encryption/encryption.go): `SWMKEY-1-` and the key in standard
 * base64 without padding. The length is not checked when parsing; a wrong-length key
 * simply fails to unlock.
 */
export const UNLOCK_KEY_PREFIX = "SWMKEY-1-";
const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function formatUnlockKey(key: Uint8Array): string {
  let out = "";
  for (let i = 0; i < key.length; i += 3) {
    const n = (key[i]! << 16) | ((key[i + 1] ?? 0) << 8) | (key[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((key.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += STD[(n >> (18 - 6 * c)) & 63]!;
  }
  return UNLOCK_KEY_PREFIX + out;
}

export function parseUnlockKey(text: string): Uint8Array {
  const invalid = () => new RampartError("invalid_argument", "invalid key string", { field: "unlockKey" });
  if (!text.startsWith(UNLOCK_KEY_PREFIX)) throw invalid();
  const body = text.slice(UNLOCK_KEY_PREFIX.length);
  if (body.length % 4 === 1) throw invalid();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of body) {
    const v = STD.indexOf(c);
    if (v === -1) throw invalid();
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw invalid();
  return Uint8Array.from(out);
}
