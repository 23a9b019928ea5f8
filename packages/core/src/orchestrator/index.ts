import type { SchedulerTask } from "../scheduler/index.js";
import { TASK_STATES, type ServiceSpec, type TaskState } from "../service/index.js";
import type { OrchestratorTask, TaskChange } from "./types.js";

/**
 * SwarmKit's orchestration, as pure functions over plain data: the replicated and global
 * orchestrators, the restart supervisor's decisions, the task reaper's and the
 * constraint enforcer's. The manager applies their plans to the store and the placement
 * planner to a sandbox, with the same rules. Timers, locks and the store are the
 * manager's.
 */
export * from "./types.js";
export { planReplicated } from "./replicated.js";
export { planGlobal, globalEligible } from "./global.js";
export { updatableTasks, wanted, byTimestamp, type RestartDecider } from "./slots.js";
export { sameSpec, taskSpecChange, taskStillFits, type TaskSpecChange } from "./spec-change.js";
export { RestartHistory, planRestart, restartPolicyOf, OLD_TASK_TIMEOUT_MS, type RestartPlan } from "./restart.js";
export { DEFAULT_TASK_HISTORY_LIMIT, historyLimit, reapNow, reapSlot } from "./reaper.js";
export { ENFORCER_ERROR, ENFORCER_MESSAGE, noncompliantTasks } from "./enforcer.js";

/** The error written on the tasks of a node that went Down. */
export const NODE_DOWN_ERROR = "node is down";

/**
 * A node went Down (or was removed): the tasks it holds, from ASSIGNED to RUNNING, are
 * marked orphaned at once, so their resources are freed and the restart supervisor
 * replaces those still meant to run. (Swarm keeps their state and orphans them after
 * 24 hours; the replacement happens at the same moment in both.)
 */
export function planNodeDown(tasks: readonly OrchestratorTask[], err: string = NODE_DOWN_ERROR): TaskChange[] {
  return tasks
    .filter((t) => TASK_STATES[t.state] >= TASK_STATES.assigned && TASK_STATES[t.state] <= TASK_STATES.running)
    .map((t) => ({ id: t.id, state: "orphaned" as TaskState, err }));
}

/**
 * The hand-over to the scheduler: a task with the placement-relevant parts of the spec
 * it runs, as the scheduler reads them. `spec` is its service's current spec, which is
 * what a task of the current version was made with (and a task kept across an update
 * differs from it only in placement, which the scheduler reads for pending tasks alone).
 * A task whose service is gone is read by the spec it carries, so it keeps holding its
 * reservations and ports until it stops; without either, it goes without a spec (the
 * scheduler then drops it if it cannot be placed).
 */
export function toSchedulerTask(task: OrchestratorTask, spec: ServiceSpec | undefined): SchedulerTask {
  const own = spec ?? task.spec;
  const hostPorts = (own?.ports ?? [])
    .filter((p) => p.publishMode === "host" && p.publishedPort !== 0)
    .map((p) => ({ protocol: p.protocol, port: p.publishedPort }));
  return {
    id: task.id,
    serviceId: task.serviceId,
    specVersion: task.specVersion,
    nodeId: task.nodeId ?? "",
    state: task.state,
    desiredState: task.desiredState,
    ...(task.err ? { error: task.err } : {}),
    ...(own
      ? {
          constraints: own.constraints,
          preferences: own.preferences,
          maxReplicas: own.maxReplicasPerNode,
          reservations: {
            nanoCpus: own.reservations.nanoCpus,
            memoryBytes: own.reservations.memoryBytes,
            ...(own.reservations.generic && Object.keys(own.reservations.generic).length > 0 ? { generic: own.reservations.generic } : {}),
          },
          ...(hostPorts.length > 0 ? { hostPorts } : {}),
        }
      : {}),
  };
}
