import { taskStatesBetween, type AuditEventInput, type SecretInfo, type SecretReference, type TaskState } from "@rampart/core";
import { AUDIT_COLUMNS, auditRow } from "./audit.js";
import { valuesClause } from "./sql.js";
import type { Db } from "../prisma.js";

/**
 * Secrets. Everything here returns metadata only; the sealed payload leaves the table
 * through `readSealedSecretPayload` alone, which only the delivery path (and the
 * constant-time comparison of an update) calls.
 */

/** The sealed-field context of a secret's payload: table `secret`, its row, column `payload`. */
export const secretPayloadContext = (id: string) => ({ table: "secret", rowId: id, column: "payload" });

const infoSelect = { id: true, name: true, size: true, labels: true, version: true, createdAt: true, updatedAt: true } as const;

type InfoRow = Omit<SecretInfo, "labels"> & { labels: unknown };
const toInfo = (row: InfoRow): SecretInfo => ({ ...row, labels: row.labels as Record<string, string> });

export async function createSecret(
  db: Db,
  input: { id: string; name: string; labels: Record<string, string>; size: number; sealedPayload: Uint8Array<ArrayBuffer>; at: Date },
): Promise<SecretInfo> {
  const row = await db.secret.create({
    data: {
      id: input.id,
      name: input.name,
      labels: input.labels,
      size: input.size,
      payload: input.sealedPayload,
      createdAt: input.at,
      updatedAt: input.at,
    },
    select: infoSelect,
  });
  return toInfo(row);
}

/** Every secret, by name; `search` matches a name (case-insensitively) or an ID prefix. */
export async function listSecrets(db: Db, query: { search?: string | undefined } = {}): Promise<SecretInfo[]> {
  const search = query.search?.trim();
  const rows = await db.secret.findMany({
    where: search
      ? { OR: [{ name: { contains: search, mode: "insensitive" as const } }, { id: { startsWith: search.toLowerCase() } }] }
      : {},
    select: infoSelect,
    orderBy: { name: "asc" },
  });
  return rows.map(toInfo);
}

export async function getSecret(db: Db, id: string): Promise<SecretInfo | null> {
  const row = await db.secret.findUnique({ where: { id }, select: infoSelect });
  return row ? toInfo(row) : null;
}

export async function getSecretByName(db: Db, name: string): Promise<SecretInfo | null> {
  const row = await db.secret.findUnique({ where: { name }, select: infoSelect });
  return row ? toInfo(row) : null;
}

/** Docker's lookup: exact ID, exact name, or an unambiguous ID prefix (two IDs if ambiguous). */
export async function findSecretIds(db: Db, ref: string): Promise<string[]> {
  const exact = await db.secret.findUnique({ where: { id: ref }, select: { id: true } });
  if (exact) return [exact.id];
  const byName = await db.secret.findUnique({ where: { name: ref }, select: { id: true } });
  if (byName) return [byName.id];
  if (!/^[0-9a-z]+$/.test(ref)) return [];
  return (await db.secret.findMany({ where: { id: { startsWith: ref } }, select: { id: true }, take: 2 })).map((s) => s.id);
}

/** Replaces the labels if the secret is still at `expectedVersion`; null if it changed or is gone. */
export async function updateSecretLabels(
  db: Db,
  id: string,
  expectedVersion: number,
  labels: Record<string, string>,
  at: Date,
): Promise<SecretInfo | null> {
  const { count } = await db.secret.updateMany({
    where: { id, version: expectedVersion },
    data: { labels, version: { increment: 1 }, updatedAt: at },
  });
  return count === 1 ? getSecret(db, id) : null;
}

export async function deleteSecret(db: Db, id: string): Promise<boolean> {
  const { count } = await db.secret.deleteMany({ where: { id } });
  return count === 1;
}

/**
 * The sealed payload and the name it belongs to. The caller opens it with
 * `secretPayloadContext(id)` and zeroes the plaintext when done.
 */
export async function readSealedSecretPayload(db: Db, id: string): Promise<{ name: string; sealed: Uint8Array } | null> {
  const row = await db.secret.findUnique({ where: { id }, select: { name: true, payload: true } });
  return row ? { name: row.name, sealed: row.payload } : null;
}

/**
 * The current names of the secrets with these IDs, with their rows locked (FOR SHARE)
 * until the transaction ends: a service that references them commits before any of
 * them can be removed, and a removal in progress makes this wait, then miss the row.
 */
export async function lockSecretNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.$queryRaw<{ id: string; name: string }[]>`
    SELECT id, name FROM secret WHERE id = ANY(${[...ids]}::text[]) ORDER BY id FOR SHARE`;
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A service and the references of its spec (all of them, for the caller to filter). */
export interface ReferencingService {
  id: string;
  name: string;
  secrets: SecretReference[];
}

/**
 * The services whose spec references this secret (Swarm's ByReferencedSecretID), by
 * name; or, without an ID, every service that references any secret.
 */
export async function servicesReferencingSecrets(db: Db, secretId?: string): Promise<ReferencingService[]> {
  const rows =
    secretId === undefined
      ? await db.$queryRaw<{ id: string; name: string; secrets: unknown }[]>`
          SELECT id, name, spec -> 'secrets' AS secrets FROM service
          WHERE jsonb_typeof(spec -> 'secrets') = 'array' AND jsonb_array_length(spec -> 'secrets') > 0
          ORDER BY name`
      : await db.$queryRaw<{ id: string; name: string; secrets: unknown }[]>`
          SELECT id, name, spec -> 'secrets' AS secrets FROM service
          WHERE spec -> 'secrets' @> ${JSON.stringify([{ secretId }])}::jsonb
          ORDER BY name`;
  return rows.map((r) => ({ id: r.id, name: r.name, secrets: r.secrets as SecretReference[] }));
}

/** Task states in which a node holds the secrets its task references (ASSIGNED…RUNNING). */
export const SECRET_HOLDING_STATES: readonly TaskState[] = taskStatesBetween("assigned", "running");

export interface SecretHolding {
  secretId: string;
  nodeId: string;
  hostname: string | null;
  /** Tasks on that node, from ASSIGNED to RUNNING, made with the secret. */
  tasks: number;
}

/**
 * Which nodes hold which secrets now: the nodes of tasks from ASSIGNED to RUNNING that
 * were made with each secret, as Swarm's dispatcher decides what a node is sent. One
 * secret's, or every secret's without an ID.
 */
export async function secretHoldings(db: Db, secretId?: string): Promise<SecretHolding[]> {
  const states = [...SECRET_HOLDING_STATES];
  const rows = await db.$queryRaw<{ secret_id: string; node_id: string; hostname: string | null; tasks: number }[]>`
    SELECT ref ->> 'secretId' AS secret_id, t.node_id, n.hostname, count(DISTINCT t.id)::int AS tasks
    FROM task t
    CROSS JOIN LATERAL jsonb_array_elements(t.secrets) AS ref
    LEFT JOIN node n ON n.id = t.node_id
    WHERE t.node_id IS NOT NULL
      AND t.state = ANY(${states}::text[])
      AND (${secretId ?? null}::text IS NULL OR ref ->> 'secretId' = ${secretId ?? null}::text)
    GROUP BY 1, 2, 3
    ORDER BY 1, n.hostname, 2`;
  return rows.map((r) => ({ secretId: r.secret_id, nodeId: r.node_id, hostname: r.hostname, tasks: Number(r.tasks) }));
}

/** A node asking for a secret. */
export interface SecretRequest {
  nodeId: string;
  secretId: string;
}

/**
 * The sealed payloads of secrets asked for by nodes, in one statement: each only if a
 * task of that node, ASSIGNED to RUNNING, was made with it; null otherwise (or if there
 * is no such secret). Answers in the order asked.
 */
export async function readSealedSecretsForNodes(
  db: Db,
  requests: readonly SecretRequest[],
): Promise<Array<{ name: string; sealed: Uint8Array } | null>> {
  if (requests.length === 0) return [];
  const params: unknown[] = [[...SECRET_HOLDING_STATES]];
  const values = valuesClause(requests.map((r) => [r.nodeId, r.secretId]), [["node_id", "text"], ["secret_id", "text"]], params);
  const rows = await db.$queryRawUnsafe<{ node_id: string; id: string; name: string; payload: Uint8Array }[]>(
    `SELECT DISTINCT v.node_id, s.id, s.name, s.payload
     FROM (VALUES ${values}) AS v(node_id, secret_id) JOIN secret s ON s.id = v.secret_id
     WHERE EXISTS (
       SELECT 1 FROM task t
       WHERE t.node_id = v.node_id AND t.state = ANY($1::text[])
         AND t.secrets @> jsonb_build_array(jsonb_build_object('secretId', s.id)))`,
    ...params,
  );
  const found = new Map(rows.map((r) => [`${r.node_id}/${r.id}`, { name: r.name, sealed: new Uint8Array(r.payload) }]));
  return requests.map((r) => found.get(`${r.nodeId}/${r.secretId}`) ?? null);
}

/**
 * Records that nodes fetched secrets and, for each first fetch only, its audit event,
 * in one statement. For each, true when it was the first time (a delivery).
 */
export async function recordSecretDeliveries(
  db: Db,
  deliveries: ReadonlyArray<SecretRequest & { event: AuditEventInput }>,
  at: Date,
): Promise<boolean[]> {
  if (deliveries.length === 0) return [];
  const params: unknown[] = [at];
  const values = valuesClause(
    deliveries.map((d, i) => [i, d.secretId, d.nodeId, ...Object.values(auditRow(d.event, at))]),
    [["ord", "integer"], ["secret_id", "text"], ["node_id", "text"], ...AUDIT_COLUMNS],
    params,
  );
  const columns = AUDIT_COLUMNS.map((c) => c[0]).join(", ");
  const delivered = await db.$queryRawUnsafe<{ secret_id: string; node_id: string }[]>(
    `WITH v AS (SELECT * FROM (VALUES ${values}) AS v(ord, secret_id, node_id, ${columns})),
     delivered AS (
       INSERT INTO secret_delivery (secret_id, node_id, delivered_at) SELECT DISTINCT secret_id, node_id, $1::timestamptz FROM v
       ON CONFLICT (secret_id, node_id) DO NOTHING RETURNING secret_id, node_id),
     audited AS (
       INSERT INTO audit_event (${columns})
       SELECT ${AUDIT_COLUMNS.map((c) => c[0]).join(", ")} FROM (
         SELECT DISTINCT ON (v.secret_id, v.node_id) v.*
         FROM v JOIN delivered d ON d.secret_id = v.secret_id AND d.node_id = v.node_id
         ORDER BY v.secret_id, v.node_id, v.ord) AS first
       RETURNING 1)
     SELECT secret_id, node_id FROM delivered`,
    ...params,
  );
  // A pair asked twice in one batch is a delivery once: the first time it appears.
  const first = new Set(delivered.map((d) => `${d.node_id}/${d.secret_id}`));
  return deliveries.map((d) => first.delete(`${d.nodeId}/${d.secretId}`));
}

/** The secrets a node was delivered and still holds, with their names. */
export async function listSecretDeliveries(db: Db, nodeId: string): Promise<Array<{ secretId: string; name: string }>> {
  const rows = await db.secretDelivery.findMany({ where: { nodeId }, select: { secretId: true, secret: { select: { name: true } } } });
  return rows.map((r) => ({ secretId: r.secretId, name: r.secret.name }));
}

/** Forgets deliveries (the node no longer needs them); returns those that were removed. */
export async function removeSecretDeliveries(db: Db, nodeId: string, secretIds: readonly string[]): Promise<string[]> {
  if (secretIds.length === 0) return [];
  const removed = await db.$queryRaw<{ secret_id: string }[]>`
    DELETE FROM secret_delivery WHERE node_id = ${nodeId} AND secret_id = ANY(${[...secretIds]}::text[]) RETURNING secret_id`;
  return removed.map((r) => r.secret_id);
}
