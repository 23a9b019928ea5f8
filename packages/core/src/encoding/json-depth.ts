/**
 * The deepest nesting of arrays and objects a request body may have. No input the API
 * or the node endpoint takes goes past a handful of levels; 64 leaves room to spare.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Why a JSON text nests too deeply, or undefined. One linear pass counts brackets
 * outside strings, so a body of nothing but `[` is refused before a parser, or anything
 * that walks the parsed value recursively (superjson, zod), spends time or stack on it.
 * It does not check that the text is JSON: the parser still does that.
 */
export function jsonNestingProblem(text: string, maxDepth = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return `the request body nests arrays and objects more than ${maxDepth} levels deep`;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return undefined;
}
