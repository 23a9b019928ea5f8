import { CERT_ISSUANCE_STATES, LEGACY_RUNTIME, RUNTIME_KINDS, type AuditEventInput, type CertIssuanceState, type NodeTlsInfo, type Availability, type NodeCertificateInfo, type NodeDescription, type NodeGenericResources, type NodeRecord, type NodeRole, type NodeRuntime, type RuntimeKind } from "@rampart/core";
import type { Db, Prisma } from "../prisma.js";
import { valuesClause } from "./sql.js";
import { AUDIT_COLUMNS, auditRow } from "./audit.js";

const listSelect = {
  id: true,
  hostname: true,
  role: true,
  availability: true,
  labels: true,
  engineLabels: true,
  genericResources: true,
  os: true,
  arch: true,
  nanoCpus: true,
  memoryBytes: true,
  engineVersion: true,
  runtimeKind: true,
  runtimeDetail: true,
  securityOptions: true,
  addr: true,
  isLeader: true,
  createdAt: true,
  updatedAt: true,
  version: true,
  lastHeartbeatAt: true,
  certSerial: true,
  certRole: true,
  certNotBefore: true,
  certNotAfter: true,
  certStatus: true,
  certStatusReason: true,
  tlsIssuerKeyId: true,
  tlsSerial: true,
  tlsTrustRootDigest: true,
  tlsSeenAt: true,
} as const;

type Row = Prisma.NodeGetPayload<{ select: typeof listSelect }> & { certPem?: string | null };

function labelsOf(value: Prisma.JsonValue): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/**
 * The column holds Swarm's shape, `{discrete: {kind: n}, named: {kind: [id]}}`; nodes
 * advertise discrete counts only, so those are read back, positive whole numbers alone.
 */
function genericOf(value: Prisma.JsonValue): NodeGenericResources {
  const discrete = value !== null && typeof value === "object" && !Array.isArray(value) ? value.discrete : undefined;
  if (discrete === null || typeof discrete !== "object" || Array.isArray(discrete)) return {};
  const out: NodeGenericResources = {};
  for (const [k, v] of Object.entries(discrete)) if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) out[k] = v;
  return out;
}

function runtimeOf(kind: string, detail: string, securityOptions: Prisma.JsonValue): NodeRuntime {
  if (!(RUNTIME_KINDS as readonly string[]).includes(kind)) return { ...LEGACY_RUNTIME, securityOptions: [] };
  const options = Array.isArray(securityOptions) ? securityOptions.filter((o): o is string => typeof o === "string") : [];
  return { kind: kind as RuntimeKind, detail, securityOptions: options };
}

/** The runtime columns of a description; an agent from before ADR 0019 says nothing, and is simulated. */
function runtimeColumns(runtime: NodeRuntime | undefined) {
  const r = runtime ?? LEGACY_RUNTIME;
  return { runtimeKind: r.kind, runtimeDetail: r.detail, securityOptions: [...r.securityOptions] };
}

/** Discrete counts as the column stores them. */
function genericColumn(generic: NodeGenericResources | undefined): { discrete: NodeGenericResources } {
  return { discrete: generic ?? {} };
}

function toRecord(row: Row): NodeRecord {
  const certificate: NodeCertificateInfo | null =
    row.certSerial && row.certRole && row.certNotBefore && row.certNotAfter
      ? {
          serial: row.certSerial,
          pem: row.certPem ?? "",
          role: row.certRole as NodeCertificateInfo["role"],
          notBefore: row.certNotBefore,
          notAfter: row.certNotAfter,
        }
      : null;
  return {
    id: row.id,
    hostname: row.hostname,
    role: row.role as NodeRole,
    availability: row.availability as Availability,
    labels: labelsOf(row.labels),
    engineLabels: labelsOf(row.engineLabels),
    platform: { os: row.os, arch: row.arch },
    resources: { nanoCpus: Number(row.nanoCpus), memoryBytes: Number(row.memoryBytes), generic: genericOf(row.genericResources) },
    engineVersion: row.engineVersion,
    runtime: runtimeOf(row.runtimeKind, row.runtimeDetail, row.securityOptions),
    addr: row.addr,
    isLeader: row.isLeader,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
    lastHeartbeatAt: row.lastHeartbeatAt,
    certificate,
    certStatus: {
      state: (CERT_ISSUANCE_STATES as readonly string[]).includes(row.certStatus) ? (row.certStatus as CertIssuanceState) : "issued",
      reason: row.certStatusReason,
    },
    tlsInfo: row.tlsSeenAt
      ? { issuerKeyId: row.tlsIssuerKeyId, serial: row.tlsSerial, trustRootDigest: row.tlsTrustRootDigest, seenAt: row.tlsSeenAt }
      : null,
  };
}

/** Epoch milliseconds in JSON, read back as a Date. */
const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint`;
const dateOf = (value: number | null): Date | null => (value === null ? null : new Date(value));

type PackedNode = [
  id: string,
  hostname: string,
  role: string,
  availability: string,
  labels: Prisma.JsonValue,
  engineLabels: Prisma.JsonValue,
  genericResources: Prisma.JsonValue,
  os: string,
  arch: string,
  nanoCpus: number,
  memoryBytes: number,
  engineVersion: string,
  addr: string | null,
  isLeader: boolean,
  createdAt: number,
  updatedAt: number,
  version: number,
  lastHeartbeatAt: number | null,
  certSerial: string | null,
  certRole: string | null,
  certNotBefore: number | null,
  certNotAfter: number | null,
  runtimeKind: string,
  runtimeDetail: string,
  securityOptions: Prisma.JsonValue,
  certStatus: string,
  certStatusReason: string | null,
  tlsIssuerKeyId: string | null,
  tlsSerial: string | null,
  tlsTrustRootDigest: string | null,
  tlsSeenAt: number | null,
];

/**
 * Every node, without certificate PEMs, by hostname. The rows come as one JSON text
 * built by the database: the registry reads every node at start, and 100,000 nodes
 * read as separate rows take several times as long through either driver.
 */
export async function listNodes(db: Db): Promise<NodeRecord[]> {
  const [row] = await db.$queryRawUnsafe<{ nodes: string }[]>(
    `SELECT coalesce(json_agg(json_build_array(
              id, hostname, role, availability, labels, engine_labels, generic_resources, os, arch, nano_cpus, memory_bytes,
              engine_version, addr, is_leader, ${ms("created_at")}, ${ms("updated_at")}, version, ${ms("last_heartbeat_at")},
              cert_serial, cert_role, ${ms("cert_not_before")}, ${ms("cert_not_after")}, runtime_kind, runtime_detail, security_options,
              cert_status, cert_status_reason, tls_issuer_key_id, tls_serial, tls_trust_root_digest, ${ms("tls_seen_at")})
            ORDER BY hostname), '[]')::text AS nodes
       FROM node`,
  );
  return (JSON.parse(row!.nodes) as PackedNode[]).map((n) =>
    toRecord({
      id: n[0],
      hostname: n[1],
      role: n[2],
      availability: n[3],
      labels: n[4],
      engineLabels: n[5],
      genericResources: n[6],
      os: n[7],
      arch: n[8],
      nanoCpus: BigInt(n[9]),
      memoryBytes: BigInt(n[10]),
      engineVersion: n[11],
      addr: n[12],
      isLeader: n[13],
      createdAt: new Date(n[14]),
      updatedAt: new Date(n[15]),
      version: n[16],
      lastHeartbeatAt: dateOf(n[17]),
      certSerial: n[18],
      certRole: n[19],
      certNotBefore: dateOf(n[20]),
      certNotAfter: dateOf(n[21]),
      runtimeKind: n[22],
      runtimeDetail: n[23],
      securityOptions: n[24],
      certStatus: n[25],
      certStatusReason: n[26],
      tlsIssuerKeyId: n[27],
      tlsSerial: n[28],
      tlsTrustRootDigest: n[29],
      tlsSeenAt: dateOf(n[30]),
    }),
  );
}

export async function getNode(db: Db, id: string): Promise<NodeRecord | null> {
  const row = await db.node.findUnique({ where: { id }, select: { ...listSelect, certPem: true } });
  return row ? toRecord(row) : null;
}

/** Docker's lookup: an exact ID, an exact hostname, or an unambiguous ID prefix. */
export async function findNodeIds(db: Db, ref: string): Promise<string[]> {
  const exact = await db.node.findUnique({ where: { id: ref }, select: { id: true } });
  if (exact) return [exact.id];
  const byName = await db.node.findMany({ where: { hostname: ref }, select: { id: true }, take: 2 });
  if (byName.length > 0) return byName.map((n) => n.id);
  // IDs are [0-9a-z]; anything else cannot be a prefix (and `%` or `_` would be LIKE wildcards).
  if (!/^[0-9a-z]+$/.test(ref)) return [];
  const byPrefix = await db.node.findMany({ where: { id: { startsWith: ref } }, select: { id: true }, take: 2 });
  return byPrefix.map((n) => n.id);
}

export interface NewNode {
  id: string;
  hostname: string;
  role: NodeRole;
  availability: Availability;
  engineLabels: Record<string, string>;
  os: string;
  arch: string;
  nanoCpus: number;
  memoryBytes: number;
  genericResources?: NodeGenericResources;
  engineVersion: string;
  /** Absent: simulated (LEGACY_RUNTIME). */
  runtime?: NodeRuntime;
  addr: string | null;
  isLeader: boolean;
  at: Date;
  /** The node's first certificate, written with the row (one statement per join). */
  certificate?: NodeCertificateInfo;
  /** Instead of a certificate: an external CA has not signed yet (or refused), why, and the CSR to sign. */
  waiting?: { state: CertIssuanceState; reason: string; csr: string };
}

/** A certificate as the node row's columns: a newly signed one is `issued`, whatever was asked before. */
function certificateColumns(cert: NodeCertificateInfo) {
  return {
    certSerial: cert.serial,
    certPem: cert.pem,
    certRole: cert.role,
    certNotBefore: cert.notBefore,
    certNotAfter: cert.notAfter,
    certStatus: "issued",
    certStatusReason: null,
  };
}

function newNodeRow(input: NewNode) {
  return {
      id: input.id,
      hostname: input.hostname,
      role: input.role,
      availability: input.availability,
      engineLabels: input.engineLabels,
      os: input.os,
      arch: input.arch,
      nanoCpus: BigInt(Math.round(input.nanoCpus)),
      memoryBytes: BigInt(Math.round(input.memoryBytes)),
      genericResources: genericColumn(input.genericResources),
      engineVersion: input.engineVersion,
      ...runtimeColumns(input.runtime),
      addr: input.addr,
      isLeader: input.isLeader,
      createdAt: input.at,
      updatedAt: input.at,
      ...(input.certificate ? certificateColumns(input.certificate) : {}),
      ...(input.waiting ? { certStatus: input.waiting.state, certStatusReason: input.waiting.reason, certCsr: input.waiting.csr } : {}),
  };
}

/** The CSR a join left waiting for an external CA, or null. */
export async function pendingCsrOf(db: Db, id: string): Promise<string | null> {
  const row = await db.node.findUnique({ where: { id }, select: { certCsr: true } });
  return row?.certCsr ?? null;
}

export async function createNode(db: Db, input: NewNode): Promise<void> {
  await db.node.create({ data: newNodeRow(input), select: { id: true } });
}


export interface NodePatch {
  role?: NodeRole;
  availability?: Availability;
  labels?: Record<string, string>;
  description?: NodeDescription;
  addr?: string | null;
}

/** Applies a change if the node is still at `expectedVersion` (when given); false otherwise. */
export async function updateNode(db: Db, id: string, expectedVersion: number | undefined, patch: NodePatch, at: Date): Promise<boolean> {
  const d = patch.description;
  const { count } = await db.node.updateMany({
    where: { id, ...(expectedVersion !== undefined ? { version: expectedVersion } : {}) },
    data: {
      ...(patch.role ? { role: patch.role } : {}),
      ...(patch.availability ? { availability: patch.availability } : {}),
      ...(patch.labels ? { labels: patch.labels } : {}),
      ...(patch.addr !== undefined ? { addr: patch.addr } : {}),
      ...(d
        ? {
            hostname: d.hostname,
            os: d.os,
            arch: d.arch,
            nanoCpus: BigInt(Math.round(d.nanoCpus)),
            memoryBytes: BigInt(Math.round(d.memoryBytes)),
            engineVersion: d.engineVersion,
            engineLabels: d.engineLabels,
            genericResources: genericColumn(d.genericResources),
            ...runtimeColumns(d.runtime),
          }
        : {}),
      version: { increment: 1 },
      updatedAt: at,
    },
  });
  return count === 1;
}

/** Returns false if the node no longer exists (removed at the same moment). */
export async function setNodeCertificate(db: Db, id: string, cert: NodeCertificateInfo): Promise<boolean> {
  const { count } = await db.node.updateMany({ where: { id }, data: certificateColumns(cert) });
  return count === 1;
}

/**
 * Sets the certificate status of these nodes, unless it is one of `unless` (the rotation
 * reconciler leaves nodes that are renewing or pending alone). Returns the nodes changed.
 */
export async function setNodeCertStatus(
  db: Db,
  ids: readonly string[],
  state: CertIssuanceState,
  reason: string | null,
  unless: readonly CertIssuanceState[] = [],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.node.findMany({ where: { id: { in: [...ids] }, certStatus: { notIn: [...unless] } }, select: { id: true } });
  if (rows.length === 0) return [];
  await db.node.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { certStatus: state, certStatusReason: reason } });
  return rows.map((r) => r.id);
}

/** What nodes last presented on their mutual-TLS connections (only what changed is written). */
export async function recordNodeTls(db: Db, items: ReadonlyArray<{ id: string } & NodeTlsInfo>): Promise<void> {
  for (const item of items) {
    await db.node.updateMany({
      where: { id: item.id },
      data: { tlsIssuerKeyId: item.issuerKeyId, tlsSerial: item.serial, tlsTrustRootDigest: item.trustRootDigest, tlsSeenAt: item.seenAt },
    });
  }
}

export async function countManagers(db: Db): Promise<number> {
  return db.node.count({ where: { role: "manager" } });
}

export async function deleteNode(db: Db, id: string): Promise<void> {
  await db.node.deleteMany({ where: { id } });
}

/**
 * Writes many heartbeats in one statement: at 1,000 nodes every five seconds, one
 * UPDATE per heartbeat would keep the store busy for nothing.
 */
export async function recordHeartbeats(db: Db, beats: Array<{ id: string; at: Date; addr: string | null }>): Promise<void> {
  for (let i = 0; i < beats.length; i += 500) {
    const chunk = beats.slice(i, i + 500);
    const values = chunk.map((_, j) => `($${j * 3 + 1}::text, $${j * 3 + 2}::timestamptz, $${j * 3 + 3}::text)`).join(", ");
    const params = chunk.flatMap((b) => [b.id, b.at, b.addr]);
    await db.$executeRawUnsafe(
      `UPDATE node SET last_heartbeat_at = v.at, addr = COALESCE(v.addr, node.addr)
       FROM (VALUES ${values}) AS v(id, at, addr)
       WHERE node.id = v.id AND (node.last_heartbeat_at IS NULL OR node.last_heartbeat_at < v.at)`,
      ...params,
    );
  }
}

export async function addRemovedNode(db: Db, input: { nodeId: string; hostname: string; certExpiresAt: Date; at: Date }): Promise<void> {
  await db.removedNode.upsert({
    where: { nodeId: input.nodeId },
    create: { nodeId: input.nodeId, hostname: input.hostname, certExpiresAt: input.certExpiresAt, removedAt: input.at },
    update: { certExpiresAt: input.certExpiresAt, removedAt: input.at },
    select: { nodeId: true },
  });
}

export async function listRemovedNodeIds(db: Db): Promise<string[]> {
  const rows = await db.removedNode.findMany({ select: { nodeId: true } });
  return rows.map((r) => r.nodeId);
}

/** Which of these node IDs are on the deny list: one read by primary key, per batch of checks. */
export async function removedNodeIdsAmong(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const rows = await db.removedNode.findMany({ where: { nodeId: { in: [...new Set(ids)] } }, select: { nodeId: true } });
  return new Set(rows.map((r) => r.nodeId));
}

/** Swarm forgets a removed node a week after its last certificate expired. */
export async function purgeRemovedNodes(db: Db, certExpiredBefore: Date): Promise<number> {
  const { count } = await db.removedNode.deleteMany({ where: { certExpiresAt: { lt: certExpiredBefore } } });
  return count;
}

const NODE_COLUMNS = [
  ["id", "text"],
  ["hostname", "text"],
  ["role", "text"],
  ["availability", "text"],
  ["engine_labels", "jsonb"],
  ["generic_resources", "jsonb"],
  ["os", "text"],
  ["arch", "text"],
  ["nano_cpus", "bigint"],
  ["memory_bytes", "bigint"],
  ["engine_version", "text"],
  ["addr", "text"],
  ["is_leader", "boolean"],
  ["created_at", "timestamptz"],
  ["updated_at", "timestamptz"],
  ["cert_serial", "text"],
  ["cert_pem", "text"],
  ["cert_role", "text"],
  ["cert_not_before", "timestamptz"],
  ["cert_not_after", "timestamptz"],
  ["runtime_kind", "text"],
  ["runtime_detail", "text"],
  ["security_options", "jsonb"],
  ["cert_status", "text"],
  ["cert_status_reason", "text"],
  ["cert_csr", "text"],
] as const;



/**
 * Joined nodes and their audit events in ONE statement (a CTE), which PostgreSQL runs
 * atomically. Through PGlite each statement and each commit has a fixed cost that
 * dwarfs the rows, so a burst of joins is written as few statements as possible.
 */
export async function insertJoinedNodes(db: Db, nodes: NewNode[], events: AuditEventInput[], at: Date): Promise<void> {
  const params: unknown[] = [];
  const nodeRows = nodes.map((n) => [
    n.id,
    n.hostname,
    n.role,
    n.availability,
    JSON.stringify(n.engineLabels),
    JSON.stringify(genericColumn(n.genericResources)),
    n.os,
    n.arch,
    Math.round(n.nanoCpus),
    Math.round(n.memoryBytes),
    n.engineVersion,
    n.addr,
    n.isLeader,
    n.at,
    n.at,
    n.certificate?.serial ?? null,
    n.certificate?.pem ?? null,
    n.certificate?.role ?? null,
    n.certificate?.notBefore ?? null,
    n.certificate?.notAfter ?? null,
    runtimeColumns(n.runtime).runtimeKind,
    runtimeColumns(n.runtime).runtimeDetail,
    JSON.stringify(runtimeColumns(n.runtime).securityOptions),
    n.waiting?.state ?? "issued",
    n.waiting?.reason ?? null,
    n.waiting?.csr ?? null,
  ]);
  const nodeValues = valuesClause(nodeRows, NODE_COLUMNS, params);
  const auditRows = events.map((e) => Object.values(auditRow(e, at)));
  const auditValues = valuesClause(auditRows, AUDIT_COLUMNS, params);
  const sql =
    `WITH inserted AS (INSERT INTO node (${NODE_COLUMNS.map((c) => c[0]).join(", ")}) VALUES ${nodeValues} RETURNING 1) ` +
    (events.length > 0
      ? `INSERT INTO audit_event (${AUDIT_COLUMNS.map((c) => c[0]).join(", ")}) VALUES ${auditValues}`
      : "SELECT count(*) FROM inserted");
  await db.$executeRawUnsafe(sql, ...params);
}
