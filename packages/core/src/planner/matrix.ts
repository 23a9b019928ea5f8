import { explainNode, type Constraint } from "../constraint/index.js";
import type { NodeVerdict } from "../scheduler/index.js";
import { orchestratorNode } from "./sandbox.js";
import type { PlannerNode, WhyNotRow } from "./types.js";

/**
 * The why-not matrix: every sandbox node against every constraint of the planned spec
 * and against the scheduler's filters. The verdicts come from the scheduler after its
 * pass, with every placed task on its node (the planned service's own included), so a
 * verdict says whether one more task of the spec would fit there now: resources and
 * max-replicas verdicts count what the plan put there, and when tasks are left pending
 * the rows add up to the pending reason.
 */
export function whyNotMatrix(
  nodes: readonly PlannerNode[],
  constraints: readonly Constraint[],
  verdicts: readonly NodeVerdict[],
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): WhyNotRow[] {
  const verdictOf = new Map(verdicts.map((v) => [v.nodeId, v]));
  return nodes.map((node) => ({
    nodeId: node.id,
    hostname: node.hostname,
    role: node.role,
    availability: node.availability,
    constraints: explainNode(constraints, orchestratorNode(node)),
    filter: filterOf(verdictOf.get(node.id)),
    before: before.get(node.id) ?? 0,
    after: after.get(node.id) ?? 0,
  }));
}

/** The scheduler explains every node it was given; a missing verdict or reason is a bug, not input. */
function filterOf(verdict: NodeVerdict | undefined): WhyNotRow["filter"] {
  if (verdict?.passed) return { passed: true };
  if (!verdict?.failedFilter || verdict.reason === undefined) throw new Error("planner: the scheduler gave no verdict for a sandbox node");
  return { passed: false, failedFilter: verdict.failedFilter, reason: verdict.reason };
}
