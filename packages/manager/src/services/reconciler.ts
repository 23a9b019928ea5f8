import { TASK_STATES, nodeMatches, parseConstraints, type NodeState } from "@rampart/core";
import { listServices, listTasks, updateTasks, type TaskChange, type TaskRecord } from "@rampart/db";
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
  /** How long nodes found Down at start get to come back (six heartbeat periods). */
  startupGraceMs: () => number,
) {
  const db = deps.store.prisma;
  const startedAt = deps.now().getTime();
  const lastState = new Map<string, NodeState>();
  let pending: Promise<void> = Promise.resolve();

  const live = (t: TaskRecord) => TASK_STATES[t.desiredState] <= TASK_STATES.running && TASK_STATES[t.state] <= TASK_STATES.running;

  /**
   * A drained node gives up its tasks (the orchestrators' restartTasksByNodeID, for
   * InvalidNode): each is told to stop, at once if it never reached the node, and its
   * slot is filled elsewhere.
   */
  async function evacuate(nodeId: string): Promise<TaskChange[]> {
    return (await listTasks(db, { nodeId })).filter(live).map((t) =>
      TASK_STATES[t.state] >= TASK_STATES.assigned
        ? { id: t.id, desiredState: "shutdown", message: DRAIN_MESSAGE }
        : { id: t.id, desiredState: "shutdown", state: "shutdown", message: DRAIN_MESSAGE },
    );
  }

  /** A removed node's tasks are orphaned, as a Down node's are, and replaced. */
  async function orphan(nodeId: string, err: string): Promise<TaskChange[]> {
    return planNodeDown(await listTasks(db, { nodeId })).map((change) => ({ ...change, err }));
  }

  /** The enforcer for one node (constraint_enforcer.go): active nodes only. */
  async function enforce(nodeId: string): Promise<TaskChange[]> {
    const node = nodes.constraintNodes().find((n) => n.id === nodeId);
    if (!node) return orphan(nodeId, "node was removed");
    if (node.availability === "drain") return evacuate(nodeId);
    if (node.availability !== "active") return [];
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

  /**
   * Handles every node changed since the last round: the enforcer for each, then one run
   * of the orchestrators and one scheduling request for all of them, so a burst of
   * joins or label edits costs one round, not one per node.
   */
  async function afterNodeChanges(nodeIds: readonly string[]): Promise<void> {
    const rejected: TaskChange[] = [];
    for (const nodeId of nodeIds) rejected.push(...(await enforce(nodeId)));
    if (rejected.length > 0) await deps.store.transaction((tx) => updateTasks(tx, rejected, deps.now()));
    await services.reconcileAll();
    tasksChanged();
    scheduler.request();
  }

  /**
   * Notices state changes from heartbeats. A node that just went Down has its live tasks
   * orphaned and replaced; a node that just became Ready is new room for pending tasks
   * and global services. A node already Down when this manager started is given six
   * heartbeat periods to come back first (Swarm's grace for nodes found at start). A
   * state is recorded only once handled, so a failed write is retried on the next check.
   * Returns how many nodes went Down.
   */
  async function checkDownNodes(): Promise<number> {
    let down = 0;
    let changed = false;
    const now = deps.now().getTime();
    for (const node of nodes.constraintNodes()) {
      const before = lastState.get(node.id);
      if (before === node.state) continue;
      if (before === undefined && node.state === "down" && now - startedAt < startupGraceMs()) continue;
      changed = true;
      if (node.state === "down") {
        down++;
        const changes = planNodeDown(await listTasks(db, { nodeId: node.id }));
        if (changes.length > 0) await deps.store.transaction((tx) => updateTasks(tx, changes, deps.now()));
      }
      lastState.set(node.id, node.state);
    }
    if (changed) {
      await services.reconcileAll();
      scheduler.request();
      tasksChanged();
    }
    return down;
  }

  const dirty = new Set<string>();
  async function drain(): Promise<void> {
    while (dirty.size > 0) {
      const batch = [...dirty];
      dirty.clear();
      try {
        await afterNodeChanges(batch);
      } catch (error) {
        deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, "node change handling failed");
      }
    }
  }

  nodes.onChange((nodeId) => {
    // One round at a time; changes that arrive meanwhile join the next round.
    const idle = dirty.size === 0;
    dirty.add(nodeId);
    if (idle) pending = pending.then(drain);
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
