import { TASK_STATES, nodeMatches, parseConstraints, type NodeState } from "@rampart/core";
import { listServices, listTasks, updateTasks, type TaskChange } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";
import type { NodeService } from "../nodes/index.js";
import type { ServiceService } from "./index.js";
import { planNodeDown } from "./orchestrate.js";
import type { SchedulerLoop } from "./scheduler-loop.js";

/** The message and error Swarm's constraint enforcer writes on a task it rejects. */
export const ENFORCER_MESSAGE = "task rejected by constraint enforcer";
export const ENFORCER_ERROR = "assigned node no longer meets constraints";
/** Written on a task whose node was drained. */
export const DRAIN_MESSAGE = "node drained: task moved";

/**
 * What follows a node change: the constraint enforcer (tasks on an active node that no
 * longer meets its service's constraints are rejected), the orchestrators (replacing
 * rejected tasks; global services following eligible nodes), and a scheduling pass. A
 * periodic check notices nodes that went Down and restarts their tasks elsewhere.
 */
export function createReconciler(
  deps: ManagerDeps,
  nodes: NodeService,
  services: ServiceService,
  scheduler: SchedulerLoop,
  /** Tasks were told to stop: nodes should look. */
  tasksChanged: () => void,
) {
  const db = deps.store.prisma;
  const lastState = new Map<string, NodeState>();
  let pending: Promise<void> = Promise.resolve();

  /**
   * A drained node gives up its tasks (the orchestrators' restartTasksByNodeID, for
   * InvalidNode): each is told to stop, and its slot is filled elsewhere.
   */
  async function evacuate(nodeId: string): Promise<TaskChange[]> {
    return (await listTasks(db, { nodeId }))
      .filter((t) => TASK_STATES[t.desiredState] <= TASK_STATES.running && TASK_STATES[t.state] <= TASK_STATES.running)
      .map((t) => ({ id: t.id, desiredState: "shutdown", message: DRAIN_MESSAGE }));
  }

  /** The enforcer for one node (constraint_enforcer.go): active nodes only. */
  async function enforce(nodeId: string): Promise<TaskChange[]> {
    const node = nodes.constraintNodes().find((n) => n.id === nodeId);
    if (node?.availability === "drain") return evacuate(nodeId);
    if (!node || node.availability !== "active") return [];
    const [tasks, all] = await Promise.all([listTasks(db, { nodeId }), listServices(db)]);
    const specs = new Map(all.map((s) => [s.id, s.spec]));
    const changes: TaskChange[] = [];
    for (const t of tasks) {
      const checked = TASK_STATES[t.desiredState] <= TASK_STATES.complete && TASK_STATES[t.state] >= TASK_STATES.assigned && TASK_STATES[t.state] < TASK_STATES.complete;
      const spec = specs.get(t.serviceId);
      if (!checked || !spec) continue;
      if (!nodeMatches(parseConstraints(spec.constraints), node)) {
        changes.push({ id: t.id, state: "rejected", desiredState: "shutdown", message: ENFORCER_MESSAGE, err: ENFORCER_ERROR });
      }
    }
    return changes;
  }

  async function afterNodeChange(nodeId: string): Promise<void> {
    const rejected = await enforce(nodeId);
    if (rejected.length > 0) await deps.store.transaction((tx) => updateTasks(tx, rejected, deps.now()));
    await services.reconcileAll();
    tasksChanged();
    scheduler.request();
  }

  /**
   * Notices state changes from heartbeats. A node that just went Down has its live tasks
   * orphaned and replaced; a node that just became Ready is new room for pending tasks
   * and global services. Returns how many nodes went Down.
   */
  async function checkDownNodes(): Promise<number> {
    let down = 0;
    let changed = false;
    for (const node of nodes.constraintNodes()) {
      const before = lastState.get(node.id);
      lastState.set(node.id, node.state);
      if (before === node.state) continue;
      changed = true;
      if (node.state !== "down" || before === undefined) continue;
      down++;
      const changes = planNodeDown(await listTasks(db, { nodeId: node.id }));
      if (changes.length > 0) await deps.store.transaction((tx) => updateTasks(tx, changes, deps.now()));
    }
    if (changed) {
      await services.reconcileAll();
      scheduler.request();
      tasksChanged();
    }
    return down;
  }

  nodes.onChange((nodeId) => {
    // One at a time, in order: a burst of joins or label edits queues behind itself.
    pending = pending.then(
      () => afterNodeChange(nodeId),
      () => afterNodeChange(nodeId),
    );
    pending.catch((error: unknown) => deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, "node change handling failed"));
  });

  return {
    checkDownNodes,
    /** Waits until every queued node change has been handled (tests). */
    async settled(): Promise<void> {
      await pending.catch(() => undefined);
      await scheduler.idle();
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
