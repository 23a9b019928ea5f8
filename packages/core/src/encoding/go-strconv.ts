/**
 * The parts of Go's strconv that Swarm's and docker's error texts come from, so a
 * number a user types is read, and refused, exactly as docker would.
 */

/** Go's %q for the short values these messages quote. */
export function goQuote(value: string): string {
  const escapes: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\u0007": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };
  let out = "";
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (escapes[c]) out += escapes[c];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return `"${out}"`;
}

/** underscoreOK from Go's strconv: `_` only between digits, or after a base prefix. */
function underscoreOk(text: string): boolean {
  const s = text.toLowerCase();
  let saw = "^";
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "box".includes(s[1]!)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= "0" && c <= "9") || (hex && c >= "a" && c <= "f")) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/**
 * Go's strconv.ParseUint(text, base, bitSize) for base 10 and base 0 (prefixes `0x`,
 * `0o`, `0b`, a leading `0` for octal, `_` between digits), with its error texts. As in
 * Go, a value past the bit size is refused as soon as the digits read exceed it.
 */
export function parseGoUint(text: string, base: 0 | 10, bitSize: 32 | 64): bigint {
  const fail = (why: string) => new Error(`strconv.ParseUint: parsing ${goQuote(text)}: ${why}`);
  if (text === "") throw fail("invalid syntax");
  let radix = 10;
  let digits = text;
  if (base === 0 && text[0] === "0") {
    const p = text[1]?.toLowerCase();
    if (text.length >= 3 && (p === "b" || p === "o" || p === "x")) {
      radix = p === "b" ? 2 : p === "o" ? 8 : 16;
      digits = text.slice(2);
    } else {
      radix = 8;
      digits = text.slice(1);
    }
  }
  const max = (1n << BigInt(bitSize)) - 1n;
  let value = 0n;
  let underscores = false;
  for (const c of digits.toLowerCase()) {
    if (c === "_" && base === 0) {
      underscores = true;
      continue;
    }
    const d = c >= "0" && c <= "9" ? c.charCodeAt(0) - 48 : c >= "a" && c <= "z" ? c.charCodeAt(0) - 87 : 99;
    if (d >= radix) throw fail("invalid syntax");
    value = value * BigInt(radix) + BigInt(d);
    if (value > max) throw fail("value out of range");
  }
  if (underscores && !underscoreOk(text)) throw fail("invalid syntax");
  return value;
}
