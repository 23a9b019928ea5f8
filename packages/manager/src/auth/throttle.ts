import {
  LOGIN_LOCK_MS,
  LOGIN_MAX_FAILURES_PER_ACCOUNT,
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_WINDOW_MS,
  RampartError,
} from "@rampart/core";
import { clearThrottle, getThrottles, recordFailure, type Db } from "@rampart/db";

/**
 * Failed-attempt counters kept in the store, so that they hold across restarts and
 * across replicas. Keys are `<scope>:<subject>`, e.g. `user:alice` or `ip:10.0.0.7`.
 */
export interface ThrottleKey {
  key: string;
  limit: number;
}

export const accountKey = (username: string): ThrottleKey => ({
  key: `user:${username}`,
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

/** Throws `rate_limited` if any of the keys is locked at `now`. */
export async function assertNotLocked(db: Db, keys: ThrottleKey[], now: Date): Promise<void> {
  const states = await getThrottles(
    db,
    keys.map((k) => k.key),
  );
  let until: Date | undefined;
  for (const state of states.values()) {
    if (state.lockedUntil && state.lockedUntil > now && (!until || state.lockedUntil > until)) until = state.lockedUntil;
  }
  if (until) throw lockedError(until, now);
}

export async function countFailure(db: Db, keys: ThrottleKey[], now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const lockUntil = new Date(now.getTime() + LOGIN_LOCK_MS);
  for (const k of keys) await recordFailure(db, k.key, now, windowStart, k.limit, lockUntil);
}

export async function clearFailures(db: Db, key: ThrottleKey): Promise<void> {
  await clearThrottle(db, key.key);
}
