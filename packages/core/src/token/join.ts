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

function base36ToBigInt(text: string): bigint | undefined {
  if (!/^[0-9a-z]+$/.test(text)) return undefined;
  let n = 0n;
  for (const c of text) n = n * 36n + BigInt(Number.parseInt(c, 36));
  return n;
}

/**
 * ParseJoinToken: any structural fault is the one message `invalid join token`. Unlike
 * upstream, a digest with characters outside [0-9a-z] or above 2^256-1 is refused here
 * rather than failing later.
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
  if (secret.length !== JOIN_SECRET_LENGTH || digest.length !== JOIN_DIGEST_LENGTH) throw invalid();
  const value = base36ToBigInt(digest);
  if (value === undefined || value > MAX_SHA256) throw invalid();
  return { version, fips, rootDigest: `sha256:${value.toString(16).padStart(64, "0")}`, secret };
}

/** What a joining node says when the CA it reached is not the one the token names. */
export function caMismatchMessage(expectedSha256Hex: string): string {
  return `remote CA does not match fingerprint. Expected: ${expectedSha256Hex}`;
}

/** What the manager says to a token that matches neither role's current token. */
export const JOIN_TOKEN_REFUSED = "A valid join token is necessary to join this cluster";
