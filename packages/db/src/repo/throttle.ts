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
 * Counts one failure in a single statement, so concurrent failures are all counted:
 * a window older than `windowStartCutoff` starts again at 1, and reaching `limit`
 * sets `locked_until`.
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
    INSERT INTO login_throttle (key, failures, window_start, locked_until)
    VALUES (${key}, 1, ${now}, CASE WHEN 1 >= ${limit} THEN ${lockUntil}::timestamptz ELSE NULL END)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN login_throttle.window_start < ${windowStartCutoff} THEN 1 ELSE login_throttle.failures + 1 END,
      window_start = CASE WHEN login_throttle.window_start < ${windowStartCutoff} THEN ${now} ELSE login_throttle.window_start END,
      locked_until = CASE
        WHEN (CASE WHEN login_throttle.window_start < ${windowStartCutoff} THEN 1 ELSE login_throttle.failures + 1 END) >= ${limit}
          THEN ${lockUntil}::timestamptz
        ELSE login_throttle.locked_until END
    RETURNING failures, locked_until`;
  const row = rows[0]!;
  return { failures: Number(row.failures), lockedUntil: row.locked_until };
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}
