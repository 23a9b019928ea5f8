import { nodeMatches, type Constraint } from "../constraint/index.js";
import { containerOf } from "../service/container.js";
import type { ServiceSpec } from "../service/index.js";
import type { OrchestratorNode, OrchestratorService, OrchestratorTask } from "./types.js";

/** JSON with object keys sorted, so two specs compare by content whatever order their keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Whether two specs are the same, field by field (key order does not matter). */
export function sameSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return canonical(a) === canonical(b);
}

/**
 * What an update changes in the spec a service's tasks run, and so which tasks it
 * replaces (Swarm's IsTaskDirty, which compares the TaskSpec and the endpoint spec):
 * - `none`: only fields outside the task spec changed (replicas, the name): every task
 *   is kept and moved to the new spec version;
 * - `placement`: constraints, preferences or max replicas per node changed, and nothing
 *   else of the task spec: a task is kept while its node meets the new constraints;
 * - `task`: anything else (the image, reservations, restart policy, published ports):
 *   every task is replaced.
 */
export type TaskSpecChange = "none" | "placement" | "task";

/** ServiceSpec fields Swarm keeps outside the TaskSpec (Annotations, Mode). */
const OUTSIDE_TASK_SPEC: readonly (keyof ServiceSpec)[] = ["name", "replicas", "mode"];
/** TaskSpec.Placement. */
const PLACEMENT: readonly (keyof ServiceSpec)[] = ["constraints", "preferences", "maxReplicasPerNode"];

function without(spec: ServiceSpec, fields: readonly (keyof ServiceSpec)[]): string {
  // A spec stored before containers ran has none: it means the defaults, not a change.
  const rest: Partial<ServiceSpec> = { ...spec, container: containerOf(spec) };
  for (const field of fields) delete rest[field];
  return canonical(rest);
}

/**
 * The kind of change from `previous` to `next`, compared by content (key order does not
 * matter), so a spec read back from the store equals the one that was written.
 */
export function taskSpecChange(previous: ServiceSpec, next: ServiceSpec): TaskSpecChange {
  if (without(previous, OUTSIDE_TASK_SPEC) === without(next, OUTSIDE_TASK_SPEC)) return "none";
  const beside = [...OUTSIDE_TASK_SPEC, ...PLACEMENT];
  return without(previous, beside) === without(next, beside) ? "placement" : "task";
}

/**
 * IsTaskDirty, negated: whether a task of an older spec version may stay as it is. A
 * task that carries the spec it was made with is compared with the service's spec; one
 * without (the planner's sandbox) goes by `change`, the step from the spec just before
 * the service's current one, a task older still having missed a change of unknown kind.
 */
export function taskStillFits(
  task: OrchestratorTask,
  service: OrchestratorService,
  change: TaskSpecChange,
  node: OrchestratorNode | undefined,
  constraints: readonly Constraint[],
): boolean {
  if (task.specVersion === service.specVersion) return true;
  const kind = task.spec ? taskSpecChange(task.spec, service.spec) : task.specVersion === service.specVersion - 1 ? change : "task";
  if (kind === "none") return true;
  return kind === "placement" && node !== undefined && nodeMatches(constraints, node);
}
