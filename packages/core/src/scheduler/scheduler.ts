import type { ConstraintNode } from "../constraint/index.js";
import type { Availability } from "../node/index.js";
import { TASK_STATES, type TaskState } from "../service/index.js";
import { SpreadTree, spreadLevels, type SpreadLevel } from "./decision-tree.js";
import {
  FILTER,
  FILTER_NAMES,
  failureReason,
  firstFailure,
  fitsResources,
  staticFailure,
  staticKeyOf,
  staticNeedsOf,
  tailFailure,
  type FilterName,
  type FilterNode,
  type FilterProfile,
  type TaskFilterSpec,
} from "./filters.js";
import { encodeHostPort, failureKey, NodeLedger, type LedgerTask } from "./node-ledger.js";
import { bestSlots, SlotHeap } from "./node-heap.js";
import { explainCounts, noSuitableNodeError, Pipeline } from "./pipeline.js";
import { LruMap, StaticProfile } from "./profile-cache.js";
import {
  ASSIGNED_MESSAGE,
  PREASSIGNED_MESSAGE,
  type PlatformSpec,
  type PluginDescription,
  type SchedulerDecision,
  type SchedulerNode,
  type SchedulerNodeState,
  type SchedulerTask,
} from "./types.js";

/**
 * Swarm's scheduler (manager/scheduler/scheduler.go) as a pure, replayable state
 * machine. Store events go in as method calls, a pass (`schedule(now)`) returns the task
 * writes Swarm would make, and nothing reads a clock, the environment or randomness:
 * where Go's choice is arbitrary (map order, heap ties) this picks one stable order.
 *
 * Order used wherever Go iterates a map: nodes in the order they were created, tasks in
 * the order they were queued, groups before one-off tasks, branches in the order first
 * seen. Ties between equally loaded nodes go to the older node. The order in which Go
 * would have met the nodes while building a tree is taken to be "nodes that fail the
 * filters first", which makes a group's error describe only the failures after the last
 * node that fitted, as Swarm's does, without depending on where that node happened to be.
 */

const PENDING = TASK_STATES.pending;
const ASSIGNED = TASK_STATES.assigned;
const RUNNING = TASK_STATES.running;
const COMPLETE = TASK_STATES.complete;
const SHUTDOWN = TASK_STATES.shutdown;
const FAILED = TASK_STATES.failed;
const REJECTED = TASK_STATES.rejected;

const STATE_NAMES = new Map<number, TaskState>(Object.entries(TASK_STATES).map(([name, code]) => [code, name as TaskState]));
/** Keys pack (service tasks, total tasks) into one float; each stays far below 2^26. */
const KEY_SCALE = 67_108_864;
/** Cached node heaps (per kind of task and service). Every node change marks each one. */
const HEAP_CACHE = 8;
/** Stands for any service with no active task yet (no service ID contains NUL). */
const NO_TASKS_YET = "\u0000";
const PROFILE_CACHE = 64;
const EMPTY_GENERIC: readonly (readonly [string, number])[] = [];
const EMPTY_PORTS: readonly number[] = [];

/** The scheduler's starting point: what the store holds when it starts (setupTasksList). */
export interface SchedulerSnapshot {
  nodes?: readonly SchedulerNode[];
  tasks?: readonly SchedulerTask[];
  /** Services that exist, with their spec version (null = none). */
  services?: Readonly<Record<string, number | null>>;
  /** Clock for failures recorded before the first pass, in ms. */
  now?: number;
  /**
   * Failures seen before this snapshot (tasks of a service version that went FAILED or
   * REJECTED on a node the scheduler chose), so the faulty-node rule carries over from
   * one scheduler to the next, as it does in Swarm's long-lived one.
   */
  failures?: readonly TaskFailure[];
}

/** A task of a service version failed on a node at `at` (ms). */
export interface TaskFailure {
  nodeId: string;
  serviceId: string;
  specVersion: number | null;
  at: number;
}

/** Why a node can or cannot take a task: the first filter it fails, with a sentence. */
export interface NodeVerdict {
  nodeId: string;
  passed: boolean;
  failedFilter?: FilterName;
  reason?: string;
}

/** A task as the scheduler last wrote or saw it. */
export interface TaskStatusView {
  id: string;
  nodeId: string;
  state: TaskState;
  desiredState: TaskState;
  error: string;
  message: string;
}

/** A node's bookkeeping, for tests and the planner. */
export interface NodeUsage {
  activeTasks: number;
  activeByService: Record<string, number>;
  nanoCpus: number;
  memoryBytes: number;
  generic: { discrete: Record<string, number>; named: Record<string, string[]> };
  hostPorts: number;
  tasks: number;
}

interface TaskRecord extends LedgerTask {
  readonly specVersion: number | null;
  nodeId: string;
  state: number;
  readonly task: SchedulerTask;
  error: string;
  message: string;
  spec: TaskFilterSpec | null;
}

class NodeEntry implements FilterNode {
  id: string;
  state: SchedulerNodeState = "unknown";
  availability: Availability = "active";
  ready = false;
  runtimeProblem: string | null = null;
  plugins: readonly PluginDescription[] | null = null;
  platform: PlatformSpec | null = null;
  labels: Readonly<Record<string, string>> | undefined;
  engineLabels: Readonly<Record<string, string>> | undefined;
  constraintNode!: ConstraintNode;

  constructor(
    public slot: number,
    public version: number,
    node: SchedulerNode,
    readonly ledger: NodeLedger,
  ) {
    this.id = node.id;
    this.describe(node, version);
  }

  describe(node: SchedulerNode, version: number): void {
    this.version = version;
    this.state = node.state;
    this.availability = node.availability;
    this.runtimeProblem = node.runtimeProblem ?? null;
    this.ready = node.state === "ready" && node.availability === "active" && this.runtimeProblem === null;
    this.plugins = node.plugins ?? null;
    this.platform = node.platform ?? null;
    this.labels = node.labels;
    this.engineLabels = node.engineLabels;
    this.constraintNode = {
      id: node.id,
      role: node.role ?? "worker",
      hostname: node.hostname ?? "",
      labels: node.labels ?? {},
      engineLabels: node.engineLabels ?? {},
      platform: node.platform ? { os: node.platform.os, arch: node.platform.architecture } : null,
      addr: node.addr ?? null,
    };
  }
}

interface HeapEntry {
  readonly heap: SlotHeap;
  readonly profile: FilterProfile | null;
  readonly serviceId: string;
}

function toRecord(task: SchedulerTask): TaskRecord {
  const r = task.reservations;
  const generic = r?.generic ? Object.entries(r.generic) : EMPTY_GENERIC;
  const ports = task.hostPorts && task.hostPorts.length > 0 ? task.hostPorts.filter((p) => p.port !== 0).map(encodeHostPort) : EMPTY_PORTS;
  return {
    id: task.id,
    serviceId: task.serviceId,
    specVersion: task.specVersion,
    nodeId: task.nodeId,
    state: TASK_STATES[task.state],
    desiredState: TASK_STATES[task.desiredState],
    nanoCpus: r?.nanoCpus ?? 0,
    memoryBytes: r?.memoryBytes ?? 0,
    generic,
    hostPorts: ports,
    task,
    error: task.error ?? "",
    message: task.message ?? "",
    spec: null,
  };
}

/**
 * The scheduler's state and its passes. Feed it the store's events, call `schedule(now)`
 * after them, and write back what it returns; it has already applied its own writes, so
 * echoing them back is harmless but unnecessary.
 */
export class Scheduler {
  private readonly slots: (NodeEntry | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private live = 0;
  private versions = 0;
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly queue = new Map<string, TaskRecord>();
  private readonly pendingPreassigned = new Map<string, TaskRecord>();
  private readonly preassigned = new Set<string>();
  private readonly services = new Map<string, number | null>();
  private readonly penaltyUntil = new Map<string, number>();
  private readonly profiles = new LruMap<string, FilterProfile>(PROFILE_CACHE);
  private readonly heaps = new LruMap<string, HeapEntry>(HEAP_CACHE);
  private heapRequests = new Map<string, number>();
  /** Active tasks per service over every node, kept by the nodes' ledgers. */
  private readonly serviceTotals = new Map<string, number>();
  private readonly pipeline = new Pipeline();
  private readonly scanCounts = new Int32Array(FILTER_NAMES.length + 1);
  private clock: number;
  private tickRequired = false;

  // State of the group being scheduled.
  private out: SchedulerDecision[] = [];
  private groupService = "";
  private groupG: Float64Array | null = null;
  private cursor = 0;

  constructor(snapshot: SchedulerSnapshot = {}) {
    this.clock = snapshot.now ?? 0;
    for (const [id, version] of Object.entries(snapshot.services ?? {})) this.services.set(id, version);
    for (const node of snapshot.nodes ?? []) this.upsertNode(node);
    for (const failure of snapshot.failures ?? []) this.recordFailure(failure.nodeId, failureKey(failure.serviceId, failure.specVersion), failure.at);
    for (const task of snapshot.tasks ?? []) {
      const rec = toRecord(task);
      if (rec.state < PENDING || rec.state > RUNNING) continue;
      // Updated, removed or scaled down before it was ever assigned.
      if (rec.state === PENDING && rec.desiredState > COMPLETE) continue;
      this.tasks.set(rec.id, rec);
      if (rec.nodeId === "") this.queue.set(rec.id, rec);
      else if (rec.state === PENDING) {
        this.preassigned.add(rec.id);
        this.pendingPreassigned.set(rec.id, rec);
      } else this.addToNode(rec);
    }
    this.tickRequired = true;
  }

  /** Whether Swarm would run a pass now: something was queued, freed or changed since the last one. */
  get needsPass(): boolean {
    return this.tickRequired || this.pendingPreassigned.size > 0;
  }

  // ---- store events -------------------------------------------------------------

  /** EventCreateNode. */
  createNode(node: SchedulerNode): void {
    this.upsertNode(node);
    this.tickRequired = true;
  }

  /** EventUpdateNode: new description; what is free is recomputed from its totals. */
  updateNode(node: SchedulerNode): void {
    this.upsertNode(node);
    this.tickRequired = true;
  }

  /** EventDeleteNode. The node's tasks stay known; a node created again with the same ID starts empty. */
  deleteNode(nodeId: string): void {
    const slot = this.slotOf.get(nodeId);
    if (slot === undefined) return;
    this.slots[slot]!.ledger.leave();
    this.slots[slot] = undefined;
    this.slotOf.delete(nodeId);
    this.live--;
    this.touch(slot);
    if (this.slots.length - this.live > 1024 && this.slots.length - this.live > this.live) this.compact();
  }

  /** EventCreateTask. Tasks outside PENDING…RUNNING are ignored. */
  createTask(task: SchedulerTask): void {
    const rec = toRecord(task);
    if (rec.state < PENDING || rec.state > RUNNING) return;
    this.tasks.set(rec.id, rec);
    if (rec.nodeId === "") {
      this.queue.set(rec.id, rec);
      this.tickRequired = true;
      return;
    }
    if (rec.state === PENDING) {
      this.preassigned.add(rec.id);
      this.pendingPreassigned.set(rec.id, rec);
      return;
    }
    this.addToNode(rec);
  }

  /**
   * EventUpdateTask. A task moving to FAILED or REJECTED on a node the scheduler chose
   * counts against that node for its service version, at `now` (default: the last pass's clock).
   */
  updateTask(task: SchedulerTask, now: number = this.clock): void {
    const rec = toRecord(task);
    if (rec.state < PENDING) return;
    const old = this.tasks.get(rec.id);
    if (rec.state > RUNNING) {
      if (!old) return;
      if (rec.state !== old.state && (rec.state === FAILED || rec.state === REJECTED) && !this.preassigned.has(rec.id)) {
        this.recordFailure(rec.nodeId, failureKey(rec.serviceId, rec.specVersion), now);
      }
      this.forget(old);
      this.tickRequired = true;
      return;
    }
    if (rec.nodeId === "") {
      if (old) this.forget(old);
      this.tasks.set(rec.id, rec);
      this.queue.set(rec.id, rec);
      this.tickRequired = true;
      return;
    }
    if (rec.state === PENDING) {
      if (old) this.forget(old);
      this.preassigned.add(rec.id);
      this.tasks.set(rec.id, rec);
      this.pendingPreassigned.set(rec.id, rec);
      return;
    }
    this.tasks.set(rec.id, rec);
    this.addToNode(rec);
  }

  /** nodeInfo.taskFailed, and whether some node may now be penalised for that service version. */
  private recordFailure(nodeId: string, key: string, at: number): void {
    const slot = this.slotOf.get(nodeId);
    if (slot === undefined) return;
    const until = this.slots[slot]!.ledger.taskFailed(key, at);
    if (until > (this.penaltyUntil.get(key) ?? -Infinity)) this.penaltyUntil.set(key, until);
  }

  /** EventDeleteTask: frees what the task held. */
  deleteTask(taskId: string): void {
    const old = this.tasks.get(taskId);
    if (old && this.forget(old)) this.tickRequired = true;
  }

  /** A service exists (or changed spec version). */
  setService(serviceId: string, specVersion: number | null): void {
    this.services.set(serviceId, specVersion);
  }

  /** A service is gone: its tasks that cannot be placed are dropped from the queue. */
  deleteService(serviceId: string): void {
    this.services.delete(serviceId);
  }

  // ---- queries -----------------------------------------------------------------

  /** The scheduler's copy of a task, or undefined if it does not track it. */
  taskStatus(taskId: string): TaskStatusView | undefined {
    const rec = this.tasks.get(taskId);
    if (!rec) return undefined;
    return {
      id: rec.id,
      nodeId: rec.nodeId,
      state: STATE_NAMES.get(rec.state) ?? "pending",
      desiredState: STATE_NAMES.get(rec.desiredState) ?? "running",
      error: rec.error,
      message: rec.message,
    };
  }

  /** Whether a task waits in the queue for the next pass. */
  isQueued(taskId: string): boolean {
    return this.queue.has(taskId) || this.pendingPreassigned.has(taskId);
  }

  /** A node's bookkeeping, or undefined for an unknown node. */
  nodeUsage(nodeId: string): NodeUsage | undefined {
    const slot = this.slotOf.get(nodeId);
    if (slot === undefined) return undefined;
    const l = this.slots[slot]!.ledger;
    return {
      activeTasks: l.activeTasks,
      activeByService: Object.fromEntries([...l.activeByService].filter(([, n]) => n !== 0)),
      nanoCpus: l.nanoCpus,
      memoryBytes: l.memoryBytes,
      generic: l.generic.snapshot(),
      hostPorts: l.usedHostPorts.size,
      tasks: l.size,
    };
  }

  /** Recent failures of a service version on a node (countRecentFailures), for tests and the UI. */
  recentFailures(nodeId: string, serviceId: string, specVersion: number | null, now: number): number {
    const slot = this.slotOf.get(nodeId);
    return slot === undefined ? 0 : this.slots[slot]!.ledger.recentFailures(failureKey(serviceId, specVersion), now);
  }

  /**
   * The why-not view: for every node, in creation order, whether a task (any task of a
   * group: they share a spec) could go there now, else the first filter that refuses it
   * and why. Costs one full evaluation per node; the scheduling pass never builds these.
   */
  explainTask(task: SchedulerTask | string): NodeVerdict[] {
    const rec = typeof task === "string" ? this.tasks.get(task) : toRecord(task);
    if (!rec) return [];
    const spec = this.specFor(rec);
    const verdicts: NodeVerdict[] = [];
    for (const entry of this.slots) {
      if (!entry) continue;
      const code = firstFailure(spec, entry);
      verdicts.push(
        code === 0
          ? { nodeId: entry.id, passed: true }
          : { nodeId: entry.id, passed: false, failedFilter: FILTER_NAMES[code - 1]!, reason: failureReason(code, spec, entry) },
      );
    }
    return verdicts;
  }

  // ---- the pass ----------------------------------------------------------------

  /**
   * One pass: pre-assigned tasks first (processPreassignedTasks), then the queue (tick).
   * Returns the task writes in the order they were decided, plus dropped tasks.
   */
  schedule(now: number): SchedulerDecision[] {
    this.clock = now;
    if (this.penaltyUntil.size > 256) {
      for (const [key, until] of this.penaltyUntil) if (until < now) this.penaltyUntil.delete(key);
    }
    this.out = [];
    this.processPreassigned();
    this.tick(now);
    this.tickRequired = false;
    const out = this.out;
    this.out = [];
    return out;
  }

  private processPreassigned(): void {
    for (const rec of [...this.pendingPreassigned.values()]) {
      const slot = this.slotOf.get(rec.nodeId);
      if (slot === undefined) continue;
      const entry = this.slots[slot]!;
      const code = firstFailure(this.specOf(rec), entry);
      if (code === 0) {
        rec.state = ASSIGNED;
        rec.message = PREASSIGNED_MESSAGE;
        rec.error = "";
        if (entry.ledger.addTask(rec)) this.touch(slot);
        this.pendingPreassigned.delete(rec.id);
        this.out.push({ outcome: "assigned", taskId: rec.id, nodeId: rec.nodeId, state: "assigned", message: PREASSIGNED_MESSAGE });
        continue;
      }
      this.scanCounts.fill(0);
      this.scanCounts[code] = 1;
      const error = explainCounts(this.scanCounts);
      if (rec.error !== error) {
        rec.error = error;
        this.out.push({ outcome: "pending", taskId: rec.id, nodeId: rec.nodeId, pending: true, error });
      }
    }
  }

  private tick(now: number): void {
    const queued = [...this.queue.values()];
    this.queue.clear();
    const groups = new Map<string, TaskRecord[]>();
    const oneOffs: TaskRecord[] = [];
    for (const queuedRec of queued) {
      const rec = this.tasks.get(queuedRec.id);
      if (!rec || rec.nodeId !== "") continue;
      if (rec.specVersion === null) {
        oneOffs.push(rec);
        continue;
      }
      const key = `${rec.serviceId}\u0000${rec.specVersion}`;
      const group = groups.get(key);
      if (group) group.push(rec);
      else groups.set(key, [rec]);
    }
    for (const group of groups.values()) this.scheduleGroup(group, now);
    const single: TaskRecord[] = [];
    for (const rec of oneOffs) {
      single[0] = rec;
      this.scheduleGroup(single, now);
    }
  }

  /** scheduleTaskGroup: tasks of one service and spec version, placed together. */
  private scheduleGroup(group: TaskRecord[], now: number): void {
    const rep = group[0]!;
    const spec = this.specOf(rep);
    const n = group.length;
    const key = failureKey(rep.serviceId, rep.specVersion);
    const penalised = (this.penaltyUntil.get(key) ?? -Infinity) >= now;
    this.groupService = rep.serviceId;
    this.groupG = penalised ? this.failureWeights(key, now) : null;
    this.cursor = 0;
    this.pipeline.reset();
    const levels = spreadLevels(rep.task.preferences);
    if (levels.length === 0) {
      const nodes = this.candidates(spec, n, penalised);
      if (nodes.length > 0) this.fill(group, n, nodes, spec);
    } else {
      this.subtree(group, n, this.buildTree(spec, levels), spec);
    }
    if (this.cursor < n) this.noSuitableNode(group);
  }

  /**
   * The faulty-node weight of every node for this service version: the failure count when
   * it is 5 or more, else 0. Comparing these is exactly Swarm's rule ("if either has at
   * least 5, fewer failures wins").
   */
  private failureWeights(key: string, now: number): Float64Array {
    const g = new Float64Array(this.slots.length);
    for (const entry of this.slots) {
      if (!entry) continue;
      const failures = entry.ledger.recentFailures(key, now);
      g[entry.slot] = failures >= 5 ? failures : 0;
    }
    return g;
  }

  /** nodeLess: faulty-node weight, then tasks of the service, then all active tasks. */
  private keyLess(a: number, b: number): boolean {
    const g = this.groupG;
    if (g !== null && g[a] !== g[b]) return g[a]! < g[b]!;
    const la = this.slots[a]!.ledger;
    const lb = this.slots[b]!.ledger;
    const sa = la.serviceCount(this.groupService);
    const sb = lb.serviceCount(this.groupService);
    if (sa !== sb) return sa < sb;
    return la.activeTasks < lb.activeTasks;
  }

  /** nodeLess made total: equal nodes rank by age, so every order is reproducible. */
  private readonly rankLess = (a: number, b: number): boolean => {
    if (this.keyLess(a, b)) return true;
    if (this.keyLess(b, a)) return false;
    return a < b;
  };

  /** Pipeline.Process: the first failing filter is charged; a pass clears the counters. */
  private process(slot: number, spec: TaskFilterSpec): boolean {
    return this.pipeline.record(firstFailure(spec, this.slots[slot]!));
  }

  /**
   * The `n` best nodes that pass the filters, best first (the root leaf's heap in Swarm).
   * From a cached heap when the same kind of task keeps coming (one-off tasks), else by
   * one scan of all nodes. If none passes, the counters hold every node's failure.
   */
  private candidates(spec: TaskFilterSpec, n: number, penalised: boolean): number[] {
    if (!penalised && n <= Math.max(1, this.live >> 4)) {
      const entry = this.eligibleHeap(spec);
      if (entry) {
        const found = this.fromHeap(entry, spec, n);
        if (found !== null && found.length > 0) return found;
      }
    }
    return this.scan(spec, n);
  }

  private scan(spec: TaskFilterSpec, n: number): number[] {
    const passing: number[] = [];
    const counts = this.scanCounts;
    counts.fill(0);
    for (const entry of this.slots) {
      if (!entry) continue;
      const code = firstFailure(spec, entry);
      if (code === 0) passing.push(entry.slot);
      else counts[code]!++;
    }
    if (passing.length === 0) {
      this.pipeline.load(counts);
      return passing;
    }
    return bestSlots(passing, n, this.rankLess);
  }

  /**
   * Walks the cached heap best first, checking only what can change without the node
   * changing (resources, host ports, max replicas). Returns null when too many nodes
   * failed those to keep walking; a scan is then cheaper.
   */
  private fromHeap(entry: HeapEntry, spec: TaskFilterSpec, n: number): number[] | null {
    this.syncHeap(entry);
    const found: number[] = [];
    const limit = 64 + (this.live >> 3);
    let failures = 0;
    let aborted = false;
    entry.heap.ascend((slot) => {
      const ledger = this.slots[slot]!.ledger;
      const code = spec.resources && !fitsResources(spec, ledger) ? FILTER.resources : tailFailure(spec, ledger);
      if (code === 0) {
        found.push(slot);
        return found.length < n;
      }
      // Nodes come in order of tasks of the service: all later ones are at the limit too.
      if (code === FILTER.maxReplicas) return false;
      if (++failures > limit) {
        aborted = true;
        return false;
      }
      return true;
    });
    return aborted ? null : found;
  }

  /**
   * The heap of nodes that are ready and pass the static filters for this kind of task,
   * keyed by (tasks of the service, all tasks). Built on the second request for the same
   * kind and service, then kept up to date by re-keying the nodes that changed.
   */
  private eligibleHeap(spec: TaskFilterSpec): HeapEntry | undefined {
    // A service with no active task on any node ranks every node by its tasks alone: all
    // such services share one heap per kind of task (one-off tasks of services of their own).
    const serviceId = this.serviceTotals.has(spec.serviceId) ? spec.serviceId : NO_TASKS_YET;
    const key = `${spec.profile?.key ?? ""}\u0000${serviceId}`;
    const cached = this.heaps.get(key);
    if (cached) return cached;
    const seen = (this.heapRequests.get(key) ?? 0) + 1;
    if (this.heapRequests.size > 4096) this.heapRequests = new Map();
    this.heapRequests.set(key, seen);
    if (seen < 2) return undefined;
    const entry: HeapEntry = { heap: new SlotHeap(this.slots.length), profile: spec.profile, serviceId };
    const members: number[] = [];
    for (const node of this.slots) if (node && this.heapMember(entry, node)) members.push(node.slot);
    entry.heap.rebuild(members, (slot) => this.heapKey(entry, slot));
    this.heaps.set(key, entry);
    return entry;
  }

  private heapMember(entry: HeapEntry, node: NodeEntry): boolean {
    return node.ready && (entry.profile === null || entry.profile.verdict(node) === 0);
  }

  private heapKey(entry: HeapEntry, slot: number): number {
    const ledger = this.slots[slot]!.ledger;
    return ledger.serviceCount(entry.serviceId) * KEY_SCALE + ledger.activeTasks;
  }

  private syncHeap(entry: HeapEntry): void {
    entry.heap.drainDirty((slot) => {
      const node = this.slots[slot];
      if (node && this.heapMember(entry, node)) entry.heap.upsert(slot, this.heapKey(entry, slot));
      else entry.heap.remove(slot);
    });
  }

  /** Every cached heap learns that a node changed. */
  private touch(slot: number): void {
    if (this.heaps.size === 0) return;
    this.heaps.forEach((entry) => entry.heap.markDirty(slot));
  }

  /**
   * scheduleNTasksOnNodes: the best node takes tasks until the next one is strictly
   * better, then the next…; past the last node, one task each in turn. A node that stops
   * passing the filters is skipped for the rest of the call.
   */
  private fill(group: TaskRecord[], n: number, nodes: number[], spec: TaskFilterSpec): number {
    const count = nodes.length;
    const failed = new Uint8Array(count);
    let placed = 0;
    let iter = 0;
    while (this.cursor < group.length) {
      const slot = nodes[iter % count]!;
      this.assign(group[this.cursor++]!, slot);
      placed++;
      if (placed === n) return placed;
      if (iter + 1 < count) {
        if (this.keyLess(nodes[iter + 1]!, slot)) iter++;
      } else {
        iter++;
      }
      const start = iter;
      while (failed[iter % count] || !this.process(nodes[iter % count]!, spec)) {
        failed[iter % count] = 1;
        iter++;
        if (iter - start === count) return placed;
      }
    }
    return placed;
  }

  private assign(rec: TaskRecord, slot: number): void {
    const entry = this.slots[slot]!;
    rec.nodeId = entry.id;
    rec.state = ASSIGNED;
    rec.message = ASSIGNED_MESSAGE;
    rec.error = "";
    if (entry.ledger.addTask(rec)) this.touch(slot);
    this.out.push({ outcome: "assigned", taskId: rec.id, nodeId: entry.id, state: "assigned", message: ASSIGNED_MESSAGE });
  }

  /**
   * nodeSet.tree: every node is filed under its branches with its tasks of the service;
   * the ones that pass the filters become their leaf's candidates.
   */
  private buildTree(spec: TaskFilterSpec, levels: readonly SpreadLevel[]): SpreadTree {
    const root = new SpreadTree();
    const counts = this.scanCounts;
    counts.fill(0);
    let anyPassed = false;
    for (const entry of this.slots) {
      if (!entry) continue;
      const leaf = root.place(levels, entry.labels, entry.engineLabels, entry.ledger.serviceCount(spec.serviceId));
      const code = firstFailure(spec, entry);
      if (code === 0) {
        leaf.eligible.push(entry.slot);
        anyPassed = true;
      } else counts[code]!++;
    }
    if (anyPassed) this.pipeline.reset();
    else this.pipeline.load(counts);
    return root;
  }

  /**
   * scheduleNTasksOnSubtree: evens out the branches. Each pass gives every branch below
   * the even share enough to reach it (one more while a remainder is left); a branch that
   * takes fewer than it was given is full and drops out, and the next pass spreads what
   * is left. Branch counts are those of the tree's build and are not refreshed between
   * passes — Swarm's quirk, kept on purpose.
   */
  private subtree(group: TaskRecord[], n: number, tree: SpreadTree, spec: TaskFilterSpec): number {
    if (!tree.children) {
      const nodes = this.orderedNodes(tree, group.length, spec);
      return nodes.length === 0 ? 0 : this.fill(group, n, nodes, spec);
    }
    const branches = [...tree.children.values()];
    const noRoom = new Set<SpreadTree>();
    let placed = 0;
    let usable = tree.tasks;
    while (placed !== n && noRoom.size !== branches.length) {
      const open = branches.length - noRoom.size;
      const desired = Math.floor((usable + n - placed) / open);
      let remainder = (usable + n - placed) % open;
      let progressed = false;
      for (const branch of branches) {
        if (noRoom.has(branch)) continue;
        const have = branch.tasks;
        if (have < desired || (have === desired && remainder > 0)) {
          const want = desired - have + (remainder > 0 ? 1 : 0);
          const got = this.subtree(group, want, branch, spec);
          if (got < want) {
            noRoom.add(branch);
            usable -= have;
          } else if (remainder > 0) {
            remainder--;
          }
          placed += got;
          progressed = true;
        }
      }
      if (!progressed) break;
    }
    return placed;
  }

  /**
   * decisionTree.orderedNodes: the leaf's best `max` candidates, best first. A leaf met
   * again re-checks its nodes (they may have filled up), dropping failures by swapping in
   * the last one as Swarm does, so the counters see the same sequence.
   */
  private orderedNodes(leaf: SpreadTree, max: number, spec: TaskFilterSpec): number[] {
    if (leaf.ordered === null) {
      leaf.ordered = bestSlots(leaf.eligible, max, this.rankLess);
      return leaf.ordered;
    }
    const nodes = leaf.ordered;
    for (let i = 0; i < nodes.length; ) {
      if (this.process(nodes[i]!, spec)) i++;
      else {
        nodes[i] = nodes[nodes.length - 1]!;
        nodes.pop();
      }
    }
    nodes.sort((a, b) => (this.rankLess(a, b) ? -1 : this.rankLess(b, a) ? 1 : 0));
    return nodes;
  }

  /**
   * noSuitableNode: the rest of the group gets the pipeline's explanation and waits for
   * the next pass — unless its service is gone (dropped), or has a newer spec version
   * (not retried; shut down if it was meant to stop anyway).
   */
  private noSuitableNode(group: TaskRecord[]): void {
    const error = noSuitableNodeError(this.pipeline.explain());
    for (let i = this.cursor; i < group.length; i++) {
      const rec = group[i]!;
      if (!this.services.has(rec.serviceId)) {
        this.out.push({ outcome: "dropped", taskId: rec.id, reason: "service-missing" });
        continue;
      }
      const serviceVersion = this.services.get(rec.serviceId) ?? null;
      if (serviceVersion !== null && rec.specVersion !== null && serviceVersion > rec.specVersion) {
        if (rec.state === PENDING && rec.desiredState >= SHUTDOWN) {
          rec.state = SHUTDOWN;
          rec.error = "";
          this.out.push({ outcome: "shutdown", taskId: rec.id, state: "shutdown" });
          this.forget(rec);
        } else {
          this.out.push({ outcome: "dropped", taskId: rec.id, reason: "outdated-spec" });
        }
        continue;
      }
      this.queue.set(rec.id, rec);
      if (rec.error !== error) {
        rec.error = error;
        this.out.push({ outcome: "pending", taskId: rec.id, nodeId: "", pending: true, error });
      }
    }
  }

  // ---- bookkeeping -------------------------------------------------------------

  private upsertNode(node: SchedulerNode): void {
    const version = ++this.versions;
    const slot = this.slotOf.get(node.id);
    if (slot === undefined) {
      const entry = new NodeEntry(this.slots.length, version, node, new NodeLedger(node.resources, this.clock, undefined, this.serviceTotals));
      this.slots.push(entry);
      this.slotOf.set(node.id, entry.slot);
      this.live++;
      this.touch(entry.slot);
      return;
    }
    const entry = this.slots[slot]!;
    entry.describe(node, version);
    entry.ledger.reconcile(node.resources);
    this.touch(slot);
  }

  private addToNode(rec: TaskRecord): void {
    const slot = this.slotOf.get(rec.nodeId);
    if (slot !== undefined && this.slots[slot]!.ledger.addTask(rec)) this.touch(slot);
  }

  /** deleteTask: forgets a task and frees what it held. Returns whether a node changed. */
  private forget(rec: TaskRecord): boolean {
    this.tasks.delete(rec.id);
    this.preassigned.delete(rec.id);
    this.pendingPreassigned.delete(rec.id);
    this.queue.delete(rec.id);
    const slot = this.slotOf.get(rec.nodeId);
    if (slot === undefined || !this.slots[slot]!.ledger.removeTask(rec)) return false;
    this.touch(slot);
    return true;
  }

  /** Renumbers slots after many deletions; slot-indexed caches start over. */
  private compact(): void {
    const entries = this.slots.filter((e): e is NodeEntry => e !== undefined);
    this.slots.length = 0;
    this.slotOf.clear();
    for (const entry of entries) {
      entry.slot = this.slots.length;
      entry.version = ++this.versions;
      this.slots.push(entry);
      this.slotOf.set(entry.id, entry.slot);
    }
    this.heaps.clear();
    this.profiles.clear();
  }

  private profileFor(task: SchedulerTask): FilterProfile | null {
    const key = staticKeyOf(task);
    if (key === "") return null;
    let profile = this.profiles.get(key);
    if (!profile) {
      profile = new StaticProfile(key, staticNeedsOf(task), staticFailure);
      this.profiles.set(key, profile);
    }
    return profile;
  }

  /** Pipeline.SetTask: which filters apply to this task, and with what. */
  private specFor(rec: TaskRecord): TaskFilterSpec {
    const max = rec.task.maxReplicas ?? 0;
    return {
      serviceId: rec.serviceId,
      resources: rec.nanoCpus !== 0 || rec.memoryBytes !== 0 || rec.generic.length > 0,
      nanoCpus: rec.nanoCpus,
      memoryBytes: rec.memoryBytes,
      generic: rec.generic,
      profile: this.profileFor(rec.task),
      hostPorts: rec.hostPorts,
      maxReplicas: max > 0 ? max : 0,
    };
  }

  private specOf(rec: TaskRecord): TaskFilterSpec {
    rec.spec ??= this.specFor(rec);
    return rec.spec;
  }
}

/**
 * The why-not view without a running scheduler: builds one from the given nodes and the
 * tasks they hold, and explains where `task` could go. For the planner and the UI.
 */
export function explainPlacement(snapshot: SchedulerSnapshot, task: SchedulerTask): NodeVerdict[] {
  return new Scheduler(snapshot).explainTask(task);
}

/** What Swarm would write if none of these nodes fitted: the verdicts' counts, explained. */
export function summarizeVerdicts(verdicts: readonly NodeVerdict[]): string {
  const counts = new Int32Array(FILTER_NAMES.length + 1);
  for (const v of verdicts) if (!v.passed && v.failedFilter) counts[FILTER_NAMES.indexOf(v.failedFilter) + 1]!++;
  return noSuitableNodeError(explainCounts(counts));
}
