/**
 * seal.<size>.ratio: sealing and opening one value through the codec, divided by the
 * same AES-256-GCM work done directly with node:crypto (random nonce, AAD, tag) in the
 * same run. Targets (DESIGN.md §6): ≤ 2 at 1 KiB, ≤ 1.5 at 64 KiB.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createCodec, toKeyObject } from "./codec.js";

const key = randomBytes(32);
const keyObject = toKeyObject(key);
const codec = createCodec("kbench0000000000", new Map([["kbench0000000000", keyObject]]));
const context = { table: "secret", rowId: "0123456789abcdef0123456789", column: "payload" };
const aad = Buffer.from(`rampart.seal.v1\u0000${context.table}\u0000${context.rowId}\u0000${context.column}`);

function raw(plaintext: Buffer): void {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyObject, nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  const decipher = createDecipheriv("aes-256-gcm", keyObject, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  decipher.update(ciphertext);
  decipher.final();
}

function sealed(plaintext: Buffer): void {
  codec.open(context, codec.seal(context, plaintext));
}

function timePerOp(fn: (p: Buffer) => void, plaintext: Buffer, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 2000); i++) fn(plaintext);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(plaintext);
  return Number(process.hrtime.bigint() - start) / iterations;
}

/** Alternates the two, five rounds each, and keeps each one's best: the least disturbed run. */
function measure(size: number, iterations: number): { raw: number; sealed: number } {
  const plaintext = randomBytes(size);
  let bestRaw = Infinity;
  let bestSealed = Infinity;
  for (let round = 0; round < 5; round++) {
    bestRaw = Math.min(bestRaw, timePerOp(raw, plaintext, iterations));
    bestSealed = Math.min(bestSealed, timePerOp(sealed, plaintext, iterations));
  }
  return { raw: bestRaw, sealed: bestSealed };
}

for (const [label, size, iterations] of [
  ["1KiB", 1024, 20_000],
  ["64KiB", 64 * 1024, 2_000],
] as const) {
  const m = measure(size, iterations);
  const mbps = (ns: number) => ((size * 2) / (ns / 1e9) / 1e6).toFixed(0);
  console.log(`seal.${label}.raw: ${(m.raw / 1000).toFixed(2)} us`);
  console.log(`seal.${label}.sealed: ${(m.sealed / 1000).toFixed(2)} us`);
  console.log(`seal.${label}.sealedThroughput: ${mbps(m.sealed)} MB/s`);
  console.log(`seal.${label}.ratio: ${(m.sealed / m.raw).toFixed(2)} x`);
}
