import {
  DEFAULT_RESTART_POLICY,
  DEFAULT_STOP_GRACE_PERIOD_NS,
  goQuote,
  MAX_REPLICAS,
  SECRET_REFERENCE_DEFAULTS,
  SERVICE_IMAGE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
} from "@rampart/core";
import { z } from "zod";
import { dateSchema } from "./common.schema.js";

export const serviceModeSchema = z.enum(["replicated", "global"]);

/**
 * One secret a service's tasks may read. As in Swarm's API, the secret's ID and name are
 * both required and must both match the stored secret (the CLI and the UI look the ID up
 * by name). Swarm's API has no defaults (an omitted mode is 0000); Rampart applies the
 * docker CLI's in its API too, so the UI, the CLI and scripts get the same file for the
 * same request (issue 5): the target is the secret's name, owner 0:0, mode 0444. A target
 * sent empty is refused with Swarm's message. The manager checks the rest.
 */
export const secretReferenceInput = z
  .strictObject({
    secretId: z.string().max(64),
    secretName: z.string().max(256),
    target: z.string().max(1024).optional(),
    uid: z.string().max(32).default(SECRET_REFERENCE_DEFAULTS.uid),
    gid: z.string().max(32).default(SECRET_REFERENCE_DEFAULTS.gid),
    mode: z.number().int().min(0).max(0xffffffff).default(SECRET_REFERENCE_DEFAULTS.mode),
  })
  .transform(({ target, ...ref }) => ({ ...ref, target: target ?? ref.secretName }));

export const secretReferenceOutput = z.object({
  secretId: z.string(),
  secretName: z.string(),
  target: z.string(),
  uid: z.string(),
  gid: z.string(),
  mode: z.number().int(),
});

/**
 * A restart policy (`--restart-condition`, `--restart-delay`, `--restart-max-attempts`,
 * `--restart-window`); durations in nanoseconds, as Swarm's API has them. Fields left
 * out take Swarm's defaults; the manager applies Swarm's checks and messages.
 */
export const restartConditionSchema = z.enum(["none", "on-failure", "any"], {
  // The engine's own text for an unknown condition.
  error: (issue) => `invalid RestartCondition: ${goQuote(String(issue.input).slice(0, 64))}`,
});

export const restartPolicyInput = z.strictObject({
  condition: restartConditionSchema.default(DEFAULT_RESTART_POLICY.condition),
  delayNs: z.number().int().max(Number.MAX_SAFE_INTEGER).default(DEFAULT_RESTART_POLICY.delayNs),
  maxAttempts: z.number().int().max(Number.MAX_SAFE_INTEGER).default(DEFAULT_RESTART_POLICY.maxAttempts),
  windowNs: z.number().int().max(Number.MAX_SAFE_INTEGER).default(DEFAULT_RESTART_POLICY.windowNs),
});

export const restartPolicyOutput = z.object({
  condition: restartConditionSchema,
  delayNs: z.number().int(),
  maxAttempts: z.number().int(),
  windowNs: z.number().int(),
});

/** A published port (`--publish published=P,target=T,protocol=tcp,mode=host`). */
export const portConfigInput = z.strictObject({
  protocol: z.enum(["tcp", "udp", "sctp"]).default("tcp"),
  targetPort: z.number().int().min(0).max(65535),
  publishedPort: z.number().int().min(0).max(65535).default(0),
  publishMode: z.enum(["ingress", "host"]).default("ingress"),
});

export const portConfigOutput = z.object({
  protocol: z.enum(["tcp", "udp", "sctp"]),
  targetPort: z.number().int(),
  publishedPort: z.number().int(),
  publishMode: z.enum(["ingress", "host"]),
});

/** Discrete generic resources a task reserves (`--generic-resource gpu=1`), by kind. */
export const genericReservationInput = z.record(z.string().min(1).max(128), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER));

/** One mount (`--mount type=tmpfs,target=/cache`); a bind needs the runtime policy's leave. */
export const mountInput = z.strictObject({
  type: z.enum(["bind", "volume", "tmpfs"]),
  source: z.string().max(4096).default(""),
  target: z.string().max(4096),
  readOnly: z.boolean().default(false),
  tmpfsSizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  tmpfsMode: z.number().int().min(0).max(0o7777).optional(),
});

export const mountOutput = z.object({
  type: z.enum(["bind", "volume", "tmpfs"]),
  source: z.string(),
  target: z.string(),
  readOnly: z.boolean(),
  tmpfsSizeBytes: z.number().int().optional(),
  tmpfsMode: z.number().int().optional(),
});

export const seccompInput = z.strictObject({
  mode: z.enum(["default", "unconfined", "custom"]).default("default"),
  profile: z.string().max(64).optional(),
});

const argList = z.array(z.string().max(4096)).max(256);

/**
 * The task's container (ADR 0019). Every field has its default, so a spec sent without
 * this section gets the safe settings: the engine's seccomp and AppArmor profiles, and
 * no-new-privileges on.
 */
export const containerSpecInput = z.strictObject({
  command: argList.default([]),
  args: argList.default([]),
  env: z.array(z.string().max(32_768)).max(1024).default([]),
  workdir: z.string().max(4096).default(""),
  user: z.string().max(65).default(""),
  hostname: z.string().max(253).default(""),
  labels: z.record(z.string().max(1024), z.string().max(4096)).default({}),
  stopSignal: z.string().max(32).default(""),
  stopGracePeriodNs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(DEFAULT_STOP_GRACE_PERIOD_NS),
  init: z.boolean().default(false),
  readOnly: z.boolean().default(false),
  capAdd: z.array(z.string().max(64)).max(64).default([]),
  capDrop: z.array(z.string().max(64)).max(64).default([]),
  mounts: z.array(mountInput).max(64).default([]),
  seccomp: seccompInput.default({ mode: "default" }),
  apparmor: z.string().max(128).default(""),
  noNewPrivileges: z.boolean().default(true),
  privileged: z.boolean().default(false),
  hostNetwork: z.boolean().default(false),
});

export const containerSpecOutput = z.object({
  command: z.array(z.string()),
  args: z.array(z.string()),
  env: z.array(z.string()),
  workdir: z.string(),
  user: z.string(),
  hostname: z.string(),
  labels: z.record(z.string(), z.string()),
  stopSignal: z.string(),
  stopGracePeriodNs: z.number().int(),
  init: z.boolean(),
  readOnly: z.boolean(),
  capAdd: z.array(z.string()),
  capDrop: z.array(z.string()),
  mounts: z.array(mountOutput),
  seccomp: z.object({ mode: z.enum(["default", "unconfined", "custom"]), profile: z.string().optional() }),
  apparmor: z.string(),
  noNewPrivileges: z.boolean(),
  privileged: z.boolean(),
  hostNetwork: z.boolean(),
});

/** `--limit-cpu`, `--limit-memory`: 0 = no limit. */
export const limitsInput = z.strictObject({
  nanoCpus: z.number().int().min(0).max(1e15).default(0),
  memoryBytes: z.number().int().min(0).max(1e18).default(0),
});

/** A service spec as the API takes it; the manager applies Swarm's rules and messages. */
export const serviceSpecInput = z.strictObject({
  name: z.string().max(SERVICE_NAME_MAX_LENGTH, `name must be ${SERVICE_NAME_MAX_LENGTH} characters or fewer`),
  image: z.string().min(1, "ContainerSpec: image reference must be provided").max(SERVICE_IMAGE_MAX_LENGTH),
  mode: serviceModeSchema.default("replicated"),
  replicas: z.number().int().min(0).max(MAX_REPLICAS).default(1),
  constraints: z.array(z.string().max(512)).max(64).default([]),
  /** Spread descriptors (`node.labels.zone`); `spread=` is accepted and removed. */
  preferences: z.array(z.string().max(256)).max(8).default([]),
  maxReplicasPerNode: z.number().int().min(0).max(MAX_REPLICAS).default(0),
  reservations: z
    .strictObject({
      nanoCpus: z.number().int().min(0).max(1e15).default(0),
      memoryBytes: z.number().int().min(0).max(1e18).default(0),
      generic: genericReservationInput.optional(),
    })
    .default({ nanoCpus: 0, memoryBytes: 0 }),
  limits: limitsInput.optional(),
  /** Left out: on create, the safe defaults (core's `defaultContainerSpec`); on update, the service's own container, kept as it is. The manager stores it in full. */
  container: containerSpecInput.optional(),
  /** Absent: Swarm's defaults (any, 5 s, unlimited). */
  restartPolicy: restartPolicyInput.optional(),
  ports: z.array(portConfigInput).max(256).optional(),
  /**
   * The secrets the tasks may read. Left out of an update, the service keeps the ones it
   * has (a form that does not show secrets cannot revoke them); `[]` removes them all.
   */
  secrets: z.array(secretReferenceInput).max(256).optional(),
  /**
   * A Docker Swarm's overlay networks the tasks join, by name or ID (`--network`;
   * `TaskTemplate.Networks`). Left out of an update, the service keeps its own; the host's
   * network is `container.hostNetwork`. The native cluster has no overlay networks and
   * refuses a list that names one.
   */
  networks: z.array(z.string().min(1, "a network is named by its name or ID").max(256)).max(64).optional(),
});

export const serviceSpecOutput = z.object({
  name: z.string(),
  image: z.string(),
  mode: serviceModeSchema,
  replicas: z.number().int(),
  constraints: z.array(z.string()),
  preferences: z.array(z.string()),
  maxReplicasPerNode: z.number().int(),
  reservations: z.object({ nanoCpus: z.number(), memoryBytes: z.number(), generic: z.record(z.string(), z.number()).optional() }),
  limits: z.object({ nanoCpus: z.number(), memoryBytes: z.number() }).optional(),
  /** Absent on specs stored before containers ran: they mean the defaults. */
  container: containerSpecOutput.optional(),
  restartPolicy: restartPolicyOutput.optional(),
  ports: z.array(portConfigOutput).optional(),
  secrets: z.array(secretReferenceOutput).optional(),
});

export const taskSchema = z.object({
  id: z.string(),
  serviceId: z.string(),
  slot: z.number().int().nullable(),
  nodeId: z.string().nullable(),
  specVersion: z.number().int(),
  desiredState: z.string(),
  state: z.string(),
  message: z.string().nullable(),
  err: z.string().nullable(),
  /** The task's container on its node, once made. */
  containerId: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  createdAt: dateSchema,
  updatedAt: dateSchema,
});

/**
 * What only Docker says of a service (a connected swarm's, ADR 0020): its rolling
 * update's status, the fields of its Docker spec Rampart cannot hold (kept by every
 * update), the endpoint as Swarm allocated it, the networks its tasks join, whether the
 * engine keeps a service's hardening, and what the native view holds that Docker does not
 * report.
 */
export const dockerServicePartSchema = z.object({
  updateStatus: z.object({ state: z.string(), message: z.string().nullable(), startedAt: dateSchema.nullable(), completedAt: dateSchema.nullable() }).nullable(),
  dockerOnly: z.array(z.string()),
  endpoint: z.object({
    mode: z.string(),
    ports: z.array(portConfigOutput),
    virtualIps: z.array(z.object({ networkId: z.string(), networkName: z.string().nullable(), addr: z.string().nullable() })),
  }),
  networks: z.array(z.object({ id: z.string(), name: z.string().nullable(), aliases: z.array(z.string()) })),
  hardening: z.object({ apiVersion: z.string().nullable(), carried: z.boolean(), note: z.string().nullable() }),
  notReported: z.array(z.string()).readonly(),
});

export const serviceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Docker's version index on a connected swarm: the version an update must carry. */
  version: z.number().int(),
  specVersion: z.number().int(),
  spec: serviceSpecOutput,
  createdAt: dateSchema,
  updatedAt: dateSchema,
  running: z.number().int(),
  desired: z.number().int(),
  pending: z.number().int(),
  /** On a connected Docker Swarm only. */
  docker: dockerServicePartSchema.optional(),
});

export const serviceDetailSchema = serviceViewSchema.extend({ tasks: z.array(taskSchema) });

/**
 * A created or updated service, with the warnings its spec earned: constraints on what
 * nodes say about themselves (core's `constraintWarnings`). Shown, never refused.
 */
export const serviceWriteResultSchema = serviceViewSchema.extend({ warnings: z.array(z.string()) });

export const serviceRefInput = z.strictObject({ ref: z.string().min(1, "service is required").max(63) });

export const createServiceInput = serviceSpecInput;

export const updateServiceInput = z.strictObject({
  ref: z.string().min(1).max(63),
  /** The version the caller read: a stale one is refused, so updates never overwrite silently. */
  version: z.number().int().min(1),
  spec: serviceSpecInput,
});

export const scaleServiceInput = z.strictObject({
  ref: z.string().min(1).max(63),
  replicas: z.number().int().min(0).max(MAX_REPLICAS),
});

export type ServiceSpecInput = z.infer<typeof serviceSpecInput>;
export type ServiceViewOutput = z.infer<typeof serviceViewSchema>;

/** `service logs`: a service (name, ID or prefix) or a task ID. */
export const openLogsInput = z.strictObject({
  ref: z.string().min(1, "name a service or a task").max(254),
  follow: z.boolean().default(false),
  /** Lines from the end of each task's log; absent for all. */
  tail: z.number().int().min(0).max(100_000).optional(),
  /** A duration back from now (`10m`, as docker takes it) or a time (`2026-12-06T10:00:00Z`). */
  since: z.string().min(1).max(64).optional(),
});

export const readLogsInput = z.strictObject({ cursor: z.string().min(1).max(64) });

export const logPageSchema = z.object({
  cursor: z.string(),
  lines: z.array(
    z.object({
      taskId: z.string(),
      serviceName: z.string(),
      slot: z.number().int().nullable(),
      nodeId: z.string(),
      stream: z.enum(["stdout", "stderr"]),
      time: dateSchema,
      line: z.string(),
    }),
  ),
  dropped: z.number().int(),
  done: z.boolean(),
});
