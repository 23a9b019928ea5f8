import { z } from "zod";
import { dateSchema } from "./common.schema.js";

export const nodeRoleSchema = z.enum(["worker", "manager"]);

export const swarmInfoOutput = z.object({
  nodeId: z.string(),
  isManager: z.boolean(),
  clusterId: z.string(),
  managers: z.number().int(),
  nodes: z.number().int(),
  heartbeatPeriodMs: z.number().int(),
  certExpiryMs: z.number().int(),
  /** TaskHistoryRetentionLimit: ended tasks kept per slot; negative keeps all. */
  taskHistoryLimit: z.number().int(),
  forceRotate: z.number().int(),
  autolock: z.boolean(),
  rootRotationInProgress: z.boolean(),
  nodeAddress: z.string(),
  managerAddresses: z.array(z.string()),
  rootCaDigest: z.string(),
  version: z.number().int(),
  createdAt: dateSchema,
  updatedAt: dateSchema,
});

/** The longest duration text taken (`2160h0m0s` is 9): the API's bound and the settings form's. */
export const DURATION_TEXT_MAX_LENGTH = 32;

/** Durations as the docker CLI writes them (`720h`, `5s`); the server parses them. */
export const updateSwarmInput = z
  .strictObject({
    version: z.number().int().min(1),
    certExpiry: z.string().min(1).max(DURATION_TEXT_MAX_LENGTH).optional(),
    heartbeatPeriod: z.string().min(1).max(DURATION_TEXT_MAX_LENGTH).optional(),
    /** `--task-history-limit`: a whole number; negative keeps every task. */
    taskHistoryLimit: z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1).optional(),
  })
  .refine(
    (v) => v.certExpiry !== undefined || v.heartbeatPeriod !== undefined || v.taskHistoryLimit !== undefined,
    "give certExpiry, heartbeatPeriod or taskHistoryLimit",
  );

export const joinTokenInput = z.strictObject({ role: nodeRoleSchema });

export const joinTokenOutput = z.object({
  role: nodeRoleSchema,
  token: z.string(),
  /** The command to run on the new node, with the token in it. */
  command: z.string(),
});

export const joinInfoOutput = z.object({
  nodeAddress: z.string(),
  rootCaDigest: z.string(),
  /** The join command with the token left out, for display before a reveal. */
  commandTemplate: z.string(),
});

export const caOutput = z.object({ pem: z.string(), digest: z.string() });

export type SwarmInfo = z.infer<typeof swarmInfoOutput>;
