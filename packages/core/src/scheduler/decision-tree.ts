import { equalFold, labelValue } from "../constraint/index.js";

/**
 * The spread-preference tree (Swarm's decisionTree, manager/scheduler/nodeset.go and
 * decision_tree.go): one level per usable spread descriptor, one branch per label value,
 * nodes lacking the label in a `""` branch of their own. Every level counts the group's
 * service's active tasks of all nodes below it, eligible or not; leaves hold the nodes
 * that passed the filters. A data structure: how tasks are divided is the scheduler's.
 */

const NODE_LABELS = "node.labels.";
const ENGINE_LABELS = "engine.labels.";

/** One usable spread level: which label map, and the label name (case kept). */
export interface SpreadLevel {
  readonly source: "node" | "engine";
  readonly name: string;
}

function hasPrefix(descriptor: string, prefix: string): boolean {
  return descriptor.length > prefix.length && equalFold(descriptor.slice(0, prefix.length), prefix);
}

const NO_LEVELS: readonly SpreadLevel[] = [];

/**
 * The levels a task's preferences build. Prefixes are matched ignoring case; any other
 * descriptor adds no level (Swarm skips it rather than failing).
 */
export function spreadLevels(preferences: readonly string[] | undefined): readonly SpreadLevel[] {
  if (!preferences || preferences.length === 0) return NO_LEVELS;
  const levels: SpreadLevel[] = [];
  for (const descriptor of preferences) {
    if (hasPrefix(descriptor, NODE_LABELS)) levels.push({ source: "node", name: descriptor.slice(NODE_LABELS.length) });
    else if (hasPrefix(descriptor, ENGINE_LABELS)) levels.push({ source: "engine", name: descriptor.slice(ENGINE_LABELS.length) });
  }
  return levels;
}

/** A node's branch at one level: the label's value, `""` when it lacks the label. */
export function spreadValue(
  level: SpreadLevel,
  labels: Readonly<Record<string, string>> | undefined,
  engineLabels: Readonly<Record<string, string>> | undefined,
): string {
  return labelValue(level.source === "node" ? labels : engineLabels, level.name);
}

/** One point of the tree; a leaf when `children` is null. */
export class SpreadTree {
  /** Active tasks of the service on every node below (fixed once built). */
  tasks = 0;
  /** Branches by label value, in the order first seen. */
  children: Map<string, SpreadTree> | null = null;
  /** Leaf only: slots of the nodes that passed the filters when the tree was built. */
  readonly eligible: number[] = [];
  /** Leaf only: the ordered candidates once taken (Swarm collapses its heap on first use). */
  ordered: number[] | null = null;

  /**
   * Files a node under its branch at every level, adding `count` on the way, and returns
   * its leaf. With no levels the root is the leaf.
   */
  place(
    levels: readonly SpreadLevel[],
    labels: Readonly<Record<string, string>> | undefined,
    engineLabels: Readonly<Record<string, string>> | undefined,
    count: number,
  ): SpreadTree {
    return fileUnder(this, levels, labels, engineLabels, count);
  }
}

function fileUnder(
  root: SpreadTree,
  levels: readonly SpreadLevel[],
  labels: Readonly<Record<string, string>> | undefined,
  engineLabels: Readonly<Record<string, string>> | undefined,
  count: number,
): SpreadTree {
  let tree = root;
  for (const level of levels) {
    tree.tasks += count;
    tree.children ??= new Map();
    const value = spreadValue(level, labels, engineLabels);
    let next = tree.children.get(value);
    if (!next) {
      next = new SpreadTree();
      tree.children.set(value, next);
    }
    tree = next;
  }
  tree.tasks += count;
  return tree;
}

/** A tree's counts as plain data: `{ tasks, next: { value: … } }`, leaves without `next`. */
export interface SpreadTreeSummary {
  tasks: number;
  next?: Record<string, SpreadTreeSummary>;
}

/** The counts only, for tests, the planner and the conformance runner. */
export function summarizeSpreadTree(tree: SpreadTree): SpreadTreeSummary {
  if (!tree.children) return { tasks: tree.tasks };
  // Label values are user text too: fromEntries makes `__proto__` an entry, not a prototype.
  const next = Object.fromEntries([...tree.children].map(([value, child]) => [value, summarizeSpreadTree(child)]));
  return { tasks: tree.tasks, next };
}

/**
 * The tree a service's preferences make over some nodes, counts only: what Swarm builds
 * before dividing a group of tasks (TestTreeTaskCountConsistency).
 */
export function spreadTreeCounts(
  preferences: readonly string[],
  nodes: readonly { labels?: Readonly<Record<string, string>>; engineLabels?: Readonly<Record<string, string>>; activeTasksOfService: number }[],
): SpreadTreeSummary {
  const root = new SpreadTree();
  const levels = spreadLevels(preferences);
  for (const node of nodes) root.place(levels, node.labels, node.engineLabels, node.activeTasksOfService);
  return summarizeSpreadTree(root);
}
