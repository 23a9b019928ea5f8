import { evaluateConstraint, nodeMatches, parseConstraints, type Constraint, type ConstraintNode } from "../constraint/index.js";
import type { Availability } from "../node/index.js";
import { decodeHostPort, type NodeLedger } from "./node-ledger.js";
import type { StaticProfile, VersionedSlot } from "./profile-cache.js";
import type { PlatformSpec, PluginDescription, SchedulerNodeState, SchedulerTask } from "./types.js";

/**
 * Swarm's filters (manager/scheduler/filter.go), as policy: when each applies to a task,
 * when a node passes, what a failure is called in the task's error, and, beyond Swarm,
 * a sentence saying why one node failed. The order is the pipeline's and is fixed.
 * Swarm's eighth filter (CSI cluster volumes) has no counterpart: Rampart has no CSI.
 */

/** The filters in pipeline order; a filter's code is its index + 1 (0 = passed). */
export const FILTER_NAMES = ["ready", "resources", "plugins", "constraints", "platform", "hostPorts", "maxReplicas"] as const;
/** A filter of the pipeline. */
export type FilterName = (typeof FILTER_NAMES)[number];

/** Filter codes, for the hot path (numbers, not names). */
export const FILTER = { ready: 1, resources: 2, plugins: 3, constraints: 4, platform: 5, hostPorts: 6, maxReplicas: 7 } as const;

/** Each filter's Explain(n): Swarm's exact words, singular for one node. */
export function explainFilter(code: number, nodes: number): string {
  const one = nodes === 1;
  switch (code) {
    case FILTER.ready:
      return one ? "1 node not available for new tasks" : `${nodes} nodes not available for new tasks`;
    case FILTER.resources:
      return one ? "insufficient resources on 1 node" : `insufficient resources on ${nodes} nodes`;
    case FILTER.plugins:
      return one ? "missing plugin on 1 node" : `missing plugin on ${nodes} nodes`;
    case FILTER.constraints:
      return one ? "scheduling constraints not satisfied on 1 node" : `scheduling constraints not satisfied on ${nodes} nodes`;
    case FILTER.platform:
      return one ? "unsupported platform on 1 node" : `unsupported platform on ${nodes} nodes`;
    case FILTER.hostPorts:
      return one ? "host-mode port already in use on 1 node" : `host-mode port already in use on ${nodes} nodes`;
    case FILTER.maxReplicas:
      return "max replicas per node limit exceed";
    default:
      return "";
  }
}

/** What the filters read about a node. */
export interface FilterNode extends VersionedSlot {
  readonly id: string;
  readonly state: SchedulerNodeState;
  readonly availability: Availability;
  /** Ready and active (and able to run containers), precomputed. */
  readonly ready: boolean;
  /** Why the node cannot run containers, or null. */
  readonly runtimeProblem: string | null;
  /** null = no engine description. */
  readonly plugins: readonly PluginDescription[] | null;
  readonly platform: PlatformSpec | null;
  readonly constraintNode: ConstraintNode;
  readonly ledger: NodeLedger;
}

/** What the plugin filter checks, when it applies. */
export interface PluginNeeds {
  /** Volume drivers other than `""` and `local`. */
  readonly volumes: readonly string[];
  /** Network drivers that are set. */
  readonly networks: readonly string[];
  /** A log driver to look for, or null (none given, options only, or `none`). */
  readonly log: string | null;
}

/** The filters whose verdict depends only on the node's description and the task's spec. */
export interface StaticNeeds {
  readonly plugins: PluginNeeds | null;
  /** null when absent or unparseable (Swarm then disables the filter). */
  readonly constraints: readonly Constraint[] | null;
  readonly platforms: readonly PlatformSpec[] | null;
}

function pluginFilterApplies(task: SchedulerTask): boolean {
  const volumes = task.volumeDrivers ?? [];
  return (
    volumes.some((d) => d !== "" && d !== "local") || (task.networkDrivers?.length ?? 0) > 0 || (task.logDriver !== undefined && task.logDriver !== null)
  );
}

/**
 * A string equal for tasks with equal static needs, `""` when none applies: the cache
 * key under which a node's static verdict is remembered.
 */
export function staticKeyOf(task: SchedulerTask): string {
  let key = "";
  if (task.constraints && task.constraints.length > 0) key += `c\u0001${task.constraints.join("\u0001")}`;
  if (task.platforms && task.platforms.length > 0) key += `\u0002p${task.platforms.map((p) => `${p.os}/${p.architecture}`).join("\u0001")}`;
  if (pluginFilterApplies(task)) {
    key += `\u0002v${(task.volumeDrivers ?? []).join("\u0001")}\u0002n${(task.networkDrivers ?? []).join("\u0001")}\u0002l${task.logDriver ?? ""}`;
  }
  return key;
}

/** Parses what the static filters need from a task, once per kind of task. */
export function staticNeedsOf(task: SchedulerTask): StaticNeeds {
  let constraints: Constraint[] | null = null;
  if (task.constraints && task.constraints.length > 0) {
    try {
      constraints = parseConstraints(task.constraints);
    } catch {
      // Validated when the service was written; Swarm disables the filter rather than fail.
      constraints = null;
    }
  }
  const log = task.logDriver;
  return {
    plugins: pluginFilterApplies(task)
      ? {
          volumes: (task.volumeDrivers ?? []).filter((d) => d !== "" && d !== "local"),
          networks: (task.networkDrivers ?? []).filter((d) => d !== ""),
          log: log === undefined || log === null || log === "" || log === "none" ? null : log,
        }
      : null,
    constraints,
    platforms: task.platforms && task.platforms.length > 0 ? task.platforms : null,
  };
}

/** pluginExistsOnNode: [a plugin of the type exists, the named one exists]; `x:latest` counts as `x`. */
function findPlugin(type: string, name: string, plugins: readonly PluginDescription[]): [boolean, boolean] {
  let typeFound = false;
  for (const p of plugins) {
    if (p.type !== type) continue;
    typeFound = true;
    if (p.name === name || (p.name.startsWith(name) && p.name.slice(name.length) === ":latest")) return [true, true];
  }
  return [typeFound, false];
}

/** The first plugin the node lacks, or null. The log driver is not required of nodes that report no Log plugins at all. */
function missingPlugin(needs: PluginNeeds, plugins: readonly PluginDescription[] | null): string | null {
  if (plugins === null) return null;
  for (const v of needs.volumes) if (!findPlugin("Volume", v, plugins)[1]) return `Volume plugin "${v}"`;
  for (const n of needs.networks) if (!findPlugin("Network", n, plugins)[1]) return `Network plugin "${n}"`;
  if (needs.log !== null) {
    const [typeFound, exists] = findPlugin("Log", needs.log, plugins);
    if (typeFound && !exists) return `Log plugin "${needs.log}"`;
  }
  return null;
}

function normalizeArch(arch: string): string {
  return arch === "x86_64" ? "amd64" : arch === "aarch64" ? "arm64" : arch;
}

function platformMatches(wanted: readonly PlatformSpec[], node: PlatformSpec | null): boolean {
  if (!node) return false;
  const arch = normalizeArch(node.architecture);
  return wanted.some((p) => (p.architecture === "" || normalizeArch(p.architecture) === arch) && (p.os === "" || p.os === node.os));
}

/** The first static filter a node fails (plugins, constraints, platform), or 0. */
export function staticFailure(needs: StaticNeeds, node: FilterNode): number {
  if (needs.plugins && missingPlugin(needs.plugins, node.plugins) !== null) return FILTER.plugins;
  if (needs.constraints && !nodeMatches(needs.constraints, node.constraintNode)) return FILTER.constraints;
  if (needs.platforms && !platformMatches(needs.platforms, node.platform)) return FILTER.platform;
  return 0;
}

/** The cache type the scheduler keeps per kind of task. */
export type FilterProfile = StaticProfile<FilterNode, StaticNeeds>;

/**
 * One task's view of the pipeline (Pipeline.SetTask): which filters apply, with what.
 * Computed once per group of tasks.
 */
export interface TaskFilterSpec {
  readonly serviceId: string;
  /** ResourceFilter applies: some CPU, memory or generic reservation. */
  readonly resources: boolean;
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly generic: readonly (readonly [string, number])[];
  /** Static filters, or null when none applies. */
  readonly profile: FilterProfile | null;
  /** Encoded host-mode ports (HostPortFilter applies when non-empty). */
  readonly hostPorts: readonly number[];
  /** 0 = MaxReplicasFilter off. */
  readonly maxReplicas: number;
}

/** ResourceFilter.Check; separate so cached node heaps can re-check only what changes without the node changing. */
export function fitsResources(spec: TaskFilterSpec, ledger: NodeLedger): boolean {
  if (spec.nanoCpus > ledger.nanoCpus || spec.memoryBytes > ledger.memoryBytes) return false;
  for (const [kind, value] of spec.generic) if (!ledger.generic.hasEnough(kind, value)) return false;
  return true;
}

/**
 * The filters after the static ones: host ports, then max replicas (0 when both pass).
 * Like resources, they change as tasks land, so cached heaps re-check them per task.
 */
export function tailFailure(spec: TaskFilterSpec, ledger: NodeLedger): number {
  for (const port of spec.hostPorts) if (ledger.usedHostPorts.has(port)) return FILTER.hostPorts;
  if (spec.maxReplicas > 0 && ledger.serviceCount(spec.serviceId) >= spec.maxReplicas) return FILTER.maxReplicas;
  return 0;
}

/**
 * Pipeline.Process without the counting: the first filter a node fails, in pipeline
 * order, or 0. Static verdicts come from the profile's cache.
 */
export function firstFailure(spec: TaskFilterSpec, node: FilterNode): number {
  if (!node.ready) return FILTER.ready;
  if (spec.resources && !fitsResources(spec, node.ledger)) return FILTER.resources;
  if (spec.profile !== null) {
    const verdict = spec.profile.verdict(node);
    if (verdict !== 0) return verdict;
  }
  return tailFailure(spec, node.ledger);
}

function cpus(nano: number): string {
  return `${nano / 1e9} CPU${nano === 1e9 ? "" : "s"}`;
}

/** A sentence for people: why a node failed a filter. Built only when asked for. */
export function failureReason(code: number, spec: TaskFilterSpec, node: FilterNode): string {
  const ledger = node.ledger;
  switch (code) {
    case FILTER.ready:
      if (node.state !== "ready") return `node is ${node.state}`;
      if (node.availability !== "active") return `node availability is ${node.availability}`;
      return node.runtimeProblem ?? "node is not ready";
    case FILTER.resources: {
      if (spec.nanoCpus > ledger.nanoCpus) return `needs ${cpus(spec.nanoCpus)}, ${cpus(Math.max(0, ledger.nanoCpus))} free`;
      if (spec.memoryBytes > ledger.memoryBytes) {
        return `needs ${spec.memoryBytes} bytes of memory, ${Math.max(0, ledger.memoryBytes)} free`;
      }
      for (const [kind, value] of spec.generic) {
        if (!ledger.generic.hasEnough(kind, value)) return `needs ${value} ${kind}, ${ledger.generic.available(kind)} free`;
      }
      return "insufficient resources";
    }
    case FILTER.plugins: {
      const needs = spec.profile?.needs.plugins;
      const missing = needs ? missingPlugin(needs, node.plugins) : null;
      return missing ? `missing ${missing}` : "missing plugin";
    }
    case FILTER.constraints: {
      for (const c of spec.profile?.needs.constraints ?? []) {
        const result = evaluateConstraint(c, node.constraintNode);
        if (!result.matched) return result.reason;
      }
      return "scheduling constraints not satisfied";
    }
    case FILTER.platform: {
      const wanted = (spec.profile?.needs.platforms ?? []).map((p) => `${p.os || "any"}/${p.architecture || "any"}`).join(", ");
      if (!node.platform) return `node reports no platform; needs ${wanted}`;
      return `node platform ${node.platform.os}/${node.platform.architecture} is not among ${wanted}`;
    }
    case FILTER.hostPorts: {
      const taken = spec.hostPorts.find((p) => ledger.usedHostPorts.has(p));
      return taken === undefined ? "host-mode port already in use" : `host port ${decodeHostPort(taken)} already in use`;
    }
    case FILTER.maxReplicas: {
      const count = ledger.serviceCount(spec.serviceId);
      return `node already runs ${count} active task${count === 1 ? "" : "s"} of the service (max ${spec.maxReplicas})`;
    }
    default:
      return "";
  }
}
