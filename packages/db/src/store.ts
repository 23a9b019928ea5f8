import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { RampartError } from "@rampart/core";
import pg from "pg";
import { PrismaClient, type Db } from "./prisma.js";
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
  /**
   * The server's own open: on PostgreSQL, holds a session advisory lock for the store's
   * life, so a second server on the same database is refused (PGlite's directory lock
   * already refuses a second process). Tests that open one database twice leave it off.
   */
  exclusive?: boolean;
  /** Told if the connection holding the exclusive lock is lost: the lock went with it. */
  onLockLost?: (error: Error) => void;
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
  /** Runs `fn` in one transaction; repositories take the `Db` it is given. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
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

function inUse(pid: number | undefined): RampartError {
  const who = pid ? ` (pid ${pid})` : "";
  return new RampartError("failed_precondition", `the data directory is in use by another Rampart process${who}; stop it first`);
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * PGlite is one process's database: a second process opening the same directory would
 * corrupt it. On Linux the lock is an abstract Unix socket named after the directory:
 * binding it is atomic, and the kernel releases it when the process dies, so there is
 * no stale lock to take over and no race in taking one. Elsewhere a pid file created
 * with O_EXCL stands in. Either way `pgdata.lock` holds the owner's pid, for messages.
 */
async function acquireLock(dataDir: string): Promise<() => Promise<void>> {
  const pidFile = join(dataDir, "pgdata.lock");
  if (process.platform !== "linux") return acquirePidFileLock(pidFile);
  const name = `\u0000rampart-store-${createHash("sha256").update(realpathSync(dataDir)).digest("hex").slice(0, 40)}`;
  const lock = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      lock.once("error", reject);
      lock.listen(name, () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw inUse(readPid(pidFile));
    throw error;
  }
  lock.unref();
  writeFileSync(pidFile, String(process.pid), { mode: 0o600 });
  return async () => {
    rmSync(pidFile, { force: true });
    await new Promise<void>((resolve) => lock.close(() => resolve()));
  };
}

async function acquirePidFileLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return async () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = readPid(path);
      if (pid === undefined || pid === process.pid || isAlive(pid)) throw inUse(pid);
      rmSync(path, { force: true });
    }
  }
  throw new RampartError("failed_precondition", "could not lock the data directory");
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const migrations = await loadMigrations(options.migrationsDir);
  if (options.databaseUrl) {
    const release = options.exclusive ? await lockPostgres(options.databaseUrl, options.onLockLost) : async () => {};
    return openPostgres(options.databaseUrl, migrations, release);
  }
  return openPglite(options.dataDir, migrations);
}

/**
 * The advisory lock's key: one Rampart server per database (advisory locks are per
 * database). Not the migrator's key ("RAMP"): the owner migrates while it holds this one.
 */
const SERVER_LOCK_KEY = 0x52535652; // "RSVR"

/** Where a PostgreSQL store is, as `host:port/database`: nothing else from its URL. */
export function postgresStoreName(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * Until manager replicas exist, one server owns a store: the lock is held by a connection
 * of its own for as long as the store is open, and PostgreSQL drops it if the process dies.
 */
async function lockPostgres(url: string, onLost: ((error: Error) => void) | undefined): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  let released = false;
  client.on("error", (error) => {
    if (!released) onLost?.(error);
  });
  try {
    await client.connect();
  } catch (error) {
    throw new RampartError("unavailable", `cannot reach the store ${postgresStoreName(url)}: ${describe(error)}`, { cause: error });
  }
  const [row] = (await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [SERVER_LOCK_KEY])).rows;
  if (!row?.locked) {
    await client.end();
    throw new RampartError("failed_precondition", `the store ${postgresStoreName(url)} is in use by another Rampart server; stop it first`);
  }
  return async () => {
    released = true;
    await client.end();
  };
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
  let closing: Promise<void> | undefined;
  return {
    kind,
    location,
    prisma,
    withSql,
    transaction: (fn) => prisma.$transaction((tx) => fn(tx)),
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
    close() {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
        } finally {
          await onClose();
        }
      })();
      return closing;
    },
  };
}

/** Where PGlite keeps its files under a data directory: present once a store was made there. */
export function pgliteDirectory(dataDir: string): string {
  return join(dataDir, "pgdata");
}

async function openPglite(dataDir: string, migrations: Migration[]): Promise<Store> {
  const dir = pgliteDirectory(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = await acquireLock(dataDir);
  let db: PGlite;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = await PGlite.create(dir);
  } catch (error) {
    await release();
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
      await release();
    },
  );
}

async function openPostgres(url: string, migrations: Migration[], release: () => Promise<void>): Promise<Store> {
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
    release,
  );
}
