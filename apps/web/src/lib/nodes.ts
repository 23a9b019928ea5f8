import type { NodeViewOutput } from "@rampart/api/schema";
import { CERT_WARN_DAYS, expiringBy } from "@rampart/core";

export { CERT_WARN_DAYS, certExpiresSoon } from "@rampart/core";

export type NodeView = NodeViewOutput;
export type NodeState = NodeView["state"];
export type NodeRole = NodeView["role"];
export type NodeAvailability = NodeView["availability"];

export const NODE_STATES: readonly NodeState[] = ["ready", "down", "unknown"];
export const NODE_ROLES: readonly NodeRole[] = ["manager", "worker"];
export const NODE_AVAILABILITIES: readonly NodeAvailability[] = ["active", "pause", "drain"];

/**
 * Compares the way a person reads hostnames: runs of digits by their value, so
 * `node-2` sorts before `node-10`, and letters without regard to ASCII case. It walks
 * both strings in place, allocating nothing, because sorting 10,000 nodes calls it
 * about 130,000 times.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let si = i;
      while (si < a.length && a.charCodeAt(si) === 48) si++;
      let sj = j;
      while (sj < b.length && b.charCodeAt(sj) === 48) sj++;
      let ei = si;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = sj;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      // More significant digits is a larger number; equal lengths compare digit by digit.
      if (ei - si !== ej - sj) return ei - si - (ej - sj);
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d;
      }
      // Same value: fewer leading zeros first (`1` before `01`).
      if (ei - i !== ej - j) return ei - i - (ej - j);
      i = ei;
      j = ej;
      continue;
    }
    const la = lowerAscii(ca);
    const lb = lowerAscii(cb);
    if (la !== lb) return la - lb;
    i++;
    j++;
  }
  const rest = a.length - i - (b.length - j);
  if (rest !== 0) return rest;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

export interface NodeFilter {
  search: string;
  state: NodeState | "";
  role: NodeRole | "";
  availability: NodeAvailability | "";
}

export const EMPTY_FILTER: NodeFilter = { search: "", state: "", role: "", availability: "" };

/** A node with its searchable text lowered once, so each keystroke only scans strings. */
export interface IndexedNode {
  node: NodeView;
  id: string;
  text: string;
}

/**
 * Lowers each node's searchable text once per poll: the hostname, then every label and
 * engine label as `key=value`, one per line so a search cannot match across two of them.
 */
export function indexNodes(nodes: readonly NodeView[]): IndexedNode[] {
  return nodes.map((node) => {
    let text = node.hostname;
    for (const key in node.labels) text += `\n${key}=${node.labels[key]}`;
    for (const key in node.engineLabels) text += `\n${key}=${node.engineLabels[key]}`;
    return { node, id: node.id.toLowerCase(), text: text.toLowerCase() };
  });
}

/**
 * Keeps nodes that pass every select and whose hostname, labels or engine labels
 * contain the search text, or whose ID starts with it (case-insensitive). Order is kept,
 * so sorting once and filtering on each keystroke is enough.
 */
export function filterNodes(nodes: readonly IndexedNode[], filter: NodeFilter): IndexedNode[] {
  const needle = filter.search.trim().toLowerCase();
  if (!needle && !filter.state && !filter.role && !filter.availability) return nodes.slice();
  const out: IndexedNode[] = [];
  for (const item of nodes) {
    const { node } = item;
    if (filter.state && node.state !== filter.state) continue;
    if (filter.role && node.role !== filter.role) continue;
    if (filter.availability && node.availability !== filter.availability) continue;
    if (needle && !item.id.startsWith(needle) && !item.text.includes(needle)) continue;
    out.push(item);
  }
  return out;
}

export type SortKey = "hostname" | "id" | "state" | "availability" | "managerStatus" | "engineVersion" | "tls" | "certExpiry";
export type SortDirection = "asc" | "desc";
export interface NodeSort {
  key: SortKey;
  direction: SortDirection;
}

export const DEFAULT_SORT: NodeSort = { key: "hostname", direction: "asc" };

const STATE_RANK: Record<NodeState, number> = { ready: 0, unknown: 1, down: 2 };
const AVAILABILITY_RANK: Record<NodeAvailability, number> = { active: 0, pause: 1, drain: 2 };
const MANAGER_RANK = { leader: 0, reachable: 1, unreachable: 2 } as const;
const TLS_RANK: Record<NodeView["tls"]["status"], number> = { ready: 0, "needs-rotation": 1, unknown: 2 };

/** Each key compares by a rank, a time or natural order. */
function primary(key: SortKey): (a: NodeView, b: NodeView) => number {
  switch (key) {
    case "hostname":
      return (a, b) => naturalCompare(a.hostname, b.hostname);
    case "id":
      return (a, b) => byCode(a.id, b.id);
    case "state":
      return (a, b) => STATE_RANK[a.state] - STATE_RANK[b.state];
    case "availability":
      return (a, b) => AVAILABILITY_RANK[a.availability] - AVAILABILITY_RANK[b.availability];
    case "managerStatus":
      return (a, b) => (a.managerStatus && b.managerStatus ? MANAGER_RANK[a.managerStatus] - MANAGER_RANK[b.managerStatus] : 0);
    case "engineVersion":
      return (a, b) => naturalCompare(a.engineVersion, b.engineVersion);
    case "tls":
      return (a, b) => TLS_RANK[a.tls.status] - TLS_RANK[b.tls.status];
    case "certExpiry":
      return (a, b) => (a.tls.notAfter?.getTime() ?? 0) - (b.tls.notAfter?.getTime() ?? 0);
  }
}

/** A worker has no manager status and a node may have no certificate: those sort last either way. */
function missing(key: SortKey, node: NodeView): boolean {
  if (key === "managerStatus") return node.managerStatus === null;
  if (key === "certExpiry") return node.tls.notAfter === null;
  return false;
}

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A new array in the given order; ties fall back to hostname then ID, so the order is stable. */
export function sortNodes<T extends { node: NodeView }>(nodes: readonly T[], sort: NodeSort): T[] {
  const compare = primary(sort.key);
  const sign = sort.direction === "asc" ? 1 : -1;
  return nodes.slice().sort((x, y) => {
    const a = x.node;
    const b = y.node;
    const ma = missing(sort.key, a);
    const mb = missing(sort.key, b);
    if (ma !== mb) return ma ? 1 : -1;
    const c = ma ? 0 : compare(a, b);
    if (c !== 0) return c * sign;
    return naturalCompare(a.hostname, b.hostname) || byCode(a.id, b.id);
  });
}

export function countStates(nodes: readonly NodeView[]): Record<NodeState, number> {
  const counts: Record<NodeState, number> = { ready: 0, down: 0, unknown: 0 };
  for (const node of nodes) counts[node.state]++;
  return counts;
}

/** Nodes whose certificate ends within `days`, soonest first. */
export function expiringCertificates(nodes: readonly NodeView[], now: Date, days = CERT_WARN_DAYS): NodeView[] {
  return expiringBy(nodes, (n) => n.tls.notAfter, now, days);
}

/** The first `max` labels as `k=v` in key order, and how many were left out. */
export function labelChips(labels: Record<string, string>, max = 2): { shown: string[]; more: number } {
  const keys = Object.keys(labels).sort();
  return { shown: keys.slice(0, max).map((k) => (labels[k] ? `${k}=${labels[k]}` : k)), more: Math.max(0, keys.length - max) };
}

/** The short ID docker prints: the first 12 characters. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}
