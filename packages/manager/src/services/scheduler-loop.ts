import { Scheduler, taskStatesBetween, toSchedulerTask, type SchedulerDecision, type SchedulerNode } from "@rampart/core";
import { listServices, listTasks, updateTasks, type ServiceRecord, type TaskChange, type TaskRecord } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";
import type { NodeService } from "../nodes/index.js";

/** Swarm's debounce: wait 50 ms for more changes, but never more than a second. */
const DEBOUNCE_MS = 50;
const MAX_LATENCY_MS = 1000;

/** The tasks the scheduler tracks: PENDING through RUNNING. */
const TRACKED = taskStatesBetween("pending", "running");

/**
 * Runs the core scheduler against the store: after changes (debounced as Swarm does),
 * it loads nodes, services and tracked tasks, asks the scheduler for decisions, and
 * writes them. Each pass starts from the store, so a restart loses nothing but the
 * faulty-node memory (failures within the last five minutes).
 */
export function createSchedulerLoop(deps: ManagerDeps, nodes: NodeService, onAssigned: (nodeIds: ReadonlySet<string>) => void) {
  const db = deps.store.prisma;
  let timer: NodeJS.Timeout | undefined;
  let firstRequestAt = 0;
  let running: Promise<void> | undefined;
  let again = false;

  async function snapshot(): Promise<{ services: ServiceRecord[]; tasks: TaskRecord[]; nodes: SchedulerNode[] }> {
    const [services, tasks] = await Promise.all([listServices(db), listTasks(db, { states: TRACKED })]);
    return { services, tasks, nodes: nodes.schedulerNodes() };
  }

  function changesOf(decisions: readonly SchedulerDecision[], tasks: ReadonlyMap<string, TaskRecord>): TaskChange[] {
    const changes: TaskChange[] = [];
    for (const d of decisions) {
      const current = tasks.get(d.taskId);
      if (!current) continue;
      if (d.outcome === "assigned") changes.push({ id: d.taskId, nodeId: d.nodeId, state: "assigned", message: d.message, err: null });
      else if (d.outcome === "pending" && current.err !== d.error) changes.push({ id: d.taskId, err: d.error });
      else if (d.outcome === "shutdown") changes.push({ id: d.taskId, state: "shutdown", err: null });
    }
    return changes;
  }

  async function pass(): Promise<SchedulerDecision[]> {
    const { services, tasks, nodes: schedulerNodes } = await snapshot();
    const specs = new Map(services.map((s) => [s.id, s.spec]));
    const now = deps.now().getTime();
    const scheduler = new Scheduler({
      nodes: schedulerNodes,
      tasks: tasks.map((t) => toSchedulerTask(t, specs.get(t.serviceId))),
      services: Object.fromEntries(services.map((s) => [s.id, s.specVersion])),
      now,
    });
    const decisions = scheduler.schedule(now);
    const changes = changesOf(decisions, new Map(tasks.map((t) => [t.id, t])));
    if (changes.length > 0) {
      await deps.store.transaction((tx) => updateTasks(tx, changes, deps.now()));
      const assignedTo = new Set(changes.filter((c) => c.state === "assigned" && c.nodeId).map((c) => c.nodeId!));
      if (assignedTo.size > 0) onAssigned(assignedTo);
    }
    return decisions;
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
    const now = Date.now();
    if (firstRequestAt === 0) firstRequestAt = now;
    clearTimeout(timer);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, firstRequestAt + MAX_LATENCY_MS - now));
    timer = setTimeout(run, wait);
    timer.unref();
  }

  return {
    /** Asks for a pass soon (debounced). */
    request,
    /** Runs a pass now and waits for it (tests, and the first pass at start). */
    pass,
    /** Waits for a pass in progress, if any. */
    async idle(): Promise<void> {
      clearTimeout(timer);
      if (timer !== undefined) run();
      while (running) await running;
    },
    stop(): void {
      clearTimeout(timer);
    },
  };
}

export type SchedulerLoop = ReturnType<typeof createSchedulerLoop>;
