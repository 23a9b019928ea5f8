import { SIMPLE_FOLD_RUNS } from "./fold-table.js";

/**
 * Go's case-insensitive comparison, which Swarm uses for every constraint key and value
 * (strings.EqualFold). It is not JavaScript's toLowerCase or toUpperCase: those apply
 * full case mappings (`ß` upper-cases to `SS`, `ı` to `I`), so `ß` would equal `ss` and
 * `ı` would equal `i`, which Go never says. Go compares rune by rune, and two runes are
 * equal when one is in the other's simple-folding orbit (unicode.SimpleFold): `k`, `K`
 * and the Kelvin sign `K` are one orbit, `s`, `S` and `ſ` another, `ı` and `İ` are alone.
 * The orbits come from Unicode's simple and common foldings, in the edition Go uses
 * (fold-table.ts), not in whatever edition this JavaScript engine ships.
 */

let orbits: Map<number, readonly number[]> | undefined;

/** Each folding code point, and each code point folded to, mapped to its whole orbit, ascending. */
function orbitTable(): Map<number, readonly number[]> {
  if (orbits) return orbits;
  const members = new Map<number, number[]>();
  for (const [first, count, stride, delta] of SIMPLE_FOLD_RUNS) {
    for (let k = 0; k < count; k++) {
      const code = first + k * stride;
      const folded = code + delta;
      const orbit = members.get(folded) ?? [folded];
      orbit.push(code);
      members.set(folded, orbit);
    }
  }
  orbits = new Map();
  for (const orbit of members.values()) {
    orbit.sort((a, b) => a - b);
    for (const code of orbit) orbits.set(code, orbit);
  }
  return orbits;
}

/**
 * unicode.SimpleFold: the next code point after `r` in its orbit, wrapping round to the
 * smallest; `r` itself when it folds with nothing.
 */
export function simpleFold(r: number): number {
  const orbit = orbitTable().get(r);
  if (!orbit) return r;
  for (const member of orbit) if (member > r) return member;
  return orbit[0]!;
}

/**
 * The code point at `i`. A lone surrogate has no UTF-8 form: encoders write U+FFFD in its
 * place, and Go reads an invalid byte as U+FFFD too.
 */
function runeAt(text: string, i: number): number {
  const code = text.codePointAt(i)!;
  return code >= 0xd800 && code <= 0xdfff ? 0xfffd : code;
}

const runeLength = (rune: number) => (rune > 0xffff ? 2 : 1);

/** Two runes equal under simple folding, walked from the smaller as Go walks it. */
function runesFold(a: number, b: number): boolean {
  if (a === b) return true;
  const [small, large] = a < b ? [a, b] : [b, a];
  if (large < 0x80) return small >= 0x41 && small <= 0x5a && large === small + 0x20;
  let r = simpleFold(small);
  while (r !== small && r < large) r = simpleFold(r);
  return r === large;
}

/** strings.EqualFold. */
export function equalFold(s: string, t: string): boolean {
  if (s === t) return true;
  let i = 0;
  let j = 0;
  while (i < s.length) {
    if (j >= t.length) return false;
    const sr = runeAt(s, i);
    const tr = runeAt(t, j);
    if (!runesFold(sr, tr)) return false;
    i += runeLength(s.codePointAt(i)!);
    j += runeLength(t.codePointAt(j)!);
  }
  return j >= t.length;
}
