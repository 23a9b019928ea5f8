import type { Constraint } from "../constraint/index.js";
import {
  noncompliantTasks,
  planGlobal,
  planReplicated,
  toSchedulerTask,
  type OrchestratorNode,
  type OrchestratorTask,
  type Plan,
  type TaskSpecChange,
} from "../orchestrator/index.js";
import { Scheduler } from "../scheduler/index.js";
import { TASK_STATES, type ServiceSpec } from "../service/index.js";
import { orchestratorNode, type SandboxIds } from "./sandbox.js";
import type { PlannerNode, PlannerTask } from "./types.js";

/**
 * What Rampart's manager would do with the sandbox, step by step as it does it: the
 * constraint enforcer takes tasks off nodes that no longer fit, the orchestrators bring
 * every service back to its spec, and one scheduler pass places what they created.
 *
 * The result is the settled state: tasks told to stop are taken as gone (in the real
 * cluster they hold their node until its agent stops them, so the first pass may find
 * less room than the plan shows, and later passes catch up).
 */

/** A service as the simulation runs it: its planned spec and how it differs from today's. */
export interface PlannedService {
  /** The service's id, or a sandbox id for a draft. */
  id: string;
  specVersion: number;
  spec: ServiceSpec;
  constraints: readonly Constraint[];
  /** How the spec differs from the one before it, which decides the tasks it replaces. */
  change: TaskSpecChange;
}

/** Where a service's tasks ended up. */
export interface ServiceOutcome {
  /** Placed tasks per node id. */
  placed: Map<string, number>;
  pending: number;
  /** The scheduler's error for the pending tasks (the first met), or null. */
  pendingReason: string | null;
  /** Today's tasks its orchestrator replaced because the spec they run changed. */
  replaced: number;
  /** Today's tasks that lost their node and that the restart policy does not replace. */
  notRestarted: number;
}

export interface Simulation {
  outcomes: Map<string, ServiceOutcome>;
  /** The scheduler after its pass, holding every placed task: the why-not matrix asks it. */
  scheduler: Scheduler;
}

/**
 * Runs the sandbox. `updated` holds the nodes the sandbox changes: as in the manager,
 * only a node update sets off the constraint enforcer for that node's tasks; tasks on
 * other nodes met their constraints when last checked, and a service whose spec changes
 * is handled by its orchestrator.
 */
export function simulate(
  nodes: readonly PlannerNode[],
  updated: ReadonlySet<string>,
  liveTasks: readonly PlannerTask[],
  services: readonly PlannedService[],
  ids: SandboxIds,
): Simulation {
  const byId = new Map(nodes.map((n) => [n.id, orchestratorNode(n)]));
  const plannedById = new Map(services.map((s) => [s.id, s]));
  const tasksByService = new Map<string, OrchestratorTask[]>();
  const unowned: OrchestratorTask[] = [];
  const notRestarted = new Map<string, number>();
  const live = liveTasks.map(orchestratorTask);
  const displaced = displacedTasks(live, byId, updated, (id) => plannedById.get(id)?.spec);
  for (let task of live) {
    const service = plannedById.get(task.serviceId);
    if (!service) {
      unowned.push(task);
      continue;
    }
    if (displaced.has(task.id)) {
      // The restart supervisor replaces it, unless its policy says never: then its slot
      // is held by the stopped task and stays empty.
      if (restarts(service.spec)) continue;
      task = { ...task, state: "rejected", desiredState: "shutdown" };
      notRestarted.set(service.id, (notRestarted.get(service.id) ?? 0) + 1);
    }
    const tasks = tasksByService.get(task.serviceId);
    if (tasks) tasks.push(task);
    else tasksByService.set(task.serviceId, [task]);
  }
  const all: OrchestratorTask[] = [...unowned];
  const replaced = new Map<string, number>();
  for (const service of services) {
    const tasks = tasksByService.get(service.id) ?? [];
    const plan = orchestrate(service, tasks, byId);
    replaced.set(service.id, plan.replaced.length);
    all.push(...applyPlan(tasks, plan, ids));
  }
  const scheduler = new Scheduler({
    nodes,
    tasks: all.map((t) => toSchedulerTask(t, plannedById.get(t.serviceId)?.spec)),
    services: Object.fromEntries(services.map((s) => [s.id, s.specVersion])),
  });
  scheduler.schedule(0);
  return { outcomes: outcomesOf(scheduler, all, services, replaced, notRestarted), scheduler };
}

/**
 * Whether a task that loses its node comes back elsewhere. Such a task had not ended
 * (it was assigned or running), so `on-failure` restarts it as `any` does; the count of
 * attempts is history the planner does not have, so only `none` stops it.
 */
function restarts(spec: ServiceSpec): boolean {
  return spec.restartPolicy?.condition !== "none";
}

/** The planner's tasks are live by definition: desired running, somewhere in PENDING…RUNNING. */
function orchestratorTask(t: PlannerTask): OrchestratorTask {
  return {
    id: t.id,
    serviceId: t.serviceId,
    slot: t.slot,
    nodeId: t.nodeId === "" ? null : t.nodeId,
    specVersion: t.specVersion,
    state: t.state,
    desiredState: "running",
  };
}

/**
 * The tasks that lose their node in the sandbox, as the manager's reconciler decides it:
 * every task on a node that is removed, down (orphaned) or drained (restarted
 * elsewhere), whichever node the sandbox touched; and on each node the sandbox updates,
 * the constraint enforcer's verdict (core's noncompliantTasks, as the manager runs it:
 * an active node's tasks that no longer meet their service's constraints or its
 * resources). A paused node keeps its tasks whatever its labels say.
 */
function displacedTasks(
  tasks: readonly OrchestratorTask[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
  updated: ReadonlySet<string>,
  specOf: (serviceId: string) => ServiceSpec | undefined,
): Set<string> {
  const displaced = new Set<string>();
  const onUpdated = new Map<string, OrchestratorTask[]>();
  for (const t of tasks) {
    if (t.nodeId === null) continue;
    const node = nodes.get(t.nodeId);
    if (!node || node.state === "down" || node.availability === "drain") displaced.add(t.id);
    else if (updated.has(node.id)) (onUpdated.get(node.id) ?? onUpdated.set(node.id, []).get(node.id)!).push(t);
  }
  for (const [nodeId, onNode] of onUpdated) for (const id of noncompliantTasks(nodes.get(nodeId)!, onNode, specOf)) displaced.add(id);
  return displaced;
}

function orchestrate(service: PlannedService, tasks: readonly OrchestratorTask[], nodes: ReadonlyMap<string, OrchestratorNode>): Plan {
  const record = { id: service.id, specVersion: service.specVersion, spec: service.spec };
  const shouldRestart = () => restarts(service.spec);
  return service.spec.mode === "global"
    ? planGlobal(record, tasks, service.change, service.constraints, nodes, shouldRestart)
    : planReplicated(record, tasks, service.change, service.constraints, nodes, shouldRestart);
}

/**
 * The orchestrator's plan applied to the sandbox: stopped and deleted tasks go (a task
 * that had already stopped holds its slot in the plan, not a place on a node), kept
 * ones move to the new version, new ones get sandbox ids.
 */
function applyPlan(tasks: readonly OrchestratorTask[], plan: Plan, ids: SandboxIds): OrchestratorTask[] {
  const stopped = new Set<string>(plan.remove);
  for (const t of tasks) if (TASK_STATES[t.desiredState] > TASK_STATES.running) stopped.add(t.id);
  const versions = new Map<string, number>();
  for (const change of plan.update) {
    if (change.desiredState !== undefined && TASK_STATES[change.desiredState] > TASK_STATES.running) stopped.add(change.id);
    else if (change.specVersion !== undefined) versions.set(change.id, change.specVersion);
  }
  const result: OrchestratorTask[] = [];
  for (const t of tasks) {
    if (stopped.has(t.id)) continue;
    const version = versions.get(t.id);
    result.push(version === undefined ? t : { ...t, specVersion: version });
  }
  for (const created of plan.create) result.push({ ...created, id: ids.next() });
  return result;
}

/**
 * Reads the tasks back: a task past PENDING stays where it is (the scheduler never
 * moves one), a pending one is asked for: placed on a node, still pending with the
 * scheduler's error, or dropped (not counted).
 */
function outcomesOf(
  scheduler: Scheduler,
  tasks: readonly OrchestratorTask[],
  services: readonly PlannedService[],
  replaced: ReadonlyMap<string, number>,
  notRestarted: ReadonlyMap<string, number>,
): Map<string, ServiceOutcome> {
  const outcomes = new Map<string, ServiceOutcome>(
    services.map((s) => [
      s.id,
      { placed: new Map(), pending: 0, pendingReason: null, replaced: replaced.get(s.id) ?? 0, notRestarted: notRestarted.get(s.id) ?? 0 },
    ]),
  );
  const place = (outcome: ServiceOutcome, nodeId: string) => outcome.placed.set(nodeId, (outcome.placed.get(nodeId) ?? 0) + 1);
  for (const t of tasks) {
    const outcome = outcomes.get(t.serviceId);
    if (!outcome) continue;
    if (t.state !== "pending" && t.nodeId !== null) {
      place(outcome, t.nodeId);
      continue;
    }
    const status = scheduler.taskStatus(t.id);
    if (!status) continue;
    if (status.state !== "pending") place(outcome, status.nodeId);
    else {
      outcome.pending++;
      outcome.pendingReason ??= status.error || null;
    }
  }
  return outcomes;
}
