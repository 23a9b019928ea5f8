import {
  LOGIN_LOCK_MS,
  LOGIN_MAX_FAILURES_PER_ACCOUNT,
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_WINDOW_MS,
  RampartError,
  toHex,
} from "@rampart/core";
import { clearThrottle, deleteStaleThrottles, getThrottles, recordFailure, releaseAttempt, type Db } from "@rampart/db";
import { sha256 } from "../hash.js";

/**
 * Failed-attempt counters kept in the store, so that they hold across restarts and
 * across replicas. Keys are `<scope>:<subject>`. The account key holds a hash of the
 * typed username, never the name itself: people type passwords into that box.
 */
export interface ThrottleKey {
  key: string;
  limit: number;
}

export const accountKey = (username: string): ThrottleKey => ({
  key: `user:${toHex(sha256(username)).slice(0, 32)}`,
  limit: LOGIN_MAX_FAILURES_PER_ACCOUNT,
});
export const ipKey = (scope: "login" | "setup", ip: string): ThrottleKey => ({
  key: `${scope === "login" ? "ip" : "setup-ip"}:${ip}`,
  limit: LOGIN_MAX_FAILURES_PER_IP,
});

function lockedError(until: Date, now: Date): RampartError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new RampartError(
    "rate_limited",
    `too many failed attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
    { retryAfterSeconds: seconds },
  );
}

/**
 * Counts an attempt *before* the credential is checked, and refuses it if that takes
 * any key past its limit or a key is locked. Counting first is what bounds the
 * guesses: parallel requests each take a number from the same atomic counter, so no
 * more than `limit` of them ever reach the password check in a window. A successful
 * attempt gives its count back with `attemptSucceeded`.
 */
export async function beginAttempt(db: Db, keys: ThrottleKey[], now: Date): Promise<void> {
  const states = await getThrottles(
    db,
    keys.map((k) => k.key),
  );
  let until: Date | undefined;
  for (const state of states.values()) {
    if (state.lockedUntil && state.lockedUntil > now && (!until || state.lockedUntil > until)) until = state.lockedUntil;
  }
  if (until) throw lockedError(until, now);
  const windowStart = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const lockUntil = new Date(now.getTime() + LOGIN_LOCK_MS);
  for (const k of keys) {
    const state = await recordFailure(db, k.key, now, windowStart, k.limit, lockUntil);
    if (state.failures > k.limit) throw lockedError(state.lockedUntil ?? lockUntil, now);
  }
}

/** After a success: the account's counter starts again; the address gets its attempt back. */
export async function attemptSucceeded(db: Db, account: ThrottleKey, others: ThrottleKey[]): Promise<void> {
  await clearThrottle(db, account.key);
  for (const k of others) await releaseAttempt(db, k.key, k.limit);
}

/** Removes counters whose window and lock have both passed. */
export async function sweepThrottles(db: Db, now: Date): Promise<number> {
  return deleteStaleThrottles(db, new Date(now.getTime() - LOGIN_WINDOW_MS), now);
}
