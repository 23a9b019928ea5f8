import type { Constraint } from "../constraint/index.js";
import { TASK_STATES } from "../service/index.js";
import { groupTasks, updatableTasks, wanted, type RestartDecider } from "./slots.js";
import { taskStillFits, type TaskSpecChange } from "./spec-change.js";
import { emptyPlan, type OrchestratorNode, type OrchestratorService, type OrchestratorTask, type Plan } from "./types.js";

const isRunning = (slot: readonly OrchestratorTask[]) => slot.some((t) => t.state === "running");

/**
 * The order in which a scale-down keeps slots (replicated/services.go): running tasks
 * before others, lower slots first, then spread: the slot that is the n-th copy of the
 * service on its node sorts by n, so the nodes with the most copies give theirs up first.
 * Slots not on exactly one node sort last. (Go's sort here is not stable; this one is,
 * ties keeping the first order.)
 */
function keepOrder(slots: ReadonlyMap<number, OrchestratorTask[]>): OrchestratorTask[][] {
  const byState = [...slots.values()].sort((a, b) => {
    const ar = isRunning(a);
    if (ar !== isRunning(b)) return ar ? -1 : 1;
    return a[0]!.slot! - b[0]!.slot!;
  });
  const perNode = new Map<string, number>();
  const indexed = byState.map((slot) => {
    const only = slot.length === 1 ? slot[0]! : undefined;
    if (!only?.nodeId) return { slot, index: -1 };
    const index = (perNode.get(only.nodeId) ?? 0) + 1;
    perNode.set(only.nodeId, index);
    return { slot, index };
  });
  indexed.sort((a, b) => (a.index < 0) !== (b.index < 0) ? (a.index < 0 ? 1 : -1) : a.index - b.index);
  return indexed.map((i) => i.slot);
}

/**
 * Replicated services (replicated/services.go reconcile): one slot per replica. A slot is
 * held by its tasks meant to run, or by a stopped task that its restart policy will not
 * restart (such a slot is not refilled); a slot all of whose tasks stopped and would be
 * restarted is dead, and its tasks are deleted unless a new task takes the slot number.
 * Missing slots get a task each (lowest numbers first); surplus slots are told to go
 * (desired REMOVE: the task reaper deletes them once their node stopped them). Tasks of
 * an older spec version are kept and moved to the new version unless the change makes
 * them dirty (IsTaskDirty), then replaced in their slot. A task that stopped while meant
 * to run is left to the restart supervisor.
 */
export function planReplicated(
  service: OrchestratorService,
  tasks: readonly OrchestratorTask[],
  change: TaskSpecChange,
  constraints: readonly Constraint[],
  nodes: ReadonlyMap<string, OrchestratorNode>,
  shouldRestart: RestartDecider = () => true,
): Plan {
  const plan = emptyPlan();
  const bySlot = groupTasks(tasks, (t) => t.slot);
  const running = new Map<number, OrchestratorTask[]>();
  const dead = new Map<number, OrchestratorTask[]>();
  for (const [number, slot] of bySlot) {
    const updatable = updatableTasks(slot, shouldRestart);
    if (updatable.length > 0) running.set(number, updatable);
    else dead.set(number, slot);
  }
  const specified = service.spec.replicas;
  const add = (slot: number) =>
    plan.create.push({ serviceId: service.id, slot, nodeId: null, specVersion: service.specVersion, desiredState: "running", state: "pending" });

  /** The updater, all at once: each held slot brought to the current spec version. */
  const update = (slots: readonly OrchestratorTask[][]) => {
    for (const slot of slots) {
      const live = slot.filter(wanted);
      if (live.length === 0) continue;
      // One task per slot: extras (there should be none) are told to stop.
      const [keep, ...extra] = [...live].sort((a, b) => b.specVersion - a.specVersion);
      for (const t of extra) plan.update.push({ id: t.id, desiredState: "shutdown" });
      if (keep!.specVersion === service.specVersion) continue;
      const node = keep!.nodeId ? nodes.get(keep!.nodeId) : undefined;
      if (taskStillFits(keep!, service, change, node, constraints)) {
        plan.update.push({ id: keep!.id, specVersion: service.specVersion });
      } else {
        plan.update.push({ id: keep!.id, desiredState: "shutdown" });
        plan.replaced.push(keep!.id);
        add(keep!.slot!);
      }
    }
  };

  if (specified > running.size) {
    update([...running.values()]);
    let number = 0;
    for (let missing = specified - running.size; missing > 0; missing--) {
      do number++;
      while (running.has(number));
      dead.delete(number);
      add(number);
    }
  } else if (specified < running.size) {
    const ordered = keepOrder(running);
    update(ordered.slice(0, specified));
    for (const slot of ordered.slice(specified)) {
      for (const t of slot) if (TASK_STATES[t.desiredState] < TASK_STATES.remove) plan.update.push({ id: t.id, desiredState: "remove" });
    }
  } else {
    update([...running.values()]);
  }
  for (const slot of dead.values()) for (const t of slot) plan.remove.push(t.id);
  return plan;
}
