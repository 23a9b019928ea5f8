import { nodeMatches, type Constraint } from "../constraint/index.js";
import {
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
  for (const t of liveTasks) {
    const task = orchestratorTask(t);
    const service = plannedById.get(t.serviceId);
    if (!service) {
      unowned.push(task);
      continue;
    }
    if (displaced(task, byId, updated, service.constraints)) continue;
    const tasks = tasksByService.get(t.serviceId);
    if (tasks) tasks.push(task);
    else tasksByService.set(t.serviceId, [task]);
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
  return { outcomes: outcomesOf(scheduler, all, services, replaced), scheduler };
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
 * Whether the task loses its node in the sandbox, and with it its slot's claim there, as
 * the manager's reconciler decides it: a task on a node that is removed, down (orphaned,
 * planNodeDown) or drained (restarted elsewhere) moves, whichever node the sandbox
 * touched; on a node the sandbox updates, the constraint enforcer rejects a task that
 * reached the node (ASSIGNED or later) if the node is active and no longer meets the
 * service's constraints. A paused node keeps its tasks whatever its labels say.
 */
function displaced(
  task: OrchestratorTask,
  nodes: ReadonlyMap<string, OrchestratorNode>,
  updated: ReadonlySet<string>,
  constraints: readonly Constraint[],
): boolean {
  if (task.nodeId === null) return false;
  const node = nodes.get(task.nodeId);
  if (!node || node.state === "down" || node.availability === "drain") return true;
  if (!updated.has(node.id) || node.availability !== "active") return false;
  return TASK_STATES[task.state] >= TASK_STATES.assigned && !nodeMatches(constraints, node);
}

function orchestrate(service: PlannedService, tasks: readonly OrchestratorTask[], nodes: ReadonlyMap<string, OrchestratorNode>): Plan {
  const record = { id: service.id, specVersion: service.specVersion, spec: service.spec };
  return service.spec.mode === "global"
    ? planGlobal(record, tasks, service.change, service.constraints, nodes)
    : planReplicated(record, tasks, service.change, service.constraints, nodes);
}

/** The orchestrator's plan applied to the sandbox: stopped tasks go, kept ones move to the new version, new ones get sandbox ids. */
function applyPlan(tasks: readonly OrchestratorTask[], plan: Plan, ids: SandboxIds): OrchestratorTask[] {
  const stopped = new Set<string>();
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
): Map<string, ServiceOutcome> {
  const outcomes = new Map<string, ServiceOutcome>(
    services.map((s) => [s.id, { placed: new Map(), pending: 0, pendingReason: null, replaced: replaced.get(s.id) ?? 0 }]),
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
