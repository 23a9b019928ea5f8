import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCodec, toKeyObject } from "./codec.js";

const ctx = { table: "api_token", rowId: "row-1", column: "secret" };
const codec = createCodec("k1", new Map([["k1", toKeyObject(randomBytes(32))]]));

describe("sealed codec", () => {
  it("ok/round-trips bytes and text", () => {
    const value = randomBytes(1000);
    expect(codec.open(ctx, codec.seal(ctx, value))).toEqual(value);
    expect(codec.openText(ctx, codec.sealText(ctx, "héllo"))).toBe("héllo");
    expect(codec.openText(ctx, codec.sealText(ctx, ""))).toBe("");
  });

  it("ok/uses a fresh 96-bit nonce every time", () => {
    const a = codec.sealText(ctx, "same");
    const b = codec.sealText(ctx, "same");
    expect(Buffer.from(a)).not.toEqual(Buffer.from(b));
    // header is 3 + kid length; the nonce is the next 12 bytes.
    expect(Buffer.from(a.subarray(5, 17))).not.toEqual(Buffer.from(b.subarray(5, 17)));
  });

  it("fail/flipping any single byte makes the value fail to open", () => {
    const sealed = codec.sealText(ctx, "canary value");
    for (let i = 0; i < sealed.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const tampered = new Uint8Array(sealed);
        tampered[i]! ^= mask;
        expect(() => codec.open(ctx, tampered), `byte ${i} mask ${mask}`).toThrow(/sealed value cannot be opened/);
      }
    }
  });

  it("fail/truncated or extended values do not open", () => {
    const sealed = codec.sealText(ctx, "canary value");
    expect(() => codec.open(ctx, sealed.subarray(0, sealed.length - 1))).toThrow(/cannot be opened/);
    expect(() => codec.open(ctx, new Uint8Array([...sealed, 0]))).toThrow(/cannot be opened/);
    expect(() => codec.open(ctx, new Uint8Array())).toThrow(/cannot be opened/);
  });

  it.each([
    ["another row", { ...ctx, rowId: "row-2" }],
    ["another column", { ...ctx, column: "name" }],
    ["another table", { ...ctx, table: "session" }],
  ])("fail/a value moved to %s does not open", (_label, other) => {
    const sealed = codec.sealText(ctx, "canary value");
    expect(() => codec.open(other, sealed)).toThrow("sealed value cannot be opened: authentication failed");
  });

  it("fail/a different key with the same id does not open", () => {
    const other = createCodec("k1", new Map([["k1", toKeyObject(randomBytes(32))]]));
    expect(() => other.open(ctx, codec.sealText(ctx, "x"))).toThrow("authentication failed");
  });

  it("fail/an unknown key id is refused", () => {
    const other = createCodec("k2", new Map([["k2", toKeyObject(randomBytes(32))]]));
    expect(() => other.open(ctx, codec.sealText(ctx, "x"))).toThrow("unknown key id");
  });
});
