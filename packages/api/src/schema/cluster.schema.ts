import { z } from "zod";
import { dateSchema } from "./common.schema.js";

export const nodeRoleSchema = z.enum(["worker", "manager"]);

/**
 * A CA as Docker describes it (a node's `Description.TLSInfo`, the swarm's `TLSInfo`),
 * decoded: the issuer's name readable (null when Docker's DER cannot be read), its key
 * by the SHA-256 of its SubjectPublicKeyInfo; Docker's own base64 fields beside them.
 */
export const tlsInfoViewSchema = z.object({
  trustRoot: z.string(),
  issuerSubject: z.string().nullable(),
  certIssuerSubject: z.string(),
  certIssuerPublicKey: z.string(),
  issuerPublicKeyFingerprint: z.string(),
});

/**
 * What only a connected Docker Swarm's `info` says (ADR 0020): the rest of `docker
 * info`'s Swarm section (raft, address pools, external CAs) and the trust root. There is
 * no CA key material here: Docker never gives it.
 */
export const swarmDockerSchema = z.object({
  environment: z.string(),
  /** The connected manager's engine version. */
  serverVersion: z.string(),
  localNodeState: z.string(),
  error: z.string().nullable(),
  /** `Node Address` as Docker prints it: the connected manager's address, without a port. */
  nodeAddr: z.string(),
  defaultAddrPool: z.array(z.string()).nullable(),
  subnetSize: z.number().int().nullable(),
  dataPathPort: z.number().int().nullable(),
  raft: z.object({
    snapshotInterval: z.number().int(),
    keepOldSnapshots: z.number().int().nullable(),
    logEntriesForSlowFollowers: z.number().int(),
    electionTick: z.number().int(),
    heartbeatTick: z.number().int(),
  }),
  externalCas: z.array(z.object({ protocol: z.string(), url: z.string() })),
  trustRoot: tlsInfoViewSchema.extend({ subject: z.string(), fingerprintSha256: z.string(), notAfter: dateSchema }).nullable(),
  /** Why `trustRoot` is null: Docker reported none, or one that is not a certificate Rampart can read. */
  trustRootProblem: z.string().nullable(),
});

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
  /** A connected Docker Swarm's own part; absent on the native cluster. */
  docker: swarmDockerSchema.optional(),
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
