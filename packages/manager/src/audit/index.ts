import type { AuditEvent, AuditEventInput } from "@rampart/core";
import { appendAudit, appendAuditMany, listAudit, type AuditQuery, type Db } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";
import { exportAudit, nameAuditEvents, type AuditExport, type AuditExportRequest, type NamedAuditEvent } from "./names.js";

export interface AuditService {
  /** Records an event, inside the caller's transaction when one is given. */
  record(event: AuditEventInput, db?: Db): Promise<void>;
  /** Several events in one write. */
  recordMany(events: AuditEventInput[], db?: Db): Promise<void>;
  list(query: AuditQuery): Promise<AuditEvent[]>;
  /** The same, each event with what its actor, target and context are now (names.ts). */
  listNamed(query: AuditQuery): Promise<NamedAuditEvent[]>;
  /** Every event matching the filters, up to a cap, recorded as an `audit.export`. */
  export(request: AuditExportRequest): Promise<AuditExport>;
}

export function createAuditService(deps: ManagerDeps): AuditService {
  const service: AuditService = {
    async record(event, db = deps.store.prisma) {
      await appendAudit(db, event, deps.now());
      deps.log.info({ audit: { action: event.action, outcome: event.outcome, actor: event.actor.name } }, "audit");
    },
    async recordMany(events, db = deps.store.prisma) {
      await appendAuditMany(db, events, deps.now());
      for (const event of events) {
        deps.log.info({ audit: { action: event.action, outcome: event.outcome, actor: event.actor.name } }, "audit");
      }
    },
    list: (query) => listAudit(deps.store.prisma, query),
    listNamed: async (query) => nameAuditEvents(deps.store.prisma, await listAudit(deps.store.prisma, query)),
    export: (request) => exportAudit(deps.store.prisma, (event) => service.record(event), request),
  };
  return service;
}

/**
 * Remembers when a repeated event (same key) was last recorded, so a refusal that a
 * client can trigger at will is audited at most once a minute per key, and cannot be
 * turned into a flood of writes.
 */
export function createAuditThrottle(now: () => Date, intervalMs = 60_000, maxKeys = 10_000) {
  const last = new Map<string, number>();
  return (key: string): boolean => {
    const at = now().getTime();
    const previous = last.get(key);
    if (previous !== undefined && previous + intervalMs > at) return false;
    if (last.size >= maxKeys) {
      for (const [k, t] of last) if (t + intervalMs <= at) last.delete(k);
      if (last.size >= maxKeys) return false;
    }
    last.set(key, at);
    return true;
  };
}
