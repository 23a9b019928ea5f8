import { RampartError } from "../errors/index.js";
import { equalFold } from "./fold.js";
import { cidrContains, ipEqual, parseCidr, parseIp } from "./ip.js";

export { parseIp, parseCidr, ipEqual, cidrContains, type Cidr, type Ip16 } from "./ip.js";
export { equalFold, simpleFold } from "./fold.js";
export { FOLD_UNICODE_VERSION } from "./fold-table.js";
export { constraintWarnings, isSelfReportedKey, selfReportedWarning } from "./self-reported.js";

/**
 * Swarm's placement constraints (manager/constraint/constraint.go, swarm-semantics.md §1):
 * `key == value` or `key != value`, ANDed. The parser, its error texts and the matching
 * rules are Swarm's to the letter; on top of that, every evaluation says why it held or
 * failed, which the placement planner shows and Swarm never does.
 */
export type ConstraintOperator = "==" | "!=";

export interface Constraint {
  /** As written, trimmed; its case is kept. */
  key: string;
  op: ConstraintOperator;
  value: string;
}

const OPERATORS: readonly ConstraintOperator[] = ["==", "!="];
const KEY = /^[a-z_][a-z0-9\-_.]+$/iu;
// RE2's \s is [\t\n\f\r ], narrower than JavaScript's.
const VALUE = /^[a-z0-9:\-_\t\n\f\r .*()?+[\]\\^$|/]+$/iu;
/** Go's unicode.IsSpace, which strings.TrimSpace uses. */
const GO_SPACE = "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

export function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && GO_SPACE.includes(text[start]!)) start++;
  while (end > start && GO_SPACE.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

function fault(message: string): RampartError {
  return new RampartError("invalid_argument", message, { field: "constraints" });
}

/** One expression. The first operator found anywhere wins, and the string splits at its first occurrence. */
export function parseConstraint(expression: string): Constraint {
  for (const op of OPERATORS) {
    const at = expression.indexOf(op);
    if (at === -1) continue;
    const key = goTrimSpace(expression.slice(0, at));
    const value = goTrimSpace(expression.slice(at + op.length));
    if (!KEY.test(key)) throw fault(`key '${key}' is invalid`);
    if (!VALUE.test(value)) throw fault(`value '${value}' is invalid`);
    return { key, op, value };
  }
  throw fault("constraint expected one operator from ==, !=");
}

/** All or nothing: the first bad expression fails the list. */
export function parseConstraints(expressions: readonly string[]): Constraint[] {
  return expressions.map(parseConstraint);
}

/** Constraint.Match: `==` holds if any candidate equals the value (ignoring case); `!=` if none does. */
export function matchValue(constraint: Constraint, candidates: readonly string[]): boolean {
  const match = candidates.some((c) => equalFold(constraint.value, c));
  return constraint.op === "==" ? match : !match;
}

/** What a constraint can read about a node (swarm-semantics.md §1.2). */
export interface ConstraintNode {
  id: string;
  role: "worker" | "manager";
  hostname: string;
  labels: Readonly<Record<string, string>>;
  engineLabels: Readonly<Record<string, string>>;
  platform: { os: string; arch: string } | null;
  /** The address the node was seen from. */
  addr: string | null;
}

export interface ConstraintResult {
  constraint: Constraint;
  matched: boolean;
  /** What the node has for the key (`""` when missing), or null for a key Swarm does not know. */
  actual: string | null;
  /** A sentence for people: why it held or failed. */
  reason: string;
}

const NODE_LABEL = "node.labels.";
const ENGINE_LABEL = "engine.labels.";

/**
 * A label's value by name, `""` when the node lacks it (Go's map lookup). Only the map's
 * own entries count: the name is user text, and `constructor`, `toString` or `__proto__`
 * must read as a label the node lacks, not as what every JavaScript object inherits.
 */
export function labelValue(labels: Readonly<Record<string, string>> | null | undefined, name: string): string {
  return labels && Object.hasOwn(labels, name) ? (labels[name] ?? "") : "";
}

/**
 * Swarm's prefix test for label keys, which slices the key by bytes: its first
 * len(prefix) bytes must fold to the (ASCII) prefix and more must follow. A non-ASCII
 * letter there (`ſ` folds to `s`) takes two or three bytes, so those bytes hold fewer
 * runes than the prefix and never match it: `node.labelſ.zone` is no label key.
 */
function startsWithFold(text: string, prefix: string): boolean {
  if (text.length <= prefix.length) return false;
  const head = text.slice(0, prefix.length);
  return !/[^\p{ASCII}]/u.test(head) && equalFold(head, prefix);
}

/** The node's value for a key, or null if Swarm has no such key. */
function readKey(key: string, node: ConstraintNode): string | null {
  if (equalFold(key, "node.id")) return node.id;
  if (equalFold(key, "node.hostname")) return node.hostname;
  if (equalFold(key, "node.role")) return node.role === "manager" ? "manager" : "worker";
  if (equalFold(key, "node.platform.os")) return node.platform?.os ?? "";
  if (equalFold(key, "node.platform.arch")) return node.platform?.arch ?? "";
  if (startsWithFold(key, NODE_LABEL)) return labelValue(node.labels, key.slice(NODE_LABEL.length));
  if (startsWithFold(key, ENGINE_LABEL)) return labelValue(node.engineLabels, key.slice(ENGINE_LABEL.length));
  return null;
}

function describe(value: string): string {
  return value === "" ? "nothing" : `"${value}"`;
}

function evaluateIp(constraint: Constraint, node: ConstraintNode): ConstraintResult {
  const nodeIp = node.addr ? parseIp(node.addr) : undefined;
  const actual = node.addr ?? "";
  const single = parseIp(constraint.value);
  const cidr = single ? undefined : parseCidr(constraint.value);
  if (!single && !cidr) {
    return {
      constraint,
      matched: false,
      actual,
      reason: `"${constraint.value}" is neither an IP address nor a CIDR block, so it matches no node`,
    };
  }
  const inside = nodeIp !== undefined && (single ? ipEqual(single, nodeIp) : cidrContains(cidr!, nodeIp));
  const matched = constraint.op === "==" ? inside : !inside;
  const what = single ? (inside ? "is" : "is not") : inside ? "is inside" : "is outside";
  return {
    constraint,
    matched,
    actual,
    reason: nodeIp ? `the node's address ${actual} ${what} ${constraint.value}` : `the node has no known address`,
  };
}

/** Evaluates one constraint on one node, saying why. */
export function evaluateConstraint(constraint: Constraint, node: ConstraintNode): ConstraintResult {
  if (equalFold(constraint.key, "node.ip")) return evaluateIp(constraint, node);
  const actual = readKey(constraint.key, node);
  if (actual === null) {
    return { constraint, matched: false, actual: null, reason: `"${constraint.key}" is not a key Swarm knows, so it matches no node` };
  }
  const equal = equalFold(constraint.value, actual);
  const matched = constraint.op === "==" ? equal : !equal;
  const reason =
    constraint.op === "=="
      ? equal
        ? `${constraint.key} is ${describe(actual)}`
        : `${constraint.key} is ${describe(actual)}, not "${constraint.value}"`
      : equal
        ? `${constraint.key} is "${constraint.value}"`
        : `${constraint.key} is ${describe(actual)}`;
  return { constraint, matched, actual, reason: matched ? reason : reason + engineLabelHint(constraint.key, actual, node) };
}

/**
 * The node-label names the constraints ask for that no node carries, where some node
 * reports an engine label of that name: the summary of `engineLabelHint` for a whole
 * service, which the service page shows beside the scheduler's words.
 */
export function engineLabelMixups(constraints: readonly Constraint[], nodes: readonly Pick<ConstraintNode, "labels" | "engineLabels">[]): string[] {
  const names = new Set<string>();
  for (const c of constraints) {
    // Only `==` needs the label: `!=` holds on a node without it.
    if (c.op !== "==" || !startsWithFold(c.key, NODE_LABEL)) continue;
    const name = c.key.slice(NODE_LABEL.length);
    const carried = nodes.some((n) => n.labels && Object.hasOwn(n.labels, name));
    if (!carried && nodes.some((n) => n.engineLabels && Object.hasOwn(n.engineLabels, name))) names.add(name);
  }
  return [...names];
}

/**
 * A node label the node lacks, where it reports an engine label of that name: the usual
 * mistake is `--label` on `agent join` (engine labels, self-reported) for a constraint on
 * node labels (set by an administrator). Swarm's model is kept; the reason says so.
 */
function engineLabelHint(key: string, actual: string, node: ConstraintNode): string {
  if (actual !== "" || !startsWithFold(key, NODE_LABEL)) return "";
  const name = key.slice(NODE_LABEL.length);
  if (!node.engineLabels || !Object.hasOwn(node.engineLabels, name)) return "";
  return `; the node reports engine label ${name}=${describe(labelValue(node.engineLabels, name))}, but node labels are set with \`node update --label-add\``;
}

/** NodeMatches: every constraint holds. No constraints means every node matches. */
export function nodeMatches(constraints: readonly Constraint[], node: ConstraintNode): boolean {
  for (const c of constraints) if (!evaluateConstraint(c, node).matched) return false;
  return true;
}

/** Every constraint's result on a node, for the why-not matrix. */
export function explainNode(constraints: readonly Constraint[], node: ConstraintNode): ConstraintResult[] {
  return constraints.map((c) => evaluateConstraint(c, node));
}
