import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { equalFold, simpleFold } from "./index.js";

/** testdata/go-oracle.json: Go's own answers (testdata/README.md says how it was made). */
interface FoldOracle {
  unicode: string;
  equal_fold: Array<{ a: string; b: string; equal: boolean }>;
  orbits: number[][];
}

function readOracle(): FoldOracle {
  const data: unknown = JSON.parse(readFileSync(new URL("./testdata/go-oracle.json", import.meta.url), "utf8"));
  const record = data as Record<string, unknown>;
  if (typeof record.unicode !== "string" || !Array.isArray(record.equal_fold) || !Array.isArray(record.orbits)) {
    throw new Error("testdata/go-oracle.json is not the oracle's output");
  }
  for (const c of record.equal_fold as unknown[]) {
    const row = c as Record<string, unknown>;
    if (typeof row.a !== "string" || typeof row.b !== "string" || typeof row.equal !== "boolean") throw new Error("bad equal_fold row");
  }
  for (const o of record.orbits as unknown[]) {
    if (!Array.isArray(o) || !o.every((r) => Number.isInteger(r))) throw new Error("bad orbit");
  }
  return data as FoldOracle;
}

const oracle = readOracle();

/**
 * Code points whose orbit Go 1.19 (Unicode 13, the oracle) does not know: they were
 * assigned in Unicode 14. Go uses Unicode 15 since 1.21, and so does Rampart's table.
 */
const UNICODE_14_CASED = (r: number) =>
  r === 0x2c2f || r === 0x2c5f || (r >= 0xa7c0 && r <= 0xa7c1) || (r >= 0xa7d0 && r <= 0xa7d9) || (r >= 0x10570 && r <= 0x105bc);

/** The orbit of `r` by walking simpleFold, ascending. */
function orbitOf(r: number): number[] {
  const out = [r];
  for (let f = simpleFold(r); f !== r; f = simpleFold(f)) out.push(f);
  return out.sort((a, b) => a - b);
}

const name = (c: { a: string; b: string; equal: boolean }) => `${c.equal ? "ok" : "fail"}/${JSON.stringify(c.a)} vs ${JSON.stringify(c.b)}`;

describe("equalFold is Go's strings.EqualFold", () => {
  it.each(oracle.equal_fold.map((c) => [name(c), c] as const))("%s (Go's answer)", (_n, c) => {
    expect(equalFold(c.a, c.b)).toBe(c.equal);
    expect(equalFold(c.b, c.a)).toBe(c.equal);
  });

  it.each([
    ["fail/ß is not ss (full upper-casing, not simple folding)", "ß", "ss", false],
    ["fail/dotless ı is not i", "ı", "i", false],
    ["fail/dotted İ is not i", "İ", "i", false],
    ["ok/Kelvin sign is k", "\u212a", "k", true],
    ["ok/long s is S", "ſ", "S", true],
    ["ok/Unicode 14's Glagolitic caudate chrivi pair (Go 1.21+)", "\u2c2f", "\u2c5f", true],
    ["ok/Unicode 14's Vithkuqi pair (Go 1.21+)", "\u{10570}", "\u{10597}", true],
    ["ok/astral pair, Deseret", "\u{10400}", "\u{10428}", true],
    ["fail/astral against a shorter string", "\u{10400}", "a", false],
    ["ok/a lone surrogate reads as U+FFFD, as its UTF-8 form does", "\ud800", "\ufffd", true],
    ["fail/one more rune", "abc", "abcd", false],
  ])("%s", (_n, a, b, equal) => {
    expect(equalFold(a, b)).toBe(equal);
    expect(equalFold(b, a)).toBe(equal);
  });
});

describe("simpleFold walks Go's orbits", () => {
  it("ok/every orbit Go 1.19 knows is the same here, but for Unicode 14's new letters", () => {
    const goOrbit = new Map<number, string>();
    for (const orbit of oracle.orbits) {
      const key = [...orbit].sort((a, b) => a - b).join(",");
      for (const r of orbit) goOrbit.set(r, key);
    }
    const differ: number[] = [];
    for (let r = 0; r <= 0x10ffff; r++) {
      const ours = orbitOf(r).join(",");
      if (ours !== (goOrbit.get(r) ?? String(r)) && !UNICODE_14_CASED(r)) differ.push(r);
    }
    expect(differ).toEqual([]);
  });

  it.each([
    ["ok/A to a", 0x41, 0x61],
    ["ok/a back to A", 0x61, 0x41],
    ["ok/K to k", 0x4b, 0x6b],
    ["ok/k to the Kelvin sign", 0x6b, 0x212a],
    ["ok/the Kelvin sign back to K", 0x212a, 0x4b],
    ["ok/1 folds with nothing", 0x31, 0x31],
    ["ok/dotless ı folds with nothing", 0x131, 0x131],
  ])("%s", (_n, r, next) => expect(simpleFold(r)).toBe(next));
});
