import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { loadMigrations } from "../migrator.js";
import { openStore, type Store, type StoreKind } from "../store.js";

/**
 * Real stores for integration tests: PGlite always, PostgreSQL too when
 * `DATABASE_URL` is set. Each test store is fresh and migrated.
 *
 * PGlite's initdb takes 8–11 s, so a migrated template directory is made once per
 * migration set and copied for each test (about 1 s).
 */
export function testStoreKinds(): StoreKind[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestStore {
  kind: StoreKind;
  store: Store;
  /** A data directory of the test's own (the PGlite files live under it). */
  dataDir: string;
  /** The database URL, for PostgreSQL stores. */
  databaseUrl?: string;
  dispose(): Promise<void>;
}

async function templateDir(): Promise<string> {
  const migrations = await loadMigrations();
  const digest = createHash("sha256");
  for (const m of migrations) digest.update(m.name).update(m.checksum);
  const dir = join(tmpdir(), `rampart-pglite-template-${digest.digest("hex").slice(0, 16)}`);
  if (existsSync(join(dir, "ready"))) return dir;
  const building = mkdtempSync(join(tmpdir(), "rampart-pglite-building-"));
  const store = await openStore({ dataDir: building });
  await store.migrate();
  await store.close();
  mkdirSync(join(building, "ready"));
  try {
    renameSync(building, dir);
  } catch {
    // Another worker finished first; theirs is as good as ours.
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/** A fresh PostgreSQL database on the server `DATABASE_URL` names. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("DATABASE_URL is not set");
  const name = `rampart_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), "rampart-test-"));
  if (kind === "pglite") {
    cpSync(join(await templateDir(), "pgdata"), join(dataDir, "pgdata"), { recursive: true });
    const store = await openStore({ dataDir });
    await store.migrate();
    return {
      kind,
      store,
      dataDir,
      async dispose() {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const database = await createPostgresDatabase();
  const store = await openStore({ dataDir, databaseUrl: database.url });
  await store.migrate();
  return {
    kind,
    store,
    dataDir,
    databaseUrl: database.url,
    async dispose() {
      await store.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
