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

/** What services may reach of their nodes (ADR 0019); `version` is the swarm settings' version. */
export const runtimePolicyOutput = z.object({
  version: z.number().int(),
  allowedHostPaths: z.array(z.string()),
  allowHostNetwork: z.boolean(),
  allowPrivileged: z.boolean(),
});

export const setRuntimePolicyInput = z.strictObject({
  version: z.number().int().min(1),
  allowedHostPaths: z.array(z.string().min(1, "a host path cannot be empty").max(4096)).max(64, "at most 64 host paths may be allowed"),
  allowHostNetwork: z.boolean(),
  allowPrivileged: z.boolean(),
});

export const seccompProfileNameInput = z.strictObject({ name: z.string().min(1).max(64) });

export const seccompProfileOutput = z.object({
  id: z.string(),
  name: z.string(),
  digest: z.string(),
  size: z.number().int(),
  createdAt: dateSchema,
});

export const seccompProfileDetailOutput = seccompProfileOutput.extend({
  content: z.string(),
  /** The services whose spec names the profile. */
  usedBy: z.array(z.string()),
});

export const createSeccompProfileInput = z.strictObject({
  name: z.string().min(1, "give the profile a name").max(64),
  /** The profile's JSON, as the engine reads it (`docker run --security-opt seccomp=FILE`). */
  content: z.string().min(1, "paste the profile's JSON").max(256 * 1024, "a seccomp profile may be at most 256 KiB"),
});
