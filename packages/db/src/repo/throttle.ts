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
 * `limit` sets `locked_until`.
 */
export async function recordFailure(
  db: Db,
  key: string,
  now: Date,
  windowStartCutoff: Date,
  limit: number,
  lockUntil: Date,
): Promise<ThrottleState> {
  const rows = await db.$queryRaw<{ failures: number; locked_until: Date | null }[]>`
    INSERT INTO login_throttle AS t (key, failures, window_start, locked_until)
    VALUES (${key}, 1, ${now}, CASE WHEN 1 >= ${limit} THEN ${lockUntil}::timestamptz ELSE NULL END)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN t.window_start < ${windowStartCutoff} OR t.locked_until <= ${now}
        THEN 1 ELSE t.failures + 1 END,
      window_start = CASE WHEN t.window_start < ${windowStartCutoff} OR t.locked_until <= ${now}
        THEN ${now}::timestamptz ELSE t.window_start END,
      locked_until = CASE
        WHEN (CASE WHEN t.window_start < ${windowStartCutoff} OR t.locked_until <= ${now} THEN 1 ELSE t.failures + 1 END) >= ${limit}
          THEN ${lockUntil}::timestamptz
        WHEN t.locked_until <= ${now} THEN NULL
        ELSE t.locked_until END
    RETURNING failures, locked_until`;
  const row = rows[0]!;
  return { failures: Number(row.failures), lockedUntil: row.locked_until };
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}

/**
 * Gives back one counted attempt (a success is not a failure), and lifts a lock that
 * only the giving-back attempt had caused.
 */
export async function releaseAttempt(db: Db, key: string, limit: number): Promise<void> {
  await db.$executeRaw`
    UPDATE login_throttle
    SET failures = failures - 1,
        locked_until = CASE WHEN failures - 1 < ${limit} THEN NULL ELSE locked_until END
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
