import { describe, expect, it } from "vitest";
import { associatedData, encodeEnvelopeHeader, joinEnvelope, parseEnvelope } from "./envelope.js";

const nonce = new Uint8Array(12).fill(7);
const tag = new Uint8Array(16).fill(9);
const ctx = { table: "secret", rowId: "r1", column: "payload" };

describe("sealed envelope v1", () => {
  it("ok/joins and parses back", () => {
    const header = encodeEnvelopeHeader("k1");
    const envelope = joinEnvelope(header, nonce, new Uint8Array([1, 2, 3]), tag);
    expect(envelope.subarray(0, 3)).toEqual(new Uint8Array([1, 1, 2]));
    const parsed = parseEnvelope(envelope);
    expect(parsed).toMatchObject({ version: 1, alg: "A256GCM", kid: "k1" });
    expect(parsed.ciphertext).toEqual(new Uint8Array([1, 2, 3]));
    expect(parsed.nonce).toEqual(nonce);
    expect(parsed.tag).toEqual(tag);
  });

  it("ok/an empty plaintext is allowed", () => {
    const parsed = parseEnvelope(joinEnvelope(encodeEnvelopeHeader("k1"), nonce, new Uint8Array(), tag));
    expect(parsed.ciphertext).toHaveLength(0);
  });

  it.each([
    ["fail/empty", new Uint8Array(), "too short"],
    ["fail/unknown version", new Uint8Array([2, 1, 2, 107, 49, ...nonce, ...tag]), "unknown version 2"],
    ["fail/unknown algorithm", new Uint8Array([1, 9, 2, 107, 49, ...nonce, ...tag]), "unknown algorithm 9"],
    ["fail/zero-length key id", new Uint8Array([1, 1, 0, ...nonce, ...tag]), "bad key id length"],
    ["fail/key id with a space", new Uint8Array([1, 1, 2, 32, 49, ...nonce, ...tag]), "bad key id"],
    ["fail/missing tag", new Uint8Array([1, 1, 2, 107, 49, ...nonce]), "too short"],
  ])("%s", (_n, bytes, message) => {
    expect(() => parseEnvelope(bytes)).toThrow(message);
  });

  it("ok/associated data binds header, table, row and column, and no two contexts collide", () => {
    const header = encodeEnvelopeHeader("k1");
    const a = associatedData(header, ctx);
    const variants = [
      associatedData(encodeEnvelopeHeader("k2"), ctx),
      associatedData(header, { ...ctx, rowId: "r2" }),
      associatedData(header, { ...ctx, column: "payloadx" }),
      associatedData(header, { ...ctx, table: "secret_" }),
      associatedData(header, { table: "secret", rowId: "r1\u0001payload", column: "x" }),
    ];
    for (const v of variants) expect(v).not.toEqual(a);
  });

  it.each([
    ["fail/table is not an identifier", { ...ctx, table: "a b" }],
    ["fail/empty row id", { ...ctx, rowId: "" }],
    ["fail/row id with NUL", { ...ctx, rowId: "a\u0000b" }],
  ])("%s", (_n, context) => {
    expect(() => associatedData(encodeEnvelopeHeader("k1"), context)).toThrow();
  });

  it("fail/a key id outside the alphabet cannot be written", () => {
    expect(() => encodeEnvelopeHeader("k 1")).toThrow();
    expect(() => encodeEnvelopeHeader("k".repeat(65))).toThrow();
  });
});
