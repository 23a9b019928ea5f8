import type { Db } from "../prisma.js";

/** The sealed client key's context: bound to its row and column. */
export const environmentKeyContext = (id: string) => ({ table: "environment", rowId: id, column: "tls_key" });

/**
 * A connected Docker Swarm (ADR 0020). The client key stays sealed here and is opened
 * only to make the connection; nothing returns it.
 */
export interface EnvironmentRecord {
  id: string;
  name: string;
  kind: "docker";
  dockerHost: string;
  tlsCa: string | null;
  tlsCert: string | null;
  hasTlsKey: boolean;
  insecure: boolean;
  clusterId: string;
  eventsSince: string | null;
  createdAt: Date;
  createdBy: string;
}

const select = {
  id: true,
  name: true,
  kind: true,
  dockerHost: true,
  tlsCa: true,
  tlsCert: true,
  tlsKey: true,
  insecure: true,
  clusterId: true,
  eventsSince: true,
  createdAt: true,
  createdBy: true,
} as const;

type Row = Omit<EnvironmentRecord, "hasTlsKey" | "kind"> & { kind: string; tlsKey: Uint8Array | null };

function toRecord(row: Row): EnvironmentRecord & { sealedKey: Uint8Array | null } {
  const { tlsKey, kind: _kind, ...rest } = row;
  return { ...rest, kind: "docker", hasTlsKey: tlsKey !== null, sealedKey: tlsKey };
}

const strip = ({ sealedKey: _sealed, ...record }: EnvironmentRecord & { sealedKey: Uint8Array | null }): EnvironmentRecord => record;

export async function listEnvironments(db: Db): Promise<EnvironmentRecord[]> {
  return (await db.environment.findMany({ select, orderBy: { name: "asc" } })).map((row) => strip(toRecord(row)));
}

/** One environment by name, with its sealed key for the connection to open. */
export async function getEnvironmentWithKey(db: Db, name: string): Promise<(EnvironmentRecord & { sealedKey: Uint8Array | null }) | null> {
  const row = await db.environment.findUnique({ where: { name }, select });
  return row ? toRecord(row) : null;
}

export async function findEnvironmentByCluster(db: Db, clusterId: string): Promise<EnvironmentRecord | null> {
  const row = await db.environment.findUnique({ where: { clusterId }, select });
  return row ? strip(toRecord(row)) : null;
}

export interface NewEnvironment {
  id: string;
  name: string;
  dockerHost: string;
  tlsCa: string | null;
  tlsCert: string | null;
  sealedKey: Uint8Array | null;
  insecure: boolean;
  clusterId: string;
  createdBy: string;
  at: Date;
}

export async function createEnvironment(db: Db, input: NewEnvironment): Promise<EnvironmentRecord> {
  const row = await db.environment.create({
    data: {
      id: input.id,
      name: input.name,
      dockerHost: input.dockerHost,
      tlsCa: input.tlsCa,
      tlsCert: input.tlsCert,
      tlsKey: input.sealedKey === null ? null : new Uint8Array(input.sealedKey),
      insecure: input.insecure,
      clusterId: input.clusterId,
      createdBy: input.createdBy,
      createdAt: input.at,
    },
    select,
  });
  return strip(toRecord(row));
}

export async function deleteEnvironment(db: Db, id: string): Promise<boolean> {
  const { count } = await db.environment.deleteMany({ where: { id } });
  return count > 0;
}

/** Moves the event stream's resume point forward (never back). */
export async function setEnvironmentEventsSince(db: Db, id: string, since: string): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE environment SET events_since = $2
      WHERE id = $1 AND (events_since IS NULL OR length(events_since) < length($2) OR (length(events_since) = length($2) AND events_since < $2))`,
    id,
    since,
  );
}
