import { TASK_STATES, nodeMatches, type Constraint, type ConstraintNode, type NodeState, type TaskState } from "@rampart/core";
import type { NewTask, ServiceRecord, TaskChange, TaskRecord } from "@rampart/db";

/**
 * The orchestrators (manager/orchestrator/{replicated,global}): from a service and its
 * tasks, the changes that make the tasks match the spec. Pure, so every rule is tested
 * without a store. Rampart runs no containers: a task whose desired state is shutdown
 * is shut down by its node's agent, or at once if it never reached a node.
 */
export interface OrchestratorNode extends ConstraintNode {
  state: NodeState;
  availability: "active" | "pause" | "drain";
}

export interface Plan {
  create: Array<Omit<NewTask, "id" | "at">>;
  update: TaskChange[];
}

const live = (t: TaskRecord) => TASK_STATES[t.desiredState] <= TASK_STATES.running && TASK_STATES[t.state] <= TASK_STATES.running;

/** Stops a task: at once if no node has it, otherwise by asking its node. */
function shutdown(task: TaskRecord, err: string | null): TaskChange {
  const reached = TASK_STATES[task.state] >= TASK_STATES.assigned;
  return reached
    ? { id: task.id, desiredState: "shutdown", err }
    : { id: task.id, desiredState: "shutdown", state: "shutdown", message: "shut down before placement", err };
}

/**
 * Replicated: exactly one live task per slot 1..replicas, at the current spec version.
 * A task of an older spec version is replaced, unless only placement changed and its node
 * still meets the constraints (IsTaskDirty); then it is kept and moved to the new version.
 */
export function planReplicated(
  service: ServiceRecord,
  tasks: readonly TaskRecord[],
  placementOnlyChange: boolean,
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
): Plan {
  const plan: Plan = { create: [], update: [] };
  const bySlot = new Map<number, TaskRecord[]>();
  for (const t of tasks) {
    if (!live(t) || t.slot === null) continue;
    bySlot.set(t.slot, [...(bySlot.get(t.slot) ?? []), t]);
  }
  for (const [slot, slotTasks] of bySlot) {
    if (slot > service.spec.replicas) {
      for (const t of slotTasks) plan.update.push(shutdown(t, null));
      continue;
    }
    // One task per slot: extras (there should be none) are shut down.
    const [keep, ...extra] = slotTasks.sort((a, b) => b.specVersion - a.specVersion);
    for (const t of extra) plan.update.push(shutdown(t, null));
    if (keep!.specVersion === service.specVersion) continue;
    const node = keep!.nodeId ? nodes.get(keep!.nodeId) : undefined;
    if (placementOnlyChange && node && nodeMatches(constraints, node)) {
      plan.update.push({ id: keep!.id, specVersion: service.specVersion });
      continue;
    }
    plan.update.push(shutdown(keep!, null));
    bySlot.set(slot, []);
  }
  for (let slot = 1; slot <= service.spec.replicas; slot++) {
    const current = bySlot.get(slot);
    const stillLive = current?.some((t) => !plan.update.some((u) => u.id === t.id && u.desiredState === "shutdown"));
    if (stillLive) continue;
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
  service: ServiceRecord,
  tasks: readonly TaskRecord[],
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
): Plan {
  const plan: Plan = { create: [], update: [] };
  const byNode = new Map<string, TaskRecord>();
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
export function planNodeDown(tasks: readonly TaskRecord[]): TaskChange[] {
  return tasks.filter(live).map((t) => ({ id: t.id, desiredState: "shutdown" as TaskState, state: "orphaned" as TaskState, err: "node is down" }));
}
