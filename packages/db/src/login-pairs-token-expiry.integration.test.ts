import { afterEach, describe, expect, it } from "vitest";
import { loadMigrations, migrate } from "./migrator.js";
import { createTestStore, testStoreKinds, type TestStore } from "./testing/index.js";

const MIGRATION = "20261205100000_login_pairs_token_expiry";
const DAY_MS = 86_400_000;

/**
 * The migration that makes every API token expire and lifts account locks: run over a
 * store put back as the version before left it, with tokens that never expire or
 * expire in ten years, and an account locked under the old rule.
 */
describe.each(testStoreKinds())(`migration ${MIGRATION} on %s`, (kind) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("ok/tokens get an expiry of 90 days at most from the migration, and old account locks are lifted", async () => {
    t = await createTestStore(kind);
    const future = new Date(Date.now() + 15 * 60 * 1000);
    await t.store.withSql(async (s) => {
      await s.exec(`
        DELETE FROM _rampart_migrations WHERE name = '${MIGRATION}';
        ALTER TABLE login_throttle DROP COLUMN next_attempt_at;
        ALTER TABLE api_token ALTER COLUMN expires_at DROP NOT NULL;
        INSERT INTO app_user (id, username, password_hash, role) VALUES ('u1', 'admin', 'x', 'admin');`);
      const token = (id: string, expires: Date | null) =>
        s.query("INSERT INTO api_token (id, user_id, name, secret, expires_at) VALUES ($1, 'u1', $1, '\\x00', $2)", [id, expires]);
      await token("never", null);
      await token("ten-years", new Date(Date.now() + 3650 * DAY_MS));
      await token("thirty-days", new Date(Date.now() + 30 * DAY_MS));
      await s.query("INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ('user:abc', 5, now(), $1), ('ip:192.0.2.1', 20, now(), $1)", [future]);
    });
    const before = Date.now();
    // Migrations after this one stay applied: set aside while it runs again, then put back as they were.
    await t.store.withSql(async (s) => {
      const later = await s.query<{ name: string; checksum: string; applied_at: Date }>(
        "SELECT name, checksum, applied_at FROM _rampart_migrations WHERE name > $1",
        [MIGRATION],
      );
      await s.query("DELETE FROM _rampart_migrations WHERE name > $1", [MIGRATION]);
      expect(await migrate(s, (await loadMigrations()).filter((m) => m.name <= MIGRATION))).toEqual([MIGRATION]);
      for (const row of later) await s.query("INSERT INTO _rampart_migrations (name, checksum, applied_at) VALUES ($1, $2, $3)", [row.name, row.checksum, row.applied_at]);
    });
    const tokens = await t.store.prisma.apiToken.findMany({ select: { id: true, expiresAt: true } });
    const expiry = Object.fromEntries(tokens.map((r) => [r.id, r.expiresAt.getTime()]));
    for (const id of ["never", "ten-years"]) {
      expect(expiry[id]).toBeGreaterThanOrEqual(before + 90 * DAY_MS - 60_000);
      expect(expiry[id]).toBeLessThanOrEqual(Date.now() + 90 * DAY_MS + 60_000);
    }
    expect(expiry["thirty-days"]).toBeLessThan(before + 31 * DAY_MS);
    await expect(
      t.store.prisma.$executeRawUnsafe("INSERT INTO api_token (id, user_id, name, secret) VALUES ('none', 'u1', 'none', '\\x00')"),
    ).rejects.toThrow();
    const throttles = await t.store.prisma.loginThrottle.findMany({ orderBy: { key: "asc" }, select: { key: true, lockedUntil: true } });
    expect(throttles).toEqual([
      { key: "ip:192.0.2.1", lockedUntil: future },
      { key: "user:abc", lockedUntil: null },
    ]);
  });
});
