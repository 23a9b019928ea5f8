import {
  MONITOR_FAILURES_MS,
  Scheduler,
  taskStatesBetween,
  toSchedulerTask,
  type SchedulerDecision,
  type TaskFailure,
} from "@rampart/core";
import { listServices, listTasksForScheduling, updateTasksChecked, type CheckedTaskChange, type ServiceRecord, type TaskRecord } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";
import type { ManagerBus } from "../events.js";
import type { NodeService } from "../nodes/index.js";

/** Swarm's debounce: wait 50 ms for more changes, but never more than a second. */
const DEBOUNCE_MS = 50;
const MAX_LATENCY_MS = 1000;
/** Changes per write: nodes hear of work while the rest is written, and no statement grows without bound. */
const COMMIT_BATCH = 10_000;

/** The tasks the scheduler tracks: PENDING through RUNNING. */
const TRACKED = taskStatesBetween("pending", "running");

/** What one pass decided, before it is written. */
export interface PassDecisions {
  decisions: SchedulerDecision[];
  changes: CheckedTaskChange[];
}

/**
 * Runs the core scheduler against the store: after changes (debounced as Swarm does),
 * it loads nodes, services and tracked tasks, asks the scheduler for decisions, and
 * writes them. Each write is conditional on the version of the task that was read, as
 * Swarm's store.UpdateTask is: a task stopped, removed or moved meanwhile keeps what
 * happened to it, and the pass that lost is run again on a fresh read. The faulty-node
 * memory (failures within five minutes) lives here, across passes, fed by the tasks
 * that end; it is lost on restart, as Swarm's is.
 */
export function createSchedulerLoop(deps: ManagerDeps, nodes: NodeService, bus: ManagerBus) {
  const db = deps.store.prisma;
  let timer: NodeJS.Timeout | undefined;
  let firstRequestAt = 0;
  let running: Promise<void> | undefined;
  let again = false;
  let failures: TaskFailure[] = [];
  let stopped = false;

  /**
   * Services, then tracked tasks. A task whose service is not among those read (gone, or
   * created since) comes with its own spec: it is placed, or holds its node, by that.
   */
  async function snapshot(): Promise<{ services: ServiceRecord[]; tasks: TaskRecord[] }> {
    const services = await listServices(db);
    const tasks = await listTasksForScheduling(db, TRACKED, services.map((s) => s.id));
    return { services, tasks };
  }

  function changesOf(decisions: readonly SchedulerDecision[], tasks: ReadonlyMap<string, TaskRecord>): CheckedTaskChange[] {
    const changes: CheckedTaskChange[] = [];
    for (const d of decisions) {
      const current = tasks.get(d.taskId);
      if (!current) continue;
      const version = current.version;
      if (d.outcome === "assigned") changes.push({ id: d.taskId, version, nodeId: d.nodeId, state: "assigned", message: d.message, err: null });
      else if (d.outcome === "pending" && current.err !== d.error) changes.push({ id: d.taskId, version, err: d.error });
      else if (d.outcome === "shutdown") changes.push({ id: d.taskId, version, state: "shutdown", err: null });
    }
    return changes;
  }

  /** Failures still inside the window: older ones no longer count against any node. */
  function recentFailures(now: number): TaskFailure[] {
    failures = failures.filter((f) => now - f.at < MONITOR_FAILURES_MS);
    return failures;
  }

  /** Reads the store and decides, without writing. */
  async function decide(): Promise<PassDecisions> {
    const { services, tasks } = await snapshot();
    const specs = new Map(services.map((s) => [s.id, s.spec]));
    const now = deps.now().getTime();
    const scheduler = new Scheduler({
      nodes: nodes.schedulerNodes(),
      tasks: tasks.map((t) => toSchedulerTask(t, specs.get(t.serviceId))),
      services: Object.fromEntries(services.map((s) => [s.id, s.specVersion])),
      failures: recentFailures(now),
      now,
    });
    const decisions = scheduler.schedule(now);
    return { decisions, changes: changesOf(decisions, new Map(tasks.map((t) => [t.id, t]))) };
  }

  /**
   * Writes what a pass decided, at most COMMIT_BATCH changes at a time, as Swarm's
   * applySchedulingDecisions writes through a store batch: nodes hear of each batch's
   * assignments as it is written. Every statement is atomic and every row is checked on
   * its own version, so no transaction spans a batch. Returns the ids of the decisions
   * that lost (their task changed).
   */
  async function commit({ changes }: PassDecisions): Promise<string[]> {
    const lost: string[] = [];
    for (let start = 0; start < changes.length; start += COMMIT_BATCH) {
      const batch = changes.slice(start, start + COMMIT_BATCH);
      // Each row's write is checked on its own, so a batch needs no transaction around it.
      const lostIds = new Set(await updateTasksChecked(db, batch, deps.now()));
      const assignedTo = new Set(batch.filter((c) => c.state === "assigned" && c.nodeId && !lostIds.has(c.id)).map((c) => c.nodeId!));
      if (assignedTo.size > 0) bus.emit("tasksAssigned", { nodeIds: assignedTo });
      lost.push(...lostIds);
    }
    // applySchedulingDecisions: a decision that lost goes back in the queue.
    if (lost.length > 0) request();
    return lost;
  }

  async function pass(): Promise<SchedulerDecision[]> {
    const decided = await decide();
    await commit(decided);
    return decided.decisions;
  }

  function run(): void {
    timer = undefined;
    firstRequestAt = 0;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .then(
        () => undefined,
        (error: unknown) => deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, "scheduling pass failed"),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          request();
        }
      });
  }

  function request(): void {
    if (stopped) return;
    const now = Date.now();
    if (firstRequestAt === 0) firstRequestAt = now;
    clearTimeout(timer);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, firstRequestAt + MAX_LATENCY_MS - now));
    timer = setTimeout(run, wait);
    timer.unref();
  }

  // A task that failed or was rejected on a node the scheduler chose counts against that
  // node for its service version (pre-assigned global tasks do not: the scheduler did
  // not choose their node).
  bus.on("taskEnded", (task) => {
    if ((task.state === "failed" || task.state === "rejected") && task.nodeId && task.slot !== null) {
      failures.push({ nodeId: task.nodeId, serviceId: task.serviceId, specVersion: task.specVersion, at: deps.now().getTime() });
    }
    request();
  });
  for (const event of ["tasksCreated", "servicesChanged", "nodeChanged", "tasksDeleted"] as const) bus.on(event, () => request());

  return {
    /** Asks for a pass soon (debounced). */
    request,
    /** Runs a pass now and waits for it (tests, and the first pass at start). */
    pass,
    /** A pass in two steps, so a test can change the store between the read and the write. */
    decide,
    commit,
    /** Failures that count against nodes now (tests and the UI). */
    failures: (): readonly TaskFailure[] => recentFailures(deps.now().getTime()),
    /** Waits for a pass in progress, if any. */
    async idle(): Promise<void> {
      clearTimeout(timer);
      if (timer !== undefined) run();
      while (running) await running;
    },
    /** No more passes until `resume` (shutdown, and tests that step passes by hand). */
    stop(): void {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
    resume(): void {
      stopped = false;
      request();
    },
  };
}

export type SchedulerLoop = ReturnType<typeof createSchedulerLoop>;
