import type { Db } from "../prisma.js";

export interface ThrottleState {
  failures: number;
  lockedUntil: Date | null;
}

export async function getThrottles(db: Db, keys: string[]): Promise<Map<string, ThrottleState>> {
  const rows = await db.loginThrottle.findMany({
    where: { key: { in: keys } },
    select: { key: true, failures: true, lockedUntil: true },
  });
  return new Map(rows.map((r) => [r.key, { failures: r.failures, lockedUntil: r.lockedUntil }]));
}

/**
 * Counts one attempt in a single statement, so concurrent attempts are all counted.
 * The count starts again at 1 when the window has passed or a lock has run out; reaching
 * `limit` sets `locked_until`. A key with no limit (`null`) only counts.
 */
export async function recordFailure(
  db: Db,
  key: string,
  now: Date,
  windowStartCutoff: Date,
  limit: number | null,
  lockUntil: Date,
): Promise<ThrottleState> {
  const rows = await db.$queryRaw<{ failures: number; locked_until: Date | null }[]>`
    INSERT INTO login_throttle AS t (key, failures, window_start, locked_until)
    VALUES (${key}, 1, ${now}, CASE WHEN 1 >= ${limit}::int THEN ${lockUntil}::timestamptz ELSE NULL END)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN t.window_start < ${windowStartCutoff} OR t.locked_until <= ${now}
        THEN 1 ELSE t.failures + 1 END,
      window_start = CASE WHEN t.window_start < ${windowStartCutoff} OR t.locked_until <= ${now}
        THEN ${now}::timestamptz ELSE t.window_start END,
      locked_until = CASE
        WHEN (CASE WHEN t.window_start < ${windowStartCutoff} OR t.locked_until <= ${now} THEN 1 ELSE t.failures + 1 END) >= ${limit}::int
          THEN ${lockUntil}::timestamptz
        WHEN t.locked_until <= ${now} THEN NULL
        ELSE t.locked_until END
    RETURNING failures, locked_until`;
  const row = rows[0]!;
  return { failures: Number(row.failures), lockedUntil: row.locked_until };
}

/**
 * Takes the key's next turn if it is free at `now`, booking the one after for `next`,
 * in one statement: of attempts racing for a turn, exactly one gets it. Returns null
 * when the turn was taken, or when the next one comes.
 */
export async function takeTurn(db: Db, key: string, now: Date, next: Date): Promise<Date | null> {
  const taken = await db.$executeRaw`
    UPDATE login_throttle SET next_attempt_at = ${next}
    WHERE key = ${key} AND (next_attempt_at IS NULL OR next_attempt_at <= ${now})`;
  if (taken === 1) return null;
  const row = await db.loginThrottle.findUnique({ where: { key }, select: { nextAttemptAt: true } });
  return row?.nextAttemptAt ?? now;
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}

/** Removes the counters with one of these keys, or whose key starts with one of these prefixes. */
export async function clearThrottles(db: Db, keys: string[], prefixes: string[]): Promise<number> {
  const { count } = await db.loginThrottle.deleteMany({
    where: { OR: [{ key: { in: keys } }, ...prefixes.map((prefix) => ({ key: { startsWith: prefix } }))] },
  });
  return count;
}

/**
 * Gives back one counted attempt (a success is not a failure), and lifts a lock that
 * only the giving-back attempt had caused.
 */
export async function releaseAttempt(db: Db, key: string, limit: number | null): Promise<void> {
  await db.$executeRaw`
    UPDATE login_throttle
    SET failures = failures - 1,
        locked_until = CASE WHEN failures - 1 < ${limit}::int THEN NULL ELSE locked_until END
    WHERE key = ${key} AND failures > 0`;
}

export async function deleteStaleThrottles(db: Db, windowStartCutoff: Date, now: Date): Promise<number> {
  const { count } = await db.loginThrottle.deleteMany({
    where: {
      windowStart: { lt: windowStartCutoff },
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
    },
  });
  return count;
}
