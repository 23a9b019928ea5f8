import type { ConstraintResult } from "../constraint/index.js";
import type { Availability, NodeRole } from "../node/index.js";
import type { RuntimeKind } from "../node/index.js";
import type { FilterName, SchedulerNode } from "../scheduler/index.js";
import type { ServiceSpec, TaskState } from "../service/index.js";

/**
 * The placement planner's data: a copy of the cluster (nodes, services, their live
 * tasks), a sandbox of changes to it, and what the scheduler would do. Plain JSON both
 * ways, so the server and the browser run the same code on the same input.
 */

/** A node as the planner sees it: the scheduler's view, with the fields people read. */
export interface PlannerNode extends SchedulerNode {
  hostname: string;
  role: NodeRole;
  labels: Record<string, string>;
  /** What runs the node's tasks; a `simulated` node is marked so in the planner. */
  runtimeKind?: RuntimeKind;
}

export interface PlannerService {
  id: string;
  specVersion: number;
  spec: ServiceSpec;
}

/** A task that holds (or is waiting for) a place: desired running, state PENDING..RUNNING. */
export interface PlannerTask {
  id: string;
  serviceId: string;
  /** Replicated services' slot; null for global tasks. */
  slot: number | null;
  /** `""` while unassigned. */
  nodeId: string;
  specVersion: number;
  state: TaskState;
}

/** The cluster as it is now. */
export interface PlannerCluster {
  nodes: PlannerNode[];
  services: PlannerService[];
  tasks: PlannerTask[];
}

/** Changes to one node in the sandbox; each field replaces the node's value when given. */
export interface NodeChange {
  labels?: Record<string, string>;
  availability?: Availability;
  role?: NodeRole;
}

/**
 * A what-if: node changes, plus the service being planned, either an existing one with
 * a changed spec (`serviceId` set) or a draft (`serviceId` absent). Without `service`,
 * only node changes are applied.
 */
export interface Sandbox {
  nodes?: Record<string, NodeChange>;
  service?: { serviceId?: string; spec: ServiceSpec };
}

/** One cell row of the why-not matrix: a node against every constraint and every filter. */
export interface WhyNotRow {
  nodeId: string;
  hostname: string;
  role: NodeRole;
  availability: Availability;
  /** One per constraint expression of the spec, in order. */
  constraints: ConstraintResult[];
  /** The scheduler's pipeline: the first filter that refuses the node, or none. */
  filter: { passed: true } | { passed: false; failedFilter: FilterName; reason: string };
  /** Tasks of the planned service on this node, now and in the sandbox. */
  before: number;
  after: number;
}

/** The spread tree: tasks per value of each preference label, outermost first. */
export interface SpreadGroup {
  /** The label read, e.g. `node.labels.zone`. */
  descriptor: string;
  /** The node's value; `""` for nodes without the label (they share one group). */
  value: string;
  tasks: number;
  nodeIds: string[];
  children: SpreadGroup[];
}

/** A service whose placement differs between now and the sandbox. */
export interface ServiceDiff {
  serviceId: string | null;
  name: string;
  /** Tasks per node id (today: tasks a node has taken, ASSIGNED..RUNNING). Nodes with none are left out. */
  before: Record<string, number>;
  after: Record<string, number>;
  /** Tasks that would move: sum over nodes of max(0, before - after). */
  moved: number;
  /** Tasks that would wait for a node, and Swarm's message for them. */
  pending: number;
  pendingReason: string | null;
  /**
   * Today's tasks that would be restarted, in place or elsewhere, because the spec they
   * run changes (image, reservations, or a placement their node no longer meets).
   * Absent when none would.
   */
  replaced?: number;
  /**
   * Today's tasks that lose their node in the sandbox (drained, down, or no longer
   * matching) and that their restart policy does not replace (`--restart-condition
   * none`): their slots stay empty. Absent when none.
   */
  notRestarted?: number;
}

/** A constraint the planned spec cannot use, with Swarm's error text. */
export interface SpecProblem {
  field: string;
  message: string;
}

export interface PlanResult {
  /** The planned service: set when the sandbox has a `service`. */
  focus: {
    serviceId: string | null;
    name: string;
    /** Non-empty means the spec is invalid: the rest of `focus` is then empty. */
    problems: SpecProblem[];
    matrix: WhyNotRow[];
    spread: SpreadGroup[];
    diff: ServiceDiff;
  } | null;
  /** Every service whose placement changes (the focus included), by name. */
  changed: ServiceDiff[];
  /** Time the computation took, in ms (for display only). */
  tookMs: number;
}
