import { RampartError, quotePrefix } from "../errors/index.js";

/**
 * PEM (RFC 7468) without Buffer, so the same code runs in the browser. Text outside the
 * blocks is allowed, as RFC 7468 says and as `openssl x509 -text` produces; inside a
 * block only base64 and whitespace are accepted, because a certificate that decodes
 * "mostly" is a certificate someone else chose.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const LABEL = /^[A-Z0-9]+( [A-Z0-9]+)*$/;

function checkLabel(label: string): void {
  if (!LABEL.test(label)) throw new RampartError("invalid_argument", "PEM label must be upper-case words such as CERTIFICATE", { field: "label" });
}

function refuse(reason: string): RampartError {
  return new RampartError("invalid_argument", `invalid PEM: ${reason}`, { field: "pem" });
}

function toBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + "==";
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + "=";
  }
  return out;
}

/** Strict padded base64: whitespace is skipped, anything else outside the alphabet is refused. */
function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/[ \t\r\n]/g, "");
  if (clean.length === 0) throw refuse("empty block");
  if (clean.length % 4 !== 0) throw refuse("base64 length is not a multiple of 4");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  const body = clean.length - padding;
  let o = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < body; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) throw refuse("not base64");
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw refuse("base64 has stray bits");
  return out;
}

/** Wraps DER as PEM: 64-character lines and a trailing newline, as OpenSSL writes it. */
export function toPem(der: Uint8Array, label: string): string {
  checkLabel(label);
  const body = toBase64(der);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < body.length; i += 64) out += `${body.slice(i, i + 64)}\n`;
  return `${out}-----END ${label}-----\n`;
}

const BLOCK = /-----BEGIN ([^-\r\n]*)-----([\s\S]*?)-----END ([^-\r\n]*)-----/g;

/**
 * Every block labelled `label`, decoded, in order. Blocks with other labels are skipped
 * (a bundle may carry a key and a chain), but a block that is broken or not closed is
 * refused, and so is text with no block of the label at all.
 */
export function fromPem(text: string, label: string): Uint8Array[] {
  checkLabel(label);
  const out: Uint8Array[] = [];
  let begins = 0;
  for (let i = text.indexOf("-----BEGIN "); i !== -1; i = text.indexOf("-----BEGIN ", i + 1)) begins++;
  let blocks = 0;
  for (const match of text.matchAll(BLOCK)) {
    blocks++;
    const [, begin, body, end] = match as unknown as [string, string, string, string];
    if (begin !== end) throw refuse(`BEGIN ${quotePrefix(begin)} is closed by END ${quotePrefix(end)}`);
    if (body.includes("-----BEGIN ")) throw refuse(`BEGIN ${quotePrefix(begin)} is not closed`);
    if (begin !== label) continue;
    if (body.includes(":")) throw refuse("encapsulated headers are not supported");
    out.push(fromBase64(body));
  }
  if (blocks !== begins) throw refuse("a BEGIN line is not closed");
  if (out.length === 0) throw refuse(`no ${label} block`);
  return out;
}
