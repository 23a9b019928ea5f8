import { parseConstraint, type Constraint } from "../constraint/index.js";
import { goQuote } from "../encoding/go-strconv.js";
import { invalidArgument, RampartError } from "../errors/index.js";
import { checkSafeText, unsafeTextProblem } from "../text/index.js";
import type { SecretReference } from "../secret/index.js";
import { checkContainerSpec, checkImageReference, checkLimits, containerOf, SECRETS_DIR, type ContainerSpec, type ResourceLimits } from "./container.js";

export * from "./container.js";

/**
 * A service's spec and Swarm's rules for it (manager/controlapi service.go, the docker
 * CLI's flags): placement, and the container every task runs (ADR 0019).
 */
export type ServiceMode = "replicated" | "global";

/** When a task that stopped is replaced (RestartPolicy.Condition). */
export type RestartCondition = "none" | "on-failure" | "any";

/**
 * A service's restart policy (TaskSpec.Restart). Durations are nanoseconds, as in
 * Swarm's API. Absent means Swarm's defaults (DEFAULT_RESTART_POLICY).
 */
export interface RestartPolicy {
  condition: RestartCondition;
  /** Wait between a task's end and its replacement's start. */
  delayNs: number;
  /** 0 = unlimited. */
  maxAttempts: number;
  /** The window `maxAttempts` counts restarts in; 0 = forever. */
  windowNs: number;
}

/** api/defaults: restart on any exit, after 5 s, without limit. */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = Object.freeze({
  condition: "any",
  delayNs: 5_000_000_000,
  maxAttempts: 0,
  windowNs: 0,
});

export type PortProtocol = "tcp" | "udp" | "sctp";
/** `ingress` goes through the routing mesh; `host` binds the port on the task's own node. */
export type PublishMode = "ingress" | "host";

/** One published port (EndpointSpec.Ports). Host-mode ports with a published port are placement-relevant. */
export interface PortConfig {
  protocol: PortProtocol;
  targetPort: number;
  /** 0 = none chosen. */
  publishedPort: number;
  publishMode: PublishMode;
}

export interface ServiceSpec {
  name: string;
  image: string;
  mode: ServiceMode;
  /** Replicated services only. */
  replicas: number;
  constraints: string[];
  /** Spread descriptors, e.g. `node.labels.zone`, in order. */
  preferences: string[];
  /** 0 = no limit (`--replicas-max-per-node`). */
  maxReplicasPerNode: number;
  /** `generic`: discrete generic resources per task (`--generic-resource gpu=1`), by kind. */
  reservations: { nanoCpus: number; memoryBytes: number; generic?: Record<string, number> };
  /** `--limit-cpu`, `--limit-memory`; absent = no limits. */
  limits?: ResourceLimits;
  /** The task's container; absent = `defaultContainerSpec()` (specs stored before containers ran). */
  container?: ContainerSpec;
  /** Absent: DEFAULT_RESTART_POLICY. */
  restartPolicy?: RestartPolicy;
  /** Published ports (`--publish`); absent and empty mean none. */
  ports?: PortConfig[];
  /**
   * The secrets the service's tasks may read (Swarm's ContainerSpec.Secrets). Absent
   * and empty mean the same: none. Checked with `checkSecretReferences` and, against
   * the store, `checkSecretsExist`.
   */
  secrets?: SecretReference[];
}

/**
 * A spec with the docker CLI's defaults (one replica, no placement rules, no
 * reservations), changed by `overrides`: the one starting point for forms, the CLI,
 * scenarios and tests, so a field added to ServiceSpec gets its default in one place.
 */
export function defaultServiceSpec(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: "",
    image: "",
    mode: "replicated",
    replicas: 1,
    constraints: [],
    preferences: [],
    maxReplicasPerNode: 0,
    reservations: { nanoCpus: 0, memoryBytes: 0 },
    ...overrides,
  };
}

/** A DNS label's length: the longest service name Swarm takes. */
export const SERVICE_NAME_MAX_LENGTH = 63;
/** The longest image reference the API takes (Rampart's bound; Swarm leaves it to the registry). */
export const SERVICE_IMAGE_MAX_LENGTH = 512;

/** isValidDNSName in controlapi: a DNS label, letters, digits, `-` and `_` inside. */
const SERVICE_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

export function checkServiceName(name: string): string {
  checkSafeText(name, "name", "name", { beyondAsciiOnly: true });
  if (name === "") throw invalidArgument("name", "meta: name must be provided");
  if (!SERVICE_NAME.test(name)) throw invalidArgument("name", "name must be valid as a DNS name component");
  if (name.length > SERVICE_NAME_MAX_LENGTH) throw invalidArgument("name", `name must be ${SERVICE_NAME_MAX_LENGTH} characters or fewer`);
  return name;
}

/** Go's %g for the values these messages print (0.0005, 0.001, 1e-05). */
export function goG(value: number): string {
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 21) {
    const [mantissa, exp] = value.toExponential().split("e");
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return String(value);
}

/**
 * A generic resource's kind as the docker CLI can write it (`--generic-resource
 * gpu=1`, `--node-generic-resource gpu=2`): Swarm splits the flag on `,` and `=` and
 * trims spaces, so a kind holding one of them, or none at all, could not round-trip.
 */
const GENERIC_KIND = /^[^\s=,]{1,128}$/;

/** Why a generic resource kind is refused, or undefined when it is fine. */
export function genericKindProblem(kind: string): string | undefined {
  if (kind === "") return "a generic resource needs a kind, e.g. gpu=1";
  const unsafe = unsafeTextProblem(kind);
  if (unsafe) return `generic resource kind ${unsafe}`;
  if (!GENERIC_KIND.test(kind)) return `invalid generic resource kind ${goQuote(kind.slice(0, 140))}: at most 128 characters, without spaces, '=' or ','`;
  return undefined;
}

/**
 * genericresource.ValidateTask and Parse: a task asks for discrete amounts only (a
 * value that is not a whole number is not one: `invalid argument for resource KIND`),
 * never a negative one (`cannot ask for negative resource KIND`). Zero is allowed, as in
 * Swarm.
 */
export function checkGenericReservations(generic: Readonly<Record<string, number>> | undefined): void {
  for (const [kind, value] of Object.entries(generic ?? {})) {
    const problem = genericKindProblem(kind);
    if (problem !== undefined) throw invalidArgument("reservations.generic", problem);
    if (!Number.isSafeInteger(value)) throw invalidArgument("reservations.generic", `invalid argument for resource ${kind}`);
    if (value < 0) throw invalidArgument("reservations.generic", `could not parse GenericResource: cannot ask for negative resource ${kind}`);
  }
}

/** validateResources: non-zero reservations have floors, with Swarm's messages; then the generic ones. */
export function checkReservations(r: { nanoCpus: number; memoryBytes: number; generic?: Readonly<Record<string, number>> }): void {
  if (!Number.isInteger(r.nanoCpus) || r.nanoCpus < 0) throw invalidArgument("reserveCpu", "the CPU reservation must be a non-negative number");
  if (!Number.isInteger(r.memoryBytes) || r.memoryBytes < 0) {
    throw invalidArgument("reserveMemory", "the memory reservation must be a non-negative number of bytes");
  }
  if (r.nanoCpus !== 0 && r.nanoCpus < 1e6) {
    throw invalidArgument("reserveCpu", `invalid cpu value ${goG(r.nanoCpus / 1e9)}: Must be at least ${goG(1e6 / 1e9)}`);
  }
  if (r.memoryBytes !== 0 && r.memoryBytes < 4 * 1024 * 1024) {
    throw invalidArgument("reserveMemory", `invalid memory value ${r.memoryBytes}: Must be at least 4MiB`);
  }
  checkGenericReservations(r.generic);
}

/**
 * `--placement-pref spread=node.labels.zone` → `node.labels.zone`. Any other strategy
 * is refused with the docker CLI's message; a descriptor without a label prefix is
 * accepted (Swarm keeps it, and the scheduler skips it).
 */
export function parsePlacementPreference(text: string): string {
  const eq = text.indexOf("=");
  const strategy = eq === -1 ? text : text.slice(0, eq);
  if (strategy.toLowerCase() !== "spread" || eq === -1 || text.slice(eq + 1).trim() === "") {
    throw invalidArgument("preferences", `unsupported placement preference ${text} (only spread is supported)`);
  }
  return text.slice(eq + 1).trim();
}

/** The conditions RestartPolicy.Condition takes, as the docker CLI spells them. */
export const RESTART_CONDITIONS: readonly string[] = ["none", "on-failure", "any"];

/**
 * validateRestartPolicy, and the engine's conversion before it (an unknown condition is
 * refused there): durations may not be negative. Absent is Swarm's defaults.
 */
export function checkRestartPolicy(policy: RestartPolicy | undefined): void {
  if (policy === undefined) return;
  if (!RESTART_CONDITIONS.includes(policy.condition)) {
    throw invalidArgument("restartPolicy.condition", `invalid RestartCondition: ${goQuote(String(policy.condition))}`);
  }
  if (!Number.isInteger(policy.delayNs)) throw invalidArgument("restartPolicy.delayNs", "restart-delay must be a whole number of nanoseconds");
  if (policy.delayNs < 0) throw invalidArgument("restartPolicy.delayNs", "TaskSpec: restart-delay cannot be negative");
  if (!Number.isInteger(policy.windowNs)) throw invalidArgument("restartPolicy.windowNs", "restart-window must be a whole number of nanoseconds");
  if (policy.windowNs < 0) throw invalidArgument("restartPolicy.windowNs", "TaskSpec: restart-window cannot be negative");
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 0) {
    throw invalidArgument("restartPolicy.maxAttempts", "restart-max-attempts must be a whole number, 0 for unlimited");
  }
}

/** The protocols a published port may use. */
export const PORT_PROTOCOLS: readonly string[] = ["tcp", "udp", "sctp"];
const PUBLISH_MODES: readonly string[] = ["ingress", "host"];

/**
 * What a node needs to run one task: the image, the container, its resources and its
 * host-mode ports. The agent gets this with each assignment; placement fields stay with
 * the manager.
 */
export interface TaskRuntime {
  image: string;
  container: ContainerSpec;
  limits: ResourceLimits | null;
  reservations: { nanoCpus: number; memoryBytes: number };
  /** Host-mode ports with a published port: bound on the task's own node. */
  hostPorts: PortConfig[];
}

export function taskRuntimeOf(spec: ServiceSpec): TaskRuntime {
  return {
    image: spec.image,
    container: containerOf(spec),
    limits: spec.limits ?? null,
    reservations: { nanoCpus: spec.reservations.nanoCpus, memoryBytes: spec.reservations.memoryBytes },
    hostPorts: (spec.ports ?? []).filter((p) => p.publishMode === "host" && p.publishedPort > 0),
  };
}

/**
 * validateEndpointSpec: two ports may not share a published port and protocol, whatever
 * their publish modes (a published port of 0 is none, and never conflicts). Swarm's API
 * does not require a target port; the docker CLI does (`missing mandatory field
 * 'target'`), and refuses one past 65535, as the fields are 16-bit there.
 */
export function checkPorts(ports: readonly PortConfig[] | undefined): void {
  const seen = new Set<string>();
  for (const [index, port] of (ports ?? []).entries()) {
    const field = `ports[${index}]`;
    if (!PORT_PROTOCOLS.includes(port.protocol)) throw invalidArgument(field, `invalid protocol value ${goQuote(String(port.protocol))}`);
    if (!PUBLISH_MODES.includes(port.publishMode)) {
      throw invalidArgument(field, `invalid publish mode value (${String(port.publishMode)}): must be either 'ingress' or 'host'`);
    }
    for (const [name, value] of [["target", port.targetPort], ["published", port.publishedPort]] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 65535) throw invalidArgument(field, `invalid ${name} port (${value}): value must be from 0 to 65535`);
    }
    if (port.publishedPort === 0) continue;
    const key = `${port.publishedPort}/${port.protocol}`;
    if (seen.has(key)) throw invalidArgument("ports", "EndpointSpec: duplicate published ports provided");
    seen.add(key);
  }
}

export const MAX_REPLICAS = 100_000;

/** The whole spec, checked in Swarm's order; returns the parsed constraints. */
export function checkServiceSpec(spec: ServiceSpec): Constraint[] {
  checkServiceName(spec.name);
  checkSafeText(spec.image, "image");
  checkImageReference(spec.image);
  if (spec.mode === "replicated" && (!Number.isInteger(spec.replicas) || spec.replicas < 0 || spec.replicas > MAX_REPLICAS)) {
    throw invalidArgument("replicas", `replicas must be a whole number from 0 to ${MAX_REPLICAS}`);
  }
  if (spec.mode === "global" && spec.replicas !== 0) {
    throw invalidArgument("replicas", "replicas can only be used with replicated or replicated-job mode");
  }
  if (!Number.isInteger(spec.maxReplicasPerNode) || spec.maxReplicasPerNode < 0) {
    throw invalidArgument("maxReplicasPerNode", "replicas-max-per-node must be a whole number, 0 for no limit");
  }
  if (spec.mode === "global" && spec.maxReplicasPerNode !== 0) {
    throw invalidArgument("maxReplicasPerNode", "replicas-max-per-node can only be used with replicated or replicated-job mode");
  }
  checkReservations(spec.reservations);
  checkLimits(spec.limits);
  checkRestartPolicy(spec.restartPolicy);
  checkContainerSpec(containerOf(spec), (spec.secrets ?? []).map((s) => `${SECRETS_DIR}/${s.target}`));
  // Swarm stops at the first bad expression; the field says which one it was.
  const constraints = spec.constraints.map((expression, index) => {
    // C0 controls are the parser's to judge, with Swarm's words (the fuzz test holds them).
    checkSafeText(expression, `constraints[${index}]`, "constraint", { beyondAsciiOnly: true });
    try {
      return parseConstraint(expression);
    } catch (error) {
      if (error instanceof RampartError) throw new RampartError(error.code, error.message, { field: `constraints[${index}]` });
      throw error;
    }
  });
  spec.preferences.forEach((preference, index) => checkSafeText(preference, `preferences[${index}]`, "placement preference"));
  // validateServiceSpec checks the endpoint last, after the task spec and the mode.
  checkPorts(spec.ports);
  return constraints;
}

/** Task states (api/types.proto TaskState), in order: comparisons use the numbers. */
export const TASK_STATES = {
  new: 0,
  pending: 64,
  assigned: 192,
  accepted: 256,
  preparing: 320,
  ready: 384,
  starting: 448,
  running: 512,
  complete: 576,
  shutdown: 640,
  failed: 704,
  rejected: 768,
  remove: 800,
  orphaned: 832,
} as const;

export type TaskState = keyof typeof TASK_STATES;

/** The task states from `from` to `to`, both included, in order (for store queries). */
export function taskStatesBetween(from: TaskState, to: TaskState): TaskState[] {
  return (Object.keys(TASK_STATES) as TaskState[]).filter((s) => TASK_STATES[s] >= TASK_STATES[from] && TASK_STATES[s] <= TASK_STATES[to]);
}
