import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadMigrations, migrate, migrationStatus } from "./migrator.js";
import { createTestStore, testStoreKinds, type TestStore } from "./testing/index.js";

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rampart-migrations-"));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe.each(testStoreKinds())("migrator on %s", (kind) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("fail/a failing file is rolled back entirely and not recorded", async () => {
    t = await createTestStore(kind);
    const dir = migrationsDir({
      "20990101000000_good": "CREATE TABLE mig_good (id INT);",
      "20990101000001_bad": "CREATE TABLE mig_half (id INT); SELECT no_such_function();",
    });
    const extra = (await loadMigrations()).concat(await loadMigrations(dir));
    await expect(t.store.withSql((s) => migrate(s, extra))).rejects.toThrow(
      "migration 20990101000001_bad failed and was rolled back",
    );
    const state = await t.store.withSql((s) => migrationStatus(s, extra));
    expect(state.pending).toEqual(["20990101000001_bad"]);
    const tables = await t.store.withSql((s) =>
      s.query<{ name: string | null }>("SELECT to_regclass('mig_half')::text AS name"),
    );
    expect(tables[0]?.name).toBeNull();
  });

  it("fail/an applied migration that was edited is refused", async () => {
    t = await createTestStore(kind);
    const edited = (await loadMigrations()).map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(t.store.withSql((s) => migrate(s, edited))).rejects.toThrow("was changed after it was applied");
  });

  it("fail/a new migration dated before an applied one is refused", async () => {
    t = await createTestStore(kind);
    const dir = migrationsDir({ "20000101000000_late": "CREATE TABLE mig_late (id INT);" });
    const all = (await loadMigrations(dir)).concat(await loadMigrations());
    await expect(t.store.withSql((s) => migrate(s, all))).rejects.toThrow("give it a newer timestamp");
  });

  it("fail/a store migrated by a newer version is refused", async () => {
    t = await createTestStore(kind);
    const older = (await loadMigrations()).slice(0, 0);
    await expect(t.store.withSql((s) => migrate(s, older))).rejects.toThrow("which this version of Rampart does not know");
  });
});

// Two migrators can only meet on PostgreSQL: a PGlite directory admits one process (the
// store's lock) and one connection, on which the advisory lock is simply re-entered. So
// this block exists only when DATABASE_URL names a PostgreSQL server.
describe.each(testStoreKinds().filter((kind) => kind === "postgres"))("migrator on %s, concurrently (PostgreSQL only)", (kind) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("ok/two migrators at once apply each file exactly once", async () => {
    t = await createTestStore(kind);
    const dir = migrationsDir({ "20990101000002_counted": "CREATE TABLE mig_counted (id INT);" });
    const all = (await loadMigrations()).concat(await loadMigrations(dir));
    const results = await Promise.all([t.store.withSql((s) => migrate(s, all)), t.store.withSql((s) => migrate(s, all))]);
    expect(results.flat()).toEqual(["20990101000002_counted"]);
  });
});
