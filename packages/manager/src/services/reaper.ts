import { TASK_STATES, historyLimit, reapSlot, wanted } from "@rampart/core";
import { crowdedInstances, deleteRemovedTasks, deleteTasks, getServices, listTasks, type ServiceRecord, type TaskInstance } from "@rampart/db";
import type { ClusterService } from "../cluster/index.js";
import type { ManagerDeps } from "../deps.js";
import type { ManagerBus } from "../events.js";

/** Swarm's reaper batches its work: at most every 250 ms, or at once past 1,000 pending items. */
const BATCH_MS = 250;
const MAX_DIRTY = 1000;

const keyOf = (i: TaskInstance) => `${i.serviceId}\u0000${i.slot ?? ""}\u0000${i.slot === null ? (i.nodeId ?? "") : ""}`;

/**
 * Swarm's task reaper (manager/orchestrator/taskreaper) over the store. Each time a task
 * is made, its slot (its node, for a global service) is marked; marked slots are cut
 * back to the swarm's task history limit (`rampart swarm update --task-history-limit`,
 * default 5; one more than the restart attempts when a service counts them), oldest
 * ended tasks first, so the store stays bounded however often a task fails. Tasks told
 * to go for good (a scale-down, a removed service) are deleted once their node has
 * stopped them.
 */
export function createTaskReaper(deps: ManagerDeps, cluster: ClusterService, bus: ManagerBus) {
  const db = deps.store.prisma;
  const dirty = new Map<string, TaskInstance>();
  let cleanup = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  function schedule(): void {
    if (stopped) return;
    if (dirty.size > MAX_DIRTY) {
      clearTimeout(timer);
      timer = undefined;
      run();
      return;
    }
    if (timer || running) return;
    timer = setTimeout(run, BATCH_MS);
    timer.unref();
  }

  function run(): void {
    timer = undefined;
    if (running) return;
    running = tick()
      .catch((error: unknown) => deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, "task reaping failed"))
      .finally(() => {
        running = undefined;
        if (dirty.size > 0 || cleanup) schedule();
      });
  }

  async function tick(): Promise<void> {
    const deleted: string[] = [];
    if (cleanup) {
      cleanup = false;
      deleted.push(...(await deleteRemovedTasks(db)));
    }
    const marked = [...dirty.values()];
    dirty.clear();
    // One read for every marked service: a burst of 100,000 new tasks is one query, not 100,000.
    const services = new Map<string, ServiceRecord>((await getServices(db, marked.map((i) => i.serviceId))).map((s) => [s.id, s]));
    const clusterLimit = cluster.current().record.taskHistoryLimit;
    const limits = new Map([...services.values()].map((s) => [s.id, historyLimit(s, clusterLimit)]));
    const counted = [...limits].filter(([, limit]) => limit >= 0).map(([id]) => id);
    const marks = new Set(marked.map(keyOf));
    const doomed: string[] = [];
    const crowded = counted.length === 0 ? [] : await crowdedInstances(db, counted, Math.min(...counted.map((id) => limits.get(id)!)));
    for (const instance of crowded) {
      const limit = limits.get(instance.serviceId)!;
      if (instance.tasks <= limit || !marks.has(keyOf(instance))) continue;
      const tasks = await listTasks(db, instance.slot !== null ? { serviceId: instance.serviceId, slot: instance.slot } : { serviceId: instance.serviceId, nodeId: instance.nodeId! });
      doomed.push(...reapSlot(tasks, limit));
      // A slot with more than one task still running is looked at again later (Swarm keeps it dirty).
      if (tasks.filter((t) => wanted(t) && TASK_STATES[t.state] <= TASK_STATES.running).length > 1) dirty.set(keyOf(instance), instance);
    }
    await deleteTasks(db, doomed);
    deleted.push(...doomed);
    if (deleted.length > 0) bus.emit("tasksDeleted", { ids: deleted });
  }

  bus.on("tasksCreated", ({ tasks }) => {
    for (const t of tasks) dirty.set(keyOf(t), t);
    schedule();
  });
  bus.on("taskEnded", (task) => {
    if (task.desiredState === "remove") {
      cleanup = true;
      schedule();
    }
  });
  bus.on("desiredStatesChanged", () => {
    cleanup = true;
    schedule();
  });

  return {
    /** At start: whatever was told to go for good and has stopped is deleted now. */
    init(): void {
      cleanup = true;
      run();
    },
    /** Waits until marked slots and clean-ups are done (tests). */
    async settled(): Promise<void> {
      for (;;) {
        if (timer) {
          clearTimeout(timer);
          run();
        }
        if (!running) return;
        await running;
      }
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type TaskReaper = ReturnType<typeof createTaskReaper>;
