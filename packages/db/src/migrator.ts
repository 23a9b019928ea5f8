import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { RampartError } from "@rampart/core";
import type { SqlSession } from "./sql.js";

/**
 * Rampart's own migrator (docs/decisions/0001-store-and-migrator.md). Prisma's
 * `migrate deploy` cannot run here, so the hand-written SQL files in
 * `prisma/migrations/<timestamp>_<name>/migration.sql` are applied by this module:
 * under a Postgres advisory lock, so two servers starting together never race; one
 * transaction per file, so a failing file leaves nothing half-applied; and recorded
 * with a checksum, so an edited migration is noticed rather than silently skipped.
 */

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/migrations/", import.meta.url));

/** An arbitrary constant: the advisory-lock key all Rampart migrators agree on. */
const MIGRATION_LOCK_KEY = 0x52414d50; // "RAMP"

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && /^\d{14}_[a-z0-9_]+$/.test(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(`${dir}/${name}/migration.sql`, "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS _rampart_migrations (
  name       TEXT PRIMARY KEY,
  checksum   TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;

async function appliedMigrations(session: SqlSession): Promise<Map<string, string>> {
  const exists = await session.query<{ exists: boolean }>(
    "SELECT to_regclass('_rampart_migrations') IS NOT NULL AS exists",
  );
  if (!exists[0]?.exists) return new Map();
  const rows = await session.query<{ name: string; checksum: string }>(
    "SELECT name, checksum FROM _rampart_migrations ORDER BY name",
  );
  return new Map(rows.map((r) => [r.name, r.checksum]));
}

function checkHistory(migrations: Migration[], applied: Map<string, string>): void {
  const newestApplied = [...applied.keys()].sort().at(-1);
  for (const m of migrations) {
    if (newestApplied !== undefined && !applied.has(m.name) && m.name < newestApplied) {
      throw new RampartError(
        "failed_precondition",
        `migration ${m.name} is older than ${newestApplied}, which is already applied; give it a newer timestamp`,
      );
    }
  }
  const known = new Map(migrations.map((m) => [m.name, m.checksum]));
  for (const [name, checksum] of applied) {
    const expected = known.get(name);
    if (expected === undefined) {
      throw new RampartError(
        "failed_precondition",
        `the store has migration ${name}, which this version of Rampart does not know; it was migrated by a newer version`,
      );
    }
    if (expected !== checksum) {
      throw new RampartError("failed_precondition", `migration ${name} was changed after it was applied`);
    }
  }
}

export async function migrationStatus(session: SqlSession, migrations: Migration[]): Promise<MigrationStatus> {
  const applied = await appliedMigrations(session);
  return {
    applied: [...applied.keys()],
    pending: migrations.filter((m) => !applied.has(m.name)).map((m) => m.name),
  };
}

/** How long a migrator waits for another one (a replica starting alongside) to finish. */
const LOCK_WAIT_MS = 120_000;

async function lock(session: SqlSession): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const [row] = await session.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [MIGRATION_LOCK_KEY]);
    if (row?.locked) return;
    if (Date.now() > deadline) {
      throw new RampartError("unavailable", "another Rampart server has been migrating this store for too long; try again later");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Applies every pending migration in order; returns the names it applied. */
export async function migrate(session: SqlSession, migrations: Migration[]): Promise<string[]> {
  await lock(session);
  try {
    await session.exec(CREATE_TABLE);
    const applied = await appliedMigrations(session);
    checkHistory(migrations, applied);
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.name)) continue;
      await session.exec("BEGIN");
      try {
        await session.exec(migration.sql);
        await session.query("INSERT INTO _rampart_migrations (name, checksum) VALUES ($1, $2)", [
          migration.name,
          migration.checksum,
        ]);
        await session.exec("COMMIT");
      } catch (error) {
        // A dead connection fails the rollback too; the migration's own error is the one to report.
        await session.exec("ROLLBACK").catch(() => undefined);
        throw new RampartError("failed_precondition", `migration ${migration.name} failed and was rolled back`, {
          cause: error,
        });
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    await session.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}
