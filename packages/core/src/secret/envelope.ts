import { RampartError } from "../errors/index.js";

/**
 * The sealed-field envelope, version 1. Binary so that a 64 KiB value costs one copy,
 * not a base64 round trip, and self-describing so a reader can refuse what it does not
 * know instead of guessing:
 *
 *   [0]        version (1)
 *   [1]        algorithm (1 = AES-256-GCM)
 *   [2]        key id length L (1..64)
 *   [3..3+L)   key id, ASCII [A-Za-z0-9_-]
 *   next 12    nonce (96 bits, NIST SP 800-38D's recommended IV length)
 *   rest       ciphertext followed by the 16-byte GCM tag
 *
 * The header bytes are part of the associated data, so neither the version, the
 * algorithm nor the key id can be changed without the value failing to open.
 */
export const SEAL_VERSION = 1;
export const SEAL_ALG_A256GCM = 1;
export const SEAL_NONCE_BYTES = 12;
export const SEAL_TAG_BYTES = 16;
export const SEAL_KEY_BYTES = 32;
const MAX_KID_LENGTH = 64;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface SealedEnvelope {
  version: number;
  alg: "A256GCM";
  kid: string;
  /** The header bytes, which the associated data covers. */
  header: Uint8Array;
  nonce: Uint8Array;
  /** Ciphertext without the tag. */
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/** Where a sealed value lives. Binding it to the row stops a ciphertext being moved. */
export interface SealContext {
  table: string;
  rowId: string;
  column: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isValidKeyId(kid: string): boolean {
  return KID_PATTERN.test(kid);
}

export function encodeEnvelopeHeader(kid: string): Uint8Array {
  if (!isValidKeyId(kid)) {
    throw new RampartError("internal", "sealed envelope: key id is not valid");
  }
  const header = new Uint8Array(3 + kid.length);
  header[0] = SEAL_VERSION;
  header[1] = SEAL_ALG_A256GCM;
  header[2] = kid.length;
  for (let i = 0; i < kid.length; i++) header[3 + i] = kid.charCodeAt(i);
  return header;
}

const encoder = new TextEncoder();

/**
 * The associated data for one value: the envelope header, then the table, row and
 * column it belongs to, each separated by a NUL so that no two contexts collide.
 */
export function associatedData(header: Uint8Array, context: SealContext): Uint8Array {
  if (!IDENT.test(context.table) || !IDENT.test(context.column)) {
    throw new RampartError("internal", "sealed envelope: table and column must be identifiers");
  }
  if (context.rowId.length === 0 || context.rowId.includes("\u0000")) {
    throw new RampartError("internal", "sealed envelope: row id must be a non-empty string");
  }
  const bound = encoder.encode(`rampart.seal.v1\u0000${context.table}\u0000${context.rowId}\u0000${context.column}`);
  const aad = new Uint8Array(header.length + bound.length);
  aad.set(header, 0);
  aad.set(bound, header.length);
  return aad;
}

/** Joins a header, nonce and GCM output (ciphertext then tag) into one envelope. */
export function joinEnvelope(header: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array {
  if (nonce.length !== SEAL_NONCE_BYTES) throw new RampartError("internal", "sealed envelope: nonce must be 96 bits");
  if (tag.length !== SEAL_TAG_BYTES) throw new RampartError("internal", "sealed envelope: tag must be 128 bits");
  const out = new Uint8Array(header.length + nonce.length + ciphertext.length + tag.length);
  out.set(header, 0);
  out.set(nonce, header.length);
  out.set(ciphertext, header.length + nonce.length);
  out.set(tag, header.length + nonce.length + ciphertext.length);
  return out;
}

function refuse(reason: string): RampartError {
  return new RampartError("sealed_open_failed", `sealed value cannot be opened: ${reason}`);
}

/** Parses an envelope's structure. It checks shape only; authenticity is the cipher's job. */
export function parseEnvelope(bytes: Uint8Array): SealedEnvelope {
  if (bytes.length < 3) throw refuse("too short");
  const version = bytes[0]!;
  if (version !== SEAL_VERSION) throw refuse(`unknown version ${version}`);
  const alg = bytes[1]!;
  if (alg !== SEAL_ALG_A256GCM) throw refuse(`unknown algorithm ${alg}`);
  const kidLength = bytes[2]!;
  if (kidLength < 1 || kidLength > MAX_KID_LENGTH) throw refuse("bad key id length");
  const headerLength = 3 + kidLength;
  if (bytes.length < headerLength + SEAL_NONCE_BYTES + SEAL_TAG_BYTES) throw refuse("too short");
  let kid = "";
  for (let i = 3; i < headerLength; i++) kid += String.fromCharCode(bytes[i]!);
  if (!isValidKeyId(kid)) throw refuse("bad key id");
  const nonceEnd = headerLength + SEAL_NONCE_BYTES;
  const tagStart = bytes.length - SEAL_TAG_BYTES;
  return {
    version,
    alg: "A256GCM",
    kid,
    header: bytes.subarray(0, headerLength),
    nonce: bytes.subarray(headerLength, nonceEnd),
    ciphertext: bytes.subarray(nonceEnd, tagStart),
    tag: bytes.subarray(tagStart),
  };
}
