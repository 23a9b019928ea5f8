import { parseConstraint } from "../constraint/index.js";
import { isRampartError } from "../errors/index.js";
import { checkServiceSpec, type ServiceSpec } from "../service/index.js";
import type { PlannerService, SpecProblem } from "./types.js";

/**
 * Why the manager would refuse the planned spec, in Swarm's words, so the planner
 * shows the same refusal the apply would get instead of a plan that cannot happen.
 * Unlike the manager, which stops at the first fault, every bad constraint is listed
 * (each under `constraints[i]`), so a user fixes them all in one go.
 */
export function specProblems(spec: ServiceSpec, services: readonly PlannerService[], serviceId: string | undefined): SpecProblem[] {
  const problems = [...fieldProblems(spec), ...constraintProblems(spec.constraints)];
  if (serviceId === undefined) {
    if (services.some((s) => s.spec.name === spec.name)) problems.push(nameConflict());
    return problems;
  }
  const current = services.find((s) => s.id === serviceId);
  if (!current) return [...problems, { field: "serviceId", message: `service ${serviceId} not found` }];
  if (spec.mode !== current.spec.mode) problems.push({ field: "mode", message: "service mode change is not allowed" });
  if (services.some((s) => s.id !== serviceId && s.spec.name === spec.name)) problems.push(nameConflict());
  return problems;
}

const nameConflict = (): SpecProblem => ({ field: "name", message: "name conflicts with an existing object" });

/** checkServiceSpec's first fault outside the constraints, which are checked one by one below. */
function fieldProblems(spec: ServiceSpec): SpecProblem[] {
  try {
    checkServiceSpec({ ...spec, constraints: [] });
    return [];
  } catch (error) {
    if (!isRampartError(error)) throw error;
    return [{ field: error.field ?? "spec", message: error.message }];
  }
}

function constraintProblems(expressions: readonly string[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  expressions.forEach((expression, i) => {
    try {
      parseConstraint(expression);
    } catch (error) {
      if (!isRampartError(error)) throw error;
      problems.push({ field: `constraints[${i}]`, message: error.message });
    }
  });
  return problems;
}
