import {
  capitalise,
  constraintWarnings,
  formatTable,
  goG,
  isRampartError,
  naturalCompare,
  parseLabel,
  pciDssScenario,
  planPlacement,
  safeJson,
  type Availability,
  type NodeChange,
  type PlanResult,
  type Sandbox,
  type ServiceDiff,
  type ServiceSpec,
  type SpreadGroup,
  type WhyNotRow,
} from "@rampart/core";
import type { AdminClient } from "../client/index.js";
import {
  applySpecChanges,
  badFlag,
  bytesSize,
  draftSpec,
  hasSpecChanges,
  parseSpecChanges,
  printWarnings,
  truncateId,
  type SpecFlagValues,
} from "./service.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";

/**
 * `rampart plan`: a dry run of the scheduler. The spec comes from a service (and the
 * flags change it, as `service update` would) or from the flags alone (a draft, as
 * `service create` would make it); node flags change the sandbox's copy of the nodes.
 * The live cluster is planned on the server (`planner.whatIf`, audited there); a
 * built-in scenario is planned here, with the same core code.
 */

export interface NodeFlagValues {
  "label-add"?: string[] | undefined;
  "label-rm"?: string[] | undefined;
  availability?: string[] | undefined;
  role?: string[] | undefined;
}

export type PlanFlagValues = SpecFlagValues & NodeFlagValues & { json?: boolean | undefined };

/** A node as the plan names it. */
export interface PlanNode {
  id: string;
  hostname: string;
  role: "worker" | "manager";
  availability: Availability;
  labels: Record<string, string>;
}

/** One node flag, checked; NODE is resolved against the cluster later. */
export type NodeEdit =
  | { ref: string; kind: "label-add"; key: string; value: string }
  | { ref: string; kind: "label-rm"; key: string }
  | { ref: string; kind: "availability"; value: Availability }
  | { ref: string; kind: "role"; value: "worker" | "manager" };

const AVAILABILITY = ["active", "pause", "drain"] as const;
const ROLES = ["worker", "manager"] as const;

/** `NODE<sep>rest`, where NODE is non-empty (IDs and hostnames hold neither `:` nor `=`). */
function splitNode(flag: string, value: string, sep: ":" | "=", shape: string): [string, string] {
  const at = value.indexOf(sep);
  if (at <= 0 || at === value.length - 1) throw badFlag(flag, value, `expected ${shape}`);
  return [value.slice(0, at), value.slice(at + 1)];
}

/** `--label-add NODE:key=value`, `--label-rm NODE:key`, `--availability NODE=drain`, `--role NODE=worker`. */
export function parseNodeEdits(values: NodeFlagValues): NodeEdit[] {
  const edits: NodeEdit[] = [];
  for (const v of values["label-add"] ?? []) {
    const [ref, label] = splitNode("label-add", v, ":", "NODE:key=value");
    try {
      const [key, value] = parseLabel(label, "label-add");
      edits.push({ ref, kind: "label-add", key, value });
    } catch (error) {
      if (isRampartError(error)) throw badFlag("label-add", v, error.message);
      throw error;
    }
  }
  for (const v of values["label-rm"] ?? []) {
    const [ref, key] = splitNode("label-rm", v, ":", "NODE:key");
    edits.push({ ref, kind: "label-rm", key });
  }
  for (const v of values.availability ?? []) {
    const [ref, value] = splitNode("availability", v, "=", "NODE=active|pause|drain");
    if (!(AVAILABILITY as readonly string[]).includes(value)) throw badFlag("availability", v, `invalid availability "${value}": use active, pause or drain`);
    edits.push({ ref, kind: "availability", value: value as Availability });
  }
  for (const v of values.role ?? []) {
    const [ref, value] = splitNode("role", v, "=", "NODE=worker|manager");
    if (!(ROLES as readonly string[]).includes(value)) throw badFlag("role", v, `invalid role "${value}": use worker or manager`);
    edits.push({ ref, kind: "role", value: value as "worker" | "manager" });
  }
  return edits;
}

/** A node by ID, hostname, or unique ID prefix, in that order (as docker resolves node names). */
export function resolveNode(ref: string, nodes: readonly PlanNode[]): PlanNode {
  const byId = nodes.find((n) => n.id === ref);
  if (byId) return byId;
  for (const matches of [nodes.filter((n) => n.hostname === ref), nodes.filter((n) => n.id.startsWith(ref))]) {
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new Error(`node ${ref} is ambiguous (${matches.length} matches found)`);
  }
  throw new Error(`node ${ref} not found`);
}

/**
 * The sandbox's node changes. A change replaces a node's whole label set, so the labels
 * start from the node's own; as in `docker node update`, additions come first, then
 * removals, and removing a label the node does not have is an error.
 */
export function buildNodeChanges(edits: readonly NodeEdit[], nodes: readonly PlanNode[]): Record<string, NodeChange> {
  const changes: Record<string, NodeChange> = {};
  const change = (node: PlanNode) => (changes[node.id] ??= {});
  const labels = (node: PlanNode) => (change(node).labels ??= { ...node.labels });
  const resolved = edits.map((edit) => ({ edit, node: resolveNode(edit.ref, nodes) }));
  for (const { edit, node } of resolved) if (edit.kind === "label-add") labels(node)[edit.key] = edit.value;
  for (const { edit, node } of resolved) {
    if (edit.kind !== "label-rm") continue;
    const current = labels(node);
    if (!Object.hasOwn(current, edit.key)) throw new Error(`key ${edit.key} doesn't exist in node's labels`);
    delete current[edit.key];
  }
  for (const { edit, node } of resolved) {
    if (edit.kind === "availability") change(node).availability = edit.value;
    if (edit.kind === "role") change(node).role = edit.value;
  }
  return changes;
}

/** Where a plan's cluster comes from: the live one (the server), or a built-in scenario. */
export interface PlanSource {
  nodes(): Promise<PlanNode[]>;
  service(ref: string): Promise<{ id: string; spec: ServiceSpec }>;
  whatIf(sandbox: Sandbox): Promise<PlanResult>;
  /** A scenario's own what-if, which the flags then change. */
  base?: Sandbox;
}

/** The live cluster: the planner's snapshot, the service API, and the audited what-if. */
export function serverSource(client: AdminClient): PlanSource {
  return {
    async nodes() {
      const snapshot = await client.planner.snapshot.query();
      return snapshot.nodes.map((n) => ({ id: n.id, hostname: n.hostname, role: n.role, availability: n.availability, labels: n.labels }));
    },
    async service(ref) {
      const s = await client.service.get.query({ ref });
      return { id: s.id, spec: s.spec };
    },
    whatIf: (sandbox) => client.planner.whatIf.mutate(sandbox),
  };
}

export const SCENARIOS = ["pci-dss"] as const;

/** A built-in scenario, planned in this process: no server is needed. */
export function scenarioSource(name: string): PlanSource {
  if (name !== "pci-dss") throw new UsageError(`unknown scenario "${name}": the scenarios are ${SCENARIOS.join(", ")}`);
  const { cluster, sandbox } = pciDssScenario();
  return {
    base: sandbox,
    nodes: async () => cluster.nodes.map((n) => ({ id: n.id, hostname: n.hostname, role: n.role, availability: n.availability, labels: n.labels })),
    async service(ref) {
      const matches = [
        cluster.services.filter((s) => s.id === ref),
        cluster.services.filter((s) => s.spec.name === ref),
        cluster.services.filter((s) => s.id.startsWith(ref)),
      ].find((m) => m.length > 0);
      if (!matches) throw new Error(`service ${ref} not found`);
      if (matches.length > 1) throw new Error(`service ${ref} is ambiguous (${matches.length} matches found)`);
      return { id: matches[0]!.id, spec: matches[0]!.spec };
    },
    whatIf: async (s) => planPlacement(cluster, s),
  };
}

/** `rampart plan [SERVICE] [flags]`. */
export async function planCommand(source: PlanSource, out: Out, positionals: string[], values: PlanFlagValues, err: Out = () => undefined): Promise<number> {
  if (positionals.length > 1) throw new UsageError('"rampart plan" accepts at most 1 argument: SERVICE');
  const changes = parseSpecChanges(values);
  const edits = parseNodeEdits(values);

  const sandbox: Sandbox = {};
  const ref = positionals[0];
  if (ref !== undefined) {
    const service = await source.service(ref);
    sandbox.service = { serviceId: service.id, spec: applySpecChanges(service.spec, changes) };
  } else if (source.base?.service) {
    const base = source.base.service;
    sandbox.service = { ...base, spec: applySpecChanges(base.spec, changes, { sortConstraints: false }) };
  } else if (hasSpecChanges(changes)) {
    if (changes.name === undefined || changes.image === undefined) {
      throw new UsageError("a draft service needs --name and --image (or plan an existing SERVICE)");
    }
    sandbox.service = { spec: draftSpec(changes, changes.name, changes.image) };
  }
  const nodes = await source.nodes();
  if (edits.length > 0 || source.base?.nodes) sandbox.nodes = { ...source.base?.nodes, ...buildNodeChanges(edits, nodes) };
  if (!sandbox.service && !sandbox.nodes) {
    throw new UsageError('"rampart plan" needs a SERVICE, a draft service (--name and --image) or a node change');
  }

  const result = await source.whatIf(sandbox);
  const problems = result.focus?.problems ?? [];
  printWarnings(err, constraintWarnings(sandbox.service?.spec.constraints ?? []));
  if (values.json) {
    out(safeJson(result));
    return problems.length > 0 ? 1 : 0;
  }
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join("\n"));
  for (const line of formatPlan(result, { nodes, edits, spec: sandbox.service?.spec })) out(line);
  return 0;
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

export interface PlanContext {
  nodes: readonly PlanNode[];
  edits: readonly NodeEdit[];
  /** The planned spec, when a service was planned. */
  spec?: ServiceSpec | undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

function describeSpec(spec: ServiceSpec): string {
  const parts = [spec.mode === "global" ? "global" : `replicated, ${plural(spec.replicas, "replica")}`];
  if (spec.constraints.length > 0) parts.push(`constraints ${spec.constraints.join(", ")}`);
  if (spec.preferences.length > 0) parts.push(`spread over ${spec.preferences.join(", then ")}`);
  if (spec.maxReplicasPerNode > 0) parts.push(`at most ${spec.maxReplicasPerNode} per node`);
  const reserve = [
    ...(spec.reservations.nanoCpus > 0 ? [`${goG(spec.reservations.nanoCpus / 1e9)} CPU`] : []),
    ...(spec.reservations.memoryBytes > 0 ? [bytesSize(spec.reservations.memoryBytes)] : []),
  ];
  if (reserve.length > 0) parts.push(`reserves ${reserve.join(" and ")}`);
  return parts.join("; ");
}

function describeEdit(edit: NodeEdit, hostname: string): string {
  switch (edit.kind) {
    case "label-add":
      return `${hostname} label-add ${edit.key}=${edit.value}`;
    case "label-rm":
      return `${hostname} label-rm ${edit.key}`;
    case "availability":
      return `${hostname} availability=${edit.value}`;
    case "role":
      return `${hostname} role=${edit.value}`;
  }
}

const byHostname = (a: { hostname: string }, b: { hostname: string }) => naturalCompare(a.hostname, b.hostname);

function placementRow(row: WhyNotRow, indent: number): string[] {
  return [
    "  ".repeat(indent) + row.hostname,
    row.role,
    capitalise(row.availability),
    String(row.before),
    String(row.after),
    row.after === row.before ? "" : signed(row.after - row.before),
  ];
}

/**
 * Where the planned service's tasks are and would be: nodes with a task now or in the
 * plan, under their spread groups (outermost preference first) when the spec spreads.
 */
export function formatPlacement(rows: readonly WhyNotRow[], spread: readonly SpreadGroup[]): string[] {
  const withTasks = new Map(rows.filter((r) => r.before > 0 || r.after > 0).map((r) => [r.nodeId, r]));
  const header = ["NODE", "ROLE", "AVAILABILITY", "BEFORE", "AFTER", "CHANGE"];
  // Table rows, with the group headings that go above some of them.
  const items: ({ heading: string } | { cells: string[] })[] = [];
  const walk = (groups: readonly SpreadGroup[], depth: number) => {
    for (const g of groups) {
      const where = g.value === "" ? `${g.descriptor} not set` : `${g.descriptor}=${g.value}`;
      items.push({ heading: `${"  ".repeat(depth)}${where}: ${plural(g.tasks, "task")}` });
      if (g.children.length > 0) walk(g.children, depth + 1);
      else {
        const members = g.nodeIds.flatMap((id) => withTasks.get(id) ?? []).sort(byHostname);
        for (const r of members) items.push({ cells: placementRow(r, depth + 1) });
      }
    }
  };
  if (spread.length > 0) walk(spread, 0);
  else for (const r of [...withTasks.values()].sort(byHostname)) items.push({ cells: placementRow(r, 0) });
  if (!items.some((i) => "cells" in i)) return [...items.map((i) => ("heading" in i ? i.heading : "")), "No node runs or would run one of its tasks."];
  const table = formatTable([header, ...items.flatMap((i) => ("cells" in i ? [i.cells] : []))]).split("\n");
  const lines = [table[0]!];
  let next = 1;
  for (const item of items) lines.push("heading" in item ? item.heading : table[next++]!);
  return lines;
}

/** A constraint as its column heading: the expression, as the parser read it. */
function constraintHeading(c: WhyNotRow["constraints"][number]["constraint"]): string {
  return `${c.key}${c.op}${c.value}`;
}

/** The why-not table: every node against every constraint, then the scheduler's verdict. */
export function formatWhyNot(rows: readonly WhyNotRow[]): string[] {
  if (rows.length === 0) return ["No nodes."];
  const first = rows[0]!;
  const header = ["NODE", "ROLE", "AVAILABILITY", ...first.constraints.map((r) => constraintHeading(r.constraint)), "SCHEDULER"];
  const table = [header];
  for (const row of [...rows].sort(byHostname)) {
    table.push([
      row.hostname,
      row.role,
      capitalise(row.availability),
      ...row.constraints.map((r) => `${r.matched ? "✓" : "✗"} ${r.reason}`),
      row.filter.passed ? "ok" : `${row.filter.failedFilter}: ${row.filter.reason}`,
    ]);
  }
  return formatTable(table).split("\n");
}

/** A diff's per-node changes: `node-1 -2, node-3 +2`. */
function nodeChanges(diff: ServiceDiff, hostname: (id: string) => string): string {
  const ids = new Set([...Object.keys(diff.before), ...Object.keys(diff.after)]);
  return [...ids]
    .map((id) => ({ hostname: hostname(id), delta: (diff.after[id] ?? 0) - (diff.before[id] ?? 0) }))
    .filter((c) => c.delta !== 0)
    .sort(byHostname)
    .map((c) => `${c.hostname} ${signed(c.delta)}`)
    .join(", ");
}

export function formatMoves(diffs: readonly ServiceDiff[], hostname: (id: string) => string): string[] {
  const rows = [["SERVICE", "MOVED", "PENDING", "CHANGES"]];
  for (const d of diffs) rows.push([d.name, String(d.moved), String(d.pending), nodeChanges(d, hostname)]);
  const lines = formatTable(rows).split("\n");
  for (const d of diffs) if (d.pending > 0 && d.pendingReason) lines.push(`${d.name}: ${d.pendingReason}`);
  return lines;
}

/** The plan, in four parts: placement, why (not), pending tasks, and the other services that move. */
export function formatPlan(result: PlanResult, ctx: PlanContext): string[] {
  const hostnames = new Map(ctx.nodes.map((n) => [n.id, n.hostname]));
  for (const row of result.focus?.matrix ?? []) hostnames.set(row.nodeId, row.hostname);
  const hostname = (id: string) => hostnames.get(id) ?? id;
  const lines: string[] = [];
  if (ctx.edits.length > 0) lines.push(`Node changes: ${ctx.edits.map((e) => describeEdit(e, hostname(resolveNode(e.ref, ctx.nodes).id))).join(", ")}`);

  const focus = result.focus;
  let others = result.changed;
  if (focus) {
    const isFocus = (d: ServiceDiff) => (focus.serviceId === null ? d.serviceId === null && d.name === focus.name : d.serviceId === focus.serviceId);
    others = result.changed.filter((d) => !isFocus(d));
    lines.push(`Service ${focus.name} (${focus.serviceId === null ? "new" : truncateId(focus.serviceId)})${ctx.spec ? `: ${describeSpec(ctx.spec)}` : ""}`);
    lines.push("", "Placement:", ...formatPlacement(focus.matrix, focus.spread));
    lines.push("", "Why (not), node by node:", ...formatWhyNot(focus.matrix));
    lines.push("");
    if (focus.diff.pending > 0) {
      lines.push(`Pending: ${plural(focus.diff.pending, "task")} would wait for a node: ${focus.diff.pendingReason ?? "no suitable node"}`);
    } else lines.push("Pending: none");
  }
  lines.push("");
  if (others.length === 0) lines.push(focus ? "No other service would move." : "No service would move.");
  else lines.push(focus ? "Other services that would move:" : "Services that would move:", ...formatMoves(others, hostname));
  lines.push("", `Dry run: nothing was changed (planned in ${result.tookMs.toFixed(1)} ms).`);
  return lines;
}
