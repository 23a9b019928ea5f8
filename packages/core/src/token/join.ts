import { bytesToBigInt } from "../id/index.js";
import { RampartError } from "../errors/index.js";

/**
 * Swarm join tokens (ca/config.go): `SWMTKN-1-<digest>-<secret>`. The digest is the
 * SHA-256 of the root CA bundle in base 36, padded to 50; the secret is 16 random bytes
 * in base 36, padded to 25 so its length says nothing about its value. A joining node
 * pins the CA to the digest; only the manager checks the secret.
 */
export const JOIN_TOKEN_PREFIX = "SWMTKN";
export const JOIN_DIGEST_LENGTH = 50;
export const JOIN_SECRET_LENGTH = 25;
export const JOIN_SECRET_BYTES = 16;
export const INVALID_JOIN_TOKEN = "invalid join token";

export interface ParsedJoinToken {
  version: 1 | 2;
  fips: boolean;
  /** `sha256:<64 hex>`. */
  rootDigest: string;
  secret: string;
}

const MAX_SHA256 = (1n << 256n) - 1n;

/** The digest part of a token, from the hex SHA-256 of the root CA bundle. */
export function joinTokenDigest(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new RampartError("internal", "join token digest needs 64 hex digits");
  return BigInt(`0x${sha256Hex}`).toString(36).padStart(JOIN_DIGEST_LENGTH, "0");
}

export function joinTokenSecret(random: Uint8Array): string {
  if (random.length !== JOIN_SECRET_BYTES) throw new RampartError("internal", "join token secret needs 16 random bytes");
  return bytesToBigInt(random).toString(36).padStart(JOIN_SECRET_LENGTH, "0");
}

/** Rampart, like Swarm, generates v1 tokens; v2 (`SWMTKN-2-1-`) marks a FIPS cluster. */
export function formatJoinToken(sha256Hex: string, random: Uint8Array, fips = false): string {
  const body = `${joinTokenDigest(sha256Hex)}-${joinTokenSecret(random)}`;
  return fips ? `${JOIN_TOKEN_PREFIX}-2-1-${body}` : `${JOIN_TOKEN_PREFIX}-1-${body}`;
}

/**
 * big.Int.SetString(text, 36): an optional `+` (a `-` cannot reach here, the token is split
 * on it), then base-36 digits in either case. Undefined where Go refuses: Go then leaves
 * the digits before the fault (or 0) in place and SwarmKit, which ignores the refusal,
 * uses them, a value Go's documentation calls undefined; Rampart refuses the token.
 */
function goBase36(text: string): bigint | undefined {
  const digits = text.startsWith("+") ? text.slice(1) : text;
  if (!/^[0-9a-zA-Z]+$/.test(digits)) return undefined;
  let n = 0n;
  for (const c of digits.toLowerCase()) n = n * 36n + BigInt(Number.parseInt(c, 36));
  return n;
}

const utf8 = new TextEncoder();
/** Go's len(): bytes, not UTF-16 units. */
const byteLength = (text: string) => utf8.encode(text).length;

/** go-digest's refusal of a SHA-256 digest longer than 64 hex digits (a value above 2^256-1). */
export const DIGEST_LENGTH_INVALID = "invalid checksum digest length";

/**
 * ParseJoinToken: any structural fault is the one message `invalid join token`; lengths
 * are counted in bytes, as Go counts them. The digest is read as SwarmKit reads it
 * (goBase36); a value above 2^256-1 fails as go-digest fails it.
 */
export function parseJoinToken(token: string): ParsedJoinToken {
  const invalid = () => new RampartError("invalid_argument", INVALID_JOIN_TOKEN, { field: "token" });
  const parts = token.split("-");
  if (parts.length < 4 || parts[0] !== JOIN_TOKEN_PREFIX) throw invalid();
  let version: 1 | 2;
  let fips = false;
  if (parts[1] === "1") {
    if (parts.length !== 4) throw invalid();
    version = 1;
  } else if (parts[1] === "2") {
    if (parts.length !== 5 || (parts[2] !== "0" && parts[2] !== "1")) throw invalid();
    version = 2;
    fips = parts[2] === "1";
  } else {
    throw invalid();
  }
  const secret = parts[parts.length - 1]!;
  const digest = parts[parts.length - 2]!;
  if (byteLength(secret) !== JOIN_SECRET_LENGTH || byteLength(digest) !== JOIN_DIGEST_LENGTH) throw invalid();
  const value = goBase36(digest);
  if (value === undefined) throw invalid();
  if (value > MAX_SHA256) throw new RampartError("invalid_argument", DIGEST_LENGTH_INVALID, { field: "token" });
  return { version, fips, rootDigest: `sha256:${value.toString(16).padStart(64, "0")}`, secret };
}

/** What a joining node says when the CA it reached is not the one the token names. */
export function caMismatchMessage(expectedSha256Hex: string): string {
  return `remote CA does not match fingerprint. Expected: ${expectedSha256Hex}`;
}

/** What the manager says to a token that matches neither role's current token. */
export const JOIN_TOKEN_REFUSED = "A valid join token is necessary to join this cluster";
