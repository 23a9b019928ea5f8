import type { Availability } from "../node/index.js";
import type { TaskState } from "../service/index.js";

/**
 * What the scheduler reads about nodes and tasks, as plain data: the fields of Swarm's
 * api.Node and api.Task that placement depends on (swarm-semantics.md §2), and nothing
 * else, so callers can feed it from the store, the planner or a vector file alike.
 */

/** Node status as the dispatcher reports it. Swarm has four; only `ready` takes tasks. */
export type SchedulerNodeState = "unknown" | "down" | "ready" | "disconnected";

/** User-defined resources of a node: counts per discrete kind, or lists of named items. */
export interface GenericResources {
  discrete?: Readonly<Record<string, number>>;
  named?: Readonly<Record<string, readonly string[]>>;
}

/** A node's total resources (Description.Resources). */
export interface NodeResources {
  nanoCpus?: number;
  memoryBytes?: number;
  generic?: GenericResources | null;
}

/** What a task reserves; generic requests are always counts (Swarm validates that). */
export interface TaskReservations {
  nanoCpus?: number;
  memoryBytes?: number;
  generic?: Readonly<Record<string, number>>;
}

/** One plugin an engine reports, e.g. `{ type: "Network", name: "overlay" }`. */
export interface PluginDescription {
  type: string;
  name: string;
}

/** A platform as nodes report it and services accept it (`architecture` is raw, e.g. `x86_64`). */
export interface PlatformSpec {
  os: string;
  architecture: string;
}

/** A published port in host mode; tcp 58 and udp 58 are different ports. */
export interface HostPort {
  protocol: "tcp" | "udp" | "sctp";
  port: number;
}

/** A node as the scheduler sees it. Missing description data reads as Swarm's zero values. */
export interface SchedulerNode {
  id: string;
  state: SchedulerNodeState;
  availability: Availability;
  /** Observed role; `worker` when absent. */
  role?: "worker" | "manager";
  /** Description.Hostname; absent means none (constraints then read `""`). */
  hostname?: string;
  labels?: Readonly<Record<string, string>>;
  engineLabels?: Readonly<Record<string, string>>;
  platform?: PlatformSpec | null;
  /** Status.Addr, for `node.ip` constraints. */
  addr?: string | null;
  /** Totals; absent means the node reported none (everything reads as 0). */
  resources?: NodeResources | null;
  /** Engine plugins; absent/null means the node has no engine description (the plugin filter passes). */
  plugins?: readonly PluginDescription[] | null;
  /**
   * Why this node cannot run containers (no reachable engine), or absent when it can. Such
   * a node is not ready for new tasks, and the ready filter says why (ADR 0019).
   */
  runtimeProblem?: string | null;
}

/** A task as the scheduler sees it. */
export interface SchedulerTask {
  id: string;
  /** `""` is allowed (and then all such tasks count as one service). */
  serviceId: string;
  /** Service spec version the task was made from; null tasks are scheduled one at a time. */
  specVersion: number | null;
  /** `""` = unassigned; set while pending = pre-assigned (global services). */
  nodeId: string;
  state: TaskState;
  desiredState: TaskState;
  reservations?: TaskReservations;
  constraints?: readonly string[];
  /** Spread descriptors, e.g. `node.labels.zone`, outermost first. */
  preferences?: readonly string[];
  platforms?: readonly PlatformSpec[];
  /** 0 or absent = no limit. */
  maxReplicas?: number;
  hostPorts?: readonly HostPort[];
  /** Driver of each attached network (`""` when the network has no driver state). */
  networkDrivers?: readonly string[];
  /** Absent/null = no log driver; `""` = a driver given with options only; `none` = none. */
  logDriver?: string | null;
  /** Driver names of volume mounts (bind mounts are not listed). */
  volumeDrivers?: readonly string[];
  /** Status.Err. */
  error?: string;
  /** Status.Message. */
  message?: string;
}

/** Status.Message written when the scheduler picks a node. */
export const ASSIGNED_MESSAGE = "scheduler assigned task to node";
/** Status.Message written when a pre-assigned task's node passes the pipeline. */
export const PREASSIGNED_MESSAGE = "scheduler confirmed task can run on preassigned node";

/**
 * What one scheduling pass decided for a task. `assigned`, `pending` and `shutdown` are
 * the task writes Swarm makes (only those that change the task); `dropped` writes
 * nothing: the task leaves the queue because its service is gone or has a newer spec.
 */
export type SchedulerDecision =
  | { outcome: "assigned"; taskId: string; nodeId: string; state: "assigned"; message: typeof ASSIGNED_MESSAGE | typeof PREASSIGNED_MESSAGE }
  | { outcome: "pending"; taskId: string; nodeId: string; pending: true; error: string }
  | { outcome: "shutdown"; taskId: string; state: "shutdown" }
  | { outcome: "dropped"; taskId: string; reason: "service-missing" | "outdated-spec" };

/** How long failures count against a node for a service (monitorFailures). */
export const MONITOR_FAILURES_MS = 5 * 60 * 1000;
/** Failures within the window after which a node goes to the back (maxFailures). */
export const MAX_FAILURES = 5;
