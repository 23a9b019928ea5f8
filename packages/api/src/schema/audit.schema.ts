import { AUDIT_ACTIONS } from "@rampart/core";
import { z } from "zod";
import { dateSchema } from "./common.schema.js";

export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export const auditOutcomeSchema = z.enum(["success", "failure", "denied"]);

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
});

export const auditListInput = z.strictObject({
  action: auditActionSchema.optional(),
  outcome: auditOutcomeSchema.optional(),
  /** Events about one target, e.g. a node's ID. */
  targetId: z.string().max(128).optional(),
  /** Matches actor, target or context names and IDs, case-insensitively. */
  search: z.string().max(128).optional(),
  /** The id of the last event of the previous page. */
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, "cursor must be an event id")
    .refine((v) => BigInt(v) <= 9223372036854775807n, "cursor must be an event id")
    .optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Sent by infinite queries; the log pages newest first, so only forward is meaningful. */
  direction: z.enum(["forward", "backward"]).optional(),
});

export const auditListOutput = z.object({
  events: z.array(auditEventSchema),
  nextCursor: z.string().nullable(),
});

export type AuditEventOutput = z.infer<typeof auditEventSchema>;
