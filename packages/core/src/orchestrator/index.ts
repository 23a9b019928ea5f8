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
 * Whether an update changes only placement (constraints, preferences, max per node):
 * then tasks whose node still meets the new constraints are kept (IsTaskDirty). Every
 * other field, the replica count included, makes the update replace the tasks — the
 * rule the manager's service update applies. Compared by content, not key order, so a
 * spec read back from the store equals the one that was written.
 */
export function placementOnlyChange(previous: ServiceSpec, next: ServiceSpec): boolean {
  const strip = (s: ServiceSpec) => ({ ...s, constraints: [], preferences: [], maxReplicasPerNode: 0 });
  return canonical(strip(previous)) === canonical(strip(next));
}

/**
 * Replicated: exactly one live task per slot 1..replicas, at the current spec version.
 * A task of an older spec version is replaced, unless only placement changed and its node
 * still meets the constraints (IsTaskDirty); then it is kept and moved to the new version.
 */
export function planReplicated(
  service: OrchestratorService,
  tasks: readonly OrchestratorTask[],
  placementOnly: boolean,
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
): Plan {
  const plan: Plan = { create: [], update: [] };
  const bySlot = new Map<number, OrchestratorTask[]>();
  for (const t of tasks) {
    if (!live(t) || t.slot === null) continue;
    bySlot.set(t.slot, [...(bySlot.get(t.slot) ?? []), t]);
  }
  const stopped = new Set<string>();
  const stop = (t: OrchestratorTask) => {
    plan.update.push(shutdown(t, null));
    stopped.add(t.id);
  };
  for (const [slot, slotTasks] of bySlot) {
    if (slot > service.spec.replicas) {
      for (const t of slotTasks) stop(t);
      continue;
    }
    // One task per slot: extras (there should be none) are shut down.
    const [keep, ...extra] = slotTasks.sort((a, b) => b.specVersion - a.specVersion);
    for (const t of extra) stop(t);
    if (keep!.specVersion === service.specVersion) continue;
    const node = keep!.nodeId ? nodes.get(keep!.nodeId) : undefined;
    if (placementOnly && node && nodeMatches(constraints, node)) {
      plan.update.push({ id: keep!.id, specVersion: service.specVersion });
      continue;
    }
    stop(keep!);
    bySlot.set(slot, []);
  }
  for (let slot = 1; slot <= service.spec.replicas; slot++) {
    if (bySlot.get(slot)?.some((t) => !stopped.has(t.id))) continue;
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
 * down; a paused node keeps its task but gets no new one.
 */
export function planGlobal(
  service: OrchestratorService,
  tasks: readonly OrchestratorTask[],
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
): Plan {
  const plan: Plan = { create: [], update: [] };
  const byNode = new Map<string, OrchestratorTask>();
  for (const t of tasks) {
    if (!live(t) || !t.nodeId) continue;
    const node = nodes.get(t.nodeId);
    if (!node || !globalEligible(node, constraints) || byNode.has(t.nodeId)) {
      plan.update.push(shutdown(t, node ? "node no longer eligible for this global service" : "node was removed"));
      continue;
    }
    if (t.specVersion !== service.specVersion) {
      plan.update.push(shutdown(t, null));
      continue;
    }
    byNode.set(t.nodeId, t);
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
