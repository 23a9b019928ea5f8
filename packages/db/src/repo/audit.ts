import type { ActorType, AuditAction, AuditEvent, AuditEventInput, AuditOutcome } from "@rampart/core";
import type { Db } from "../prisma.js";

/** The audit table's columns and their SQL types, in `auditRow`'s order (for raw inserts). */
export const AUDIT_COLUMNS = [
  ["at", "timestamptz"],
  ["actor_type", "text"],
  ["actor_id", "text"],
  ["actor_name", "text"],
  ["action", "text"],
  ["target_type", "text"],
  ["target_id", "text"],
  ["target_name", "text"],
  ["outcome", "text"],
  ["reason", "text"],
  ["ip", "text"],
  ["context_type", "text"],
  ["context_id", "text"],
  ["context_name", "text"],
  ["env_id", "text"],
  ["env_name", "text"],
] as const;

/** An event as the audit table's columns, in the table's column order. */
export function auditRow(event: AuditEventInput, at: Date) {
  return {
    at,
    actorType: event.actor.type,
    actorId: event.actor.id,
    actorName: event.actor.name,
    action: event.action,
    targetType: event.target.type,
    targetId: event.target.id ?? null,
    targetName: event.target.name ?? null,
    outcome: event.outcome,
    reason: event.reason ?? null,
    ip: event.ip ?? null,
    contextType: event.context?.type ?? null,
    contextId: event.context?.id ?? null,
    contextName: event.context?.name ?? null,
    envId: event.env?.id ?? null,
    envName: event.env?.name ?? null,
  };
}

export async function appendAudit(db: Db, event: AuditEventInput, at: Date): Promise<void> {
  await db.auditEvent.create({ data: auditRow(event, at), select: { id: true } });
}

/** Several events in one statement, in order. */
export async function appendAuditMany(db: Db, events: AuditEventInput[], at: Date): Promise<void> {
  await db.auditEvent.createMany({ data: events.map((e) => auditRow(e, at)) });
}

export interface AuditQuery {
  action?: AuditAction | undefined;
  /** Any of these actions (with `action`, both must hold). */
  actions?: readonly AuditAction[] | undefined;
  outcome?: AuditOutcome | undefined;
  targetId?: string | undefined;
  /** One environment's events: an environment's ID, or `native` for Rampart's own cluster's. */
  env?: string | undefined;
  /** Case-insensitive match on actor, target and context names and IDs. */
  search?: string | undefined;
  /** Events with an id below this one (newest first paging). */
  before?: bigint | undefined;
  limit: number;
}

export async function listAudit(db: Db, query: AuditQuery): Promise<AuditEvent[]> {
  const rows = await db.auditEvent.findMany({
    where: {
      ...(query.action || query.actions
        ? { action: { ...(query.action ? { equals: query.action } : {}), ...(query.actions ? { in: [...query.actions] } : {}) } }
        : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      ...(query.targetId ? { targetId: query.targetId } : {}),
      ...(query.env ? { envId: query.env === "native" ? null : query.env } : {}),
      ...(query.search
        ? {
            OR: [
              { actorName: { contains: query.search, mode: "insensitive" as const } },
              { actorId: { contains: query.search, mode: "insensitive" as const } },
              { targetName: { contains: query.search, mode: "insensitive" as const } },
              { targetId: { contains: query.search, mode: "insensitive" as const } },
              { contextName: { contains: query.search, mode: "insensitive" as const } },
              { contextId: { contains: query.search, mode: "insensitive" as const } },
            ],
          }
        : {}),
      ...(query.before !== undefined ? { id: { lt: query.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit,
    select: {
      id: true,
      at: true,
      actorType: true,
      actorId: true,
      actorName: true,
      action: true,
      targetType: true,
      targetId: true,
      targetName: true,
      outcome: true,
      reason: true,
      ip: true,
      contextType: true,
      contextId: true,
      contextName: true,
      envId: true,
      envName: true,
    },
  });
  return rows.map((r) => ({
    ...r,
    id: r.id.toString(),
    actorType: r.actorType as ActorType,
    action: r.action as AuditAction,
    outcome: r.outcome as AuditOutcome,
  }));
}
