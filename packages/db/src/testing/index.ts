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

/**
 * The forms a leaked value could take in a dump or a log: raw, base64 (both alphabets,
 * at each of the three alignments it can have inside a longer encoded text), hex,
 * URL-encoded and UTF-16. A test searches for every one.
 */
export function canaryForms(canary: string): Map<string, Buffer> {
  const raw = Buffer.from(canary, "utf8");
  const forms = new Map<string, Buffer>([["raw", raw]]);
  for (const alphabet of ["base64", "base64url"] as const) {
    for (let offset = 0; offset < 3; offset++) {
      // After `offset` other bytes, keep only the characters made of the canary's bits alone.
      const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString(alphabet);
      const first = Math.ceil((8 * offset) / 6);
      const last = Math.floor((8 * (offset + raw.length)) / 6);
      forms.set(offset === 0 ? alphabet : `${alphabet}+${offset}`, Buffer.from(encoded.slice(first, last)));
    }
  }
  forms.set("hex", Buffer.from(raw.toString("hex")));
  forms.set("HEX", Buffer.from(raw.toString("hex").toUpperCase()));
  forms.set("url", Buffer.from(encodeURIComponent(canary)));
  forms.set("utf16le", Buffer.from(canary, "utf16le"));
  forms.set("utf16be", Buffer.from(canary, "utf16le").swap16());
  return forms;
}

/** Counts occurrences of every form of `canary` in `haystack`. */
export function countCanary(haystack: Buffer, canary: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [form, needle] of canaryForms(canary)) {
    let n = 0;
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) n++;
    counts.set(form, n);
  }
  return counts;
}

/** A random canary that cannot occur by chance. */
export function newCanary(label = "canary"): string {
  return `${label}-${randomBytes(12).toString("hex")}`;
}
