import { nodeMatches, type Constraint, type ConstraintNode } from "../constraint/index.js";
import type { Availability } from "../node/index.js";
import type { SchedulerNodeState, SchedulerTask } from "../scheduler/index.js";
import { TASK_STATES, type ServiceSpec, type TaskState } from "../service/index.js";

/**
 * The orchestrators (manager/orchestrator/{replicated,global}): from a service and its
 * tasks, the changes that make the tasks match the spec. Pure and store-free, so the
 * manager applies their plans to the database and the placement planner applies them
 * to a sandbox, with the same rules. Rampart runs no containers: a task whose desired
 * state is shutdown is shut down by its node's agent, or at once if it never reached a
 * node. The types are structural, so the store's records satisfy them as they are.
 */

/** What the orchestrators read about a node: what constraints read, plus whether it takes tasks. */
export interface OrchestratorNode extends ConstraintNode {
  state: SchedulerNodeState;
  availability: Availability;
}

/** A service as the orchestrators read it. */
export interface OrchestratorService {
  id: string;
  specVersion: number;
  spec: ServiceSpec;
}

/** A task as the orchestrators read it. */
export interface OrchestratorTask {
  id: string;
  serviceId: string;
  /** Replicated services' slot; null for global tasks. */
  slot: number | null;
  nodeId: string | null;
  specVersion: number;
  state: TaskState;
  desiredState: TaskState;
  /** Status.Err, when the store has one. */
  err?: string | null;
}

/** A change to one task; fields left out stay as they are. */
export interface OrchestratorTaskChange {
  id: string;
  nodeId?: string | null;
  state?: TaskState;
  desiredState?: TaskState;
  message?: string | null;
  err?: string | null;
  specVersion?: number;
}

/** A task to create; its id (and time) are the caller's to give. */
export interface OrchestratorNewTask {
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  specVersion: number;
  desiredState: TaskState;
  state: TaskState;
}

export interface Plan {
  create: OrchestratorNewTask[];
  update: OrchestratorTaskChange[];
  /**
   * Ids of the tasks `update` shuts down because the spec they run changed (IsTaskDirty),
   * each replaced by a task of the new spec: the planner counts them as restarts, unlike
   * tasks stopped by a scale-down or taken off a node the service may no longer use.
   */
  replaced: string[];
}

const live = (t: OrchestratorTask) => TASK_STATES[t.desiredState] <= TASK_STATES.running && TASK_STATES[t.state] <= TASK_STATES.running;

/** Stops a task: at once if no node has it, otherwise by asking its node. */
function shutdown(task: OrchestratorTask, err: string | null): OrchestratorTaskChange {
  const reached = TASK_STATES[task.state] >= TASK_STATES.assigned;
  return reached
    ? { id: task.id, desiredState: "shutdown", err }
    : { id: task.id, desiredState: "shutdown", state: "shutdown", message: "shut down before placement", err };
}

/** JSON with object keys sorted, so two specs compare by content whatever order their keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Whether two specs are the same, field by field (key order does not matter). */
export function sameSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return canonical(a) === canonical(b);
}

/**
 * What an update changes in the spec a service's tasks run, and so which tasks it
 * replaces (Swarm's IsTaskDirty, which compares the TaskSpec):
 * - `none`: only fields outside the task spec changed (replicas, the name): every task
 *   is kept and moved to the new spec version;
 * - `placement`: constraints, preferences or max replicas per node changed, and nothing
 *   else of the task spec: a task is kept while its node meets the new constraints;
 * - `task`: the image or the reservations (any other field, to be safe) changed: every
 *   task is replaced.
 */
export type TaskSpecChange = "none" | "placement" | "task";

/** ServiceSpec fields Swarm keeps outside the TaskSpec (Annotations, Mode). */
const OUTSIDE_TASK_SPEC: readonly (keyof ServiceSpec)[] = ["name", "replicas", "mode"];
/** TaskSpec.Placement. */
const PLACEMENT: readonly (keyof ServiceSpec)[] = ["constraints", "preferences", "maxReplicasPerNode"];

function without(spec: ServiceSpec, fields: readonly (keyof ServiceSpec)[]): string {
  const rest: Partial<ServiceSpec> = { ...spec };
  for (const field of fields) delete rest[field];
  return canonical(rest);
}

/**
 * The kind of change from `previous` to `next`, compared by content (key order does not
 * matter), so a spec read back from the store equals the one that was written.
 */
export function taskSpecChange(previous: ServiceSpec, next: ServiceSpec): TaskSpecChange {
  if (without(previous, OUTSIDE_TASK_SPEC) === without(next, OUTSIDE_TASK_SPEC)) return "none";
  const beside = [...OUTSIDE_TASK_SPEC, ...PLACEMENT];
  return without(previous, beside) === without(next, beside) ? "placement" : "task";
}

/**
 * The change a task of an older version missed. `change` is the step from the spec just
 * before the service's current one; a task older still missed an update of unknown
 * kind too (a paused node's global task is left behind), so it counts as `task`.
 */
function missed(task: OrchestratorTask, service: OrchestratorService, change: TaskSpecChange): TaskSpecChange {
  return task.specVersion === service.specVersion - 1 ? change : "task";
}

/** IsTaskDirty, negated: whether a task of an older version may stay as it is. */
function stillFits(kind: TaskSpecChange, node: OrchestratorNode | undefined, constraints: readonly Constraint[]): boolean {
  if (kind === "none") return true;
  return kind === "placement" && node !== undefined && nodeMatches(constraints, node);
}

/**
 * Replicated: exactly one live task per slot 1..replicas, at the current spec version.
 * Slots above the replica count are shut down. A task of an older spec version is kept
 * and moved to the new version unless the change replaces it (`change` is the service's
 * last update, `task` when unknown; see TaskSpecChange).
 */
export function planReplicated(
  service: OrchestratorService,
  tasks: readonly OrchestratorTask[],
  change: TaskSpecChange,
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
): Plan {
  const plan: Plan = { create: [], update: [], replaced: [] };
  const bySlot = new Map<number, OrchestratorTask[]>();
  for (const t of tasks) {
    if (!live(t) || t.slot === null) continue;
    const slotTasks = bySlot.get(t.slot);
    if (slotTasks) slotTasks.push(t);
    else bySlot.set(t.slot, [t]);
  }
  const filled = new Set<number>();
  const stop = (t: OrchestratorTask) => plan.update.push(shutdown(t, null));
  for (const [slot, slotTasks] of bySlot) {
    if (slot > service.spec.replicas) {
      for (const t of slotTasks) stop(t);
      continue;
    }
    // One task per slot: extras (there should be none) are shut down.
    const [keep, ...extra] = slotTasks.sort((a, b) => b.specVersion - a.specVersion);
    for (const t of extra) stop(t);
    if (!keep) continue;
    if (keep.specVersion !== service.specVersion) {
      const node = keep.nodeId ? nodes.get(keep.nodeId) : undefined;
      if (!stillFits(missed(keep, service, change), node, constraints)) {
        stop(keep);
        plan.replaced.push(keep.id);
        continue;
      }
      plan.update.push({ id: keep.id, specVersion: service.specVersion });
    }
    filled.add(slot);
  }
  for (let slot = 1; slot <= service.spec.replicas; slot++) {
    if (filled.has(slot)) continue;
    plan.create.push({ serviceId: service.id, slot, nodeId: null, specVersion: service.specVersion, desiredState: "running", state: "pending" });
  }
  return plan;
}

/** A node a global service runs on: not drained, not down, and meeting the constraints. */
export function globalEligible(node: OrchestratorNode, constraints: readonly Constraint[]): boolean {
  return node.availability !== "drain" && node.state !== "down" && nodeMatches(constraints, node);
}

/**
 * Global: one live task on every eligible node, made for that node (pre-assigned; the
 * scheduler only confirms it). Tasks on nodes that stopped being eligible are shut
 * down. A task of an older spec version is kept and moved to the new version unless
 * the change replaces it, in place (`change` as for planReplicated; the global
 * orchestrator has already shut down the tasks whose node no longer meets the
 * constraints). A paused node gets no new or replaced task: what it runs is left as it is.
 */
export function planGlobal(
  service: OrchestratorService,
  tasks: readonly OrchestratorTask[],
  change: TaskSpecChange,
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
): Plan {
  const plan: Plan = { create: [], update: [], replaced: [] };
  const byNode = new Map<string, OrchestratorTask>();
  // Newest first, so that of two tasks on one node (there should be none) the newer stays.
  for (const t of [...tasks].sort((a, b) => b.specVersion - a.specVersion)) {
    if (!live(t) || !t.nodeId) continue;
    const node = nodes.get(t.nodeId);
    if (!node) {
      plan.update.push(shutdown(t, "node was removed"));
      continue;
    }
    if (!globalEligible(node, constraints)) {
      plan.update.push(shutdown(t, "node no longer eligible for this global service"));
      continue;
    }
    if (byNode.has(t.nodeId)) {
      plan.update.push(shutdown(t, null));
      continue;
    }
    byNode.set(t.nodeId, t);
    if (t.specVersion === service.specVersion) continue;
    const kind = missed(t, service, change);
    if (kind !== "task") {
      plan.update.push({ id: t.id, specVersion: service.specVersion });
    } else if (node.availability !== "pause") {
      plan.update.push(shutdown(t, null));
      plan.replaced.push(t.id);
      byNode.delete(t.nodeId);
    }
  }
  for (const node of nodes.values()) {
    if (byNode.has(node.id) || node.availability === "pause" || !globalEligible(node, constraints)) continue;
    plan.create.push({ serviceId: service.id, slot: null, nodeId: node.id, specVersion: service.specVersion, desiredState: "running", state: "pending" });
  }
  return plan;
}

/** Tasks on a node that went Down are restarted elsewhere; their node is told to stop them. */
export function planNodeDown(tasks: readonly OrchestratorTask[]): OrchestratorTaskChange[] {
  return tasks.filter(live).map((t) => ({ id: t.id, desiredState: "shutdown" as TaskState, state: "orphaned" as TaskState, err: "node is down" }));
}

/**
 * The hand-over to the scheduler: a task with its service's placement spec, as the
 * scheduler reads it. A task whose service is gone goes without a spec (the scheduler
 * then drops it if it cannot be placed).
 */
export function toSchedulerTask(task: OrchestratorTask, spec: ServiceSpec | undefined): SchedulerTask {
  return {
    id: task.id,
    serviceId: task.serviceId,
    specVersion: task.specVersion,
    nodeId: task.nodeId ?? "",
    state: task.state,
    desiredState: task.desiredState,
    ...(task.err ? { error: task.err } : {}),
    ...(spec
      ? {
          constraints: spec.constraints,
          preferences: spec.preferences,
          maxReplicas: spec.maxReplicasPerNode,
          reservations: { nanoCpus: spec.reservations.nanoCpus, memoryBytes: spec.reservations.memoryBytes },
        }
      : {}),
  };
}
