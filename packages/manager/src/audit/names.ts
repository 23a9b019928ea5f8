import type { Actor, AuditEvent, AuditEventInput } from "@rampart/core";
import { findAuditObjectNames, listAudit, type AuditObjectKind, type AuditObjectNames, type AuditQuery, type Db } from "@rampart/db";

/**
 * What an event's actor, target or context is now: whether it still exists and, if it
 * does, its name today (a node may have been renamed since). `null` on the event when
 * the object is of a kind the store keeps no rows for (the cluster, a route) or has no ID.
 */
export interface AuditObjectNow {
  exists: boolean;
  name: string | null;
}

export type NamedAuditEvent = AuditEvent & {
  actorNow: AuditObjectNow | null;
  targetNow: AuditObjectNow | null;
  contextNow: AuditObjectNow | null;
};

/** Which rows an actor type names: an API token acts for its owner, shown by username. */
const ACTOR_KIND: Partial<Record<string, AuditObjectKind>> = { user: "user", apitoken: "apitoken", node: "node" };
const OBJECT_KIND: Partial<Record<string, AuditObjectKind>> = { node: "node", service: "service", secret: "secret", user: "user", apitoken: "apitoken" };

/**
 * Adds to each event what its actor, target and context are now, with one read of the
 * store for the whole page, however many events and kinds it holds.
 */
export async function nameAuditEvents(db: Db, events: readonly AuditEvent[]): Promise<NamedAuditEvent[]> {
  const ids: Record<AuditObjectKind, Set<string>> = { node: new Set(), service: new Set(), secret: new Set(), user: new Set(), apitoken: new Set() };
  const want = (kind: AuditObjectKind | undefined, id: string | null) => {
    if (kind && id) ids[kind].add(id);
  };
  // A connected swarm's nodes, services and secrets are not rows of this store: their
  // names stay as recorded. The actor (a user, a token) is one of ours wherever it acted.
  const ours = (e: AuditEvent, type: string | null) => (e.envId ? undefined : type ? OBJECT_KIND[type] : undefined);
  for (const e of events) {
    want(ACTOR_KIND[e.actorType], e.actorId);
    want(ours(e, e.targetType), e.targetId);
    want(ours(e, e.contextType), e.contextId);
  }
  const names = await findAuditObjectNames(db, ids);
  return events.map((e) => ({
    ...e,
    actorNow: now(names, ACTOR_KIND[e.actorType], e.actorId, true),
    targetNow: now(names, ours(e, e.targetType), e.targetId, false),
    contextNow: now(names, ours(e, e.contextType), e.contextId, false),
  }));
}

function now(names: AuditObjectNames, kind: AuditObjectKind | undefined, id: string | null, asActor: boolean): AuditObjectNow | null {
  if (!kind || !id) return null;
  const found = names[kind].get(id);
  if (!found) return { exists: false, name: null };
  return { exists: true, name: asActor && kind === "apitoken" ? found.owner : found.name };
}

/** The filters an export takes: the audit list's, without paging. */
export type AuditExportQuery = Omit<AuditQuery, "before" | "limit">;

export interface AuditExportRequest {
  query: AuditExportQuery;
  format: "csv" | "json";
  /** The most rows to return (the API's stated limit). */
  cap: number;
  actor: Actor;
  ip: string | null;
}

export interface AuditExport {
  events: NamedAuditEvent[];
  /** True when more events matched than the cap: the newest `cap` are returned. */
  truncated: boolean;
  cap: number;
}

/** The export's filters in a few words, for its own audit event. */
export function describeExport(query: AuditExportQuery, format: string, rows: number, truncated: boolean): string {
  const filters = [
    query.action ? `action ${query.action}` : null,
    query.outcome ? `outcome ${query.outcome}` : null,
    query.targetId ? `target ${JSON.stringify(query.targetId)}` : null,
    query.env ? `environment ${JSON.stringify(query.env)}` : null,
    query.search ? `search ${JSON.stringify(query.search)}` : null,
  ].filter((f) => f !== null);
  const count = `${rows.toLocaleString("en")} row${rows === 1 ? "" : "s"} as ${format.toUpperCase()}${truncated ? ", the newest of more that matched" : ""}`;
  return `${count}; ${filters.length > 0 ? filters.join(", ") : "no filters"}`;
}

/**
 * Every event matching the filters, newest first, up to `cap`, named as the list names
 * them; then the export itself is recorded (`audit.export`), with its filters and count.
 */
export async function exportAudit(
  db: Db,
  record: (event: AuditEventInput) => Promise<void>,
  request: AuditExportRequest,
): Promise<AuditExport> {
  const { cap } = request;
  const rows = await listAudit(db, { ...request.query, limit: cap + 1 });
  const truncated = rows.length > cap;
  const events = await nameAuditEvents(db, truncated ? rows.slice(0, cap) : rows);
  await record({
    actor: request.actor,
    action: "audit.export",
    target: { type: "audit" },
    outcome: "success",
    reason: describeExport(request.query, request.format, events.length, truncated),
    ip: request.ip,
  });
  return { events, truncated, cap };
}
