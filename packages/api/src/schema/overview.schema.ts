import { WARNING_SEVERITIES } from "@rampart/core";
import { z } from "zod";
import { auditEventSchema } from "./audit.schema.js";
import { dateSchema } from "./common.schema.js";

export const warningSeveritySchema = z.enum(WARNING_SEVERITIES);

/** One thing that needs action, from core's warning producers: names and counts only, never a value. */
export const warningSchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: warningSeveritySchema,
  title: z.string(),
  detail: z.string(),
  /** A path inside the UI where it is fixed. */
  href: z.string().startsWith("/"),
  action: z.string(),
  subject: z
    .object({
      type: z.enum(["node", "service", "secret", "jointoken", "cluster", "address", "account"]),
      id: z.string().nullable(),
      name: z.string(),
    })
    .nullable(),
});

const count = z.number().int().min(0);

export const overviewSummaryOutput = z.object({
  generatedAt: dateSchema,
  counts: z.object({
    nodes: z.object({ total: count, ready: count, down: count, unknown: count, drained: count }),
    services: z.object({ total: count, converged: count, pending: count, failing: count }),
    tasks: z.object({ running: count, pending: count, starting: count, failed: count }),
    secrets: z.object({ total: count, inUse: count, unused: count }),
  }),
  warnings: z.array(warningSchema),
  /** Every check the producers ran, for the empty state; `ran: false` when the caller may not read what it needs. */
  checks: z.array(z.object({ kind: z.string(), checks: z.string(), ran: z.boolean() })),
});

export const overviewEventsInput = z
  .strictObject({
    /** How many of the newest security events. */
    limit: z.number().int().min(1).max(50).default(10),
  })
  .default({ limit: 10 });

/** A security event as the Overview lists it: who, what, to which object, when, and how it ended. */
export const securityEventSchema = auditEventSchema.pick({
  id: true,
  at: true,
  actorType: true,
  actorName: true,
  action: true,
  targetType: true,
  targetId: true,
  targetName: true,
  outcome: true,
  reason: true,
});

export const overviewEventsOutput = z.object({ events: z.array(securityEventSchema) });

export type OverviewWarning = z.infer<typeof warningSchema>;
export type OverviewSummary = z.infer<typeof overviewSummaryOutput>;
export type SecurityEvent = z.infer<typeof securityEventSchema>;
