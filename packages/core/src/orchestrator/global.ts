import { nodeMatches, type Constraint } from "../constraint/index.js";
import { groupTasks, updatableTasks, wanted, type RestartDecider } from "./slots.js";
import { taskStillFits, type TaskSpecChange } from "./spec-change.js";
import { emptyPlan, type OrchestratorNode, type OrchestratorService, type OrchestratorTask, type Plan } from "./types.js";

/** A node a global service runs on: not drained, not down, and meeting the constraints. */
export function globalEligible(node: OrchestratorNode, constraints: readonly Constraint[]): boolean {
  return node.availability !== "drain" && node.state !== "down" && nodeMatches(constraints, node);
}

/**
 * Global services (global/global.go reconcileServices): one task on every node that is
 * neither drained nor down and meets the constraints, made for that node (pre-assigned;
 * the scheduler only confirms it). A node's tasks are held as a replicated slot's are
 * (UpdatableTasksInSlot). Tasks on nodes that stopped being eligible, or are gone, are
 * told to stop. A paused node gets no new or replaced task: what it runs is left as it
 * is. A task of an older spec version is kept and moved to the new version unless dirty,
 * then replaced in place. A task that stopped while meant to run is left to the restart
 * supervisor.
 */
export function planGlobal(
  service: OrchestratorService,
  tasks: readonly OrchestratorTask[],
  change: TaskSpecChange,
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
  shouldRestart: RestartDecider = () => true,
): Plan {
  const plan = emptyPlan();
  const byNode = groupTasks(tasks, (t) => t.nodeId || null);
  const stop = (list: readonly OrchestratorTask[]) => {
    for (const t of list) if (wanted(t)) plan.update.push({ id: t.id, desiredState: "shutdown" });
  };
  const add = (nodeId: string) =>
    plan.create.push({ serviceId: service.id, slot: null, nodeId, specVersion: service.specVersion, desiredState: "running", state: "pending" });

  for (const node of nodes.values()) {
    const held = updatableTasks(byNode.get(node.id) ?? [], shouldRestart);
    byNode.delete(node.id);
    if (!globalEligible(node, constraints)) {
      stop(held);
      continue;
    }
    if (node.availability === "pause") continue;
    const live = held.filter(wanted);
    if (held.length === 0) {
      add(node.id);
      continue;
    }
    if (live.length === 0) continue;
    // Newest first: of two tasks on one node (there should be none) the newer stays.
    const [keep, ...extra] = [...live].sort((a, b) => b.specVersion - a.specVersion);
    stop(extra);
    if (keep!.specVersion === service.specVersion) continue;
    if (taskStillFits(keep!, service, change, node, constraints)) {
      plan.update.push({ id: keep!.id, specVersion: service.specVersion });
    } else {
      stop([keep!]);
      plan.replaced.push(keep!.id);
      add(node.id);
    }
  }
  // Nodes that are gone.
  for (const list of byNode.values()) stop(updatableTasks(list, shouldRestart));
  return plan;
}
