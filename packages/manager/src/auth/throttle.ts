import {
  LOGIN_ACCOUNT_BACKOFF_AFTER,
  LOGIN_LOCK_MS,
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_MAX_FAILURES_PER_PAIR,
  LOGIN_WINDOW_MS,
  RampartError,
  loginBackoffMs,
  toHex,
} from "@rampart/core";
import {
  clearThrottle,
  clearThrottles,
  deleteStaleThrottles,
  getThrottles,
  recordFailure,
  releaseAttempt,
  takeTurn,
  type Db,
} from "@rampart/db";
import { sha256 } from "../hash.js";

/**
 * Failed-attempt counters kept in the store, so that they hold across restarts and
 * across replicas. Keys are `<scope>:<subject>`. Account keys hold a hash of the typed
 * username, never the name itself: people type passwords into that box.
 */
export interface ThrottleKey {
  key: string;
  /** Failures in a window that lock the key; null for a key that is only counted. */
  limit: number | null;
}

const nameHash = (username: string) => toHex(sha256(username)).slice(0, 32);

export const ipKey = (scope: "login" | "setup", ip: string): ThrottleKey => ({
  key: `${scope === "login" ? "ip" : "setup-ip"}:${ip}`,
  limit: LOGIN_MAX_FAILURES_PER_IP,
});

/** The keys of one sign-in: its address, the (account, address) pair, and the account. */
export interface LoginKeys {
  address: ThrottleKey;
  pair: ThrottleKey;
  account: ThrottleKey;
}

export function loginKeys(username: string, ip: string): LoginKeys {
  const account = nameHash(username);
  return {
    address: ipKey("login", ip),
    pair: { key: `pair:${account}:${ip}`, limit: LOGIN_MAX_FAILURES_PER_PAIR },
    account: { key: `user:${account}`, limit: null },
  };
}

/** Every counter that bears on one account, whatever the address: what `user unlock` clears. */
export function accountKeys(username: string): { keys: string[]; prefixes: string[] } {
  const account = nameHash(username);
  return { keys: [`user:${account}`], prefixes: [`pair:${account}:`] };
}

function lockedError(until: Date, now: Date): RampartError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(seconds / 60);
  const wait = seconds < 60 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return new RampartError("rate_limited", `too many failed attempts; try again in ${wait}`, { retryAfterSeconds: seconds });
}

/** What counting an attempt decided: a refusal, and which keys this attempt locked (or, for an account, began to slow). */
export interface Attempt {
  refusal: RampartError | undefined;
  reached: ThrottleKey[];
}

/**
 * Counts an attempt *before* the credential is checked. Counting first is what bounds
 * the guesses: parallel requests each take a number from the same atomic counter, so
 * no more than `limit` of them ever reach the check in a window. A key past its limit,
 * or still locked, refuses the attempt. A key with no limit (the account) is only
 * counted, and `reached` names any key whose limit this very attempt hit, so that a
 * lockout is told once.
 */
export async function countAttempt(db: Db, keys: ThrottleKey[], now: Date): Promise<Attempt & { counts: number[] }> {
  const states = await getThrottles(
    db,
    keys.map((k) => k.key),
  );
  let until: Date | undefined;
  for (const state of states.values()) {
    if (state.lockedUntil && state.lockedUntil > now && (!until || state.lockedUntil > until)) until = state.lockedUntil;
  }
  if (until) return { refusal: lockedError(until, now), reached: [], counts: [] };
  const windowStart = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const lockUntil = new Date(now.getTime() + LOGIN_LOCK_MS);
  const reached: ThrottleKey[] = [];
  const counts: number[] = [];
  for (const k of keys) {
    const state = await recordFailure(db, k.key, now, windowStart, k.limit, lockUntil);
    counts.push(state.failures);
    if (k.limit !== null && state.failures === k.limit) reached.push(k);
    if (k.limit !== null && state.failures > k.limit) {
      return { refusal: lockedError(state.lockedUntil ?? lockUntil, now), reached, counts };
    }
  }
  return { refusal: undefined, reached, counts };
}

/**
 * A sign-in's attempt (ADR 0014). The address and the pair lock as any key does. The
 * account never locks: once it has failed `LOGIN_ACCOUNT_BACKOFF_AFTER` times in the
 * window, an address that has already failed against it must take a turn, one per
 * growing delay for the whole account, while an address that never failed against it
 * goes straight to the check. So guessing from many addresses gets a handful of
 * guesses per address and then a trickle, and the owner signing in from anywhere
 * new is never kept out.
 */
export async function beginLogin(db: Db, keys: LoginKeys, now: Date): Promise<Attempt> {
  const counted = await countAttempt(db, [keys.address, keys.pair, keys.account], now);
  if (counted.refusal) return counted;
  const [, pairCount = 1, accountCount = 1] = counted.counts;
  const reached = accountCount === LOGIN_ACCOUNT_BACKOFF_AFTER ? [...counted.reached, keys.account] : counted.reached;
  const failedBefore = pairCount > 1;
  if (failedBefore && accountCount > LOGIN_ACCOUNT_BACKOFF_AFTER) {
    const next = await takeTurn(db, keys.account.key, now, new Date(now.getTime() + loginBackoffMs(accountCount)));
    if (next) return { refusal: lockedError(next, now), reached };
  }
  return { refusal: undefined, reached };
}

/** Counts an attempt on these keys and throws its refusal, if any (setup's code check). */
export async function beginAttempt(db: Db, keys: ThrottleKey[], now: Date): Promise<void> {
  const { refusal } = await countAttempt(db, keys, now);
  if (refusal) throw refusal;
}

/**
 * After a success: the pair starts again (this address knows the password); the
 * address and the account get their attempt back, and an attack in progress keeps
 * its backoff.
 */
export async function loginSucceeded(db: Db, keys: LoginKeys): Promise<void> {
  await clearThrottle(db, keys.pair.key);
  await releaseAttempt(db, keys.address.key, keys.address.limit);
  await releaseAttempt(db, keys.account.key, keys.account.limit);
}

/** Lifts every lock and backoff on an account; how many counters there were. */
export function clearAccount(db: Db, username: string): Promise<number> {
  const { keys, prefixes } = accountKeys(username);
  return clearThrottles(db, keys, prefixes);
}

/** Removes counters whose window and lock have both passed. */
export async function sweepThrottles(db: Db, now: Date): Promise<number> {
  return deleteStaleThrottles(db, new Date(now.getTime() - LOGIN_WINDOW_MS), now);
}
