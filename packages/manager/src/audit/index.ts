import type { AuditEvent, AuditEventInput } from "@rampart/core";
import { appendAudit, appendAuditMany, listAudit, type AuditQuery, type Db } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";

export interface AuditService {
  /** Records an event, inside the caller's transaction when one is given. */
  record(event: AuditEventInput, db?: Db): Promise<void>;
  /** Several events in one write. */
  recordMany(events: AuditEventInput[], db?: Db): Promise<void>;
  list(query: AuditQuery): Promise<AuditEvent[]>;
}

export function createAuditService(deps: ManagerDeps): AuditService {
  return {
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
  };
}
