import { labelValue } from "../constraint/index.js";
import { spreadLevels } from "../scheduler/index.js";
import type { PlannerNode, SpreadGroup } from "./types.js";

/**
 * The spread tree of a placement, as Swarm's decision tree files nodes: one level per
 * usable preference (descriptors without a `node.labels.`/`engine.labels.` prefix add
 * no level, as Swarm skips them), every node under the value of its label, and nodes
 * lacking the label together under `""` — a branch that gets its fair share like any
 * other. Every node is filed, eligible or not, as Swarm counts them all. Branches are
 * sorted by value, the `""` branch last, so the tree reads the same on every run.
 */
export function spreadGroups(preferences: readonly string[], nodes: readonly PlannerNode[], tasks: ReadonlyMap<string, number>): SpreadGroup[] {
  const levels = preferences.flatMap((descriptor) => spreadLevels([descriptor]).map((level) => ({ descriptor, ...level })));
  const groupAt = (depth: number, members: readonly PlannerNode[]): SpreadGroup[] => {
    const level = levels[depth];
    if (!level) return [];
    const branches = new Map<string, PlannerNode[]>();
    for (const node of members) {
      const value = labelValue(level.source === "node" ? node.labels : node.engineLabels, level.name);
      (branches.get(value) ?? branches.set(value, []).get(value)!).push(node);
    }
    return [...branches]
      .sort(([a], [b]) => byValueEmptyLast(a, b))
      .map(([value, branch]) => ({
        descriptor: level.descriptor,
        value,
        tasks: branch.reduce((sum, n) => sum + (tasks.get(n.id) ?? 0), 0),
        nodeIds: branch.map((n) => n.id),
        children: groupAt(depth + 1, branch),
      }));
  };
  return groupAt(0, nodes);
}

function byValueEmptyLast(a: string, b: string): number {
  if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
