import {
  nodeMatches,
  parseConstraints,
  TASK_STATES,
  orchestratorNode,
  type ConstraintNode,
  type GenericResources,
  type PlannerCluster,
  type PlannerNode,
  type PlannerService,
  type PlannerTask,
  type SchedulerNodeState,
  type SwarmPlacement,
  type TaskState,
} from "@rampart/core";
import type Docker from "dockerode";
import { z } from "zod";
import type { ConnectedEnvironment } from "../index.js";
import { dockerNodeSchema, dockerServiceSchema, dockerTaskSchema, readDocker, type DockerGenericResources, type DockerNode, type DockerService, type DockerTask } from "./schema.js";
import { coreSpecOf } from "./spec.js";

/**
 * A real Docker Swarm as the placement planner reads it, from one manager's Engine API:
 * one `GET /nodes`, one `GET /services` and one `GET /tasks`, run together, and nothing
 * per node or per service. Each answer is read through schema.ts's schemas (fields read
 * here are checked, the rest is kept).
 *
 * What the Engine API does not say, and how it is filled:
 * - a node's observed role: a node with a manager status (a raft member) is a manager,
 *   as Swarm's `node.role` reads the observed role, not the desired one;
 * - a task's spec version: the API gives tasks no SpecVersion, so a task whose spec is
 *   its service's current task template (Swarm's IsTaskDirty: equal, or differing only
 *   in placement while its node still meets the service's constraints) gets the
 *   service's version (`Version.Index`) and any other task the one before it, which the
 *   planner's orchestrator replaces, as Swarm's updater does;
 * - job services (replicated-job, global-job) are left out of `services`: core has no
 *   jobs, and a finished job is not to be run again. Their live tasks stay in `tasks`,
 *   holding their place on their node (without their reservations: the planner reads
 *   those from the service).
 */

const NODE_STATES: readonly SchedulerNodeState[] = ["unknown", "down", "ready", "disconnected"];

/**
 * The Engine API's task states to core's. `allocated` is an older Swarm's state between
 * new and pending (gone from current SwarmKit); it waits for a node, as pending does.
 */
const TASK_STATE_OF: Readonly<Record<string, TaskState>> = {
  new: "new",
  allocated: "pending",
  pending: "pending",
  assigned: "assigned",
  accepted: "accepted",
  preparing: "preparing",
  ready: "ready",
  starting: "starting",
  running: "running",
  complete: "complete",
  shutdown: "shutdown",
  failed: "failed",
  rejected: "rejected",
  remove: "remove",
  orphaned: "orphaned",
};

/** A Docker task state in core's terms; a state this code does not know reads as one past running (it holds nothing). */
export function taskStateOf(state: string): TaskState {
  return TASK_STATE_OF[state] ?? "orphaned";
}

/** The cluster the planner reads, from a manager's Engine API. */
export async function readPlannerSnapshot(docker: Docker): Promise<PlannerCluster> {
  const [nodes, services, tasks] = await Promise.all([docker.listNodes(), docker.listServices(), docker.listTasks()]);
  return plannerSnapshotOf(nodes, services, tasks);
}

/** The same through a connected environment's calls: what a change's prediction starts from. */
export async function readSwarmSnapshot(env: Pick<ConnectedEnvironment, "call">): Promise<PlannerCluster> {
  const [nodes, services, tasks] = await env.call((d) => Promise.all([d.listNodes(), d.listServices(), d.listTasks()]));
  return plannerSnapshotOf(nodes, services, tasks);
}

/** The same from the three answers, already fetched. */
export function plannerSnapshotOf(nodeList: unknown, serviceList: unknown, taskList: unknown): PlannerCluster {
  const nodes = readDocker(z.array(dockerNodeSchema), nodeList, "the swarm's nodes").map(plannerNodeOf);
  const dockerServices = readDocker(z.array(dockerServiceSchema), serviceList, "the swarm's services");
  const services = new Map<string, { docker: DockerService; planner: PlannerService | null }>();
  for (const s of dockerServices) {
    const mode = s.Spec.Mode;
    const job = mode?.ReplicatedJob != null || mode?.GlobalJob != null;
    services.set(s.ID, { docker: s, planner: job ? null : { id: s.ID, specVersion: s.Version.Index, spec: coreSpecOf(s).spec } });
  }
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const tasks: PlannerTask[] = [];
  for (const t of readDocker(z.array(dockerTaskSchema), taskList, "the swarm's tasks")) {
    const state = TASK_STATES[taskStateOf(t.Status.State)];
    const desired = TASK_STATES[taskStateOf(t.DesiredState)];
    if (desired > TASK_STATES.running || state < TASK_STATES.pending || state > TASK_STATES.running) continue;
    const service = services.get(t.ServiceID);
    const nodeId = t.NodeID ?? "";
    tasks.push({
      id: t.ID,
      serviceId: t.ServiceID,
      slot: t.Slot !== undefined && t.Slot > 0 ? t.Slot : null,
      nodeId,
      specVersion: service ? taskSpecVersion(t, service.docker, nodeById.get(nodeId)) : 0,
      state: taskStateOf(t.Status.State),
    });
  }
  return { nodes, services: [...services.values()].flatMap((s) => (s.planner ? [s.planner] : [])), tasks };
}

function plannerNodeOf(n: DockerNode): PlannerNode {
  const d = n.Description ?? {};
  const resources = d.Resources;
  const state = NODE_STATES.find((s) => s === n.Status.State) ?? "unknown";
  return {
    id: n.ID,
    hostname: d.Hostname ?? "",
    role: n.ManagerStatus ? "manager" : "worker",
    state,
    availability: n.Spec.Availability,
    labels: { ...(n.Spec.Labels ?? {}) },
    engineLabels: { ...(d.Engine?.Labels ?? {}) },
    platform: d.Platform ? { os: d.Platform.OS ?? "", architecture: d.Platform.Architecture ?? "" } : null,
    addr: n.Status.Addr ?? null,
    resources: resources
      ? { nanoCpus: resources.NanoCPUs ?? 0, memoryBytes: resources.MemoryBytes ?? 0, generic: genericOf(resources.GenericResources) }
      : null,
    plugins: d.Engine?.Plugins ? d.Engine.Plugins.map((p) => ({ type: p.Type, name: p.Name })) : null,
    runtimeKind: "docker",
  };
}

function genericOf(list: DockerGenericResources | null | undefined): GenericResources | null {
  if (!list || list.length === 0) return null;
  const discrete: Record<string, number> = {};
  const named: Record<string, string[]> = {};
  for (const r of list) {
    if (r.DiscreteResourceSpec) discrete[r.DiscreteResourceSpec.Kind] = (discrete[r.DiscreteResourceSpec.Kind] ?? 0) + r.DiscreteResourceSpec.Value;
    if (r.NamedResourceSpec) (named[r.NamedResourceSpec.Kind] ??= []).push(r.NamedResourceSpec.Value);
  }
  return { discrete, named };
}

/**
 * JSON with sorted keys, to tell whether a task runs its service's template; the Engine
 * API writes `Runtime` on a service's template but not on its tasks' copies. With
 * `placement`, the spec's Placement is taken as that one (a placement-only change).
 */
export function specKey(spec: unknown, placement?: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k, v]) => k !== "Runtime" && v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => [k, canonical(v)]),
      );
    }
    return value;
  };
  const object = (spec ?? {}) as Record<string, unknown>;
  return JSON.stringify(canonical(placement === undefined ? object : { ...object, Placement: placement }));
}

/** The service's version when the task runs its current template (IsTaskDirty, negated), else the one before. */
function taskSpecVersion(task: DockerTask, service: DockerService, node: PlannerNode | undefined): number {
  const current = service.Version.Index;
  const template = service.Spec.TaskTemplate ?? {};
  if (specKey(task.Spec) === specKey(template)) return current;
  const placementOnly = specKey(task.Spec) === specKey(template, task.Spec?.Placement);
  if (placementOnly && node && meetsConstraints(template.Placement?.Constraints ?? [], node)) return current;
  return current - 1;
}

function meetsConstraints(expressions: readonly string[], node: PlannerNode): boolean {
  const view: ConstraintNode = orchestratorNode(node);
  try {
    return nodeMatches(parseConstraints(expressions), view);
  } catch {
    // Swarm's enforcer ignores constraints it cannot parse.
    return true;
  }
}

/**
 * What Swarm did with one service, for the planner's fidelity check: its tasks that
 * should run (desired state up to running), those with a node (ASSIGNED…RUNNING)
 * counted per node and those still waiting (up to PENDING) with their Status.Err. Tasks
 * that ended and wait for their restart are neither.
 */
export function swarmPlacementOf(taskList: unknown, serviceId: string): SwarmPlacement {
  const placed: Record<string, number> = {};
  const pendingErrors: string[] = [];
  for (const t of readDocker(z.array(dockerTaskSchema), taskList, "the service's tasks")) {
    if (t.ServiceID !== serviceId || TASK_STATES[taskStateOf(t.DesiredState)] > TASK_STATES.running) continue;
    const state = TASK_STATES[taskStateOf(t.Status.State)];
    if (state >= TASK_STATES.assigned && state <= TASK_STATES.running && t.NodeID) placed[t.NodeID] = (placed[t.NodeID] ?? 0) + 1;
    else if (state <= TASK_STATES.pending) pendingErrors.push(t.Status.Err ?? "");
  }
  return { placed, pendingErrors };
}

/** Reads `swarmPlacementOf` for one service with one filtered `GET /tasks`. */
export async function readSwarmPlacement(docker: Docker, serviceId: string): Promise<SwarmPlacement> {
  return swarmPlacementOf(await docker.listTasks({ filters: { service: [serviceId] } }), serviceId);
}
