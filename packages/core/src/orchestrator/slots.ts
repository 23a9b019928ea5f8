import { TASK_STATES } from "../service/index.js";
import type { OrchestratorTask } from "./types.js";

/** Whether a task is still meant to run (desired state at most RUNNING), whatever it is doing now. */
export const wanted = (t: Pick<OrchestratorTask, "desiredState">) => TASK_STATES[t.desiredState] <= TASK_STATES.running;

/** Decides whether a stopped task would be restarted (RestartHistory.shouldRestart for one service). */
export type RestartDecider = (task: OrchestratorTask) => boolean;

/** TasksByTimestamp: by status time; a task without one sorts first. */
export function byTimestamp(a: OrchestratorTask, b: OrchestratorTask): number {
  const at = (a.updatedAt ?? a.createdAt)?.getTime() ?? -Infinity;
  const bt = (b.updatedAt ?? b.createdAt)?.getTime() ?? -Infinity;
  return at === bt ? 0 : at < bt ? -1 : 1;
}

/**
 * UpdatableTasksInSlot: the tasks of one slot (or one node, for a global service) that
 * hold it. Those meant to run; failing that, the newest task when its restart policy
 * says it stays stopped (the slot is taken by a task that will not come back, so it is
 * not refilled). An empty result means the slot is dead: every task in it stopped and
 * would be restarted, so it may be refilled and its history dropped.
 */
export function updatableTasks(slot: readonly OrchestratorTask[], shouldRestart: RestartDecider): OrchestratorTask[] {
  if (slot.length === 0) return [];
  const updatable = slot.filter(wanted);
  if (updatable.length > 0) return updatable;
  let newest = slot[0]!;
  for (const t of slot) if (byTimestamp(newest, t) < 0) newest = t;
  return shouldRestart(newest) ? [] : [newest];
}

/** Tasks grouped by a key (a slot number, a node), skipping those without one. */
export function groupTasks<K>(tasks: readonly OrchestratorTask[], keyOf: (t: OrchestratorTask) => K | null): Map<K, OrchestratorTask[]> {
  const groups = new Map<K, OrchestratorTask[]>();
  for (const t of tasks) {
    const key = keyOf(t);
    if (key === null) continue;
    const group = groups.get(key);
    if (group) group.push(t);
    else groups.set(key, [t]);
  }
  return groups;
}
