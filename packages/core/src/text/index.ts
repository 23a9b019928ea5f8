import { invalidArgument } from "../errors/index.js";

/**
 * Text that nodes and users name (hostnames, labels, service, secret, user and token
 * names, constraints) ends up in terminals and in the UI. Control characters there are
 * terminal escapes (U+009B is a CSI, U+009D an OSC on many terminals), and
 * bidirectional formatting characters reorder what is shown (U+202E makes `gnp.exe`
 * read `exe.png`). Such text is refused where it comes in, and escaped where it goes
 * out, so text stored before the rule still prints safely (ADR 0013).
 */

/** A character such text may not hold, and what kind of character it is. */
export interface UnsafeCharacter {
  codePoint: number;
  kind: string;
}

/** What kind of unsafe character `c` is, or undefined for one that is fine. */
function unsafeKind(c: number): string | undefined {
  if (c < 0x20 || c === 0x7f) return "a control character";
  if (c >= 0x80 && c <= 0x9f) return "a C1 control character";
  if (c >= 0x202a && c <= 0x202e) return "a bidirectional override";
  if (c >= 0x2066 && c <= 0x2069) return "a bidirectional isolate";
  if (c === 0x200e || c === 0x200f || c === 0x061c) return "a bidirectional mark";
  return undefined;
}

/** `U+202E`: a code point as the Unicode standard writes it. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Which characters a check looks at: all of them, or only those beyond ASCII, for a
 * name whose own ASCII-only pattern or parser follows and judges C0 controls with
 * Swarm's exact words (secret and service names, constraints: the conformance vectors
 * and the constraint fuzz test hold them).
 */
export interface SafeTextOptions {
  beyondAsciiOnly?: boolean;
}

/** The first character of `text` that may not appear in a name, or undefined. */
export function unsafeCharacter(text: string, options: SafeTextOptions = {}): UnsafeCharacter | undefined {
  const from = options.beyondAsciiOnly ? 0x80 : 0;
  for (let i = 0; i < text.length; i++) {
    const codePoint = text.charCodeAt(i);
    const kind = codePoint >= from ? unsafeKind(codePoint) : undefined;
    if (kind) return { codePoint, kind };
  }
  return undefined;
}

/** Why `text` may not be a name: `contains U+202E (a bidirectional override)`; undefined when it may. */
export function unsafeTextProblem(text: string, options: SafeTextOptions = {}): string | undefined {
  const found = unsafeCharacter(text, options);
  return found && `contains ${codePointName(found.codePoint)} (${found.kind})`;
}

/**
 * The one check of text a node or a user names: throws naming the field and the code
 * point (`hostname contains U+202E (a bidirectional override)`). The text itself is not
 * repeated, since it is what cannot be shown.
 */
export function checkSafeText(text: string, field: string, what: string = field, options: SafeTextOptions = {}): string {
  const problem = unsafeTextProblem(text, options);
  if (problem) throw invalidArgument(field, `${what} ${problem}`);
  return text;
}

/**
 * `text` with every unsafe character written as `\u{202e}`, for terminals: what is
 * printed can neither move the cursor nor reorder the line. Characters in `keep` (a
 * printer's own line breaks and tabs) are left as they are.
 */
export function escapeUnsafeText(text: string, keep = ""): string {
  return replaceUnsafe(text, (c) => (keep.includes(c) ? c : `\\u{${c.charCodeAt(0).toString(16)}}`));
}

/**
 * JSON for a terminal: unsafe characters inside strings written as JSON's own `\u202e`,
 * so the output stays valid JSON that decodes to the stored text.
 */
export function safeJson(value: unknown, indent = 4): string {
  // JSON.stringify already escapes C0 controls inside strings; the line breaks left are its own.
  return replaceUnsafe(JSON.stringify(value, null, indent), (c) => (c === "\n" ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** `text` with each unsafe character replaced by what `replace` makes of it (all of them are single UTF-16 units). */
function replaceUnsafe(text: string, replace: (c: string) => string): string {
  if (!unsafeCharacter(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out += unsafeKind(text.charCodeAt(i)) ? replace(c) : c;
  }
  return out;
}
