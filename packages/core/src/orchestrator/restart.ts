import { DEFAULT_RESTART_POLICY, TASK_STATES, type RestartPolicy } from "../service/index.js";
import type { OrchestratorNewTask, OrchestratorNode, OrchestratorService, OrchestratorTask, TaskChange } from "./types.js";

/**
 * Swarm's restart supervisor (manager/orchestrator/restart), its decisions only: whether
 * a task that stopped is replaced under its restart policy, with what delay, and the
 * per-instance history that `--restart-max-attempts` and `--restart-window` count. The
 * timers that end a delay are the manager's; this holds no clock of its own.
 */

/** The policy a task runs under: its own spec's, else Swarm's defaults (orchestrator.RestartCondition). */
export function restartPolicyOf(task: Pick<OrchestratorTask, "spec">): RestartPolicy {
  return task.spec?.restartPolicy ?? DEFAULT_RESTART_POLICY;
}

/** How long a replaced task waits for its predecessor to stop before starting anyway (defaultOldTaskTimeout). */
export const OLD_TASK_TIMEOUT_MS = 60_000;

interface InstanceHistory {
  specVersion: number;
  totalRestarts: number;
  /** Creation times (ms) of the replacements inside the window; only kept when a window is set. */
  restartedAt: number[] | null;
}

/** A task's instance: its slot for a replicated service, its node for a global one (SlotTuple). */
function instanceKey(task: Pick<OrchestratorTask, "slot" | "nodeId">, global: boolean): string {
  return global ? `node:${task.nodeId ?? ""}` : `slot:${task.slot ?? 0}`;
}

const timestampOf = (t: Pick<OrchestratorTask, "updatedAt" | "createdAt">): number | undefined => (t.updatedAt ?? t.createdAt)?.getTime();

/**
 * Restart history per service and instance (the Supervisor's historyByService). Only
 * policies with a max-attempts count need it; anything else restarts without limit.
 */
export class RestartHistory {
  private readonly byService = new Map<string, Map<string, InstanceHistory>>();

  /**
   * shouldRestart: the condition first (`none` never, `on-failure` not after a clean
   * exit), then the attempts left in the window. Restarts recorded after the task's own
   * end do not count against it, and a history of an older spec version is ignored.
   */
  shouldRestart(task: OrchestratorTask, global: boolean): boolean {
    const policy = restartPolicyOf(task);
    if (policy.condition === "none") return false;
    if (policy.condition === "on-failure" && task.state === "complete") return false;
    if (policy.maxAttempts === 0) return true;
    const info = this.byService.get(task.serviceId)?.get(instanceKey(task, global));
    if (!info || task.specVersion !== info.specVersion) return true;
    if (policy.windowNs === 0) return info.totalRestarts < policy.maxAttempts;
    if (info.restartedAt === null) return true;
    const at = timestampOf(task);
    if (at === undefined) return info.totalRestarts < policy.maxAttempts;
    const lookback = at - policy.windowNs / 1e6;
    // Restarts before the window are forgotten for good; those after the task ended are not its own.
    while (info.restartedAt.length > 0 && info.restartedAt[0]! <= lookback) info.restartedAt.shift();
    let count = info.restartedAt.length;
    for (let i = info.restartedAt.length - 1; i >= 0 && info.restartedAt[i]! >= at; i--) count--;
    if (info.restartedAt.length === 0) info.restartedAt = null;
    return count < policy.maxAttempts;
  }

  /**
   * RecordRestartHistory: a replacement was made for an instance. A replacement of a
   * newer spec version starts the instance's history again.
   */
  record(replacement: { serviceId: string; slot: number | null; nodeId: string | null; specVersion: number; spec?: OrchestratorTask["spec"]; createdAt: Date }, global: boolean): void {
    const policy = restartPolicyOf(replacement);
    if (policy.maxAttempts === 0) return;
    let instances = this.byService.get(replacement.serviceId);
    if (!instances) this.byService.set(replacement.serviceId, (instances = new Map()));
    const key = instanceKey(replacement, global);
    let info = instances.get(key);
    if (!info || info.specVersion !== replacement.specVersion) {
      info = { specVersion: replacement.specVersion, totalRestarts: 0, restartedAt: null };
      instances.set(key, info);
    }
    info.totalRestarts++;
    if (policy.windowNs !== 0) (info.restartedAt ??= []).push(replacement.createdAt.getTime());
  }

  /**
   * Rebuilds the history from the store at start (taskinit.CheckTasks): in each
   * instance, every task of the newest spec version but the first made counts as a
   * restart.
   */
  rebuild(tasks: readonly OrchestratorTask[], isGlobal: (serviceId: string) => boolean | undefined): void {
    const instances = new Map<string, OrchestratorTask[]>();
    for (const t of tasks) {
      const global = isGlobal(t.serviceId);
      if (global === undefined) continue;
      const key = `${t.serviceId}\u0000${instanceKey(t, global)}`;
      const list = instances.get(key);
      if (list) list.push(t);
      else instances.set(key, [t]);
    }
    for (const list of instances.values()) {
      const newest = Math.max(...list.map((t) => t.specVersion));
      const upToDate = list.filter((t) => t.specVersion === newest).sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
      for (const t of upToDate.slice(1)) this.record({ ...t, createdAt: t.createdAt ?? new Date(0) }, isGlobal(t.serviceId)!);
    }
  }

  /** ClearServiceHistory: the service is gone. */
  clearService(serviceId: string): void {
    this.byService.delete(serviceId);
  }
}

/** What restarting one task does: stop it, and perhaps make its replacement. */
export interface RestartPlan {
  /** The stopped task's new desired state (SHUTDOWN). */
  update: TaskChange;
  /** The replacement, in the same slot (or on the same node for a global service), held at READY. */
  create: OrchestratorNewTask | null;
  /** How long the replacement waits before it may start. */
  delayMs: number;
  /** Whether it also waits for the stopped task to leave its node (at most OLD_TASK_TIMEOUT_MS). */
  waitStop: boolean;
}

/**
 * Restart: the task is told to stop (its desired state is the orchestrator's), and if
 * the policy allows, a replacement of the service's current spec is made, held at READY
 * until its delay has passed and the old task has stopped. No delay when the old task's
 * node is drained; no wait when the old task already ended or its node is down. Null
 * for a task that was already told to stop.
 */
export function planRestart(
  task: OrchestratorTask,
  service: OrchestratorService,
  node: Pick<OrchestratorNode, "availability" | "state"> | undefined,
  history: RestartHistory,
): RestartPlan | null {
  if (TASK_STATES[task.desiredState] > TASK_STATES.complete) return null;
  const global = service.spec.mode === "global";
  const update: TaskChange = { id: task.id, desiredState: "shutdown" };
  if (!history.shouldRestart(task, global)) return { update, create: null, delayMs: 0, waitStop: false };
  const create: OrchestratorNewTask = {
    serviceId: service.id,
    slot: global ? null : task.slot,
    nodeId: global ? task.nodeId : null,
    specVersion: service.specVersion,
    desiredState: "ready",
    state: "pending",
  };
  const delayMs = node?.availability === "drain" ? 0 : restartPolicyOf(task).delayNs / 1e6;
  const waitStop = !(node?.state === "down" || TASK_STATES[task.state] > TASK_STATES.running);
  return { update, create, delayMs, waitStop };
}
