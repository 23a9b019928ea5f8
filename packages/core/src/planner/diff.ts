import { TASK_STATES } from "../service/index.js";
import type { ServiceOutcome } from "./simulate.js";
import type { PlannerTask, ServiceDiff } from "./types.js";

/** One service today: tasks per node that a node has taken (ASSIGNED..RUNNING), and tasks waiting. */
export interface ServiceToday {
  placed: Map<string, number>;
  /** PENDING tasks, unassigned or pre-assigned alike: neither holds a node yet. */
  pending: number;
}

/**
 * Today's tasks per service. A pre-assigned task is still pending: its node is the
 * orchestrator's choice, not yet the scheduler's, so it counts as waiting, not placed.
 */
export function countsToday(tasks: readonly PlannerTask[]): Map<string, ServiceToday> {
  const counts = new Map<string, ServiceToday>();
  for (const t of tasks) {
    let today = counts.get(t.serviceId);
    if (!today) counts.set(t.serviceId, (today = { placed: new Map(), pending: 0 }));
    const state = TASK_STATES[t.state];
    if (state < TASK_STATES.assigned) today.pending++;
    else if (state <= TASK_STATES.running && t.nodeId !== "") today.placed.set(t.nodeId, (today.placed.get(t.nodeId) ?? 0) + 1);
  }
  return counts;
}

const NOTHING_TODAY: ServiceToday = { placed: new Map(), pending: 0 };
const NOTHING_PLACED: ServiceOutcome = { placed: new Map(), pending: 0, pendingReason: null, replaced: 0, notRestarted: 0 };

/** One service's now and then; a service the simulation did not run (its spec was refused) has nothing after. */
export function serviceDiff(
  serviceId: string | null,
  name: string,
  today: ServiceToday = NOTHING_TODAY,
  outcome: ServiceOutcome = NOTHING_PLACED,
): ServiceDiff {
  let moved = 0;
  for (const [nodeId, n] of today.placed) moved += Math.max(0, n - (outcome.placed.get(nodeId) ?? 0));
  return {
    serviceId,
    name,
    before: Object.fromEntries(today.placed),
    after: Object.fromEntries(outcome.placed),
    moved,
    pending: outcome.pending,
    pendingReason: outcome.pendingReason,
    ...(outcome.replaced > 0 ? { replaced: outcome.replaced } : {}),
    ...(outcome.notRestarted > 0 ? { notRestarted: outcome.notRestarted } : {}),
  };
}

/**
 * Whether a service belongs in the list of changes: its tasks per node differ from
 * today's, or a different number of them wait for a node. Tasks that wait today and
 * still wait in the plan are no change. Read from the counts, so only listed services
 * are turned into diffs.
 */
export function placementChanged(today: ServiceToday = NOTHING_TODAY, outcome: ServiceOutcome = NOTHING_PLACED): boolean {
  if (outcome.pending !== today.pending || today.placed.size !== outcome.placed.size) return true;
  for (const [nodeId, n] of today.placed) if (outcome.placed.get(nodeId) !== n) return true;
  return false;
}
