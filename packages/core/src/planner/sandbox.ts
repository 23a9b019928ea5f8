import type { OrchestratorNode } from "../orchestrator/index.js";
import type { NodeChange, PlannerNode } from "./types.js";

/**
 * The sandbox's copy of the nodes: each change replaces the fields it gives, on a copy,
 * so the cluster the caller passed is never touched. Changes to node ids the cluster
 * does not have are ignored: the node may have left since the sandbox was drawn, and a
 * what-if about it has nothing to say.
 */
export function applyNodeChanges(nodes: readonly PlannerNode[], changes: Readonly<Record<string, NodeChange>> | undefined): PlannerNode[] {
  if (!changes) return [...nodes];
  return nodes.map((node) => {
    const change = Object.hasOwn(changes, node.id) ? changes[node.id] : undefined;
    if (!change) return node;
    return {
      ...node,
      ...(change.labels ? { labels: { ...change.labels } } : {}),
      ...(change.availability ? { availability: change.availability } : {}),
      ...(change.role ? { role: change.role } : {}),
    };
  });
}

/** A node as constraints and the orchestrators read it (the scheduler's own view, field for field). */
export function orchestratorNode(node: PlannerNode): OrchestratorNode {
  return {
    id: node.id,
    role: node.role,
    hostname: node.hostname,
    labels: node.labels,
    engineLabels: node.engineLabels ?? {},
    platform: node.platform ? { os: node.platform.os, arch: node.platform.architecture } : null,
    addr: node.addr ?? null,
    state: node.state,
    availability: node.availability,
    resources: node.resources ?? null,
  };
}

/** Fresh ids for the sandbox's own tasks and draft service: `sandbox-<n>`, skipping any the cluster uses. */
export class SandboxIds {
  private n = 0;

  constructor(private readonly taken: ReadonlySet<string>) {}

  next(): string {
    let id: string;
    do id = `sandbox-${++this.n}`;
    while (this.taken.has(id));
    return id;
  }
}
