import type { ServiceOutcome } from "./simulate.js";
import type { PlannerTask, ServiceDiff } from "./types.js";

/** Today's tasks per node, per service: every task that has a node, pre-assigned ones included. */
export function countsToday(tasks: readonly PlannerTask[]): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const t of tasks) {
    if (t.nodeId === "") continue;
    const perNode = counts.get(t.serviceId) ?? counts.set(t.serviceId, new Map()).get(t.serviceId)!;
    perNode.set(t.nodeId, (perNode.get(t.nodeId) ?? 0) + 1);
  }
  return counts;
}

const NO_TASKS: ReadonlyMap<string, number> = new Map();
const NOTHING_PLACED: ServiceOutcome = { placed: new Map(), pending: 0, pendingReason: null };

/** One service's now and then; a service the simulation did not run (its spec was refused) has nothing after. */
export function serviceDiff(
  serviceId: string | null,
  name: string,
  before: ReadonlyMap<string, number> = NO_TASKS,
  outcome: ServiceOutcome = NOTHING_PLACED,
): ServiceDiff {
  let moved = 0;
  for (const [nodeId, n] of before) moved += Math.max(0, n - (outcome.placed.get(nodeId) ?? 0));
  return {
    serviceId,
    name,
    before: Object.fromEntries(before),
    after: Object.fromEntries(outcome.placed),
    moved,
    pending: outcome.pending,
    pendingReason: outcome.pendingReason,
  };
}

/**
 * Whether a service belongs in the list of changes: its tasks per node differ, or some
 * wait for a node. Read from the counts, so only listed services are turned into diffs.
 */
export function placementChanged(before: ReadonlyMap<string, number> = NO_TASKS, outcome: ServiceOutcome = NOTHING_PLACED): boolean {
  if (outcome.pending > 0 || before.size !== outcome.placed.size) return true;
  for (const [nodeId, n] of before) if (outcome.placed.get(nodeId) !== n) return true;
  return false;
}
