import { readFileSync } from "node:fs";
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

/** testdata/go-oracle.json: how Go reads each digest (testdata/README.md). */
interface DigestCase {
  digest: string;
  accepted: boolean;
  hex: string;
  root?: string;
  error?: string;
}

function readDigestCases(): DigestCase[] {
  const data = JSON.parse(readFileSync(new URL("./testdata/go-oracle.json", import.meta.url), "utf8")) as Record<string, unknown>;
  if (!Array.isArray(data.digests)) throw new Error("testdata/go-oracle.json has no digests");
  for (const row of data.digests as Array<Record<string, unknown>>) {
    const ok = typeof row.digest === "string" && typeof row.accepted === "boolean" && (typeof row.root === "string" || typeof row.error === "string");
    if (!ok) throw new Error(`bad digest row ${JSON.stringify(row)}`);
  }
  return data.digests as DigestCase[];
}

describe("the digest read as big.Int.SetString(digest, 36) reads it", () => {
  const secret = "000avh9he7dy896m08s18udxr";
  const cases = readDigestCases();

  it.each(cases.filter((c) => c.accepted).map((c) => [`${c.root ? "ok" : "fail"}/${JSON.stringify(c.digest)}`, c] as const))(
    "%s: SetString takes it (Go's answer)",
    (_n, c) => {
      const token = `SWMTKN-1-${c.digest}-${secret}`;
      if (c.root) expect(parseJoinToken(token).rootDigest).toBe(c.root);
      else expect(() => parseJoinToken(token)).toThrow(c.error);
    },
  );

  // Go leaves whatever digits came before the fault (or 0) and SwarmKit uses that value;
  // Go's documentation calls it undefined, so Rampart refuses the token instead.
  it.each(cases.filter((c) => !c.accepted).map((c) => [`fail/${JSON.stringify(c.digest)}`, c] as const))(
    "%s: SetString refuses it",
    (_n, c) => expect(() => parseJoinToken(`SWMTKN-1-${c.digest}-${secret}`)).toThrow("invalid join token"),
  );

  it.each([
    ["ok/a 25-byte secret of two-byte letters (lengths are bytes)", `${"é".repeat(12)}x`, true],
    ["fail/25 letters, one of them two bytes", `${"é"}${"x".repeat(24)}`, false],
  ])("%s", (_n, s, ok) => {
    const token = `SWMTKN-1-${cases[0]!.digest}-${s}`;
    if (ok) expect(parseJoinToken(token).secret).toBe(s);
    else expect(() => parseJoinToken(token)).toThrow("invalid join token");
  });
});
