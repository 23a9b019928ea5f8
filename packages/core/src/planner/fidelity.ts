import { evaluateConstraint, labelValue, parseConstraint, type Constraint } from "../constraint/index.js";
import { explainFilter, FILTER_NAMES, spreadLevels, summarizeVerdicts, type FilterName, type NodeVerdict } from "../scheduler/index.js";
// A function, called only once a prediction is asked for: the cycle with index.ts is harmless.
import { planPlacement } from "./index.js";
import { applyNodeChanges, orchestratorNode } from "./sandbox.js";
import type { PlannerCluster, PlannerNode, PlannerService, PlannerTask, PlanResult, Sandbox, WhyNotRow } from "./types.js";

/**
 * The planner's fidelity: its prediction for one service set against the placement a
 * real Swarm made. Swarm's scheduler is the planner's scheduler except where Go chooses
 * at random: equally good nodes are sorted in no fixed order, spread branches are met in
 * map order, and the failures a pending task's error counts depend on the order nodes
 * were met in. So the prediction is every placement the planner finds over the node
 * orders that can lead somewhere different, and the comparison says which parts of
 * Swarm's answer those leave open (`undetermined`) and where Swarm went outside them
 * (`differences`). Pure and browser-safe, like the rest of the planner.
 */

/** One placement of the planned service. */
export interface PredictedPlacement {
  /** Tasks given a node, per node id; nodes with none are left out. */
  placed: Record<string, number>;
  /** Tasks left waiting for a node. */
  pending: number;
  /** The scheduler's error for them (the first met), or null. */
  pendingReason: string | null;
}

/** What the planner expects Swarm to do with the sandbox's service. */
export interface PlacementPrediction {
  /** The plan itself, with the cluster's own node order (ties go to the older node). */
  plan: PlanResult;
  /**
   * Every distinct placement the planner reaches when ties go another way, the plan's
   * own first. Empty when the planner refused the spec.
   */
  outcomes: PredictedPlacement[];
  /**
   * Sets of two or more nodes that nothing placement reads tells apart (constraint
   * verdicts, spread branches, availability, resources, the tasks they hold): Swarm may
   * hand any of their counts to any of them, so the comparison matches them as a set.
   */
  alike: string[][];
  /** Node orders run, and whether they were every order that can place differently. */
  orders: { run: number; all: boolean };
  /**
   * Names of other services the cluster as read shows mid-change (`servicesInFlight`):
   * Swarm places their tasks around this service's at moments the planner cannot see,
   * so each node's count of all tasks, which breaks ties, is not known. The outcomes of
   * this service planned without them are among `outcomes`, where they differ only in
   * that tie-break. Empty when nothing else was changing.
   */
  concurrent: string[];
}

/** What Swarm did with the service, read from its tasks that should run. */
export interface SwarmPlacement {
  /** Tasks with a node (ASSIGNED…RUNNING), per node id. */
  placed: Readonly<Record<string, number>>;
  /** Status.Err of each task still PENDING. */
  pendingErrors: readonly string[];
}

/**
 * Which check a difference failed, so callers can group or count them: the planner
 * refused the spec, a node's eligibility, the tasks per node, how many wait, the
 * waiting tasks' error, or a node the planner never saw.
 */
export type PlacementDifferenceKind = "refused" | "eligibility" | "counts" | "pending" | "reason" | "unknown-node";

/** One way Swarm's placement left what the planner allows, in words. */
export interface PlacementDifference {
  kind: PlacementDifferenceKind;
  /** The nodes it is about, if any. */
  nodeIds: string[];
  text: string;
}

/** Part of the placement Swarm leaves to chance, and what is determined all the same. */
export interface UndeterminedPlacement {
  nodes: string[];
  reason: string;
}

/** The verdict: `matched` exactly when there are no differences; what chance decided is listed either way. */
export interface PlacementComparison {
  matched: boolean;
  differences: PlacementDifference[];
  undetermined: UndeterminedPlacement[];
}

/** Beyond this many node orders the prediction keeps to a sample (see `orders.all`). */
export const MAX_NODE_ORDERS = 5040;

/** Filters whose verdict depends on the node and the spec alone, never on what was placed. */
const STATIC_FILTERS: ReadonlySet<FilterName> = new Set(["ready", "plugins", "constraints", "platform"]);

/**
 * Runs the planner over every node order that can place the sandbox's service
 * differently: nodes are grouped by everything placement reads of them, and each
 * distinct sequence of groups is one order (nodes within a group are interchangeable,
 * so their own order changes nothing but names). The sandbox must plan a service.
 */
export function predictPlacement(cluster: PlannerCluster, sandbox: Sandbox): PlacementPrediction {
  if (!sandbox.service) throw new Error("predictPlacement: the sandbox plans no service");
  const plan = planPlacement(cluster, sandbox);
  const focus = plan.focus;
  if (!focus || focus.problems.length > 0) return { plan, outcomes: [], alike: [], orders: { run: 1, all: true }, concurrent: [] };

  const groups = alikeGroups(cluster, sandbox);
  const own = sandbox.service.serviceId;
  const changing = servicesInFlight(cluster).filter((s) => s.id !== own);
  const outcomes: PredictedPlacement[] = [outcomeOf(plan)];
  const seen = new Set([outcomeKey(outcomes[0]!)]);
  const record = (result: PlanResult) => {
    const outcome = outcomeOf(result);
    const key = outcomeKey(outcome);
    if (!seen.has(key)) {
      seen.add(key);
      outcomes.push(outcome);
    }
  };

  const total = orderCount(groups.map((g) => g.length));
  const sequence = groups.flatMap((g, i) => g.map(() => i));
  const byId = new Map(cluster.nodes.map((n) => [n.id, n]));
  let run = 1;
  // With other services mid-change, the same orders again over the service alone: Swarm's
  // tie-break on all tasks then reads nothing the planner knows, and any node that ties on
  // the service's own tasks may come first (the groups stay the finer ones read above).
  const alone: PlannerCluster | null =
    changing.length > 0 ? { nodes: cluster.nodes, services: cluster.services.filter((s) => s.id === own), tasks: cluster.tasks.filter((t) => t.serviceId === own) } : null;
  const tryOrder = (labels: readonly number[]) => {
    const next = groups.map(() => 0);
    const nodes = labels.map((label) => byId.get(groups[label]![next[label]!++]!)!);
    const full = planPlacement({ ...cluster, nodes }, sandbox);
    record(full);
    if (alone) {
      const solo = planPlacement({ ...alone, nodes }, sandbox);
      if (onlyTiesDiffer(full, solo)) record(solo);
    }
    run++;
  };
  if (total <= MAX_NODE_ORDERS) {
    // Every distinct arrangement of the groups, in lexicographic order.
    const labels = [...sequence];
    do tryOrder(labels);
    while (nextPermutation(labels));
  } else {
    // A sample: each group first in turn, and the reverse of the cluster's order.
    for (let first = 0; first < groups.length; first++) tryOrder([...sequence.filter((l) => l === first), ...sequence.filter((l) => l !== first)]);
    tryOrder(cluster.nodes.map((n) => groups.findIndex((g) => g.includes(n.id))).reverse());
  }
  return {
    plan,
    outcomes,
    alike: groups.filter((g) => g.length > 1),
    orders: { run, all: total <= MAX_NODE_ORDERS },
    concurrent: changing.map((s) => s.spec.name),
  };
}

/** Filters whose refusal, once a pass is over, means the node has no room for another task. */
const ROOM_FILTERS: ReadonlySet<FilterName> = new Set(["resources", "hostPorts"]);

/**
 * Whether the service planned alone differs from the full plan only where the tie-break
 * on all tasks could: as many tasks wait, and no node the full plan leaves without room
 * (resources, host ports the other services hold) gets more. The other services' tasks
 * are left out only to free that tie-break, not their reservations or ports.
 */
function onlyTiesDiffer(full: PlanResult, solo: PlanResult): boolean {
  const f = full.focus!;
  const o = solo.focus!;
  if (o.diff.pending !== f.diff.pending) return false;
  return f.matrix.every((r) => r.filter.passed || !ROOM_FILTERS.has(r.filter.failedFilter) || (o.diff.after[r.nodeId] ?? 0) <= (f.diff.after[r.nodeId] ?? 0));
}

/**
 * The services a cluster as read shows mid-change, whose tasks Swarm is yet to stop,
 * make or place: a task waiting for a node, a task of an older spec version (the updater
 * replaces it), or a replicated service with more or fewer tasks than replicas.
 */
export function servicesInFlight(cluster: PlannerCluster): PlannerService[] {
  const tasksOf = new Map<string, PlannerTask[]>();
  for (const t of cluster.tasks) (tasksOf.get(t.serviceId) ?? tasksOf.set(t.serviceId, []).get(t.serviceId)!).push(t);
  return cluster.services.filter((s) => {
    const own = tasksOf.get(s.id) ?? [];
    if (own.some((t) => t.nodeId === "" || t.specVersion < s.specVersion)) return true;
    return s.spec.mode === "replicated" && own.length !== s.spec.replicas;
  });
}

/**
 * Compares Swarm's placement with the prediction: (a) no node the planner refuses for
 * a reason placement cannot change (not ready, constraints, platform, plugins) holds
 * more of the service's tasks than the planner puts there, and no task is left pending
 * while a node the planner says has room was given no more than predicted; (b) as many
 * tasks wait as predicted, and their error is the one Swarm's counters can produce;
 * (c) the tasks per node are one of the predicted placements, alike nodes taken as a
 * set, and so are the eligible nodes of an update that replaces running tasks
 * (`rollingSet`). What Swarm leaves to chance is listed in `undetermined`, with what is
 * fixed.
 */
export function comparePlacement(prediction: PlacementPrediction, actual: SwarmPlacement): PlacementComparison {
  const focus = prediction.plan.focus;
  if (!focus || focus.problems.length > 0 || prediction.outcomes.length === 0) {
    const why = focus?.problems.map((p) => p.message).join("; ") ?? "the sandbox plans no service";
    return { matched: false, differences: [{ kind: "refused", nodeIds: [], text: `The planner made no placement to compare: ${why}.` }], undetermined: [] };
  }
  const names = nodeNames(focus.matrix);
  const name = (id: string) => names.get(id) ?? id;
  const list = (ids: readonly string[]) => joinWords(ids.map(name));
  const differences: PlacementDifference[] = [];
  const undetermined: UndeterminedPlacement[] = [];
  const rows = new Map(focus.matrix.map((r) => [r.nodeId, r]));
  const outcomes = prediction.outcomes;
  const alikeOf = new Map<string, readonly string[]>();
  for (const group of prediction.alike) for (const id of group) alikeOf.set(id, group);
  const got = (id: string) => actual.placed[id] ?? 0;
  /** The most a node can get over every outcome, alike nodes trading counts. */
  const most = (id: string) => Math.max(...outcomes.flatMap((o) => (alikeOf.get(id) ?? [id]).map((m) => o.placed[m] ?? 0)));

  for (const id of Object.keys(actual.placed)) {
    if (got(id) > 0 && !rows.has(id)) {
      differences.push({ kind: "unknown-node", nodeIds: [id], text: `Swarm placed ${tasks(got(id))} on node ${id}, which the planner did not know of.` });
    }
  }

  // (a) Eligibility.
  const pending = actual.pendingErrors.length;
  for (const row of focus.matrix) {
    const filter = row.filter;
    if (!filter.passed && STATIC_FILTERS.has(filter.failedFilter) && got(row.nodeId) > most(row.nodeId)) {
      differences.push({
        kind: "eligibility",
        nodeIds: [row.nodeId],
        text: `Swarm placed ${tasks(got(row.nodeId))} on ${name(row.nodeId)}, which the planner refuses (${filter.failedFilter}: ${filter.reason}).`,
      });
    }
    // Only as the reason Swarm left more waiting than planned: Swarm's own spread quirk may leave a task waiting beside room.
    if (filter.passed && pending > outcomes[0]!.pending && got(row.nodeId) <= (focus.diff.after[row.nodeId] ?? 0)) {
      differences.push({
        kind: "eligibility",
        nodeIds: [row.nodeId],
        text: `Swarm left ${tasks(pending)} pending, yet the planner says ${name(row.nodeId)} had room for another (Swarm gave it ${got(row.nodeId)}).`,
      });
    }
  }

  // (b) Pending tasks: how many, and why.
  const pendingCounts = new Set(outcomes.map((o) => o.pending));
  if (!pendingCounts.has(pending)) {
    differences.push({ kind: "pending", nodeIds: [], text: `Swarm left ${tasks(pending)} pending, the planner ${wordsOr([...pendingCounts].sort((a, b) => a - b))}.` });
  } else if (pendingCounts.size > 1) {
    undetermined.push({ nodes: [], reason: `How many tasks wait depends on how Swarm breaks ties: the planner finds ${wordsOr([...pendingCounts].sort((a, b) => a - b))}.` });
  }
  if (pending > 0) checkReasons(focus.matrix, focus.diff.before, outcomes, actual.pendingErrors, differences, undetermined);

  // (c) Tasks per node. A rolling update's eligible nodes are compared as one set (`rollingSet`).
  const rolling = rollingSet(prediction, outcomes);
  const countGroups = rolling ? [rolling, ...prediction.alike.filter((g) => !g.some((id) => rolling.includes(id)))] : prediction.alike;
  const matching = outcomes.find((o) => samePlacement(o, actual, countGroups, rows));
  if (!matching) differences.push(...countDifferences(outcomes, actual, { ...prediction, alike: countGroups }, rows, name, list, rolling));
  undetermined.push(...openCounts(outcomes, prediction.alike, rows, list));
  if (rolling) {
    const spread = [...new Set(outcomes.map((o) => sortedCounts(rolling, o.placed).replaceAll(",", ", ")))];
    undetermined.push({
      nodes: rolling,
      reason:
        `The update replaces running tasks through Swarm's updater, apart from any tasks a scale-up adds and a few at a time (one by default) in an order it picks at random, ` +
        `so Swarm may place them in separate passes and which of ${list(rolling)} ends with more is not determined. Determined: their counts taken as a set (${wordsOr(spread)}).`,
    });
  }
  if (prediction.concurrent.length > 0) {
    undetermined.push({
      nodes: [],
      reason:
        `${joinWords(prediction.concurrent)} ${prediction.concurrent.length === 1 ? "was" : "were"} mid-change when Swarm placed this service (tasks waiting for a node or for their replacement, or replicas not yet made or stopped), ` +
        `so the tasks Swarm counted on each node to break ties are not known: ` +
        `any node that ties on this service's own tasks may take them. Determined: which nodes are eligible, and how this service's own tasks spread over them.`,
    });
  }
  if (!prediction.orders.all) {
    undetermined.push({ nodes: [], reason: `Only ${prediction.orders.run} node orders were tried: there are too many to run every one, so a placement none of them reached may still be Swarm's.` });
  }

  return { matched: differences.length === 0, differences, undetermined };
}

// ---- the node orders ---------------------------------------------------------------

/**
 * Nodes grouped by what placement reads of them in this sandbox: availability, state,
 * whether the engine can run tasks, resources, every constraint's verdict, every spread
 * branch, the tasks held (service, spec version, state), and whether the sandbox
 * changes the node (which runs the constraint enforcer there). Groups keep the cluster's
 * order, and so do the nodes within each.
 */
function alikeGroups(cluster: PlannerCluster, sandbox: Sandbox): string[][] {
  const specs = [...cluster.services.map((s) => s.spec), ...(sandbox.service ? [sandbox.service.spec] : [])];
  const constraints = new Map<string, Constraint>();
  for (const spec of specs) {
    for (const text of spec.constraints) {
      try {
        constraints.set(text, parseConstraint(text));
      } catch {
        // A constraint that does not parse disables the filter: it reads nothing.
      }
    }
  }
  const levels = spreadLevels([...new Set(specs.flatMap((s) => s.preferences))]);
  const held = new Map<string, string[]>();
  for (const t of cluster.tasks) {
    if (t.nodeId === "") continue;
    (held.get(t.nodeId) ?? held.set(t.nodeId, []).get(t.nodeId)!).push(`${t.serviceId}\u0001${t.specVersion}\u0001${t.state}`);
  }
  const changed = new Set(Object.keys(sandbox.nodes ?? {}));
  const nodes = applyNodeChanges(cluster.nodes, sandbox.nodes);
  const groups = new Map<string, string[]>();
  for (const node of nodes) {
    const key = JSON.stringify([
      node.state,
      node.availability,
      node.runtimeProblem ?? null,
      resourcesKey(node),
      [...constraints.values()].map((c) => evaluateConstraint(c, orchestratorNode(node)).matched),
      levels.map((l) => labelValue(l.source === "node" ? node.labels : node.engineLabels, l.name)),
      (held.get(node.id) ?? []).sort(),
      changed.has(node.id),
    ]);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(node.id);
  }
  return [...groups.values()];
}

function resourcesKey(node: PlannerNode): unknown {
  const r = node.resources;
  if (!r) return null;
  const generic = r.generic
    ? [Object.entries(r.generic.discrete ?? {}).sort(), Object.entries(r.generic.named ?? {}).map(([k, v]) => [k, [...v].sort()]).sort()]
    : null;
  return [r.nanoCpus ?? 0, r.memoryBytes ?? 0, generic];
}

/** Distinct arrangements of a multiset with these group sizes: n! / Πk!, stopping early once past the cap. */
function orderCount(sizes: readonly number[]): number {
  let count = 1;
  let placed = 0;
  for (const size of sizes) {
    for (let k = 1; k <= size; k++) {
      placed++;
      count = (count * placed) / k;
      if (count > MAX_NODE_ORDERS * 64) return Infinity;
    }
  }
  return Math.round(count);
}

/** The next arrangement in lexicographic order, in place; false after the last. */
function nextPermutation(a: number[]): boolean {
  let i = a.length - 2;
  while (i >= 0 && a[i]! >= a[i + 1]!) i--;
  if (i < 0) return false;
  let j = a.length - 1;
  while (a[j]! <= a[i]!) j--;
  [a[i], a[j]] = [a[j]!, a[i]!];
  for (let l = i + 1, r = a.length - 1; l < r; l++, r--) [a[l], a[r]] = [a[r]!, a[l]!];
  return true;
}

function outcomeOf(result: PlanResult): PredictedPlacement {
  const diff = result.focus!.diff;
  return { placed: { ...diff.after }, pending: diff.pending, pendingReason: diff.pendingReason };
}

function placedKey(placed: Readonly<Record<string, number>>): string {
  return JSON.stringify(Object.entries(placed).filter(([, n]) => n > 0).sort());
}

function outcomeKey(o: PredictedPlacement): string {
  return JSON.stringify([placedKey(o.placed), o.pending, o.pendingReason]);
}

// ---- counts --------------------------------------------------------------------------

/**
 * The nodes a rolling update leaves to chance, or null. When the change replaces running
 * tasks and places more than one task, Swarm's updater replaces slots apart from the
 * tasks a scale-up adds, a few at a time in an order it picks at random, while the rest
 * still run: they can meet the scheduler in separate passes, whereas the planner's one
 * pass fixes which eligible node ends with more by its own order. Null when every
 * eligible node gets the same.
 */
function rollingSet(prediction: PlacementPrediction, outcomes: readonly PredictedPlacement[]): string[] | null {
  const { diff, matrix } = prediction.plan.focus!;
  const replaced = diff.replaced ?? 0;
  const total = (placed: Readonly<Record<string, number>>) => Object.values(placed).reduce((n, c) => n + c, 0);
  const added = Math.max(0, total(diff.after) + diff.pending - total(diff.before));
  if (replaced === 0 || replaced + added < 2) return null;
  const passed = new Set(matrix.filter((r) => r.filter.passed).map((r) => r.nodeId));
  // Alike nodes trade counts anyway: one that filled up joins its group's members that passed.
  for (const group of prediction.alike) if (group.some((id) => passed.has(id))) for (const id of group) passed.add(id);
  const eligible = matrix.map((r) => r.nodeId).filter((id) => passed.has(id));
  if (eligible.length < 2) return null;
  return outcomes.some((o) => new Set(eligible.map((id) => o.placed[id] ?? 0)).size > 1) ? eligible : null;
}

/** Whether Swarm's counts are this outcome's, alike nodes compared as a set. */
function samePlacement(o: PredictedPlacement, actual: SwarmPlacement, alike: readonly string[][], rows: ReadonlyMap<string, WhyNotRow>): boolean {
  if (o.pending !== actual.pendingErrors.length) return false;
  const inGroup = new Set(alike.flat());
  for (const id of rows.keys()) if (!inGroup.has(id) && (o.placed[id] ?? 0) !== (actual.placed[id] ?? 0)) return false;
  for (const group of alike) if (sortedCounts(group, o.placed) !== sortedCounts(group, actual.placed)) return false;
  return true;
}

function sortedCounts(group: readonly string[], placed: Readonly<Record<string, number>>): string {
  return group
    .map((id) => placed[id] ?? 0)
    .sort((a, b) => a - b)
    .join(",");
}

/** The differences from the outcome nearest to Swarm's counts. */
function countDifferences(
  outcomes: readonly PredictedPlacement[],
  actual: SwarmPlacement,
  prediction: PlacementPrediction,
  rows: ReadonlyMap<string, WhyNotRow>,
  name: (id: string) => string,
  list: (ids: readonly string[]) => string,
  rolling: readonly string[] | null = null,
): PlacementDifference[] {
  const inGroup = new Set(prediction.alike.flat());
  const singles = [...rows.keys()].filter((id) => !inGroup.has(id));
  const distance = (o: PredictedPlacement) => {
    let d = 0;
    for (const id of singles) d += Math.abs((o.placed[id] ?? 0) - (actual.placed[id] ?? 0));
    for (const group of prediction.alike) {
      const want = group.map((id) => o.placed[id] ?? 0).sort((a, b) => a - b);
      const have = group.map((id) => actual.placed[id] ?? 0).sort((a, b) => a - b);
      want.forEach((w, i) => (d += Math.abs(w - have[i]!)));
    }
    return d;
  };
  const nearest = outcomes.reduce((best, o) => (distance(o) < distance(best) ? o : best));
  const alternatives = outcomes.length > 1 ? ` (nearest of the ${outcomes.length} placements the planner allows)` : "";
  const out: PlacementDifference[] = [];
  for (const id of singles) {
    const want = nearest.placed[id] ?? 0;
    const have = actual.placed[id] ?? 0;
    if (want !== have) out.push({ kind: "counts", nodeIds: [id], text: `${name(id)}: Swarm placed ${tasks(have)}, the planner ${want}${alternatives}.` });
  }
  for (const group of prediction.alike) {
    const want = sortedCounts(group, nearest.placed);
    const have = sortedCounts(group, actual.placed);
    if (want !== have) {
      out.push({
        kind: "counts",
        nodeIds: [...group],
        text: `${list(group)}, ${group === rolling ? "which Swarm's updater may fill in any order" : "which are alike"}: Swarm placed ${group.map((id) => actual.placed[id] ?? 0).join(", ")}, the planner ${want.replaceAll(",", ", ")} in any order${alternatives}.`,
      });
    }
  }
  return out;
}

/**
 * The counts Swarm leaves to chance: alike nodes that do not all get the same, and
 * nodes whose count differs between outcomes. For each, what is fixed all the same.
 */
function openCounts(
  outcomes: readonly PredictedPlacement[],
  alike: readonly string[][],
  rows: ReadonlyMap<string, WhyNotRow>,
  list: (ids: readonly string[]) => string,
): UndeterminedPlacement[] {
  const out: UndeterminedPlacement[] = [];
  const inGroup = new Set(alike.flat());
  const totalOf = (o: PredictedPlacement, ids: readonly string[]) => ids.reduce((n, id) => n + (o.placed[id] ?? 0), 0);
  for (const group of alike) {
    const values = outcomes.flatMap((o) => group.map((id) => o.placed[id] ?? 0));
    const low = Math.min(...values);
    const high = Math.max(...values);
    if (low === high) continue;
    const totals = [...new Set(outcomes.map((o) => totalOf(o, group)))].sort((a, b) => a - b);
    out.push({
      nodes: [...group],
      reason:
        `${list(group)} are alike for this placement and Swarm breaks ties between equal nodes at random, so which of them gets more is not determined. ` +
        `Determined: ${totals.length === 1 ? `${tasks(totals[0]!)} among them` : `${wordsOr(totals)} tasks among them`}, ${range(low, high)} on each.`,
    });
  }
  const varying = [...rows.keys()].filter((id) => !inGroup.has(id) && new Set(outcomes.map((o) => o.placed[id] ?? 0)).size > 1);
  if (varying.length > 0) {
    const totals = [...new Set(outcomes.map((o) => totalOf(o, varying)))].sort((a, b) => a - b);
    const each = varying.map((id) => {
      const counts = outcomes.map((o) => o.placed[id] ?? 0);
      return `${range(Math.min(...counts), Math.max(...counts))} on ${list([id])}`;
    });
    const why = "the order Swarm meets equally good nodes in (ties of the service's tasks and all tasks, or spread branches met in map order)";
    out.push({
      nodes: varying,
      reason:
        varying.length === 1
          ? `How many tasks ${list(varying)} gets depends on ${why}. Determined: ${joinWords(each)}.`
          : `How ${list(varying)} share the tasks depends on ${why}. ` +
            `Determined: ${totals.length === 1 ? tasks(totals[0]!) : `${wordsOr(totals)} tasks`} among them; ${joinWords(each)}.`,
    });
  }
  return out;
}

// ---- the pending tasks' error ------------------------------------------------------

/**
 * Swarm's `no suitable node (…)` counts, per filter, the nodes that failed since the
 * last one that passed. When no node passes, every node is counted and the text is
 * determined. When some of the tasks were placed first, the count covers only the nodes
 * Swarm met after its last success, in an order Go leaves to chance, and a later pass
 * (any node or task change) rewrites it with every node counted; so the text is then
 * checked only to name filters that refuse at least as many nodes in the planner's
 * matrix (as Swarm's counters can never exceed that), unless it is one the planner wrote.
 */
function checkReasons(
  matrix: readonly WhyNotRow[],
  before: Readonly<Record<string, number>>,
  outcomes: readonly PredictedPlacement[],
  errors: readonly string[],
  differences: PlacementDifference[],
  undetermined: UndeterminedPlacement[],
): void {
  const verdicts: NodeVerdict[] = matrix.map((r) => (r.filter.passed ? { nodeId: r.nodeId, passed: true } : { nodeId: r.nodeId, passed: false, failedFilter: r.filter.failedFilter }));
  const fullScan = matrix.every((r) => !r.filter.passed) ? summarizeVerdicts(verdicts) : null;
  const predicted = new Set(outcomes.map((o) => o.pendingReason).filter((r): r is string => r !== null));
  // Nothing was placed in the pass that left tasks waiting: every node was met failing.
  const placedNothing = outcomes.every((o) => placedKey(o.placed) === placedKey(before));
  const determined = fullScan !== null && placedNothing && predicted.size === 1 && predicted.has(fullScan);
  const failing = new Map<FilterName, number>();
  for (const r of matrix) if (!r.filter.passed) failing.set(r.filter.failedFilter, (failing.get(r.filter.failedFilter) ?? 0) + 1);

  let bounded = false;
  for (const error of new Set(errors)) {
    if (determined) {
      if (error !== fullScan) differences.push({ kind: "reason", nodeIds: [], text: `Swarm's pending tasks say "${error}", the planner "${fullScan}".` });
      continue;
    }
    if (predicted.has(error) || error === fullScan) continue;
    const counts = parseNoSuitableNode(error);
    const over = counts === null ? null : [...counts].filter(([filter, n]) => n > (failing.get(filter) ?? 0));
    if (counts === null || over === null || over.length > 0 || counts.size === 0) {
      const because =
        counts === null
          ? "which names something the planner's filters do not"
          : `which counts more nodes than the planner's matrix refuses (${[...counts].map(([f, n]) => `${f}: ${n} of ${failing.get(f) ?? 0}`).join(", ")})`;
      differences.push({ kind: "reason", nodeIds: [], text: `Swarm's pending tasks say "${error}", ${because}; the planner expects ${wordsOr([...predicted].map((p) => `"${p}"`))}.` });
    } else bounded = true;
  }
  if (!determined) {
    undetermined.push({
      nodes: [],
      reason:
        `The pending tasks' error counts only the nodes Swarm met after the last one that took a task, in an order Go leaves to chance, until a later pass counts them all` +
        `${fullScan ? ` ("${fullScan}")` : ""}. Determined: "no suitable node", naming only filters that refuse nodes in the matrix` +
        `${bounded ? "; Swarm's text is one of those" : ""}.`,
    });
  }
}

/** `no suitable node (a; b)` → failures per filter; null when a clause is none of the planner's. */
export function parseNoSuitableNode(error: string): Map<FilterName, number> | null {
  const match = /^no suitable node(?: \((.*)\))?$/s.exec(error);
  if (!match) return null;
  const counts = new Map<FilterName, number>();
  if (match[1] === undefined) return counts;
  for (const clause of match[1].split("; ")) {
    const n = Number(/\d+/.exec(clause)?.[0] ?? "1");
    const code = FILTER_NAMES.findIndex((_, i) => explainFilter(i + 1, n) === clause);
    if (code === -1) return null;
    counts.set(FILTER_NAMES[code]!, n);
  }
  return counts;
}

// ---- words ---------------------------------------------------------------------------

/** Hostnames, with the ID's start where two nodes share one. */
function nodeNames(matrix: readonly WhyNotRow[]): Map<string, string> {
  const uses = new Map<string, number>();
  for (const r of matrix) uses.set(r.hostname, (uses.get(r.hostname) ?? 0) + 1);
  return new Map(matrix.map((r) => [r.nodeId, r.hostname !== "" && uses.get(r.hostname) === 1 ? r.hostname : `${r.hostname || "node"} (${r.nodeId.slice(0, 12)})`]));
}

function tasks(n: number): string {
  return `${n} task${n === 1 ? "" : "s"}`;
}

function range(low: number, high: number): string {
  return low === high ? `${low}` : `${low} to ${high}`;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

function wordsOr(values: readonly (number | string)[]): string {
  const words = values.map(String);
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}
