import {
  OLD_TASK_TIMEOUT_MS,
  RestartHistory,
  TASK_STATES,
  newId,
  nodeMatches,
  parseConstraints,
  planRestart,
  restartPolicyOf,
  type RestartDecider,
  type TaskChange,
} from "@rampart/core";
import {
  createTasks,
  deleteTasks,
  getService,
  listServices,
  listTasks,
  lockServices,
  startDelayedTasks,
  updateTasks,
  type NewTask,
  type ServiceRecord,
  type TaskRecord,
} from "@rampart/db";
import type { ManagerDeps } from "../deps.js";
import type { ManagerBus } from "../events.js";
import type { NodeService } from "../nodes/index.js";

/** A replacement waiting to start. */
interface DelayedStart {
  /** The delay, then (if waiting for the old task) the old task's stop or its timeout. */
  timer: NodeJS.Timeout | undefined;
  /** The task it replaces, while it waits for that one to stop. */
  oldTaskId: string | null;
  oldEnded: boolean;
  delayPassed: boolean;
  /** When waiting for the old task gives up (OLD_TASK_TIMEOUT_MS after the restart). */
  deadline: number;
  /** The replacement itself stopped during its delay: restart it once the delay is over. */
  waiter: boolean;
}

/**
 * Swarm's restart supervisor (manager/orchestrator/restart) over the store. A task that
 * stopped while it should run (or whose node was drained, went down or was removed) is
 * told to stop for good, and, if its restart policy allows, replaced in its slot (on its
 * node, for a global service) by a task held at READY; the replacement may start
 * (desired RUNNING) once the policy's delay has passed and the old task has stopped, or
 * after a minute. The restart history that `--restart-max-attempts` counts is kept here
 * and rebuilt from the store at start, as Swarm rebuilds it.
 */
export function createRestartSupervisor(deps: ManagerDeps, nodes: NodeService, bus: ManagerBus) {
  const db = deps.store.prisma;
  const history = new RestartHistory();
  const delays = new Map<string, DelayedStart>();
  /** Old task → the replacement waiting for it to stop. */
  const waitingOn = new Map<string, string>();
  const queue = new Set<string>();
  let running: Promise<void> | undefined;
  let stopped = false;

  const warn = (what: string) => (error: unknown) =>
    deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, what);

  /** Whether a stopped task of this service would be restarted (for the orchestrators' slots). */
  function decider(service: Pick<ServiceRecord, "spec">): RestartDecider {
    const global = service.spec.mode === "global";
    return (task) => history.shouldRestart(task, global);
  }

  /** Restarts these tasks soon, one transaction for all that are queued meanwhile. */
  function restart(taskIds: Iterable<string>): void {
    for (const id of taskIds) queue.add(id);
    kick();
  }

  function kick(): void {
    if (running || stopped || queue.size === 0) return;
    running = tick()
      .catch(warn("restarting tasks failed"))
      .finally(() => {
        running = undefined;
        kick();
      });
  }

  async function tick(): Promise<void> {
    const ids = [...queue].filter((id) => {
      // Still in its own delay: restart it when the delay is over (Swarm's waitRestart).
      const delay = delays.get(id);
      if (delay) delay.waiter = true;
      return !delay;
    });
    queue.clear();
    if (ids.length > 0) await restartNow(ids);
  }

  async function restartNow(ids: readonly string[]): Promise<void> {
    const nodeById = new Map(nodes.constraintNodes().map((n) => [n.id, n]));
    const now = deps.now();
    const done = await deps.store.transaction(async (tx) => {
      const read = await listTasks(tx, { ids });
      await lockServices(tx, read.map((t) => t.serviceId));
      // Read again under the lock: an update or another restart may have come first.
      const tasks = await listTasks(tx, { ids, withSpec: true });
      const services = new Map<string, ServiceRecord>();
      for (const id of new Set(tasks.map((t) => t.serviceId))) {
        const service = await getService(tx, id);
        if (service) services.set(id, service);
      }
      const updates: TaskChange[] = [];
      const creates: NewTask[] = [];
      const starts: Array<{ old: TaskRecord; created: NewTask; delayMs: number; waitStop: boolean; global: boolean }> = [];
      for (const t of tasks) {
        if (TASK_STATES[t.desiredState] > TASK_STATES.running) continue;
        const service = services.get(t.serviceId);
        if (!service) continue;
        const node = t.nodeId ? nodeById.get(t.nodeId) : undefined;
        const global = service.spec.mode === "global";
        if (global) {
          // The global orchestrator stops tasks on nodes it no longer runs on.
          if (!node || node.availability === "drain" || node.state === "down") continue;
          if (node.availability === "pause" || !nodeMatches(parseConstraints(service.spec.constraints), node)) {
            updates.push({ id: t.id, desiredState: "shutdown" });
            continue;
          }
        }
        const plan = planRestart(t, service, node, history);
        if (!plan) continue;
        updates.push(plan.update);
        if (!plan.create) continue;
        const created: NewTask = { ...plan.create, id: newId(deps.random(17)), serviceName: service.name, spec: service.spec, at: now };
        creates.push(created);
        starts.push({ old: t, created, delayMs: plan.delayMs, waitStop: plan.waitStop, global });
      }
      await updateTasks(tx, updates, now);
      await createTasks(tx, creates);
      return { updates, creates, starts };
    });
    for (const s of done.starts) {
      history.record({ ...s.created, createdAt: s.created.at }, s.global);
      delayStart(s.old, s.created.id, s.delayMs, s.waitStop);
    }
    if (done.creates.length > 0) bus.emit("tasksCreated", { tasks: done.creates.map(({ serviceId, slot, nodeId }) => ({ serviceId, slot, nodeId })) });
    if (done.updates.length > 0) bus.emit("desiredStatesChanged", {});
  }

  /** DelayStart: the replacement starts after `delayMs`, and after the old task stopped if `waitStop`. */
  function delayStart(old: Pick<TaskRecord, "id" | "state"> | null, taskId: string, delayMs: number, waitStop: boolean): void {
    if (stopped) return;
    const waitForOld = waitStop && old !== null && TASK_STATES[old.state] <= TASK_STATES.running;
    const delay: DelayedStart = {
      timer: undefined,
      oldTaskId: waitForOld ? old.id : null,
      oldEnded: false,
      delayPassed: false,
      deadline: Date.now() + OLD_TASK_TIMEOUT_MS,
      waiter: false,
    };
    delays.set(taskId, delay);
    if (delay.oldTaskId) waitingOn.set(delay.oldTaskId, taskId);
    const afterDelay = () => {
      delay.delayPassed = true;
      if (delay.oldTaskId === null || delay.oldEnded) return void startNow(taskId);
      delay.timer = setTimeout(() => void startNow(taskId), Math.max(0, delay.deadline - Date.now()));
      delay.timer.unref();
    };
    if (delayMs > 0) {
      delay.timer = setTimeout(afterDelay, delayMs);
      delay.timer.unref();
    } else afterDelay();
  }

  function forget(taskId: string): DelayedStart | undefined {
    const delay = delays.get(taskId);
    if (!delay) return undefined;
    clearTimeout(delay.timer);
    delays.delete(taskId);
    if (delay.oldTaskId !== null) waitingOn.delete(delay.oldTaskId);
    return delay;
  }

  /** StartNow: the replacement may run (desired RUNNING), unless something else moved it meanwhile. */
  async function startNow(taskId: string): Promise<void> {
    const delay = forget(taskId);
    try {
      const started = await startDelayedTasks(db, [taskId], deps.now());
      if (started > 0) bus.emit("desiredStatesChanged", {});
    } catch (error) {
      warn("starting a restarted task failed")(error);
    }
    if (delay?.waiter) restart([taskId]);
  }

  bus.on("taskEnded", (task) => {
    const replacement = waitingOn.get(task.id);
    if (replacement) {
      const delay = delays.get(replacement)!;
      delay.oldEnded = true;
      if (delay.delayPassed) void startNow(replacement);
    }
    if (TASK_STATES[task.desiredState] <= TASK_STATES.running) restart([task.id]);
  });

  bus.on("tasksDeleted", ({ ids }) => {
    for (const id of ids) forget(id);
  });

  bus.on("servicesChanged", ({ serviceIds, removed }) => {
    if (removed) for (const id of serviceIds) history.clearService(id);
  });

  return {
    decider,
    restart,

    /**
     * taskinit.CheckTasks, at start: tasks of services that are gone are deleted (their
     * nodes stop them); the restart history is rebuilt; tasks that stopped while meant to
     * run, or sit on a drained or removed node, are restarted; replacements left at READY
     * start once what is left of their delay has passed.
     */
    async init(): Promise<void> {
      const [services, tasks] = await Promise.all([listServices(db), listTasks(db, { withSpec: true })]);
      const byId = new Map(services.map((s) => [s.id, s]));
      const gone = tasks.filter((t) => !byId.has(t.serviceId)).map((t) => t.id);
      if (gone.length > 0) {
        await deleteTasks(db, gone);
        bus.emit("tasksDeleted", { ids: gone });
      }
      const live = tasks.filter((t) => byId.has(t.serviceId));
      history.rebuild(live, (id) => byId.get(id)?.spec.mode === "global");
      const nodeById = new Map(nodes.constraintNodes().map((n) => [n.id, n]));
      const now = deps.now().getTime();
      const fix: string[] = [];
      for (const t of live) {
        if (TASK_STATES[t.desiredState] > TASK_STATES.running) continue;
        const node = t.nodeId ? nodeById.get(t.nodeId) : undefined;
        const invalidNode = t.nodeId !== null && (!node || node.availability === "drain");
        if (TASK_STATES[t.state] > TASK_STATES.running || invalidNode) fix.push(t.id);
        else if (t.desiredState === "ready" && TASK_STATES[t.state] <= TASK_STATES.complete) {
          const delayMs = restartPolicyOf(t).delayNs / 1e6;
          const left = Math.min(delayMs, t.updatedAt.getTime() + delayMs - now);
          delayStart(null, t.id, Math.max(0, left), true);
        }
      }
      restart(fix);
    },

    /** Waits until queued restarts are written (tests). */
    async settled(): Promise<void> {
      while (running) await running;
    },

    /** Replacements still waiting to start (tests and the UI). */
    delayed(): string[] {
      return [...delays.keys()];
    },

    stop(): void {
      stopped = true;
      for (const id of [...delays.keys()]) forget(id);
    },
  };
}

export type RestartSupervisor = ReturnType<typeof createRestartSupervisor>;
