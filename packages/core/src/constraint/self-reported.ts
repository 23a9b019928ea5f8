import { equalFold } from "./fold.js";

/**
 * Which constraint keys read what a node says about itself. A node's hostname, engine
 * labels and platform come from its own description (at join and in heartbeats): any
 * holder of a join token can claim `node.hostname == w1` and draw w1's tasks, and their
 * secrets. Swarm schedules on them all the same, and so does Rampart; it only says so.
 * `node.id` (the CA's name for the node) and `node.labels.*` (set by an administrator)
 * are the boundary; `node.role` is the certificate's and `node.ip` the address the
 * manager sees.
 */
const SELF_REPORTED_KEYS = ["node.hostname", "node.platform.os", "node.platform.arch"] as const;
const SELF_REPORTED_PREFIX = "engine.labels.";

/** Whether a constraint key reads a claim the node makes about itself. */
export function isSelfReportedKey(key: string): boolean {
  const k = key.trim();
  if (SELF_REPORTED_KEYS.some((s) => equalFold(k, s))) return true;
  return k.length > SELF_REPORTED_PREFIX.length && equalFold(k.slice(0, SELF_REPORTED_PREFIX.length), SELF_REPORTED_PREFIX);
}

/** The warning for one constraint on a self-reported key: the one text the API, the UI and the CLI show. */
export function selfReportedWarning(expression: string, key: string): string {
  return (
    `constraint '${expression.trim()}' reads ${key.trim()}, which each node reports about itself: a node joined with any ` +
    `join token can claim it, so it is not a security boundary. Use node.id or node.labels.* (set by an administrator) to keep tasks and their secrets on given nodes`
  );
}

/**
 * Warnings for the constraints that read self-reported keys, one per such constraint,
 * in order. An expression that does not parse gets none here: the parser's error says
 * what is wrong with it.
 */
export function constraintWarnings(expressions: readonly string[]): string[] {
  const out: string[] = [];
  for (const expression of expressions) {
    const at = ["==", "!="].map((op) => expression.indexOf(op)).find((i) => i !== -1);
    if (at === undefined) continue;
    const key = expression.slice(0, at);
    if (isSelfReportedKey(key)) out.push(selfReportedWarning(expression, key));
  }
  return out;
}
