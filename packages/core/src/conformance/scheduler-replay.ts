import {
  Scheduler,
  type HostPort,
  type SchedulerDecision,
  type SchedulerNode,
  type SchedulerTask,
} from "../scheduler/index.js";
import { TASK_STATES, type TaskState } from "../service/index.js";
import type { Json, Verdict } from "./cases.js";

/** A vector node (snake_case, `plugins` absent = no engine description) as the scheduler's input. */
export function vectorNode(n: Json): SchedulerNode {
  const res = n.resources as Json | undefined;
  const generic = res?.generic as Json | undefined;
  const platform = n.platform as { os: string; architecture: string } | undefined;
  return {
    id: n.id as string,
    state: n.state as SchedulerNode["state"],
    availability: n.availability as SchedulerNode["availability"],
    hostname: n.hostname as string | undefined,
    labels: n.labels as Record<string, string> | undefined,
    engineLabels: n.engine_labels as Record<string, string> | undefined,
    platform: platform ? { os: platform.os, architecture: platform.architecture } : null,
    resources: res
      ? {
          nanoCpus: (res.nano_cpus as number | undefined) ?? 0,
          memoryBytes: (res.memory_bytes as number | undefined) ?? 0,
          generic: generic
            ? { discrete: generic.discrete as Record<string, number> | undefined, named: generic.named as Record<string, string[]> | undefined }
            : null,
        }
      : null,
    plugins: n.plugins === undefined ? null : (n.plugins as { type: string; name: string }[]).map((p) => ({ type: p.type, name: p.name })),
  };
}

/** A vector task (store form, with the scheduler's writes merged in) as the scheduler's input. */
function vectorTask(t: Json): SchedulerTask {
  const r = t.reservations as Json | undefined;
  return {
    id: t.id as string,
    serviceId: (t.service_id as string | undefined) ?? "",
    specVersion: (t.spec_version as number | null | undefined) ?? null,
    nodeId: (t.node_id as string | undefined) ?? "",
    state: t.state as TaskState,
    desiredState: ((t.desired_state as string | undefined) ?? "running") as TaskState,
    reservations: r
      ? { nanoCpus: r.nano_cpus as number | undefined, memoryBytes: r.memory_bytes as number | undefined, generic: r.generic as Record<string, number> | undefined }
      : undefined,
    constraints: t.constraints as string[] | undefined,
    preferences: t.preferences as string[] | undefined,
    platforms: t.platforms as { os: string; architecture: string }[] | undefined,
    maxReplicas: t.max_replicas as number | undefined,
    hostPorts: t.host_ports as HostPort[] | undefined,
    networkDrivers: t.network_drivers as string[] | undefined,
    logDriver: "log_driver" in t ? (t.log_driver as string | null) : undefined,
    volumeDrivers: t.volume_drivers as string[] | undefined,
    error: (t.error as string | undefined) ?? "",
    message: (t.message as string | undefined) ?? "",
  };
}

const stateCode = (state: unknown): number => TASK_STATES[state as TaskState] ?? -1;
const isRunningish = (t: Json): boolean => stateCode(t.state) >= TASK_STATES.assigned && stateCode(t.state) <= TASK_STATES.running;

/**
 * One scenario replayed against Rampart's scheduler, with the store kept beside it: events
 * change the store and are fed to the scheduler, every pass's writes go back to the store,
 * and expectations are checked against the store, as SwarmKit's tests check theirs.
 */
export class ScenarioReplay {
  readonly store = new Map<string, Json>();
  readonly nodes = new Map<string, Json>();
  readonly written = new Set<string>();
  stepAssigned: string[] = [];
  stepDropped = new Set<string>();
  now = 1_700_000_000_000;
  sched: Scheduler;

  constructor(scenario: Json) {
    for (const n of scenario.nodes as Json[]) this.nodes.set(n.id as string, n);
    for (const t of scenario.tasks as Json[]) this.store.set(t.id as string, { ...t });
    const services: Record<string, number | null> = {};
    for (const [id, s] of Object.entries((scenario.services as Record<string, Json> | undefined) ?? {})) {
      services[id] = (s.spec_version as number | undefined) ?? null;
    }
    this.sched = new Scheduler({
      nodes: [...this.nodes.values()].map(vectorNode),
      tasks: [...this.store.values()].map(vectorTask),
      services,
      now: this.now,
    });
  }

  pass(): void {
    for (const d of this.sched.schedule(this.now)) this.apply(d);
  }

  private apply(d: SchedulerDecision): void {
    if (d.outcome === "dropped") {
      this.stepDropped.add(d.taskId);
      return;
    }
    const t = this.store.get(d.taskId);
    if (!t) throw new Error(`decision for unknown task ${d.taskId}`);
    this.written.add(d.taskId);
    if (d.outcome === "assigned") {
      Object.assign(t, { node_id: d.nodeId, state: "assigned", message: d.message, error: "" });
      this.stepAssigned.push(d.taskId);
    } else if (d.outcome === "pending") {
      t.error = d.error;
    } else {
      Object.assign(t, { state: "shutdown", error: "" });
    }
  }

  private updateTask(id: string, patch: Json): void {
    const t = this.store.get(id);
    if (!t) throw new Error(`update of unknown task ${id}`);
    Object.assign(t, patch);
    this.sched.updateTask(vectorTask(t), this.now);
  }

  private deleteTask(id: string): void {
    if (!this.store.delete(id)) return;
    this.sched.deleteTask(id);
  }

  event(e: Json): void {
    if (e.create_nodes) {
      for (const n of e.create_nodes as Json[]) {
        this.nodes.set(n.id as string, n);
        this.sched.createNode(vectorNode(n));
      }
    } else if (e.update_node) {
      const n = e.update_node as Json;
      this.nodes.set(n.id as string, n);
      this.sched.updateNode(vectorNode(n));
    } else if (e.delete_node !== undefined) {
      this.nodes.delete(e.delete_node as string);
      this.sched.deleteNode(e.delete_node as string);
    } else if (e.create_tasks) {
      for (const t of e.create_tasks as Json[]) {
        this.store.set(t.id as string, { ...t });
        this.sched.createTask(vectorTask(t));
      }
    } else if (e.update_task) {
      const patch = e.update_task as Json;
      this.updateTask(patch.id as string, patch);
    } else if (e.delete_tasks) {
      for (const id of e.delete_tasks as string[]) this.deleteTask(id);
    } else if (e.delete_tasks_on_node !== undefined) {
      for (const [id, t] of [...this.store]) if (t.node_id === e.delete_tasks_on_node) this.deleteTask(id);
    } else if (e.delete_service !== undefined) {
      this.sched.deleteService(e.delete_service as string);
    } else if (e.set_service) {
      const s = e.set_service as Json;
      this.sched.setService(s.id as string, (s.spec_version as number | undefined) ?? null);
    } else if (e.retry) {
      this.pass();
    } else if (e.update_assigned_of) {
      const u = e.update_assigned_of as Json;
      for (const id of u.tasks as string[]) if (this.store.get(id)?.node_id) this.updateTask(id, { state: u.state });
    } else if (e.update_pending_of) {
      const u = e.update_pending_of as Json;
      for (const id of u.tasks as string[]) {
        if (this.store.get(id)?.state === "pending") this.updateTask(id, { desired_state: u.desired_state });
      }
    } else {
      throw new Error(`unknown event ${JSON.stringify(e)}`);
    }
  }

  /** Tasks of a service per node, counting ASSIGNED…RUNNING. */
  counts(service: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of this.store.values()) {
      if (t.service_id !== service || !isRunningish(t) || !t.node_id) continue;
      counts.set(t.node_id as string, (counts.get(t.node_id as string) ?? 0) + 1);
    }
    return counts;
  }

  task(id: string): Json {
    const t = this.store.get(id);
    if (!t) throw new Error(`no task ${id} in the store`);
    return t;
  }
}

/** What an expectation reads: the replay after the step, and the store before it. */
export interface StepContext {
  replay: ScenarioReplay;
  before: Map<string, Json>;
}

function where(t: Json): string {
  return `${t.id as string}: state ${String(t.state)}, node "${String(t.node_id ?? "")}", error "${String(t.error ?? "")}"`;
}

export function checkExpectation(kind: string, e: Json, { replay, before }: StepContext): Verdict {
  const countsOf = (service: string): Map<string, number> => replay.counts(service);
  const nodeOf = (id: string): string => (replay.task(id).node_id as string | undefined) ?? "";
  switch (kind) {
    case "assigned": {
      const t = replay.task(e.task as string);
      const node = (t.node_id as string | undefined) ?? "";
      let ok = isRunningish(t) && node !== "";
      if (e.node !== undefined) ok &&= node === e.node;
      if (e.node_in !== undefined) ok &&= (e.node_in as string[]).includes(node);
      if (e.not_node !== undefined) ok &&= !(e.not_node as string[]).includes(node);
      return { ok, detail: `${where(t)}; expected ${JSON.stringify(e)}` };
    }
    case "pending": {
      const t = replay.task(e.task as string);
      const ok = t.state === "pending" && !t.node_id && (t.error ?? "") === e.error;
      return { ok, detail: `${where(t)}; expected pending with "${e.error as string}"` };
    }
    case "distinct_nodes": {
      const nodes = (e as unknown as string[]).map(nodeOf);
      const ok = nodes.every((n) => n !== "") && new Set(nodes).size === nodes.length;
      return { ok, detail: `nodes ${JSON.stringify(nodes)}` };
    }
    case "count_multiset": {
      const counts = countsOf(e.service as string);
      const nodes = (e.nodes as string[] | undefined) ?? [...replay.nodes.keys()];
      const got = nodes.map((n) => counts.get(n) ?? 0).sort((a, b) => b - a);
      const want = [...(e.values as number[])].sort((a, b) => b - a);
      return { ok: JSON.stringify(got) === JSON.stringify(want), detail: `counts ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
    }
    case "counts_exact": {
      const counts = countsOf(e.service as string);
      const want = e.per_node as Record<string, number>;
      const got = Object.fromEntries(Object.keys(want).map((n) => [n, counts.get(n) ?? 0]));
      return { ok: JSON.stringify(got) === JSON.stringify(want), detail: `counts ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
    }
    case "counts_one_of": {
      const counts = countsOf(e.service as string);
      const options = e.options as Record<string, number>[];
      const ok = options.some((o) => Object.entries(o).every(([n, c]) => (counts.get(n) ?? 0) === c));
      return { ok, detail: `counts ${JSON.stringify(Object.fromEntries(counts))} match none of ${options.length} options` };
    }
    case "counts": {
      const got = countsOf(e.service as string).get(e.node as string) ?? 0;
      return { ok: got === e.equals, detail: `${e.node as string} has ${got} tasks of ${e.service as string}, expected ${String(e.equals)}` };
    }
    case "placed_where": {
      const service = e.service as string;
      const beforeCounts = new Map<string, number>();
      for (const t of before.values()) {
        if (t.service_id === service && isRunningish(t) && t.node_id) beforeCounts.set(t.node_id as string, (beforeCounts.get(t.node_id as string) ?? 0) + 1);
      }
      const got = (e.tasks as string[]).map((id) => beforeCounts.get(nodeOf(id)) ?? 0);
      const ok = (e.tasks as string[]).every((id) => nodeOf(id) !== "") && got.every((c) => c === e.count_before);
      return { ok, detail: `nodes had ${JSON.stringify(got)} tasks of ${service} before, expected ${String(e.count_before)}` };
    }
    case "nodes_of_tasks_cover": {
      const nodes = new Set((e.tasks as string[]).map(nodeOf));
      const need = (e.must_include_nodes_of as string[]).map(nodeOf);
      return { ok: need.every((n) => nodes.has(n)), detail: `nodes ${JSON.stringify([...nodes])} do not include ${JSON.stringify(need)}` };
    }
    case "dropped": {
      const id = e as unknown as string;
      const t = replay.task(id);
      const ok = replay.stepDropped.has(id) && !replay.sched.isQueued(id) && t.state === "pending" && !t.node_id;
      return { ok, detail: `${where(t)}; dropped this step: ${replay.stepDropped.has(id)}, still queued: ${replay.sched.isQueued(id)}` };
    }
    case "order": {
      const want = e as unknown as string[];
      const got = replay.stepAssigned;
      const ok = got.length === want.length && want.every((alts, i) => alts.split("|").includes(got[i]!));
      return { ok, detail: `assignment order ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
    }
    case "untouched": {
      const touched = (e as unknown as string[]).filter((id) => replay.written.has(id));
      return { ok: touched.length === 0, detail: `written: ${JSON.stringify(touched)}` };
    }
    case "one_assigned_one_pending": {
      const tasks = (e.tasks as string[]).map((id) => replay.task(id));
      const assigned = tasks.filter((t) => isRunningish(t) && t.node_id === e.node);
      const pending = tasks.filter((t) => t.state === "pending" && !t.node_id && t.error === e.error);
      return { ok: assigned.length === 1 && pending.length === 1, detail: tasks.map(where).join("; ") };
    }
    case "pending_of_becomes": {
      const ids = (e.tasks as string[]).filter((id) => before.get(id)?.state === "pending");
      const tasks = ids.map((id) => replay.task(id));
      const ok = tasks.length > 0 && tasks.every((t) => t.state === e.state);
      return { ok, detail: `${tasks.map(where).join("; ")}; expected state ${String(e.state)}` };
    }
    default:
      return { ok: false, detail: `unknown expectation kind ${kind}` };
  }
}
