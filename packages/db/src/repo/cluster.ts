import type { ClusterRecord, RuntimePolicy } from "@rampart/core";
import type { Db } from "../prisma.js";

const select = {
  id: true,
  createdAt: true,
  updatedAt: true,
  version: true,
  certExpirySeconds: true,
  heartbeatPeriodMs: true,
  rootCaCert: true,
  forceRotate: true,
  taskHistoryLimit: true,
  runtimePolicy: true,
} as const;

interface Row {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  certExpirySeconds: number;
  heartbeatPeriodMs: number;
  rootCaCert: string;
  forceRotate: number;
  taskHistoryLimit: number;
  runtimePolicy: unknown;
}

/** The stored policy, read field by field: a missing or odd field is the default's. */
function toPolicy(value: unknown): RuntimePolicy {
  const v = (value ?? {}) as Partial<Record<keyof RuntimePolicy, unknown>>;
  return {
    allowedHostPaths: Array.isArray(v.allowedHostPaths) ? v.allowedHostPaths.filter((p): p is string => typeof p === "string") : [],
    allowHostNetwork: v.allowHostNetwork === true,
    allowPrivileged: v.allowPrivileged === true,
  };
}

function toRecord(row: Row): ClusterRecord {
  return {
    id: row.id,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
    certExpiryMs: row.certExpirySeconds * 1000,
    heartbeatPeriodMs: row.heartbeatPeriodMs,
    rootCaCert: row.rootCaCert,
    forceRotate: row.forceRotate,
    taskHistoryLimit: row.taskHistoryLimit,
    runtimePolicy: toPolicy(row.runtimePolicy),
  };
}

/** The sealed-field contexts of the cluster row's secrets. */
export const clusterSecretContext = (id: string, column: "root_ca_key" | "worker_token" | "manager_token") => ({
  table: "cluster",
  rowId: id,
  column,
});

export async function getCluster(db: Db): Promise<ClusterRecord | null> {
  const row = await db.cluster.findFirst({ select });
  return row ? toRecord(row) : null;
}

export interface ClusterSecrets {
  rootCaKey: Uint8Array;
  workerToken: Uint8Array;
  managerToken: Uint8Array;
}

/** The sealed root key and tokens, for the services that open them. */
export async function getClusterSecrets(db: Db, id: string): Promise<ClusterSecrets> {
  return db.cluster.findUniqueOrThrow({ where: { id }, select: { rootCaKey: true, workerToken: true, managerToken: true } });
}

export async function createCluster(
  db: Db,
  input: {
    id: string;
    certExpiryMs: number;
    heartbeatPeriodMs: number;
    rootCaCert: string;
    rootCaKey: Uint8Array<ArrayBuffer>;
    workerToken: Uint8Array<ArrayBuffer>;
    managerToken: Uint8Array<ArrayBuffer>;
    at: Date;
  },
): Promise<ClusterRecord> {
  const row = await db.cluster.create({
    data: {
      id: input.id,
      certExpirySeconds: Math.round(input.certExpiryMs / 1000),
      heartbeatPeriodMs: input.heartbeatPeriodMs,
      rootCaCert: input.rootCaCert,
      rootCaKey: input.rootCaKey,
      workerToken: input.workerToken,
      managerToken: input.managerToken,
      createdAt: input.at,
      updatedAt: input.at,
    },
    select,
  });
  return toRecord(row);
}

/**
 * Applies a change only if the row is still at `expectedVersion`; returns null when
 * someone else changed it first.
 */
export async function updateCluster(
  db: Db,
  id: string,
  expectedVersion: number,
  patch: {
    certExpiryMs?: number;
    heartbeatPeriodMs?: number;
    taskHistoryLimit?: number;
    runtimePolicy?: RuntimePolicy;
    workerToken?: Uint8Array<ArrayBuffer>;
    managerToken?: Uint8Array<ArrayBuffer>;
  },
  at: Date,
): Promise<ClusterRecord | null> {
  const { count } = await db.cluster.updateMany({
    where: { id, version: expectedVersion },
    data: {
      ...(patch.certExpiryMs !== undefined ? { certExpirySeconds: Math.round(patch.certExpiryMs / 1000) } : {}),
      ...(patch.heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: patch.heartbeatPeriodMs } : {}),
      ...(patch.taskHistoryLimit !== undefined ? { taskHistoryLimit: patch.taskHistoryLimit } : {}),
      ...(patch.runtimePolicy ? { runtimePolicy: { ...patch.runtimePolicy } } : {}),
      ...(patch.workerToken ? { workerToken: patch.workerToken } : {}),
      ...(patch.managerToken ? { managerToken: patch.managerToken } : {}),
      version: { increment: 1 },
      updatedAt: at,
    },
  });
  if (count === 0) return null;
  return getCluster(db);
}
