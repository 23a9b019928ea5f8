/**
 * The one error model. Domain code throws `RampartError` with a string code; only
 * `@rampart/api` turns codes into HTTP/tRPC statuses (one table), so no HTTP concern
 * leaks into the domain. Messages are written for people and must never contain a
 * secret value, key or token.
 */
export const ERROR_CODES = [
  "invalid_argument",
  "not_found",
  "already_exists",
  "failed_precondition",
  "conflict",
  "unauthenticated",
  "permission_denied",
  "rate_limited",
  "payload_too_large",
  "unavailable",
  "sealed_open_failed",
  "key_mismatch",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface RampartErrorOptions {
  /** The input field the error is about, e.g. `password` or `name`. */
  field?: string;
  /** Seconds until a rate-limited action may be retried. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class RampartError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: RampartErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RampartError";
    this.code = code;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * True for a RampartError, including one from another copy of this module (a bundler
 * may load the package twice), so the check is by shape rather than by prototype.
 */
export function isRampartError(value: unknown): value is RampartError {
  if (value instanceof RampartError) return true;
  if (!(value instanceof Error) || value.name !== "RampartError") return false;
  const code: unknown = (value as unknown as Record<string, unknown>).code;
  return typeof code === "string" && (ERROR_CODES as readonly string[]).includes(code);
}

/** Shorthand for the most common error: bad input, naming the field at fault. */
export function invalidArgument(field: string, message: string): RampartError {
  return new RampartError("invalid_argument", message, { field });
}

/** The most characters of someone's input an error message quotes. */
export const MAX_QUOTED_INPUT = 64;

/**
 * A short prefix of untrusted text for an error message: enough to recognise the input,
 * never the whole of it, so a 60 KB value cannot make every refusal (and every log line
 * and audit row that keeps the message) 60 KB long.
 */
export function quotePrefix(text: string, max = MAX_QUOTED_INPUT): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}
