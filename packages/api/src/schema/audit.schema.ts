import { AUDIT_ACTIONS } from "@rampart/core";
import { z } from "zod";
import { dateSchema } from "./common.schema.js";

export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export const auditOutcomeSchema = z.enum(["success", "failure", "denied"]);

/** An object an event names, as it is now: its current name, or gone. */
export const auditObjectNowSchema = z.object({
  exists: z.boolean(),
  /** Its name today (a node's hostname, a token owner's username for an API-token actor); null once removed. */
  name: z.string().nullable(),
});

export const auditEventSchema = z.object({
  id: z.string(),
  at: dateSchema,
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string(),
  action: auditActionSchema,
  targetType: z.string(),
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  outcome: auditOutcomeSchema,
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  /** A second object the action involved, e.g. the service a secret was granted to. */
  contextType: z.string().nullable(),
  contextId: z.string().nullable(),
  contextName: z.string().nullable(),
  /** The connected swarm the event happened in (ADR 0020); null for Rampart's own cluster. */
  envId: z.string().nullable(),
  envName: z.string().nullable(),
  /**
   * What the actor, target and context are now, looked up when the page is read: null
   * for a kind the store keeps no rows for (the cluster, a route) or an object with no
   * ID; `exists: false` once it was removed (the recorded name above is then all there
   * is). Names only: never a value, token or key.
   */
  actorNow: auditObjectNowSchema.nullable(),
  targetNow: auditObjectNowSchema.nullable(),
  contextNow: auditObjectNowSchema.nullable(),
});

/** The filters the list and the export share. */
const auditFilters = {
  action: auditActionSchema.optional(),
  outcome: auditOutcomeSchema.optional(),
  /** Events about one target, e.g. a node's ID. */
  targetId: z.string().max(128).optional(),
  /** One environment's events: its ID, or `native` for Rampart's own cluster. */
  env: z.string().max(64).optional(),
  /** Matches actor, target or context names and IDs, case-insensitively. */
  search: z.string().max(128).optional(),
};

export const auditListInput = z.strictObject({
  ...auditFilters,
  /** The id of the last event of the previous page. */
  cursor: z
    .string()
    // One check, so a bad cursor is one message, and BigInt never sees a non-number.
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9223372036854775807n, "cursor must be an event id")
    .optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Sent by infinite queries; the log pages newest first, so only forward is meaningful. */
  direction: z.enum(["forward", "backward"]).optional(),
});

export const auditListOutput = z.object({
  events: z.array(auditEventSchema),
  nextCursor: z.string().nullable(),
});

/** The most rows one export returns, newest first; the Audit page states it. */
export const AUDIT_EXPORT_MAX_ROWS = 10_000;

export const auditExportFormatSchema = z.enum(["csv", "json"]);

/** Every event the list would show for these filters (all pages), up to the cap. */
export const auditExportInput = z.strictObject({
  ...auditFilters,
  /** The file the browser makes of the rows; recorded in the export's own audit event. */
  format: auditExportFormatSchema,
});

export const auditExportOutput = z.object({
  events: z.array(auditEventSchema),
  /** More events matched than the cap; the newest `cap` are here. */
  truncated: z.boolean(),
  cap: z.number().int(),
});

export type AuditEventOutput = z.infer<typeof auditEventSchema>;
export type AuditObjectNowOutput = z.infer<typeof auditObjectNowSchema>;
export type AuditExportFormat = z.infer<typeof auditExportFormatSchema>;
