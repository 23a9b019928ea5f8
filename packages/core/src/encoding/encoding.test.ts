import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, isCrockford, normalizeCrockford, toBase64, toBase64Url, toCrockford, toHex } from "./index.js";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("base64url", () => {
  it.each([
    ["ok/empty", bytes(), ""],
    ["ok/one byte", bytes(0xff), "_w"],
    ["ok/two bytes", bytes(0xfb, 0xff), "-_8"],
    ["ok/three bytes", bytes(0, 1, 2), "AAEC"],
  ])("%s", (_name, input, encoded) => {
    expect(toBase64Url(input)).toBe(encoded);
    expect(fromBase64Url(encoded)).toEqual(input);
  });

  it("ok/matches Node's encoder on random data", () => {
    for (let n = 0; n < 64; n++) {
      const data = crypto.getRandomValues(new Uint8Array(n));
      expect(toBase64Url(data)).toBe(btoa(String.fromCharCode(...data)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
      expect(fromBase64Url(toBase64Url(data))).toEqual(data);
    }
  });

  it.each([
    ["fail/padding", "AA=="],
    ["fail/standard alphabet", "a+b/"],
    ["fail/impossible length", "AAAAA"],
    ["fail/non-zero trailing bits", "_x"],
  ])("%s", (_name, text) => {
    expect(fromBase64Url(text)).toBeUndefined();
  });
});

describe("base64 (standard, padded)", () => {
  it.each([
    ["ok/empty", bytes(), ""],
    ["ok/one byte", bytes(0xff), "/w=="],
    ["ok/two bytes", bytes(0xfb, 0xff), "+/8="],
    ["ok/three bytes", bytes(0, 1, 2), "AAEC"],
  ])("%s", (_name, input, encoded) => {
    expect(toBase64(input)).toBe(encoded);
    expect(fromBase64(encoded)).toEqual(input);
  });

  it("ok/matches btoa on random data of every length up to 96", () => {
    for (let n = 0; n <= 96; n++) {
      const data = crypto.getRandomValues(new Uint8Array(n));
      const expected = btoa(String.fromCharCode(...data));
      expect(toBase64(data)).toBe(expected);
      expect(fromBase64(expected)).toEqual(data);
    }
  });

  it.each([
    ["fail/missing padding", "/w"],
    ["fail/URL alphabet", "-_8="],
    ["fail/whitespace", "AA EC"],
    ["fail/newline", "AAEC\n"],
    ["fail/padding in the middle", "AA==AAEC"],
    ["fail/three padding characters", "A==="],
    ["fail/non-zero trailing bits", "/x=="],
    ["fail/non-ASCII", "AAé="],
  ])("%s", (_name, text) => {
    expect(fromBase64(text)).toBeUndefined();
  });
});

describe("hex and Crockford base32", () => {
  it("ok/hex", () => expect(toHex(bytes(0, 15, 255))).toBe("000fff"));
  it("ok/crockford has no I, L, O or U", () => {
    const text = toCrockford(crypto.getRandomValues(new Uint8Array(200)));
    expect(text).toMatch(/^[0-9A-HJKMNP-TV-Z]+$/);
    expect(isCrockford(text)).toBe(true);
  });
  it("ok/look-alikes normalise", () => expect(normalizeCrockford("ilo")).toBe("110"));
  it("fail/U is not Crockford", () => expect(isCrockford("U")).toBe(false));
});
