import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { PrismaClient } from "./prisma.js";

/**
 * The few raw-SQL operations the migrator and health checks need, over either driver.
 * Everything else goes through Prisma.
 */
export interface SqlSession {
  /** Runs one parameterised statement and returns its rows. */
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of one or more statements, without parameters. */
  exec(sql: string): Promise<void>;
  release(): Promise<void>;
}

export function pgliteSession(db: PGlite): SqlSession {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await db.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async release() {},
  };
}

export async function postgresSession(connectionString: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await client.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async release() {
      await client.end();
    },
  };
}

/**
 * Read-only queries through Prisma's own connection pool, for health checks that run
 * often and should not open a connection each time.
 */
export function prismaSession(prisma: PrismaClient): SqlSession {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return prisma.$queryRawUnsafe<Row[]>(sql, ...params);
    },
    async exec() {
      throw new Error("prismaSession is read-only");
    },
    async release() {},
  };
}
