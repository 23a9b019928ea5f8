import { describe, expect, it } from "vitest";
import {
  formatApiToken,
  formatSessionToken,
  formatSetupCode,
  isWellFormedSessionToken,
  newApiTokenId,
  normalizeSetupCode,
  parseApiToken,
} from "./index.js";

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe("session tokens", () => {
  it("ok/32 random bytes give a 43-character token", () => {
    const token = formatSessionToken(random(32));
    expect(token).toHaveLength(43);
    expect(isWellFormedSessionToken(token)).toBe(true);
  });
  it.each([["fail/short", "abc"], ["fail/bad alphabet", "!".repeat(43)], ["fail/empty", ""]])("%s", (_n, token) => {
    expect(isWellFormedSessionToken(token)).toBe(false);
  });
  it("fail/refuses too little randomness", () => {
    expect(() => formatSessionToken(random(16))).toThrow("32 random bytes");
  });
});

describe("API tokens", () => {
  it("ok/round-trips", () => {
    const id = newApiTokenId(random(10));
    const { token, secret } = formatApiToken(id, random(32));
    expect(token).toBe(`rmp1_${id}_${secret}`);
    expect(parseApiToken(token)).toEqual({ id, secret });
  });
  it.each([
    ["fail/other prefix", "rmp2_0123456789abcdef_" + "A".repeat(43)],
    ["fail/short secret", "rmp1_0123456789abcdef_" + "A".repeat(42)],
    ["fail/uppercase id", "rmp1_0123456789ABCDEF_" + "A".repeat(43)],
    ["fail/junk", "Bearer x"],
  ])("%s", (_n, token) => {
    expect(() => parseApiToken(token)).toThrow("API token is malformed");
  });
});

describe("setup codes", () => {
  it("ok/four groups of four Crockford characters", () => {
    expect(formatSetupCode(random(10))).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  });
  it.each([
    ["ok/lower case without dashes", "7kq3m2xd9rta0bwe", "7KQ3-M2XD-9RTA-0BWE"],
    ["ok/spaces and look-alikes", " 7KQ3 M2XD 9RTA OBWE ", "7KQ3-M2XD-9RTA-0BWE"],
  ])("%s", (_n, input, expected) => {
    expect(normalizeSetupCode(input)).toBe(expected);
  });
  it.each([["fail/too short", "7KQ3-M2XD"], ["fail/has U", "UUUU-M2XD-9RTA-0BWE"]])("%s", (_n, input) => {
    expect(normalizeSetupCode(input)).toBeUndefined();
  });
});
