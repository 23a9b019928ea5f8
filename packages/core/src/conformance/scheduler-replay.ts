import { Scheduler, type SchedulerDecision, type SchedulerNode, type SchedulerTask } from "../scheduler/index.js";
import { TASK_STATES, type TaskState } from "../service/index.js";
import type { Verdict } from "./cases.js";
import type { VectorEvent, VectorExpectation, VectorNode, VectorScenario, VectorTask } from "./scheduler.schema.js";

/** A vector node as the scheduler's input. */
function schedulerNode(n: VectorNode): SchedulerNode {
  const res = n.resources;
  return {
    id: n.id,
    state: n.state,
    availability: n.availability,
    hostname: n.hostname,
    labels: n.labels,
    engineLabels: n.engine_labels,
    platform: n.platform ? { os: n.platform.os, architecture: n.platform.architecture } : null,
    resources: res
      ? {
          nanoCpus: res.nano_cpus,
          memoryBytes: res.memory_bytes,
          generic: res.generic ? { discrete: res.generic.discrete, named: res.generic.named } : null,
        }
      : null,
    plugins: n.plugins === undefined ? null : n.plugins.map((p) => ({ type: p.type, name: p.name })),
  };
}

/** A vector task (store form, with the scheduler's writes merged in) as the scheduler's input. */
function schedulerTask(t: VectorTask): SchedulerTask {
  const r = t.reservations;
  return {
    id: t.id,
    serviceId: t.service_id ?? "",
    specVersion: t.spec_version ?? null,
    nodeId: t.node_id ?? "",
    state: t.state,
    desiredState: t.desired_state ?? "running",
    reservations: r ? { nanoCpus: r.nano_cpus, memoryBytes: r.memory_bytes, generic: r.generic } : undefined,
    constraints: t.constraints,
    preferences: t.preferences,
    platforms: t.platforms,
    maxReplicas: t.max_replicas,
    hostPorts: t.host_ports,
    networkDrivers: t.network_drivers,
    logDriver: t.log_driver,
    volumeDrivers: t.volume_drivers,
    error: t.error ?? "",
    message: t.message ?? "",
  };
}

const stateCode = (state: TaskState): number => TASK_STATES[state];
/** ASSIGNED…RUNNING: what the vectors' counts count. */
const isRunningish = (t: VectorTask): boolean => stateCode(t.state) >= TASK_STATES.assigned && stateCode(t.state) <= TASK_STATES.running;

/**
 * One scenario replayed against Rampart's scheduler, with the store kept beside it: events
 * change the store and are fed to the scheduler, every pass's writes go back to the store,
 * and expectations are checked against the store, as SwarmKit's tests check theirs.
 */
export class ScenarioReplay {
  readonly store = new Map<string, VectorTask>();
  readonly nodes = new Map<string, VectorNode>();
  readonly written = new Set<string>();
  /** The store as it was when the current step began. */
  before = new Map<string, VectorTask>();
  stepAssigned: string[] = [];
  stepDropped = new Set<string>();
  now = 1_700_000_000_000;
  readonly sched: Scheduler;

  constructor(scenario: VectorScenario) {
    for (const n of scenario.nodes) this.nodes.set(n.id, n);
    for (const t of scenario.tasks) this.store.set(t.id, { ...t });
    const services: Record<string, number | null> = {};
    for (const [id, s] of Object.entries(scenario.services)) services[id] = s.spec_version ?? null;
    this.sched = new Scheduler({
      nodes: [...this.nodes.values()].map(schedulerNode),
      tasks: [...this.store.values()].map(schedulerTask),
      services,
      now: this.now,
    });
  }

  /** Starts a step: a second later than the last one, with the store remembered as it was. */
  beginStep(first: boolean): void {
    if (!first) this.now += 1000;
    this.before = new Map([...this.store].map(([id, t]) => [id, { ...t }]));
    this.stepAssigned = [];
    this.stepDropped = new Set();
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

  private updateTask(id: string, patch: Partial<VectorTask>): void {
    const t = this.store.get(id);
    if (!t) throw new Error(`update of unknown task ${id}`);
    Object.assign(t, patch);
    this.sched.updateTask(schedulerTask(t), this.now);
  }

  private deleteTask(id: string): void {
    if (!this.store.delete(id)) return;
    this.sched.deleteTask(id);
  }

  event(e: VectorEvent): void {
    if ("create_nodes" in e) {
      for (const n of e.create_nodes) {
        this.nodes.set(n.id, n);
        this.sched.createNode(schedulerNode(n));
      }
    } else if ("update_node" in e) {
      this.nodes.set(e.update_node.id, e.update_node);
      this.sched.updateNode(schedulerNode(e.update_node));
    } else if ("delete_node" in e) {
      this.nodes.delete(e.delete_node);
      this.sched.deleteNode(e.delete_node);
    } else if ("create_tasks" in e) {
      for (const t of e.create_tasks) {
        this.store.set(t.id, { ...t });
        this.sched.createTask(schedulerTask(t));
      }
    } else if ("update_task" in e) {
      this.updateTask(e.update_task.id, e.update_task);
    } else if ("delete_tasks" in e) {
      for (const id of e.delete_tasks) this.deleteTask(id);
    } else if ("delete_tasks_on_node" in e) {
      for (const [id, t] of [...this.store]) if (t.node_id === e.delete_tasks_on_node) this.deleteTask(id);
    } else if ("delete_service" in e) {
      this.sched.deleteService(e.delete_service);
    } else if ("set_service" in e) {
      this.sched.setService(e.set_service.id, e.set_service.spec_version ?? null);
    } else if ("retry" in e) {
      this.pass();
    } else if ("update_assigned_of" in e) {
      const u = e.update_assigned_of;
      for (const id of u.tasks) if (this.store.get(id)?.node_id) this.updateTask(id, { state: u.state });
    } else {
      const u = e.update_pending_of;
      for (const id of u.tasks) if (this.store.get(id)?.state === "pending") this.updateTask(id, { desired_state: u.desired_state });
    }
  }

  /** Tasks of a service per node, counting ASSIGNED…RUNNING; `before` counts the store as the step began. */
  counts(service: string, when: "now" | "before" = "now"): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of (when === "now" ? this.store : this.before).values()) {
      if (t.service_id !== service || !isRunningish(t) || !t.node_id) continue;
      counts.set(t.node_id, (counts.get(t.node_id) ?? 0) + 1);
    }
    return counts;
  }

  task(id: string): VectorTask {
    const t = this.store.get(id);
    if (!t) throw new Error(`no task ${id} in the store`);
    return t;
  }

  nodeOf(id: string): string {
    return this.task(id).node_id ?? "";
  }
}

function where(t: VectorTask): string {
  return `${t.id}: state ${t.state}, node "${t.node_id ?? ""}", error "${t.error ?? ""}"`;
}

/** The expectation's one key, which names its check. */
export function expectationKind(e: VectorExpectation): string {
  return Object.keys(e).join("+");
}

/** Checks one expectation against the store after a step. */
export function checkExpectation(e: VectorExpectation, replay: ScenarioReplay): Verdict {
  if ("assigned" in e) {
    const want = e.assigned;
    const t = replay.task(want.task);
    const node = t.node_id ?? "";
    let ok = isRunningish(t) && node !== "";
    if (want.node !== undefined) ok &&= node === want.node;
    if (want.node_in !== undefined) ok &&= want.node_in.includes(node);
    if (want.not_node !== undefined) ok &&= !want.not_node.includes(node);
    return { ok, detail: `${where(t)}; expected ${JSON.stringify(e.assigned)}` };
  }
  if ("pending" in e) {
    const t = replay.task(e.pending.task);
    const ok = t.state === "pending" && !t.node_id && (t.error ?? "") === e.pending.error;
    return { ok, detail: `${where(t)}; expected pending with "${e.pending.error}"` };
  }
  if ("distinct_nodes" in e) {
    const nodes = e.distinct_nodes.map((id) => replay.nodeOf(id));
    const ok = nodes.every((n) => n !== "") && new Set(nodes).size === nodes.length;
    return { ok, detail: `nodes ${JSON.stringify(nodes)}` };
  }
  if ("count_multiset" in e) {
    const want = e.count_multiset;
    const counts = replay.counts(want.service);
    const nodes = want.nodes ?? [...replay.nodes.keys()];
    const got = nodes.map((n) => counts.get(n) ?? 0).sort((a, b) => b - a);
    const values = [...want.values].sort((a, b) => b - a);
    return { ok: JSON.stringify(got) === JSON.stringify(values), detail: `counts ${JSON.stringify(got)}, expected ${JSON.stringify(values)}` };
  }
  if ("counts_exact" in e) {
    const counts = replay.counts(e.counts_exact.service);
    const want = e.counts_exact.per_node;
    const got = Object.fromEntries(Object.keys(want).map((n) => [n, counts.get(n) ?? 0]));
    return { ok: JSON.stringify(got) === JSON.stringify(want), detail: `counts ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
  }
  if ("counts_one_of" in e) {
    const counts = replay.counts(e.counts_one_of.service);
    const options = e.counts_one_of.options;
    const ok = options.some((o) => Object.entries(o).every(([n, c]) => (counts.get(n) ?? 0) === c));
    return { ok, detail: `counts ${JSON.stringify(Object.fromEntries(counts))} match none of ${options.length} options` };
  }
  if ("counts" in e) {
    const want = e.counts;
    const got = replay.counts(want.service).get(want.node) ?? 0;
    return { ok: got === want.equals, detail: `${want.node} has ${got} tasks of ${want.service}, expected ${want.equals}` };
  }
  if ("placed_where" in e) {
    const want = e.placed_where;
    const beforeCounts = replay.counts(want.service, "before");
    const got = want.tasks.map((id) => beforeCounts.get(replay.nodeOf(id)) ?? 0);
    const ok = want.tasks.every((id) => replay.nodeOf(id) !== "") && got.every((c) => c === want.count_before);
    return { ok, detail: `nodes had ${JSON.stringify(got)} tasks of ${want.service} before, expected ${want.count_before}` };
  }
  if ("nodes_of_tasks_cover" in e) {
    const nodes = new Set(e.nodes_of_tasks_cover.tasks.map((id) => replay.nodeOf(id)));
    const need = e.nodes_of_tasks_cover.must_include_nodes_of.map((id) => replay.nodeOf(id));
    return { ok: need.every((n) => nodes.has(n)), detail: `nodes ${JSON.stringify([...nodes])} do not include ${JSON.stringify(need)}` };
  }
  if ("dropped" in e) {
    const id = e.dropped;
    const t = replay.task(id);
    const ok = replay.stepDropped.has(id) && !replay.sched.isQueued(id) && t.state === "pending" && !t.node_id;
    return { ok, detail: `${where(t)}; dropped this step: ${replay.stepDropped.has(id)}, still queued: ${replay.sched.isQueued(id)}` };
  }
  if ("order" in e) {
    const got = replay.stepAssigned;
    const ok = got.length === e.order.length && e.order.every((alts, i) => alts.split("|").some((id) => id === got[i]));
    return { ok, detail: `assignment order ${JSON.stringify(got)}, expected ${JSON.stringify(e.order)}` };
  }
  if ("untouched" in e) {
    const touched = e.untouched.filter((id) => replay.written.has(id));
    return { ok: touched.length === 0, detail: `written: ${JSON.stringify(touched)}` };
  }
  if ("one_assigned_one_pending" in e) {
    const want = e.one_assigned_one_pending;
    const tasks = want.tasks.map((id) => replay.task(id));
    const assigned = tasks.filter((t) => isRunningish(t) && t.node_id === want.node);
    const pending = tasks.filter((t) => t.state === "pending" && !t.node_id && t.error === want.error);
    return { ok: assigned.length === 1 && pending.length === 1, detail: tasks.map(where).join("; ") };
  }
  const want = e.pending_of_becomes;
  const tasks = want.tasks.filter((id) => replay.before.get(id)?.state === "pending").map((id) => replay.task(id));
  const ok = tasks.length > 0 && tasks.every((t) => t.state === want.state);
  return { ok, detail: `${tasks.map(where).join("; ")}; expected state ${want.state}` };
}
