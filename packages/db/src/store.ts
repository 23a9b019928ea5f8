import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { RampartError } from "@rampart/core";
import { PrismaClient } from "./prisma.js";
import { loadMigrations, migrate, migrationStatus, type Migration } from "./migrator.js";
import { pgliteSession, postgresSession, prismaSession, type SqlSession } from "./sql.js";

export type StoreKind = "pglite" | "postgres";

export interface StoreOptions {
  /** Rampart's data directory; PGlite keeps its files in `<dataDir>/pgdata`. */
  dataDir: string;
  /** When set, the store is this PostgreSQL database instead of PGlite. */
  databaseUrl?: string | undefined;
  /** Overrides the migrations folder (tests only). */
  migrationsDir?: string;
}

export interface StoreStatus {
  kind: StoreKind;
  location: string;
  reachable: boolean;
  migrated: boolean;
  appliedMigrations: number;
  pendingMigrations: string[];
  /** Why the store is unreachable, with no credentials in it. */
  problem?: string;
}

export interface Store {
  readonly kind: StoreKind;
  /** Where the store is, safe to show: a directory, or a URL without its password. */
  readonly location: string;
  readonly prisma: PrismaClient;
  migrate(): Promise<string[]>;
  status(): Promise<StoreStatus>;
  /** Runs `fn` with a raw SQL session (the migrator, health checks, tests). */
  withSql<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Shows a PostgreSQL URL without its password or query string. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return "postgresql://(unparseable URL)";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is one process's database: a second process opening the same directory would
 * corrupt it. A lock file holding our pid refuses that; a stale one is taken over.
 */
const heldHere = new Set<string>();

function acquireLock(path: string): () => void {
  if (heldHere.has(path)) {
    throw new RampartError("failed_precondition", "the data directory is in use by another Rampart process (this one)");
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
      if (Number.isInteger(pid) && isAlive(pid) && pid !== process.pid) {
        throw new RampartError(
          "failed_precondition",
          `the data directory is in use by another Rampart process (pid ${pid}); stop it first`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new RampartError("failed_precondition", "could not lock the data directory");
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const migrations = await loadMigrations(options.migrationsDir);
  if (options.databaseUrl) return openPostgres(options.databaseUrl, migrations);
  return openPglite(options.dataDir, migrations);
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.length > 0) return `database error ${code}`;
  return "the database did not answer";
}

function makeStore(
  kind: StoreKind,
  location: string,
  prisma: PrismaClient,
  migrations: Migration[],
  withSql: Store["withSql"],
  onClose: () => Promise<void>,
): Store {
  let closed = false;
  return {
    kind,
    location,
    prisma,
    withSql,
    migrate: () => withSql((s) => migrate(s, migrations)),
    async status() {
      try {
        const state = await migrationStatus(prismaSession(prisma), migrations);
        return {
          kind,
          location,
          reachable: true,
          migrated: state.pending.length === 0,
          appliedMigrations: state.applied.length,
          pendingMigrations: state.pending,
        };
      } catch (error) {
        return {
          kind,
          location,
          reachable: false,
          migrated: false,
          appliedMigrations: 0,
          pendingMigrations: [],
          problem: describe(error),
        };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await onClose();
    },
  };
}

async function openPglite(dataDir: string, migrations: Migration[]): Promise<Store> {
  const dir = join(dataDir, "pgdata");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = acquireLock(join(dataDir, "pgdata.lock"));
  let db: PGlite;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = await PGlite.create(dir);
  } catch (error) {
    release();
    throw new RampartError("unavailable", `cannot open the embedded store in ${dir}`, { cause: error });
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const session = pgliteSession(db);
  return makeStore(
    "pglite",
    dir,
    prisma,
    migrations,
    (fn) => fn(session),
    async () => {
      await db.close();
      release();
    },
  );
}

async function openPostgres(url: string, migrations: Migration[]): Promise<Store> {
  const location = redactDatabaseUrl(url);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  return makeStore(
    "postgres",
    location,
    prisma,
    migrations,
    async (fn) => {
      const session = await postgresSession(url);
      try {
        return await fn(session);
      } finally {
        await session.release();
      }
    },
    async () => {},
  );
}
