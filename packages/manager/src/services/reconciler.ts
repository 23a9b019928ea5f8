import { ENFORCER_ERROR, ENFORCER_MESSAGE, NODE_DOWN_ERROR, TASK_STATES, noncompliantTasks, type OrchestratorNode } from "@rampart/core";
import { listServices, listTasks, orphanNodeTasks, rejectTasks, type EndedTask } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";
import type { ManagerBus } from "../events.js";
import type { NodeService } from "../nodes/index.js";
import type { ServiceService } from "./index.js";
import type { RestartSupervisor } from "./restarts.js";

export { ENFORCER_ERROR, ENFORCER_MESSAGE } from "@rampart/core";

/** The error written on the tasks of a removed node. */
export const NODE_REMOVED_ERROR = "node was removed";

/**
 * What follows a node change, as SwarmKit's components react to node events:
 * - the constraint enforcer, on an active node: tasks that no longer fit its constraints
 *   or its resources are REJECTED (the restart supervisor then replaces them);
 * - a drained node's replicated tasks are restarted elsewhere (restartTasksByNodeID);
 * - a removed node's tasks are orphaned, and so restarted;
 * - the global orchestrator follows the nodes it may run on.
 * A periodic check notices nodes that went Down (their tasks are orphaned and so
 * restarted) or came back.
 */
export function createReconciler(
  deps: ManagerDeps,
  nodes: NodeService,
  services: ServiceService,
  restarts: RestartSupervisor,
  bus: ManagerBus,
  /** How long nodes found Down at start get to come back (six heartbeat periods). */
  startupGraceMs: () => number,
) {
  const db = deps.store.prisma;
  const startedAt = deps.now().getTime();
  const lastState = new Map<string, OrchestratorNode["state"]>();
  let pending: Promise<void> = Promise.resolve();

  const ended = (tasks: readonly EndedTask[]) => {
    for (const task of tasks) bus.emit("taskEnded", task);
  };

  /** The enforcer for one active node (constraint_enforcer.go rejectNoncompliantTasks). */
  async function enforce(nodeId: string): Promise<void> {
    const node = nodes.constraintNodes().find((n) => n.id === nodeId);
    if (!node || node.availability !== "active") return;
    const [tasks, all] = await Promise.all([listTasks(db, { nodeId, withSpec: true }), listServices(db)]);
    const specs = new Map(all.map((s) => [s.id, s.spec]));
    const rejected = noncompliantTasks(node, tasks, (id) => specs.get(id));
    ended(await rejectTasks(db, rejected, ENFORCER_MESSAGE, ENFORCER_ERROR, deps.now()));
  }

  /** One node's change: removal, drain, or the enforcer. */
  async function nodeChanged(nodeId: string): Promise<void> {
    const node = nodes.constraintNodes().find((n) => n.id === nodeId);
    if (!node) return ended(await orphanNodeTasks(db, nodeId, NODE_REMOVED_ERROR, deps.now()));
    if (node.availability === "drain") {
      const tasks = await listTasks(db, { nodeId });
      const replicated = new Set((await listServices(db)).filter((s) => s.spec.mode === "replicated").map((s) => s.id));
      return restarts.restart(tasks.filter((t) => TASK_STATES[t.desiredState] <= TASK_STATES.running && replicated.has(t.serviceId)).map((t) => t.id));
    }
    await enforce(nodeId);
  }

  /** Handles every node changed since the last round, then the global services once for all of them. */
  async function afterNodeChanges(nodeIds: readonly string[]): Promise<void> {
    for (const nodeId of nodeIds) await nodeChanged(nodeId);
    await services.reconcileServices((s) => s.spec.mode === "global");
  }

  /**
   * Notices state changes from heartbeats. A node that just went Down has its tasks
   * orphaned (and so restarted); a node that just became Ready is new room for pending
   * tasks and global services. A node already Down when this manager started is given
   * six heartbeat periods to come back first (Swarm's grace for nodes found at start).
   * A state is recorded only once handled, so a failed write is retried on the next
   * check. Returns how many nodes went Down.
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
        ended(await orphanNodeTasks(db, node.id, NODE_DOWN_ERROR, deps.now()));
      }
      lastState.set(node.id, node.state);
      bus.emit("nodeChanged", { nodeId: node.id });
    }
    if (changed) await services.reconcileServices((s) => s.spec.mode === "global");
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

  function queue(nodeIds: Iterable<string>): void {
    // One round at a time; changes that arrive meanwhile join the next round.
    const idle = dirty.size === 0;
    for (const id of nodeIds) dirty.add(id);
    if (idle && dirty.size > 0) pending = pending.then(drain);
  }

  nodes.onChange((nodeId) => {
    bus.emit("nodeChanged", { nodeId });
    queue([nodeId]);
  });

  return {
    checkDownNodes,
    /** At start, the enforcer sweeps every node once (constraint_enforcer.go Run). */
    init(): void {
      queue(nodes.constraintNodes().map((n) => n.id));
    },
    /** Waits until every queued node change has been handled (tests). */
    async settled(): Promise<void> {
      await pending.catch(() => undefined);
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
