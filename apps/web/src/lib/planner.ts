import type { plannerClusterSchema } from "@rampart/api/schema";
import type { NodeChange, PlannerCluster, PlannerNode, PlanResult, Sandbox, ServiceDiff, SpreadGroup, WhyNotRow } from "@rampart/core/planner";
import { TASK_STATES, type ServiceSpec, type TaskState } from "@rampart/core/service";
import type { z } from "zod";
import { naturalCompare } from "./nodes";

/**
 * The placement planner's browser side: the sandbox of node changes (edited, listed,
 * undone), the constraint picker's options, and the views of a PlanResult the page
 * draws. Planning itself is core's `planPlacement`, the same code the server runs.
 */

export type SnapshotOutput = z.infer<typeof plannerClusterSchema>;
export type Availability = PlannerNode["availability"];
export type Role = PlannerNode["role"];
export type NodeChanges = Record<string, NodeChange>;

/** The snapshot as core's planner reads it (the wire carries task states as plain strings). */
export function toPlannerCluster(snapshot: SnapshotOutput): PlannerCluster {
  return {
    nodes: snapshot.nodes,
    services: snapshot.services,
    tasks: snapshot.tasks.filter((t) => t.state in TASK_STATES).map((t) => ({ ...t, state: t.state as TaskState })),
  };
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/** A node as the sandbox has it: its change applied over the cluster's copy. */
export function effectiveNode(node: PlannerNode, change: NodeChange | undefined): PlannerNode {
  if (!change) return node;
  return {
    ...node,
    ...(change.labels ? { labels: change.labels } : {}),
    ...(change.availability ? { availability: change.availability } : {}),
    ...(change.role ? { role: change.role } : {}),
  };
}

/** Drops the fields that equal the node's own, and the node when nothing is left. */
function put(changes: NodeChanges, node: PlannerNode, change: NodeChange): NodeChanges {
  const next: NodeChange = {};
  if (change.labels && !sameLabels(change.labels, node.labels)) next.labels = change.labels;
  if (change.availability && change.availability !== node.availability) next.availability = change.availability;
  if (change.role && change.role !== node.role) next.role = change.role;
  const out = { ...changes };
  if (Object.keys(next).length === 0) delete out[node.id];
  else out[node.id] = next;
  return out;
}

export function setLabel(changes: NodeChanges, node: PlannerNode, key: string, value: string): NodeChanges {
  const current = changes[node.id];
  const labels = { ...effectiveNode(node, current).labels, [key]: value };
  return put(changes, node, { ...current, labels });
}

export function removeLabel(changes: NodeChanges, node: PlannerNode, key: string): NodeChanges {
  const current = changes[node.id];
  const labels = { ...effectiveNode(node, current).labels };
  delete labels[key];
  return put(changes, node, { ...current, labels });
}

export function setAvailability(changes: NodeChanges, node: PlannerNode, availability: Availability): NodeChanges {
  return put(changes, node, { ...changes[node.id], availability });
}

export function setRole(changes: NodeChanges, node: PlannerNode, role: Role): NodeChanges {
  return put(changes, node, { ...changes[node.id], role });
}

export type SandboxEdit =
  | { kind: "label-add" | "label-change" | "label-remove"; nodeId: string; hostname: string; key: string; from: string | null; to: string | null }
  | { kind: "availability"; nodeId: string; hostname: string; from: Availability; to: Availability }
  | { kind: "role"; nodeId: string; hostname: string; from: Role; to: Role };

/** Every change in the sandbox, one per label, availability or role, by hostname then key. */
export function listEdits(nodes: ReadonlyMap<string, PlannerNode>, changes: NodeChanges): SandboxEdit[] {
  const edits: SandboxEdit[] = [];
  for (const [nodeId, change] of Object.entries(changes)) {
    const node = nodes.get(nodeId);
    if (!node) continue;
    const { hostname } = node;
    if (change.labels) {
      const keys = [...new Set([...Object.keys(node.labels), ...Object.keys(change.labels)])].sort();
      for (const key of keys) {
        const from = Object.hasOwn(node.labels, key) ? node.labels[key]! : null;
        const to = Object.hasOwn(change.labels, key) ? change.labels[key]! : null;
        if (from === to) continue;
        const kind = from === null ? "label-add" : to === null ? "label-remove" : "label-change";
        edits.push({ kind, nodeId, hostname, key, from, to });
      }
    }
    if (change.availability) edits.push({ kind: "availability", nodeId, hostname, from: node.availability, to: change.availability });
    if (change.role) edits.push({ kind: "role", nodeId, hostname, from: node.role, to: change.role });
  }
  return edits.sort((a, b) => naturalCompare(a.hostname, b.hostname) || a.kind.localeCompare(b.kind));
}

/** Takes back one edit, leaving the node's other changes. */
export function revertEdit(changes: NodeChanges, node: PlannerNode, edit: SandboxEdit): NodeChanges {
  switch (edit.kind) {
    case "availability":
      return setAvailability(changes, node, node.availability);
    case "role":
      return setRole(changes, node, node.role);
    default:
      return edit.from === null ? removeLabel(changes, node, edit.key) : setLabel(changes, node, edit.key, edit.from);
  }
}

/** `zone: a → b` and the like, for the list of pending changes and the apply dialog. */
export function describeEdit(edit: SandboxEdit): string {
  switch (edit.kind) {
    case "label-add":
      return `add label ${edit.key}=${edit.to}`;
    case "label-remove":
      return `remove label ${edit.key}=${edit.from}`;
    case "label-change":
      return `label ${edit.key}: ${edit.from} → ${edit.to}`;
    case "availability":
      return `availability: ${edit.from} → ${edit.to}`;
    case "role":
      return `role: ${edit.from} → ${edit.to}`;
  }
}

export function buildSandbox(changes: NodeChanges, service: { serviceId?: string; spec: ServiceSpec } | null): Sandbox {
  return {
    ...(Object.keys(changes).length > 0 ? { nodes: changes } : {}),
    ...(service ? { service } : {}),
  };
}

/** The keys Swarm reads from every node (swarm-semantics.md §1.2), before any label. */
export const BUILTIN_KEYS = ["node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch", "node.ip"] as const;

export interface KeyOption {
  key: string;
  /** Values nodes have for it, sorted, at most `MAX_VALUES`. */
  values: string[];
  /** Nodes that have the key (labels), or every node (built-in keys). */
  nodes: number;
}

export const MAX_VALUES = 200;

function sortedValues(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(naturalCompare).slice(0, MAX_VALUES);
}

/**
 * What the constraint picker offers: the built-in keys with the values this cluster
 * has, then every node label (from core's labelCatalogue) and engine label.
 */
export function keyOptions(nodes: readonly PlannerNode[], catalogue: Readonly<Record<string, readonly string[]>>): KeyOption[] {
  const all = nodes.length;
  const builtins: KeyOption[] = [
    { key: "node.id", values: sortedValues(nodes.map((n) => n.id)), nodes: all },
    { key: "node.hostname", values: sortedValues(nodes.map((n) => n.hostname)), nodes: all },
    { key: "node.role", values: ["manager", "worker"], nodes: all },
    { key: "node.platform.os", values: sortedValues(nodes.flatMap((n) => (n.platform?.os ? [n.platform.os] : []))), nodes: all },
    { key: "node.platform.arch", values: sortedValues(nodes.flatMap((n) => (n.platform?.architecture ? [n.platform.architecture] : []))), nodes: all },
    { key: "node.ip", values: sortedValues(nodes.flatMap((n) => (n.addr ? [n.addr] : []))), nodes: all },
  ];
  const counts = new Map<string, number>();
  const engine = new Map<string, Set<string>>();
  for (const node of nodes) {
    for (const key of Object.keys(node.labels)) counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const [key, value] of Object.entries(node.engineLabels ?? {})) {
      const set = engine.get(key) ?? new Set<string>();
      set.add(value);
      engine.set(key, set);
      counts.set(`engine:${key}`, (counts.get(`engine:${key}`) ?? 0) + 1);
    }
  }
  const labels = Object.entries(catalogue).map(([key, values]) => ({ key: `node.labels.${key}`, values: sortedValues(values), nodes: counts.get(key) ?? 0 }));
  const engineLabels = [...engine]
    .sort(([a], [b]) => naturalCompare(a, b))
    .map(([key, values]) => ({ key: `engine.labels.${key}`, values: sortedValues(values), nodes: counts.get(`engine:${key}`) ?? 0 }));
  return [...builtins, ...labels, ...engineLabels];
}

/** Label keys a spread preference can use: node labels first, then engine labels. */
export function spreadOptions(options: readonly KeyOption[]): KeyOption[] {
  return options.filter((o) => o.key.startsWith("node.labels.") || o.key.startsWith("engine.labels."));
}

export interface MatrixFilter {
  search: string;
  excludedOnly: boolean;
}

/** True when the scheduler would not place one more task of the service on the node. */
export function isExcluded(row: WhyNotRow): boolean {
  return !row.filter.passed;
}

/**
 * How to read a row's verdict, which is for one more task after the plan: `excluded`
 * means the node cannot run the service at all (down, drained, constraints, platform…);
 * `full` means it could, but the plan has used its room (resources, max per node).
 */
export type Verdict = "eligible" | "full" | "excluded";

export function verdictOf(row: WhyNotRow): Verdict {
  if (row.filter.passed) return "eligible";
  return row.filter.failedFilter === "resources" || row.filter.failedFilter === "maxReplicas" ? "full" : "excluded";
}

const VERDICT_RANK: Record<Verdict, number> = { eligible: 0, full: 1, excluded: 2 };

/**
 * The why-not rows to draw: where tasks can go first (room, then full), then the
 * excluded, each by hostname; a search matches a hostname or an ID prefix, and
 * `excludedOnly` keeps the nodes the next task could not use.
 */
export function filterMatrix(rows: readonly WhyNotRow[], filter: MatrixFilter): WhyNotRow[] {
  const needle = filter.search.trim().toLowerCase();
  const out: Array<{ row: WhyNotRow; rank: number }> = [];
  for (const row of rows) {
    if (filter.excludedOnly && !isExcluded(row)) continue;
    if (needle && !row.hostname.toLowerCase().includes(needle) && !row.nodeId.toLowerCase().startsWith(needle)) continue;
    out.push({ row, rank: VERDICT_RANK[verdictOf(row)] });
  }
  out.sort((a, b) => a.rank - b.rank || naturalCompare(a.row.hostname, b.row.hostname) || (a.row.nodeId < b.row.nodeId ? -1 : 1));
  return out.map((o) => o.row);
}

export interface PlacementRow {
  nodeId: string;
  hostname: string;
  before: number;
  after: number;
}

/** Nodes with a task of the service now or in the sandbox, by hostname. */
export function placementRows(diff: ServiceDiff, hostnames: ReadonlyMap<string, string>): PlacementRow[] {
  const ids = new Set([...Object.keys(diff.before), ...Object.keys(diff.after)]);
  return [...ids]
    .map((nodeId) => ({ nodeId, hostname: hostnames.get(nodeId) ?? nodeId, before: diff.before[nodeId] ?? 0, after: diff.after[nodeId] ?? 0 }))
    .sort((a, b) => naturalCompare(a.hostname, b.hostname));
}

export interface PlacementTotals {
  before: number;
  after: number;
  /** Nodes whose count changes. */
  changedNodes: number;
}

export function placementTotals(rows: readonly PlacementRow[]): PlacementTotals {
  let before = 0;
  let after = 0;
  let changedNodes = 0;
  for (const row of rows) {
    before += row.before;
    after += row.after;
    if (row.before !== row.after) changedNodes++;
  }
  return { before, after, changedNodes };
}

export interface SpreadView {
  descriptor: string;
  value: string;
  before: number;
  after: number;
  /** Nodes in the group with a task now or after, when it has no subgroups. */
  rows: PlacementRow[];
  children: SpreadView[];
}

/** The spread tree with each group's count today beside the sandbox's, and its nodes with tasks. */
export function spreadView(groups: readonly SpreadGroup[], diff: ServiceDiff, hostnames: ReadonlyMap<string, string>): SpreadView[] {
  return groups.map((group) => {
    const children = spreadView(group.children, diff, hostnames);
    let before = 0;
    for (const id of group.nodeIds) before += diff.before[id] ?? 0;
    const rows =
      children.length > 0
        ? []
        : group.nodeIds
            .filter((id) => (diff.before[id] ?? 0) > 0 || (diff.after[id] ?? 0) > 0)
            .map((nodeId) => ({ nodeId, hostname: hostnames.get(nodeId) ?? nodeId, before: diff.before[nodeId] ?? 0, after: diff.after[nodeId] ?? 0 }))
            .sort((a, b) => naturalCompare(a.hostname, b.hostname));
    return { descriptor: group.descriptor, value: group.value, before, after: group.tasks, rows, children };
  });
}

function sortedRecord(record: Readonly<Record<string, number>>): Array<[string, number]> {
  return Object.entries(record)
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function diffSignature(diff: ServiceDiff): unknown {
  return [diff.serviceId, diff.name, sortedRecord(diff.before), sortedRecord(diff.after), diff.moved, diff.pending, diff.pendingReason];
}

/**
 * What a plan decides, without its timing and in a fixed order, so the browser's plan
 * and the server's can be compared: if they differ, the cluster changed since the
 * snapshot was read.
 */
export function planSignature(result: PlanResult): string {
  const focus = result.focus && {
    problems: result.focus.problems.map((p) => [p.field, p.message]),
    matrix: result.focus.matrix
      .map((r) => [r.nodeId, r.filter.passed ? "" : r.filter.failedFilter, r.after, r.constraints.map((c) => c.matched)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    diff: diffSignature(result.focus.diff),
  };
  const changed = result.changed.map(diffSignature).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return JSON.stringify({ focus, changed });
}

/** Other services whose placement changes: every diff but the planned service's own. */
export function otherChanges(result: PlanResult): ServiceDiff[] {
  const focus = result.focus;
  return result.changed.filter((d) => !focus || (focus.serviceId !== null ? d.serviceId !== focus.serviceId : d.serviceId !== null || d.name !== focus.name));
}

/** `12 ms` or `0.4 ms`. */
export function formatMs(ms: number): string {
  return ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}
