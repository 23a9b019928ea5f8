import { LABEL_KEY_MAX_LENGTH, LABEL_VALUE_MAX_LENGTH } from "@rampart/core";
import { z } from "zod";
import { dateSchema } from "./common.schema.js";
import { nodeRoleSchema, tlsInfoViewSchema } from "./cluster.schema.js";

export const availabilitySchema = z.enum(["active", "pause", "drain"]);
const labels = z.record(z.string(), z.string());

/**
 * What only a connected Docker Swarm says of a node (ADR 0020). `state` is Docker's own
 * word (`disconnected` shows as down in the view), `reachability` the raft's (`unknown`
 * shows as unreachable). `chainsToCurrentRoot`: the node's certificate was issued by the
 * swarm's current root (its issuer's name and key are the swarm's); null when Docker
 * reports no TLS info. `notReported` names the view's fields Docker does not give, which
 * are null or empty there.
 */
export const nodeDockerSchema = z.object({
  state: z.string(),
  message: z.string().nullable(),
  managerAddr: z.string().nullable(),
  reachability: z.string().nullable(),
  tlsInfo: tlsInfoViewSchema.nullable(),
  chainsToCurrentRoot: z.boolean().nullable(),
  namedResources: z.record(z.string(), z.array(z.string())),
  notReported: z.array(z.string()),
});

export const nodeViewSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  role: nodeRoleSchema,
  availability: availabilitySchema,
  labels,
  engineLabels: labels,
  platform: z.object({ os: z.string(), arch: z.string() }),
  /**
   * `generic`: the discrete generic resources the node advertises, by kind. `node.get`
   * has them; `node.list`'s compact rows leave them out, as `docker node ls` does.
   */
  resources: z.object({ nanoCpus: z.number(), memoryBytes: z.number(), generic: z.record(z.string(), z.number()).optional() }),
  engineVersion: z.string(),
  /**
   * What runs the node's tasks (ADR 0019): `docker` (its engine), `simulated` (nothing
   * runs: `agent simulate`), or `none` (no engine; the node gets no tasks, and `detail`
   * says why).
   */
  runtime: z.object({ kind: z.enum(["docker", "simulated", "none"]), detail: z.string(), securityOptions: z.array(z.string()) }),
  addr: z.string().nullable(),
  isLeader: z.boolean(),
  createdAt: dateSchema,
  updatedAt: dateSchema,
  version: z.number().int(),
  lastHeartbeatAt: dateSchema.nullable(),
  state: z.enum(["ready", "down", "unknown"]),
  managerStatus: z.enum(["leader", "reachable", "unreachable"]).nullable(),
  tls: z.object({
    status: z.enum(["ready", "needs-rotation", "unknown"]),
    role: z.string().nullable(),
    notBefore: dateSchema.nullable(),
    notAfter: dateSchema.nullable(),
    serial: z.string().nullable(),
    /**
     * Node.Certificate.Status on the native cluster: `pending` (an external CA has not
     * signed) and `failed` carry the reason; null on a connected swarm, whose API does
     * not give it.
     */
    issuance: z.object({ state: z.enum(["issued", "renew", "pending", "rotate", "failed"]), reason: z.string().nullable() }).nullable(),
  }),
  /** A connected Docker Swarm's own part; absent on the native cluster. */
  docker: nodeDockerSchema.optional(),
});

export const certificateDetailSchema = z.object({
  pem: z.string(),
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  validFrom: dateSchema,
  validTo: dateSchema,
  subjectAltNames: z.array(z.string()),
  fingerprintSha256: z.string(),
  role: z.string(),
});

/**
 * The root the node's certificate chains to, on the native cluster: the current root, a
 * rotation's new root, another root, or unknown (never seen over TLS, no stored
 * certificate); the issuing root's subject and digest; whether the node holds the
 * current trust root (null until it says). A connected swarm has `docker.chainsToCurrentRoot`.
 */
export const nodeChainSchema = z.object({
  root: z.enum(["current root", "new root", "another root", "unknown"]),
  rootSubject: z.string().nullable(),
  rootDigest: z.string().nullable(),
  trustRootCurrent: z.boolean().nullable(),
});

export const nodeDetailSchema = nodeViewSchema.extend({
  certificate: certificateDetailSchema.nullable(),
  chain: nodeChainSchema.optional(),
  /** Another node reports the same hostname (core's `duplicateHostnames`): hostnames are claims. */
  sharesHostname: z.boolean(),
});

/** A node by ID, ID prefix or hostname, as docker accepts. */
export const nodeRefInput = z.strictObject({ ref: z.string().min(1, "node is required").max(254) });

export const labelKey = z
  .string()
  .min(1)
  .max(LABEL_KEY_MAX_LENGTH)
  .regex(/^[^\s=]+$/, "a label key has no spaces or '='");
export const labelValue = z.string().max(LABEL_VALUE_MAX_LENGTH);

export const updateNodeInput = z.strictObject({
  ref: z.string().min(1).max(254),
  version: z.number().int().min(1).optional(),
  labelAdd: z.record(labelKey, labelValue).optional(),
  labelRm: z.array(labelKey).max(256).optional(),
  availability: availabilitySchema.optional(),
});

export const removeNodeInput = z.strictObject({ ref: z.string().min(1).max(254), force: z.boolean().default(false) });

export type NodeViewOutput = z.infer<typeof nodeViewSchema>;
export type NodeDetailOutput = z.infer<typeof nodeDetailSchema>;
export type NodeDockerOutput = z.infer<typeof nodeDockerSchema>;
