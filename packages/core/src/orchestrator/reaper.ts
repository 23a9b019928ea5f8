import { TASK_STATES } from "../service/index.js";
import { byTimestamp } from "./slots.js";
import type { OrchestratorService, OrchestratorTask } from "./types.js";

/** TaskHistoryRetentionLimit's default (api/defaults, and `docker swarm init`'s). */
export const DEFAULT_TASK_HISTORY_LIMIT = 5;

/**
 * Swarm's task reaper (manager/orchestrator/taskreaper), its decisions: which tasks of
 * one slot (one node's tasks, for a global service) to delete so the store keeps at most
 * `limit` per slot, however often a task fails. The reaper runs after tasks are created
 * and deletes the oldest ended tasks, and tasks that will never run.
 */

/** Whether a task has ended (its state is past RUNNING). */
const ended = (t: OrchestratorTask) => TASK_STATES[t.state] > TASK_STATES.running;
/** Whether a task will never run: not yet assigned, and told to stop. */
const willNeverRun = (t: OrchestratorTask) => TASK_STATES[t.state] < TASK_STATES.assigned && TASK_STATES[t.desiredState] > TASK_STATES.running;

/**
 * The history a slot keeps: the cluster's limit, or one more than the service's restart
 * attempts when it counts them (the history is what rebuilds the count at start).
 * Negative: keep everything.
 */
export function historyLimit(service: Pick<OrchestratorService, "spec">, clusterLimit: number): number {
  const attempts = service.spec.restartPolicy?.maxAttempts ?? 0;
  return attempts > 0 ? attempts + 1 : clusterLimit;
}

/**
 * The tasks of one slot to delete, oldest first, until `limit` remain: only tasks that
 * ended or will never run are deleted, so a slot with more live tasks keeps them.
 */
export function reapSlot(slot: readonly OrchestratorTask[], limit: number): string[] {
  if (limit < 0 || slot.length <= limit) return [];
  const doomed: string[] = [];
  let kept = slot.length;
  for (const t of [...slot].sort(byTimestamp)) {
    if (kept <= limit) break;
    if (ended(t) || willNeverRun(t)) {
      doomed.push(t.id);
      kept--;
    }
  }
  return doomed;
}

/**
 * A task that is deleted at once, whatever the history: one told to go for good (desired
 * REMOVE, after a scale-down or its service's removal) once its node stopped it, or
 * before it ever reached one.
 */
export function reapNow(t: OrchestratorTask): boolean {
  return t.desiredState === "remove" && (TASK_STATES[t.state] < TASK_STATES.assigned || TASK_STATES[t.state] >= TASK_STATES.complete);
}
