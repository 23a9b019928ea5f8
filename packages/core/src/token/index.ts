import { fromBase64Url, isCrockford, normalizeCrockford, toBase64Url, toCrockford } from "../encoding/index.js";
import { RampartError } from "../errors/index.js";

/**
 * Credential formats for people and programs that talk to the API. Each is versioned
 * by its prefix and has a parser that returns a typed error, so a malformed credential
 * is refused before anything is looked up. Randomness is always passed in.
 */

/** 256 bits: far past the 128 the session design requires, at no cost. */
export const SESSION_TOKEN_BYTES = 32;

export function formatSessionToken(random: Uint8Array): string {
  if (random.length !== SESSION_TOKEN_BYTES) {
    throw new RampartError("internal", "session token needs 32 random bytes");
  }
  return toBase64Url(random);
}

/** A session token is exactly 43 base64url characters; anything else is refused unseen. */
export function isWellFormedSessionToken(token: string): boolean {
  return token.length === 43 && fromBase64Url(token)?.length === SESSION_TOKEN_BYTES;
}

/**
 * API tokens: `rmp1_<id>_<secret>`. The id (10 random bytes, Crockford base32) locates
 * the row without revealing anything; the secret (32 random bytes) proves possession.
 */
export const API_TOKEN_PREFIX = "rmp1";
export const API_TOKEN_ID_BYTES = 10;
export const API_TOKEN_SECRET_BYTES = 32;

export interface ApiTokenParts {
  id: string;
  secret: string;
}

export function newApiTokenId(random: Uint8Array): string {
  if (random.length !== API_TOKEN_ID_BYTES) throw new RampartError("internal", "API token id needs 10 random bytes");
  return toCrockford(random).toLowerCase();
}

export function formatApiToken(id: string, secretRandom: Uint8Array): { token: string; secret: string } {
  if (secretRandom.length !== API_TOKEN_SECRET_BYTES) {
    throw new RampartError("internal", "API token secret needs 32 random bytes");
  }
  const secret = toBase64Url(secretRandom);
  return { token: `${API_TOKEN_PREFIX}_${id}_${secret}`, secret };
}

export function parseApiToken(token: string): ApiTokenParts {
  const match = /^rmp1_([0-9a-hjkmnp-tv-z]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match || fromBase64Url(match[2]!)?.length !== API_TOKEN_SECRET_BYTES) {
    throw new RampartError("unauthenticated", "API token is malformed: expected rmp1_<id>_<secret>");
  }
  return { id: match[1]!, secret: match[2]! };
}

/**
 * The one-time setup code: 80 random bits as four groups of four Crockford characters,
 * e.g. `7KQ3-M2XD-9RTA-0BWE`. Typed by a person once, so it forgives case and dashes.
 */
export const SETUP_CODE_BYTES = 10;

export function formatSetupCode(random: Uint8Array): string {
  if (random.length !== SETUP_CODE_BYTES) throw new RampartError("internal", "setup code needs 10 random bytes");
  const raw = toCrockford(random);
  return raw.match(/.{4}/g)!.join("-");
}

/** Canonical form of a typed setup code, or undefined if it cannot be one. */
export function normalizeSetupCode(input: string): string | undefined {
  const compact = normalizeCrockford(input.replace(/[\s-]/g, ""));
  if (compact.length !== 16 || !isCrockford(compact)) return undefined;
  return compact.match(/.{4}/g)!.join("-");
}

export * from "./join.js";
export * from "./unlock.js";
