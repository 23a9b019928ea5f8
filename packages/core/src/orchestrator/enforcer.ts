import { parseConstraints, nodeMatches, type Constraint } from "../constraint/index.js";
import { GenericPool } from "../scheduler/generic-resources.js";
import { TASK_STATES, type ServiceSpec } from "../service/index.js";
import type { OrchestratorNode, OrchestratorTask } from "./types.js";

/** The message and error Swarm's constraint enforcer writes on a task it rejects. */
export const ENFORCER_MESSAGE = "task rejected by constraint enforcer";
export const ENFORCER_ERROR = "assigned node no longer meets constraints";

function constraintsOf(spec: ServiceSpec | undefined): Constraint[] {
  if (!spec || spec.constraints.length === 0) return [];
  try {
    return parseConstraints(spec.constraints);
  } catch {
    // Swarm ignores the parse error here (constraint.Parse's result is used as is).
    return [];
  }
}

/**
 * Swarm's constraint enforcer (orchestrator/constraintenforcer), for one node: the tasks
 * on an active node that no longer fit it. A task is checked while it is meant to run
 * (desired state from ASSIGNED to COMPLETE) and has not ended, pre-assigned pending
 * tasks included: against the placement constraints of its service's current spec (of
 * its own spec once the service is gone), then against what is left of the node's CPU,
 * memory and generic resources after the tasks before it, in ID order, took theirs.
 * As in Swarm, the first task short of a generic resource ends the check for the node.
 * Drained nodes are the orchestrators' business and paused nodes are left alone.
 */
export function noncompliantTasks(
  node: OrchestratorNode,
  tasks: readonly OrchestratorTask[],
  serviceSpec: (serviceId: string) => ServiceSpec | undefined,
): string[] {
  if (node.availability !== "active") return [];
  let cpu = node.resources?.nanoCpus ?? 0;
  let memory = node.resources?.memoryBytes ?? 0;
  const generic = GenericPool.from(node.resources?.generic);
  const rejected: string[] = [];
  const constraints = new Map<string, Constraint[]>();
  for (const t of [...tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const desired = TASK_STATES[t.desiredState];
    if (desired < TASK_STATES.assigned || desired > TASK_STATES.complete) continue;
    if (TASK_STATES[t.state] >= TASK_STATES.complete) continue;
    const service = serviceSpec(t.serviceId);
    const placement = service ? (constraints.get(t.serviceId) ?? constraints.set(t.serviceId, constraintsOf(service)).get(t.serviceId)!) : constraintsOf(t.spec);
    if (placement.length > 0 && !nodeMatches(placement, node)) {
      rejected.push(t.id);
      continue;
    }
    const reservations = (t.spec ?? service)?.reservations;
    if (reservations) {
      if (reservations.memoryBytes > memory || reservations.nanoCpus > cpu) {
        rejected.push(t.id);
        continue;
      }
      memory -= reservations.memoryBytes;
      cpu -= reservations.nanoCpus;
      const requests = Object.entries(reservations.generic ?? {});
      if (requests.some(([kind, value]) => !generic.hasEnough(kind, value))) {
        rejected.push(t.id);
        break;
      }
      if (requests.length > 0) generic.claim(requests);
    }
  }
  return rejected;
}
