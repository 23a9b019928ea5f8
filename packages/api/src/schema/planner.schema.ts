import { FILTER_NAMES } from "@rampart/core/scheduler";
import { z } from "zod";
import { availabilitySchema, labelKey } from "./node.schema.js";
import { dateSchema } from "./common.schema.js";
import { serviceSpecInput, serviceSpecOutput } from "./service.schema.js";

/**
 * The placement planner's wire shapes. The result is the core planner's `PlanResult`.
 */

const roleSchema = z.enum(["worker", "manager"]);

const nodeChange = z.strictObject({
  labels: z.record(labelKey, z.string().max(1024)).optional(),
  availability: availabilitySchema.optional(),
  role: roleSchema.optional(),
});

export const sandboxInput = z.strictObject({
  nodes: z
    .record(z.string().min(1).max(64), nodeChange)
    .refine((nodes) => Object.keys(nodes).length <= 10_000, "a sandbox changes at most 10000 nodes")
    .optional(),
  service: z.strictObject({ serviceId: z.string().min(1).max(64).optional(), spec: serviceSpecInput }).optional(),
});

/** A draft (no `serviceId`) is created; an existing service is updated at the version read. */
export const applyPlanInput = z
  .strictObject({ serviceId: z.string().min(1).max(64).optional(), version: z.number().int().min(1).optional(), spec: serviceSpecInput })
  .refine((input) => input.serviceId === undefined || input.version !== undefined, { path: ["version"], message: "the version read is required to update a service" })
  .refine((input) => input.serviceId !== undefined || input.version === undefined, { path: ["serviceId"], message: "a version needs the service it belongs to" });

const labels = z.record(z.string(), z.string());

export const plannerClusterSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.string(),
      hostname: z.string(),
      role: roleSchema,
      state: z.enum(["unknown", "down", "ready", "disconnected"]),
      availability: availabilitySchema,
      labels,
      engineLabels: labels.optional(),
      platform: z.object({ os: z.string(), architecture: z.string() }).nullable().optional(),
      addr: z.string().nullable().optional(),
      resources: z.object({ nanoCpus: z.number().optional(), memoryBytes: z.number().optional() }).nullable().optional(),
      /** Why the node cannot run containers (no engine); the planner's ready filter says it. */
      runtimeProblem: z.string().nullable().optional(),
      /** `simulated` nodes run nothing; the planner marks them. */
      runtimeKind: z.enum(["docker", "simulated", "none"]).optional(),
    }),
  ),
  services: z.array(z.object({ id: z.string(), specVersion: z.number().int(), spec: serviceSpecOutput })),
  tasks: z.array(
    z.object({
      id: z.string(),
      serviceId: z.string(),
      slot: z.number().int().nullable(),
      nodeId: z.string(),
      specVersion: z.number().int(),
      state: z.string(),
    }),
  ),
});

export const whyNotRowSchema = z.object({
  nodeId: z.string(),
  hostname: z.string(),
  role: roleSchema,
  availability: availabilitySchema,
  constraints: z.array(
    z.object({
      constraint: z.object({ key: z.string(), op: z.enum(["==", "!="]), value: z.string() }),
      matched: z.boolean(),
      actual: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  filter: z.union([
    z.object({ passed: z.literal(true) }),
    z.object({ passed: z.literal(false), failedFilter: z.enum(FILTER_NAMES), reason: z.string() }),
  ]),
  before: z.number(),
  after: z.number(),
});

export interface SpreadGroupOutput {
  descriptor: string;
  value: string;
  tasks: number;
  nodeIds: string[];
  children: SpreadGroupOutput[];
}
const spreadGroup: z.ZodType<SpreadGroupOutput> = z.object({
  descriptor: z.string(),
  value: z.string(),
  tasks: z.number(),
  nodeIds: z.array(z.string()),
  get children() {
    return z.array(spreadGroup);
  },
});

const serviceDiff = z.object({
  serviceId: z.string().nullable(),
  name: z.string(),
  before: z.record(z.string(), z.number()),
  after: z.record(z.string(), z.number()),
  moved: z.number(),
  replaced: z.number().optional(),
  notRestarted: z.number().optional(),
  pending: z.number(),
  pendingReason: z.string().nullable(),
});

export const planResultSchema = z.object({
  focus: z
    .object({
      serviceId: z.string().nullable(),
      name: z.string(),
      problems: z.array(z.object({ field: z.string(), message: z.string() })),
      matrix: z.array(whyNotRowSchema),
      spread: z.array(spreadGroup),
      diff: serviceDiff,
    })
    .nullable(),
  changed: z.array(serviceDiff),
  tookMs: z.number(),
  /** The planned spec's constraints on self-reported keys (core's `constraintWarnings`). */
  warnings: z.array(z.string()).optional(),
});

/**
 * Why a service's tasks wait for a node (`service.pending`): their errors as the
 * scheduler gave them, and core's why-not matrix for the service as it is, node by node.
 */
export const pendingExplanationSchema = z.object({
  serviceId: z.string(),
  pending: z.number().int(),
  errors: z.array(z.string()),
  matrix: z.array(whyNotRowSchema),
  plannerReason: z.string().nullable(),
  plannerPending: z.number().int(),
  problems: z.array(z.string()),
});

const placementDifference = z.object({
  kind: z.enum(["refused", "eligibility", "counts", "pending", "reason", "unknown-node"]),
  nodeIds: z.array(z.string()),
  text: z.string(),
});

/**
 * The planner's prediction against the placement Swarm made after the latest change
 * Rampart made to a service on a connected swarm (`service.fidelity`).
 */
export const fidelityResultSchema = z.object({
  serviceId: z.string(),
  serviceName: z.string(),
  change: z.enum(["create", "update", "scale", "apply"]),
  state: z.enum(["checking", "matched", "differs", "unsettled", "failed"]),
  startedAt: dateSchema,
  finishedAt: dateSchema.nullable(),
  differences: z.array(placementDifference),
  undetermined: z.array(z.object({ nodes: z.array(z.string()), reason: z.string() })),
  detail: z.string().nullable(),
  placement: z.object({ placed: z.record(z.string(), z.number()).readonly(), pendingErrors: z.array(z.string()).readonly() }).nullable(),
});

export type SandboxInput = z.infer<typeof sandboxInput>;
