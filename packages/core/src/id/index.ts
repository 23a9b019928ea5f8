/**
 * Swarm's object IDs (identity/randomid.go): 17 random bytes with the top bit set, read
 * as a big-endian integer in base 36, first character dropped, 25 kept. Setting the top
 * bit fixes the length; dropping the first digit removes its bias. Node, cluster,
 * service, task and secret IDs all have this form.
 */
export const ID_RANDOM_BYTES = 17;
export const ID_LENGTH = 25;

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export function newId(random: Uint8Array): string {
  if (random.length !== ID_RANDOM_BYTES) throw new Error("an ID needs 17 random bytes");
  const bytes = Uint8Array.from(random);
  bytes[0] = bytes[0]! | 0x80;
  return bytesToBigInt(bytes).toString(36).slice(1, 1 + ID_LENGTH);
}

export function isId(value: string): boolean {
  return /^[0-9a-z]{25}$/.test(value);
}
