import { LOGIN_ACCOUNT_BACKOFF_AFTER, LOGIN_LOCK_MS, RampartError, loginBackoffMs } from "@rampart/core";
import { releaseAttempt, takeTurn, type Db } from "@rampart/db";
import { countAttempt, type Attempt, type ThrottleKey } from "../auth/throttle.js";

/**
 * How unlock attempts are held back (ADR 0022), on the store's counters like sign-ins
 * (ADR 0014) so that a restart does not reset them. An unlock key is 256 random bits:
 * nobody guesses one. The limits keep a locked server from being made to burn its
 * time and its audit log on guesses, and make a stream of them visible.
 *
 * - Each address may fail `UNLOCK_MAX_FAILURES_PER_ADDRESS` times in a window, then is
 *   locked out for `LOGIN_LOCK_MS`.
 * - Once all addresses together have failed `UNLOCK_SLOW_AFTER` times, an address that
 *   has already failed must take a turn, one per growing delay (up to a minute) for
 *   everyone; an address that never failed (the administrator, at the console or on
 *   the admin socket) goes straight to the check. No one is ever locked out by others.
 */
export const UNLOCK_MAX_FAILURES_PER_ADDRESS = 10;
export const UNLOCK_SLOW_AFTER = 10;

export interface UnlockKeys {
  address: ThrottleKey;
  all: ThrottleKey;
}

export function unlockKeys(ip: string | null): UnlockKeys {
  return {
    address: { key: `unlock-ip:${ip ?? "unknown"}`, limit: UNLOCK_MAX_FAILURES_PER_ADDRESS },
    all: { key: "unlock:all", limit: null },
  };
}

function waitError(until: Date, now: Date): RampartError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new RampartError("rate_limited", `too many failed attempts; try again in ${seconds} second${seconds === 1 ? "" : "s"}`, { retryAfterSeconds: seconds });
}

/** Counts an unlock attempt before the key is looked at; `reached` names the address if this attempt locked it. */
export async function beginUnlock(db: Db, keys: UnlockKeys, now: Date): Promise<Attempt> {
  const counted = await countAttempt(db, [keys.address, keys.all], now);
  if (counted.refusal) return counted;
  const [addressCount = 1, allCount = 1] = counted.counts;
  if (addressCount > 1 && allCount > UNLOCK_SLOW_AFTER) {
    const delay = loginBackoffMs(LOGIN_ACCOUNT_BACKOFF_AFTER + (allCount - UNLOCK_SLOW_AFTER));
    const next = await takeTurn(db, keys.all.key, now, new Date(now.getTime() + delay));
    if (next) return { refusal: waitError(next, now), reached: counted.reached };
  }
  return { refusal: undefined, reached: counted.reached };
}

/** After the right key: the attempt is given back (a success is not a failure). */
export async function unlockSucceeded(db: Db, keys: UnlockKeys): Promise<void> {
  await releaseAttempt(db, keys.address.key, keys.address.limit);
  await releaseAttempt(db, keys.all.key, keys.all.limit);
}

/** The lockout's sentence, for its audit event. */
export const UNLOCK_LOCKOUT_REASON = `${UNLOCK_MAX_FAILURES_PER_ADDRESS} failed unlock attempts: this address may not try again for ${LOGIN_LOCK_MS / 60_000} minutes`;
