import { describe, expect, it } from "vitest";
import { formatJoinToken, parseJoinToken } from "./join.js";
import { formatUnlockKey, parseUnlockKey } from "./unlock.js";

describe("join tokens", () => {
  it("ok/round-trips and keeps a fixed length", () => {
    const hex = "f".repeat(64);
    for (let i = 0; i < 50; i++) {
      const token = formatJoinToken(hex, crypto.getRandomValues(new Uint8Array(16)));
      expect(token).toHaveLength(85);
      expect(parseJoinToken(token).rootDigest).toBe(`sha256:${hex}`);
    }
  });
  it.each([
    ["fail/digest above 2^256-1", `SWMTKN-1-${"z".repeat(50)}-${"0".repeat(25)}`],
    ["fail/upper-case digest", `SWMTKN-1-${"A".repeat(50)}-${"0".repeat(25)}`],
    ["fail/short secret", `SWMTKN-1-${"0".repeat(50)}-${"0".repeat(24)}`],
    ["fail/empty", ""],
  ])("%s", (_n, token) => expect(() => parseJoinToken(token)).toThrow("invalid join token"));
});

describe("unlock keys", () => {
  it("ok/round-trips 32 bytes", () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const text = formatUnlockKey(key);
    expect(text).toHaveLength(52);
    expect(parseUnlockKey(text)).toEqual(key);
  });
});
