import { TASK_STATES } from "../service/index.js";
import { GenericPool, type GenericClaim } from "./generic-resources.js";
import { MAX_FAILURES, MONITOR_FAILURES_MS, type HostPort, type NodeResources } from "./types.js";

/**
 * Per-node bookkeeping (Swarm's NodeInfo, manager/scheduler/nodeinfo.go): the tasks a
 * node holds, how many are active in total and per service, what is still free, which
 * host ports are taken and the recent failures per service version. A data structure:
 * it applies Swarm's accounting rules and decides nothing about placement.
 */

/** What the ledger needs of a task. Reservations are already normalised. */
export interface LedgerTask {
  readonly id: string;
  readonly serviceId: string;
  /** Numeric task state (TASK_STATES). */
  readonly desiredState: number;
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  /** Generic requests in spec order. */
  readonly generic: readonly (readonly [string, number])[];
  /** Encoded with encodeHostPort. */
  readonly hostPorts: readonly number[];
  /**
   * What the task holds, when the caller knows better than the ledger (Swarm's removeTask
   * gives back the task object's AssignedGenericResources); else the ledger's record is used.
   */
  readonly assignedGeneric?: readonly GenericClaim[];
}

interface Entry {
  task: LedgerTask;
  claims: readonly GenericClaim[];
}

const PROTOCOLS = { tcp: 0, udp: 1, sctp: 2 } as const;

/** One number per (protocol, port), so used ports live in a Set without string keys. */
export function encodeHostPort(port: HostPort): number {
  return PROTOCOLS[port.protocol] * 65536 + port.port;
}

/** `58/tcp`, for explanations. */
export function decodeHostPort(code: number): string {
  const protocol = (["tcp", "udp", "sctp"] as const)[Math.floor(code / 65536)] ?? "tcp";
  return `${code % 65536}/${protocol}`;
}

/** Failures are counted per service and spec version; a missing version is version 0, as in Go. */
export function failureKey(serviceId: string, specVersion: number | null): string {
  return `${serviceId}\u0000${specVersion ?? 0}`;
}

function addCount(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}

/** Active means desired state at most COMPLETE (swarm-semantics.md §2.1). */
export function isActive(desiredState: number): boolean {
  return desiredState <= TASK_STATES.complete;
}

/**
 * One node's NodeInfo. Kept as a class of its own so the accounting can be checked
 * against Swarm's nodeinfo tests (resource_accounting vectors) without a scheduler.
 */
export class NodeLedger {
  private readonly entries = new Map<string, Entry>();
  /** Tasks whose desired state is active. */
  activeTasks = 0;
  /** Active tasks per service ID. */
  readonly activeByService = new Map<string, number>();
  /** Free CPU (may go negative when a node shrinks under its tasks, as in Swarm). */
  nanoCpus = 0;
  memoryBytes = 0;
  /** Free generic resources. */
  generic = new GenericPool();
  /** Encoded (protocol, port) pairs in use. */
  readonly usedHostPorts = new Set<number>();
  private totalGeneric = new GenericPool();
  private readonly failures = new Map<string, number[]>();
  private lastCleanup: number;

  /**
   * A ledger for a node with `total` resources (absent = the node reported none) and,
   * as newNodeInfo allows, a different starting `available` (defaults to the total).
   */
  constructor(
    total: NodeResources | null | undefined,
    now: number,
    available?: NodeResources | null,
    /** Active tasks per service over every node, kept by the ledgers that share it. */
    private readonly serviceTotals?: Map<string, number>,
  ) {
    this.lastCleanup = now;
    this.setTotals(total, available === undefined ? total : available);
  }

  private setTotals(total: NodeResources | null | undefined, available: NodeResources | null | undefined): void {
    this.totalGeneric = GenericPool.from(total?.generic);
    this.nanoCpus = available?.nanoCpus ?? 0;
    this.memoryBytes = available?.memoryBytes ?? 0;
    this.generic = GenericPool.from(available?.generic);
  }

  /** Number of tasks tracked (active or not). */
  get size(): number {
    return this.entries.size;
  }

  has(taskId: string): boolean {
    return this.entries.has(taskId);
  }

  /** The tracked tasks, in the order they were added. */
  taskIds(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** What a tracked task holds of the generic resources. */
  claimsOf(taskId: string): readonly GenericClaim[] | undefined {
    return this.entries.get(taskId)?.claims;
  }

  /** Active tasks of one service. */
  serviceCount(serviceId: string): number {
    return this.activeByService.get(serviceId) ?? 0;
  }

  private bump(serviceId: string, by: number): void {
    this.activeTasks += by;
    this.activeByService.set(serviceId, (this.activeByService.get(serviceId) ?? 0) + by);
    if (this.serviceTotals) addCount(this.serviceTotals, serviceId, by);
  }

  /** The node is gone: its tasks no longer count in the shared totals. */
  leave(): void {
    if (this.serviceTotals) for (const [serviceId, n] of this.activeByService) addCount(this.serviceTotals, serviceId, -n);
  }

  /**
   * addTask: a new task takes its reservations, generic claims and host ports, and
   * counts if active. A task already tracked only changes the counts when it crosses
   * the active line. Returns whether anything changed.
   */
  addTask(task: LedgerTask): boolean {
    const old = this.entries.get(task.id);
    if (old) {
      const wasActive = isActive(old.task.desiredState);
      const nowActive = isActive(task.desiredState);
      if (wasActive === nowActive) return false;
      old.task = task;
      this.bump(task.serviceId, nowActive ? 1 : -1);
      return true;
    }
    this.nanoCpus -= task.nanoCpus;
    this.memoryBytes -= task.memoryBytes;
    const claims = task.generic.length === 0 ? [] : this.generic.claim(task.generic);
    this.entries.set(task.id, { task, claims });
    for (const port of task.hostPorts) this.usedHostPorts.add(port);
    if (isActive(task.desiredState)) this.bump(task.serviceId, 1);
    return true;
  }

  /**
   * removeTask: gives back the reservations and ports of the task passed in and the
   * generic resources it holds. Counts use the tracked copy's desired state, as in Swarm.
   */
  removeTask(task: LedgerTask): boolean {
    const old = this.entries.get(task.id);
    if (!old) return false;
    this.entries.delete(task.id);
    if (isActive(old.task.desiredState)) this.bump(task.serviceId, -1);
    for (const port of task.hostPorts) this.usedHostPorts.delete(port);
    this.nanoCpus += task.nanoCpus;
    this.memoryBytes += task.memoryBytes;
    if (this.totalGeneric.isEmpty()) return true;
    this.generic.reclaim(task.assignedGeneric ?? old.claims, this.totalGeneric);
    return true;
  }

  /**
   * createOrUpdateNode: new totals; what is free is recomputed from them minus every
   * tracked task's reservations and claims. A node that reports no resources has none
   * free, whatever it runs (Swarm does not subtract in that case either).
   */
  reconcile(total: NodeResources | null | undefined): void {
    if (!total) {
      this.setTotals(undefined, undefined);
      return;
    }
    this.setTotals(total, total);
    for (const { task, claims } of this.entries.values()) {
      this.nanoCpus -= task.nanoCpus;
      this.memoryBytes -= task.memoryBytes;
      this.generic.consume(claims);
    }
  }

  /**
   * taskFailed: records a failure of a service version on this node, dropping expired
   * ones. Returns until when this node may count as faulty for that version (the 5th
   * most recent failure plus the window), or -Infinity, so the scheduler can tell
   * cheaply whether any node might be penalised.
   */
  taskFailed(key: string, now: number): number {
    if (now - this.lastCleanup >= MONITOR_FAILURES_MS) this.cleanupFailures(now);
    const list = this.failures.get(key) ?? [];
    let expired = 0;
    while (expired < list.length && now - list[expired]! >= MONITOR_FAILURES_MS) expired++;
    const kept = list.slice(expired);
    kept.push(now);
    this.failures.set(key, kept);
    if (kept.length < MAX_FAILURES) return -Infinity;
    const sorted = [...kept].sort((a, b) => b - a);
    return sorted[MAX_FAILURES - 1]! + MONITOR_FAILURES_MS;
  }

  private cleanupFailures(now: number): void {
    for (const [key, list] of this.failures) {
      if (!list.some((ts) => now - ts < MONITOR_FAILURES_MS)) this.failures.delete(key);
    }
    this.lastCleanup = now;
  }

  /** countRecentFailures: failures of a service version within the window before `now`. */
  recentFailures(key: string, now: number): number {
    const list = this.failures.get(key);
    if (!list) return 0;
    let count = list.length;
    for (let i = list.length - 1; i >= 0; i--) {
      if (now - list[i]! > MONITOR_FAILURES_MS) {
        count -= i + 1;
        break;
      }
    }
    return count;
  }
}
