import type { ClusterRecord, ExternalCa, RuntimePolicy } from "@rampart/core";
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
  lastForcedRotation: true,
  externalCas: true,
  rootRotationCert: true,
  rootRotationCrossSigned: true,
  rootRotationStartedAt: true,
  rootRotatedAt: true,
  workerTokenRotatedAt: true,
  managerTokenRotatedAt: true,
  autolock: true,
  unlockKeyRotatedAt: true,
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
  lastForcedRotation: number;
  externalCas: unknown;
  rootRotationCert: string | null;
  rootRotationCrossSigned: string | null;
  rootRotationStartedAt: Date | null;
  rootRotatedAt: Date | null;
  workerTokenRotatedAt: Date;
  managerTokenRotatedAt: Date;
  autolock: boolean;
  unlockKeyRotatedAt: Date | null;
}

/** The stored external CAs, entry by entry: anything not a string is dropped. */
function toExternalCas(value: unknown): ExternalCa[] {
  if (!Array.isArray(value)) return [];
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return value
    .filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null)
    .map((v) => {
      const options = typeof v.options === "object" && v.options !== null ? Object.entries(v.options).filter(([, o]) => typeof o === "string") : [];
      return { protocol: text(v.protocol), url: text(v.url), caCert: text(v.caCert), ...(options.length > 0 ? { options: Object.fromEntries(options) as Record<string, string> } : {}) };
    });
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
    lastForcedRotation: row.lastForcedRotation,
    externalCas: toExternalCas(row.externalCas),
    rootRotation:
      row.rootRotationCert && row.rootRotationCrossSigned
        ? { caCert: row.rootRotationCert, crossSignedCaCert: row.rootRotationCrossSigned, startedAt: row.rootRotationStartedAt ?? row.updatedAt }
        : null,
    rootRotatedAt: row.rootRotatedAt,
    workerTokenRotatedAt: row.workerTokenRotatedAt,
    managerTokenRotatedAt: row.managerTokenRotatedAt,
    autolock: row.autolock,
    unlockKeyRotatedAt: row.unlockKeyRotatedAt,
  };
}

/** The sealed-field contexts of the cluster row's secrets. */
export const clusterSecretContext = (id: string, column: "root_ca_key" | "root_rotation_key" | "worker_token" | "manager_token" | "unlock_key") => ({
  table: "cluster",
  rowId: id,
  column,
});

export async function getCluster(db: Db): Promise<ClusterRecord | null> {
  const row = await db.cluster.findFirst({ select });
  return row ? toRecord(row) : null;
}

export interface ClusterSecrets {
  /** Null when the root is external. */
  rootCaKey: Uint8Array | null;
  /** The rotation's new key; null with no rotation, or an external new root. */
  rootRotationKey: Uint8Array | null;
  workerToken: Uint8Array;
  managerToken: Uint8Array;
  /** Null when autolock is off. */
  unlockKey: Uint8Array | null;
}

/** The sealed keys and tokens, for the services that open them. */
export async function getClusterSecrets(db: Db, id: string): Promise<ClusterSecrets> {
  return db.cluster.findUniqueOrThrow({
    where: { id },
    select: { rootCaKey: true, rootRotationKey: true, workerToken: true, managerToken: true, unlockKey: true },
  });
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

/** What one update may change. Sealed values come sealed; a token or unlock key stamps when it was made. */
export interface ClusterPatch {
  certExpiryMs?: number;
  heartbeatPeriodMs?: number;
  taskHistoryLimit?: number;
  runtimePolicy?: RuntimePolicy;
  workerToken?: Uint8Array<ArrayBuffer>;
  managerToken?: Uint8Array<ArrayBuffer>;
  rootCaCert?: string;
  /** Null for an external root. */
  rootCaKey?: Uint8Array<ArrayBuffer> | null;
  forceRotate?: number;
  lastForcedRotation?: number;
  externalCas?: readonly ExternalCa[];
  /** A rotation to start or change (its key sealed, or null when external), or null to end it. */
  rotation?: { caCert: string; caKey: Uint8Array<ArrayBuffer> | null; crossSignedCaCert: string; startedAt: Date } | null;
  rootRotatedAt?: Date | null;
  autolock?: boolean;
  /** The sealed unlock key, or null to remove it. */
  unlockKey?: Uint8Array<ArrayBuffer> | null;
}

/**
 * Applies a change only if the row is still at `expectedVersion`; returns null when
 * someone else changed it first.
 */
export async function updateCluster(
  db: Db,
  id: string,
  expectedVersion: number,
  patch: ClusterPatch,
  at: Date,
): Promise<ClusterRecord | null> {
  const has = <K extends keyof ClusterPatch>(key: K) => patch[key] !== undefined;
  const { count } = await db.cluster.updateMany({
    where: { id, version: expectedVersion },
    data: {
      ...(patch.certExpiryMs !== undefined ? { certExpirySeconds: Math.round(patch.certExpiryMs / 1000) } : {}),
      ...(patch.heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: patch.heartbeatPeriodMs } : {}),
      ...(patch.taskHistoryLimit !== undefined ? { taskHistoryLimit: patch.taskHistoryLimit } : {}),
      ...(patch.runtimePolicy ? { runtimePolicy: { ...patch.runtimePolicy } } : {}),
      ...(patch.workerToken ? { workerToken: patch.workerToken, workerTokenRotatedAt: at } : {}),
      ...(patch.managerToken ? { managerToken: patch.managerToken, managerTokenRotatedAt: at } : {}),
      ...(has("rootCaCert") ? { rootCaCert: patch.rootCaCert } : {}),
      ...(has("rootCaKey") ? { rootCaKey: patch.rootCaKey } : {}),
      ...(has("forceRotate") ? { forceRotate: patch.forceRotate } : {}),
      ...(has("lastForcedRotation") ? { lastForcedRotation: patch.lastForcedRotation } : {}),
      ...(patch.externalCas ? { externalCas: patch.externalCas.map((ca) => ({ ...ca })) } : {}),
      ...(patch.rotation === null
        ? { rootRotationCert: null, rootRotationKey: null, rootRotationCrossSigned: null, rootRotationStartedAt: null }
        : patch.rotation
          ? {
              rootRotationCert: patch.rotation.caCert,
              rootRotationKey: patch.rotation.caKey,
              rootRotationCrossSigned: patch.rotation.crossSignedCaCert,
              rootRotationStartedAt: patch.rotation.startedAt,
            }
          : {}),
      ...(has("rootRotatedAt") ? { rootRotatedAt: patch.rootRotatedAt } : {}),
      ...(has("autolock") ? { autolock: patch.autolock } : {}),
      ...(has("unlockKey") ? { unlockKey: patch.unlockKey, unlockKeyRotatedAt: patch.unlockKey ? at : null } : {}),
      version: { increment: 1 },
      updatedAt: at,
    },
  });
  if (count === 0) return null;
  return getCluster(db);
}
