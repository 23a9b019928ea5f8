/**
 * The placement planner (issue 4): what the scheduler would do with a sandboxed copy of
 * the cluster, with the why-not matrix, the spread tree and the difference from now.
 * Pure and browser-safe (no node: imports), so the UI and the server run the same code.
 */
import { isRampartError } from "../errors/index.js";
import { parseConstraints, type Constraint } from "../constraint/index.js";
import { sameSpec, taskSpecChange, toSchedulerTask } from "../orchestrator/index.js";
import type { ServiceSpec } from "../service/index.js";
import { countsToday, placementChanged, serviceDiff } from "./diff.js";
import { whyNotMatrix } from "./matrix.js";
import { specProblems } from "./problems.js";
import { applyNodeChanges, SandboxIds } from "./sandbox.js";
import { simulate, type PlannedService, type Simulation } from "./simulate.js";
import { spreadGroups } from "./spread.js";
import type { PlanResult, PlannerCluster, PlannerNode, PlannerService, Sandbox, ServiceDiff, SpecProblem } from "./types.js";

export * from "./types.js";
export { pciDssScenario } from "./scenarios.js";
export { orchestratorNode } from "./sandbox.js";
export * from "./fidelity.js";

/**
 * Runs one what-if: the sandbox's node changes and planned spec, through the constraint
 * enforcer, the orchestrators and one scheduler pass, as the manager would run them.
 * Never throws for what a user can type: a spec the manager would refuse comes back as
 * `focus.problems`, and the other services are then planned with the focus left as it
 * is, as the refused update would leave it. The inputs are not modified.
 */
export function planPlacement(cluster: PlannerCluster, sandbox: Sandbox): PlanResult {
  const started = performance.now();
  const nodes = applyNodeChanges(cluster.nodes, sandbox.nodes);
  const ids = new SandboxIds(new Set([...cluster.services.map((s) => s.id), ...cluster.tasks.map((t) => t.id)]));
  const request = sandbox.service;
  const problems = request ? specProblems(request.spec, cluster.services, request.serviceId) : [];
  const focus = request && problems.length === 0 ? plannedFocus(cluster.services, request, ids) : null;
  const services = cluster.services.map((s) => (s.id === focus?.service.id ? focus.service : asIs(s)));
  if (focus && focus.serviceId === null) services.push(focus.service);

  const simulation = simulate(nodes, new Set(Object.keys(sandbox.nodes ?? {})), cluster.tasks, services, ids);
  const today = countsToday(cluster.tasks);
  const diffOf = (s: PlannedService) =>
    serviceDiff(s === focus?.service ? focus.serviceId : s.id, s.spec.name, today.get(s.id), simulation.outcomes.get(s.id));
  const changed = services
    .filter((s) => s === focus?.service || placementChanged(today.get(s.id), simulation.outcomes.get(s.id)))
    .map(diffOf)
    .sort(byName);

  let focusView: PlanResult["focus"] = null;
  if (focus) focusView = focusOf(focus, diffOf(focus.service), nodes, simulation, ids, today.get(focus.service.id)?.placed);
  else if (request) focusView = refused(request, problems);
  return { focus: focusView, changed, tookMs: performance.now() - started };
}

interface Focus {
  /** null for a draft. */
  serviceId: string | null;
  service: PlannedService;
}

/** The planned service: a draft under a sandbox id, or an existing one with the sandbox's spec. */
function plannedFocus(services: readonly PlannerService[], request: NonNullable<Sandbox["service"]>, ids: SandboxIds): Focus {
  const { serviceId, spec } = request;
  if (serviceId === undefined) {
    return { serviceId: null, service: { id: ids.next(), specVersion: 1, spec, constraints: parseConstraints(spec.constraints), change: "task" } };
  }
  const current = services.find((s) => s.id === serviceId);
  if (!current) throw new Error("planner: specProblems lets through only services that exist");
  return { serviceId, service: replanned(current, spec) };
}

/**
 * A service the sandbox leaves as it is. Its orchestrator runs as the manager's does after
 * a node change, knowing no previous spec: a task of an older version is replaced.
 */
function asIs(service: PlannerService): PlannedService {
  return { id: service.id, specVersion: service.specVersion, spec: service.spec, constraints: storedConstraints(service.spec), change: "task" };
}

/** A changed spec is a new spec version, as the manager's update makes it; an identical one changes nothing. */
function replanned(service: PlannerService, spec: ServiceSpec): PlannedService {
  if (sameSpec(service.spec, spec)) return asIs(service);
  return {
    id: service.id,
    specVersion: service.specVersion + 1,
    spec,
    constraints: parseConstraints(spec.constraints),
    change: taskSpecChange(service.spec, spec),
  };
}

/**
 * A stored spec's constraints were checked when it was written. Should one not parse
 * anyway, the scheduler's rule applies to it: no constraint filter (Swarm's
 * ConstraintFilter disables itself on constraints it cannot parse).
 */
function storedConstraints(spec: ServiceSpec): Constraint[] {
  try {
    return parseConstraints(spec.constraints);
  } catch (error) {
    if (isRampartError(error)) return [];
    throw error;
  }
}

/** The focus's matrix and spread tree, read from the scheduler as its pass left it. */
function focusOf(
  focus: Focus,
  diff: ServiceDiff,
  nodes: readonly PlannerNode[],
  simulation: Simulation,
  ids: SandboxIds,
  before: ReadonlyMap<string, number> = new Map(),
): NonNullable<PlanResult["focus"]> {
  const { service } = focus;
  const after = simulation.outcomes.get(service.id)?.placed ?? new Map<string, number>();
  const probe = toSchedulerTask(
    { id: ids.next(), serviceId: service.id, slot: null, nodeId: null, specVersion: service.specVersion, state: "pending", desiredState: "running" },
    service.spec,
  );
  return {
    serviceId: focus.serviceId,
    name: service.spec.name,
    problems: [],
    matrix: whyNotMatrix(nodes, service.constraints, simulation.scheduler.explainTask(probe), before, after),
    spread: spreadGroups(service.spec.preferences, nodes, after),
    diff,
  };
}

/** A focus the manager would refuse: the problems, and nothing planned. */
function refused(request: NonNullable<Sandbox["service"]>, problems: SpecProblem[]): NonNullable<PlanResult["focus"]> {
  const serviceId = request.serviceId ?? null;
  return { serviceId, name: request.spec.name, problems, matrix: [], spread: [], diff: serviceDiff(serviceId, request.spec.name) };
}

/** By name, then id, in code-unit order, so the browser and the server agree. */
function byName(a: ServiceDiff, b: ServiceDiff): number {
  const ka = `${a.name}\u0000${a.serviceId ?? ""}`;
  const kb = `${b.name}\u0000${b.serviceId ?? ""}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Label keys and the values nodes have for them, sorted, for the constraint picker. */
export function labelCatalogue(nodes: PlannerCluster["nodes"]): Record<string, string[]> {
  const keys = new Map<string, Set<string>>();
  for (const node of nodes) {
    for (const [k, v] of Object.entries(node.labels)) (keys.get(k) ?? keys.set(k, new Set()).get(k)!).add(v);
  }
  return Object.fromEntries([...keys].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
}
