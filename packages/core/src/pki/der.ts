import { RampartError, quotePrefix } from "../errors/index.js";

/**
 * Just enough DER (X.690) to write and read certificates and CSRs. A generic ASN.1
 * library spends most of an issuance building object trees; here a value is written
 * straight to bytes, every constant is encoded once at module load, and every
 * constructed value is one allocation. The reader is strict: one-byte tags, definite
 * minimal lengths, and no value may run past its parent.
 */

/** Universal tags used by X.509 and PKCS#10. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * A malformed input found while reading. It is a RampartError, so callers that let it
 * escape still give the client a 400; `reason` lets a parser re-label it ("invalid CSR:
 * …") without string surgery.
 */
export class DerParseError extends RampartError {
  readonly reason: string;

  constructor(reason: string) {
    super("invalid_argument", `invalid DER: ${reason}`);
    this.reason = reason;
  }
}

/**
 * Runs a parser and re-labels its DerParseErrors as `<what>: <reason>` on `field`, so an
 * API error names the document at fault rather than the encoding layer.
 */
export function withParseContext<T>(what: string, field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof DerParseError) {
      throw new RampartError("invalid_argument", `${what}: ${error.reason}`, { field, cause: error });
    }
    throw error;
  }
}

function writerError(field: string, message: string): RampartError {
  return new RampartError("invalid_argument", message, { field });
}

// ---------------------------------------------------------------------------------------
// Writing

/** The number of octets a DER length takes, so a writer can size its buffer up front. */
export function lengthSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  if (length <= 0xffffffff) return 5;
  throw writerError("der", "DER value is too long");
}

function writeLength(out: Uint8Array, offset: number, length: number): number {
  if (length < 0x80) {
    out[offset] = length;
    return offset + 1;
  }
  const size = lengthSize(length) - 1;
  out[offset++] = 0x80 | size;
  for (let shift = (size - 1) * 8; shift >= 0; shift -= 8) out[offset++] = Math.floor(length / 2 ** shift) & 0xff;
  return offset;
}

/** The length octets alone (short form below 128, else the minimal long form). */
export function encodeLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw writerError("der", "DER length must be a non-negative integer");
  const out = new Uint8Array(lengthSize(length));
  writeLength(out, 0, length);
  return out;
}

/** Joins byte strings with a single allocation, because a certificate is mostly copying. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) throw writerError("der", "DER tag must be one octet");
}

/**
 * One TLV whose contents are the given parts, written in one allocation. Only
 * single-octet tags are supported: X.509 never needs the high-tag-number form.
 */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  checkTag(tag);
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(1 + lengthSize(length) + length);
  out[0] = tag;
  let offset = writeLength(out, 1, length);
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * A constructed value not yet written: its tag, its parts (encoded bytes or other
 * nodes) and its size. Nesting nodes and writing the outermost once with `encodeNode`
 * costs one buffer for a whole certificate body, where nesting `tlv` calls would copy
 * every level again. (Buffers over 64 bytes live off V8's heap and cost microseconds
 * each, which at thousands of issuances a second is most of the budget.)
 */
export interface DerNode {
  readonly tag: number;
  readonly parts: readonly DerPart[];
  readonly contentLength: number;
  /** Header plus contents. */
  readonly size: number;
}

/** Something a node can contain: finished bytes or another node. */
export type DerPart = Uint8Array | DerNode;

function partSize(part: DerPart): number {
  return part instanceof Uint8Array ? part.length : part.size;
}

/** Describes a TLV over `parts` without writing it yet. */
export function derNode(tag: number, ...parts: DerPart[]): DerNode {
  checkTag(tag);
  let contentLength = 0;
  for (const part of parts) contentLength += partSize(part);
  return { tag, parts, contentLength, size: 1 + lengthSize(contentLength) + contentLength };
}

function writeNode(out: Uint8Array, offset: number, node: DerNode): number {
  out[offset] = node.tag;
  offset = writeLength(out, offset + 1, node.contentLength);
  for (const part of node.parts) {
    if (part instanceof Uint8Array) {
      out.set(part, offset);
      offset += part.length;
    } else {
      offset = writeNode(out, offset, part);
    }
  }
  return offset;
}

/** Writes a node and everything under it into one new buffer. */
export function encodeNode(node: DerNode): Uint8Array {
  const out = new Uint8Array(node.size);
  writeNode(out, 0, node);
  return out;
}

/** SEQUENCE of already-encoded values. */
export function derSequence(...parts: Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...parts);
}

/**
 * SET of already-encoded values. DER sorts SET OF members; every SET this module writes
 * has exactly one member (one attribute per RDN), so the caller's order is kept.
 */
export function derSet(...parts: Uint8Array[]): Uint8Array {
  return tlv(TAG.SET, ...parts);
}

/**
 * A non-negative INTEGER from big-endian magnitude bytes: leading zeros are dropped and
 * one 0x00 is added back when the top bit is set, so random serial bytes always encode
 * as a positive number in minimal form.
 */
export function derInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  if (body.length === 0) return new Uint8Array([TAG.INTEGER, 1, 0]);
  if (body[0]! & 0x80) return tlv(TAG.INTEGER, new Uint8Array([0]), body);
  return tlv(TAG.INTEGER, body);
}

/** A small non-negative INTEGER, for versions and path lengths. */
export function derSmallInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw writerError("der", "integer must be a non-negative safe integer");
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  return derInteger(new Uint8Array(bytes));
}

const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** An OBJECT IDENTIFIER from dotted form. Meant for module-load constants, not hot paths. */
export function derOid(dotted: string): Uint8Array {
  if (!OID_PATTERN.test(dotted)) throw writerError("oid", `not a dotted OID: ${quotePrefix(dotted)}`);
  const arcs = dotted.split(".").map(Number);
  if (arcs.some((arc) => !Number.isSafeInteger(arc))) throw writerError("oid", `OID arc is too large: ${quotePrefix(dotted)}`);
  const [first, second] = arcs as [number, number];
  if (first < 2 && second >= 40) throw writerError("oid", `second OID arc must be below 40: ${quotePrefix(dotted)}`);
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...arcs.slice(2)]) {
    const group: number[] = [arc % 128];
    let rest = Math.floor(arc / 128);
    while (rest > 0) {
      group.unshift(0x80 | rest % 128);
      rest = Math.floor(rest / 128);
    }
    bytes.push(...group);
  }
  return tlv(TAG.OID, new Uint8Array(bytes));
}

const DER_TRUE = new Uint8Array([TAG.BOOLEAN, 1, 0xff]);
const DER_FALSE = new Uint8Array([TAG.BOOLEAN, 1, 0x00]);
const DER_NULL = new Uint8Array([TAG.NULL, 0]);

/** BOOLEAN; DER allows only 0x00 and 0xff. */
export function derBoolean(value: boolean): Uint8Array {
  return (value ? DER_TRUE : DER_FALSE).slice();
}

/** NULL, still required as the parameters of rsaEncryption-style identifiers. */
export function derNull(): Uint8Array {
  return DER_NULL.slice();
}

/**
 * BIT STRING from whole bytes plus a count of unused trailing bits. DER demands the
 * unused bits be zero; a writer that set them would produce bytes no reader accepts.
 */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7) throw writerError("der", "unused bits must be 0..7");
  if (bytes.length === 0 && unusedBits !== 0) throw writerError("der", "an empty BIT STRING has no unused bits");
  if (bytes.length > 0 && (bytes[bytes.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    throw writerError("der", "unused bits of a BIT STRING must be zero");
  }
  return tlv(TAG.BIT_STRING, new Uint8Array([unusedBits]), bytes);
}

/** OCTET STRING; also the wrapper around every extension's value. */
export function derOctetString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, bytes);
}

const utf8 = new TextEncoder();

/**
 * UTF-8 bytes, with a plain loop for ASCII: node and cluster IDs always are, and
 * TextEncoder's call into native code costs more than the copy for short strings.
 */
export function utf8Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return utf8.encode(text);
    out[i] = code;
  }
  return out;
}

/** UTF8String, which RFC 5280 requires for new names. */
export function derUtf8String(text: string): Uint8Array {
  return tlv(TAG.UTF8_STRING, utf8Bytes(text));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** PrintableString; refuses characters outside its alphabet rather than mislabelling them. */
export function derPrintableString(text: string): Uint8Array {
  if (!PRINTABLE.test(text)) throw writerError("der", "text is not a PrintableString");
  return tlv(TAG.PRINTABLE_STRING, utf8Bytes(text));
}

/** ASCII bytes of an IA5String body (dNSName is an implicitly tagged IA5String). */
export function ia5Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) throw writerError("der", "text is not an IA5String");
    out[i] = code;
  }
  return out;
}

function putDigits(out: Uint8Array, offset: number, value: number, width: number): void {
  for (let i = width - 1; i >= 0; i--) {
    out[offset + i] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  }
}

/**
 * A certificate time as RFC 5280 §4.1.2.5 demands: UTCTime (YYMMDDHHMMSSZ) for years
 * 1950 through 2049, GeneralizedTime (YYYYMMDDHHMMSSZ) otherwise. Milliseconds are
 * dropped; neither form may carry fractions.
 */
export function derTime(date: Date): Uint8Array {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw writerError("time", "time is not a valid date");
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw writerError("time", "year must be 0..9999");
  const utc = year >= 1950 && year <= 2049;
  const yearWidth = utc ? 2 : 4;
  const out = new Uint8Array(2 + yearWidth + 11);
  out[0] = utc ? TAG.UTC_TIME : TAG.GENERALIZED_TIME;
  out[1] = yearWidth + 11;
  putDigits(out, 2, utc ? year % 100 : year, yearWidth);
  let offset = 2 + yearWidth;
  for (const part of [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]) {
    putDigits(out, offset, part, 2);
    offset += 2;
  }
  out[offset] = 0x5a; // "Z"
  return out;
}

function contextTag(tagNumber: number, constructed: boolean): number {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) throw writerError("der", "context tag number must be 0..30");
  return 0x80 | (constructed ? 0x20 : 0) | tagNumber;
}

/** [n] EXPLICIT: a constructed context tag wrapping whole encoded values. */
export function derExplicit(tagNumber: number, ...encoded: Uint8Array[]): Uint8Array {
  return tlv(contextTag(tagNumber, true), ...encoded);
}

/**
 * [n] IMPLICIT: the context tag replaces the value's own tag, so pass the contents
 * (for example the ASCII of a dNSName), and say whether the underlying type is
 * constructed (a SEQUENCE or SET is).
 */
export function derImplicit(tagNumber: number, contents: Uint8Array, constructed = false): Uint8Array {
  return tlv(contextTag(tagNumber, constructed), contents);
}

// ---------------------------------------------------------------------------------------
// Reading

/**
 * One TLV found in a buffer. `start` and `end` bound the contents, so
 * `bytes.subarray(start, end)` is the value and `bytes.subarray(start - headerLength, end)`
 * is the whole encoding.
 */
export interface Tlv {
  tag: number;
  headerLength: number;
  length: number;
  start: number;
  end: number;
}

/**
 * Reads the TLV at `offset`, which must end by `limit` (its parent's end). Refuses the
 * high-tag-number form, indefinite lengths, non-minimal lengths and anything that runs
 * past `limit`, since each is either not DER or an attempt to smuggle bytes.
 */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (limit > bytes.length) limit = bytes.length;
  if (offset + 2 > limit) throw new DerParseError("truncated value");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerParseError("multi-octet tags are not supported");
  const first = bytes[offset + 1]!;
  let length: number;
  let headerLength: number;
  if (first < 0x80) {
    length = first;
    headerLength = 2;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new DerParseError("indefinite length is not DER");
    if (count > 4) throw new DerParseError("length is too large");
    if (offset + 2 + count > limit) throw new DerParseError("truncated length");
    if (bytes[offset + 2] === 0) throw new DerParseError("length is not minimal");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!;
    if (length < 0x80) throw new DerParseError("length is not minimal");
    headerLength = 2 + count;
  }
  const start = offset + headerLength;
  if (length > limit - start) throw new DerParseError("length runs past the end");
  return { tag, headerLength, length, start, end: start + length };
}

/** Reads a TLV and insists on its tag, naming what was expected in the error. */
export function expectTlv(bytes: Uint8Array, offset: number, limit: number, tag: number, what: string): Tlv {
  const found = readTlv(bytes, offset, limit);
  if (found.tag !== tag) throw new DerParseError(`expected ${what}`);
  return found;
}

/** Reads a whole document that must be exactly one TLV of `tag`, with nothing after it. */
export function readOnly(bytes: Uint8Array, tag: number, what: string): Tlv {
  const found = expectTlv(bytes, 0, bytes.length, tag, what);
  if (found.end !== bytes.length) throw new DerParseError(`trailing bytes after ${what}`);
  return found;
}

/**
 * The children of a constructed TLV, which must fill its contents exactly. With `max`,
 * reading stops at the first child past it and `tooMany` is thrown, so a list of
 * thousands costs no more than `max` reads before it is refused.
 */
export function readChildren(bytes: Uint8Array, parent: Tlv, max = Infinity, tooMany = `more than ${max} values`): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw new DerParseError("expected a constructed value");
  const out: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    if (out.length === max) throw new DerParseError(tooMany);
    const child = readTlv(bytes, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The whole encoding (header included) of a TLV, as a view. */
export function encodingOf(bytes: Uint8Array, found: Tlv): Uint8Array {
  return bytes.subarray(found.start - found.headerLength, found.end);
}

/** The contents of a TLV, as a view. */
export function contentsOf(bytes: Uint8Array, found: Tlv): Uint8Array {
  return bytes.subarray(found.start, found.end);
}

/** Byte equality, for matching OIDs and algorithm identifiers against constants. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The longest OID read, and the longest arc in it: 20 octets hold a 140-bit arc, enough
 * for a UUID under 2.25, and registered OIDs are a few dozen octets. X.690 sets no limit,
 * but an OID of 60,000 arcs, or of one 60,000-octet arc, only makes every comparison,
 * key and message cost as much as the attacker likes. (Go's reader stops at 31-bit arcs.)
 */
export const MAX_OID_OCTETS = 128;
export const MAX_OID_ARC_OCTETS = 20;

/**
 * Checks an OID's contents are well formed (minimal base-128 arcs, within the limits
 * above). The check and the comparisons below work in place: `subarray` costs a few
 * hundred nanoseconds in V8, which adds up over a certificate.
 */
export function checkOid(bytes: Uint8Array, found: Tlv): void {
  if (found.tag !== TAG.OID) throw new DerParseError("expected an OID");
  if (found.length === 0) throw new DerParseError("empty OID");
  if (found.length > MAX_OID_OCTETS) throw new DerParseError(`OID is longer than ${MAX_OID_OCTETS} octets`);
  let arcStart = found.start;
  for (let i = found.start; i < found.end; i++) {
    const b = bytes[i]!;
    if (i === arcStart && b === 0x80) throw new DerParseError("OID arc is not minimal");
    if ((b & 0x80) === 0) arcStart = i + 1;
    else if (i + 1 - arcStart >= MAX_OID_ARC_OCTETS) throw new DerParseError(`OID arc is longer than ${MAX_OID_ARC_OCTETS} octets`);
  }
  if (arcStart !== found.end) throw new DerParseError("truncated OID");
}

/** Checks an OID and returns its contents. */
export function readOid(bytes: Uint8Array, found: Tlv): Uint8Array {
  checkOid(bytes, found);
  return contentsOf(bytes, found);
}

/** Whether a TLV's contents equal `expected` (for an OID: the encoding without its header). */
export function contentsEqual(bytes: Uint8Array, found: Tlv, expected: Uint8Array): boolean {
  if (found.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[found.start + i] !== expected[i]) return false;
  return true;
}

/**
 * The most octets of an OID rendered as text. Rendering is for a message or an unknown
 * algorithm's name; contents that did not pass `checkOid` (a 60 KB arc would cost a
 * quadratic BigInt conversion and a 140,000-digit string) are cut with "…".
 */
export const MAX_OID_TEXT_OCTETS = 64;

/**
 * Dotted form of OID contents, for messages and unknown algorithms. Work is bounded by
 * MAX_OID_TEXT_OCTETS and MAX_OID_ARC_OCTETS whatever the input's length; arcs up to 7
 * octets (49 bits) are exact in a double, longer ones use BigInt.
 */
export function oidToString(contents: Uint8Array): string {
  const arcs: string[] = [];
  const end = Math.min(contents.length, MAX_OID_TEXT_OCTETS);
  let arcStart = 0;
  for (let i = 0; i < end; i++) {
    if ((contents[i]! & 0x80) !== 0) {
      if (i + 1 - arcStart > MAX_OID_ARC_OCTETS) break;
      continue;
    }
    const arc = contents.subarray(arcStart, i + 1);
    arcStart = i + 1;
    if (arcs.length === 0) {
      const value = arcValue(arc);
      const first = value < 40n ? 0n : value < 80n ? 1n : 2n;
      arcs.push(first.toString(), (value - first * 40n).toString());
    } else {
      arcs.push(arc.length <= 7 ? String(arcNumber(arc)) : arcValue(arc).toString());
    }
  }
  const text = arcs.join(".");
  return arcStart < contents.length ? `${text}${text ? "." : ""}…` : text;
}

function arcNumber(arc: Uint8Array): number {
  let value = 0;
  for (const b of arc) value = value * 128 + (b & 0x7f);
  return value;
}

function arcValue(arc: Uint8Array): bigint {
  let value = 0n;
  for (const b of arc) value = (value << 7n) | BigInt(b & 0x7f);
  return value;
}

/** BOOLEAN contents; DER allows exactly 0x00 and 0xff. */
export function readBoolean(bytes: Uint8Array, found: Tlv): boolean {
  if (found.tag !== TAG.BOOLEAN || found.length !== 1) throw new DerParseError("expected a BOOLEAN");
  const b = bytes[found.start];
  if (b === 0xff) return true;
  if (b === 0x00) return false;
  throw new DerParseError("BOOLEAN is not DER");
}

/** Checks an INTEGER is minimally encoded (X.690 §8.3.2). */
export function checkInteger(bytes: Uint8Array, found: Tlv): void {
  if (found.tag !== TAG.INTEGER) throw new DerParseError("expected an INTEGER");
  if (found.length === 0) throw new DerParseError("empty INTEGER");
  if (found.length > 1) {
    const a = bytes[found.start]!;
    const b = bytes[found.start + 1]!;
    if ((a === 0x00 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0)) throw new DerParseError("INTEGER is not minimal");
  }
}

/** INTEGER contents, checked to be minimal, as a view including any sign octet. */
export function readInteger(bytes: Uint8Array, found: Tlv): Uint8Array {
  checkInteger(bytes, found);
  return contentsOf(bytes, found);
}

/** A small non-negative INTEGER (a version, a path length). */
export function readSmallInteger(bytes: Uint8Array, found: Tlv): number {
  const body = readInteger(bytes, found);
  if (body[0]! & 0x80) throw new DerParseError("negative INTEGER");
  if (body.length > 4) throw new DerParseError("INTEGER is too large");
  let value = 0;
  for (const b of body) value = value * 256 + b;
  return value;
}

/** Checks a BIT STRING's padding and returns its unused-bit count; the bits start at `found.start + 1`. */
export function checkBitString(bytes: Uint8Array, found: Tlv): number {
  if (found.tag !== TAG.BIT_STRING || found.length === 0) throw new DerParseError("expected a BIT STRING");
  const unusedBits = bytes[found.start]!;
  if (unusedBits > 7 || (found.length === 1 && unusedBits !== 0)) throw new DerParseError("bad BIT STRING padding");
  if (unusedBits > 0 && (bytes[found.end - 1]! & ((1 << unusedBits) - 1)) !== 0) throw new DerParseError("BIT STRING padding is not zero");
  return unusedBits;
}

/** BIT STRING contents split into the unused-bit count and the bytes. */
export function readBitString(bytes: Uint8Array, found: Tlv): { unusedBits: number; bytes: Uint8Array } {
  const unusedBits = checkBitString(bytes, found);
  return { unusedBits, bytes: bytes.subarray(found.start + 1, found.end) };
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

function latin1(bytes: Uint8Array, start: number, end: number, max: number): string {
  let out = "";
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b > max) throw new DerParseError("string has characters outside its type");
    out += String.fromCharCode(b);
  }
  return out;
}

/**
 * A directory string (UTF8String, PrintableString, IA5String, TeletexString taken as
 * Latin-1, or BMPString). Other string types are refused rather than guessed at.
 */
export function readString(bytes: Uint8Array, found: Tlv): string {
  switch (found.tag) {
    case TAG.UTF8_STRING:
      try {
        return utf8Strict.decode(contentsOf(bytes, found));
      } catch {
        throw new DerParseError("UTF8String is not valid UTF-8");
      }
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
      return latin1(bytes, found.start, found.end, 0x7f);
    case TAG.TELETEX_STRING:
      return latin1(bytes, found.start, found.end, 0xff);
    case TAG.BMP_STRING: {
      if (found.length % 2 !== 0) throw new DerParseError("BMPString has an odd length");
      let out = "";
      for (let i = found.start; i < found.end; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
      return out;
    }
    default:
      throw new DerParseError("unsupported string type");
  }
}

function digits(bytes: Uint8Array, offset: number, width: number): number {
  let value = 0;
  for (let i = 0; i < width; i++) {
    const d = bytes[offset + i]! - 0x30;
    if (d < 0 || d > 9) throw new DerParseError("time has a non-digit");
    value = value * 10 + d;
  }
  return value;
}

/**
 * UTCTime or GeneralizedTime in the one form RFC 5280 allows (seconds present, no
 * fraction, "Z"). UTCTime years 50–99 are 1950–1999 and 00–49 are 2000–2049.
 */
export function readTime(bytes: Uint8Array, found: Tlv): Date {
  let year: number;
  let offset: number;
  if (found.tag === TAG.UTC_TIME) {
    if (found.length !== 13) throw new DerParseError("UTCTime must be YYMMDDHHMMSSZ");
    const yy = digits(bytes, found.start, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    offset = found.start + 2;
  } else if (found.tag === TAG.GENERALIZED_TIME) {
    if (found.length !== 15) throw new DerParseError("GeneralizedTime must be YYYYMMDDHHMMSSZ");
    year = digits(bytes, found.start, 4);
    offset = found.start + 4;
  } else {
    throw new DerParseError("expected a time");
  }
  const month = digits(bytes, offset, 2);
  const day = digits(bytes, offset + 2, 2);
  const hour = digits(bytes, offset + 4, 2);
  const minute = digits(bytes, offset + 6, 2);
  const second = digits(bytes, offset + 8, 2);
  if (bytes[offset + 10] !== 0x5a) throw new DerParseError("time must end in Z");
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    throw new DerParseError("time is out of range");
  }
  return date;
}
