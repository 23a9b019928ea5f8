import { defaultServiceSpec, pciDssScenario, type PlannerCluster } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { explainPending } from "./planner.js";

/**
 * The PCI-DSS example's six nodes running `web-fe`, three replicas on the nodes labelled
 * pcidss=yes, scaled to five with at most one per node: two tasks wait, and the matrix
 * says of each node why it takes no more.
 */
function cluster(): PlannerCluster {
  const { cluster } = pciDssScenario();
  const spec = defaultServiceSpec({ name: "web-fe", image: "nginx:alpine", replicas: 5, maxReplicasPerNode: 1, constraints: ["node.labels.pcidss == yes"] });
  const placed = ["node-2", "node-3", "node-4"].map((nodeId, i) => ({ id: `t${i + 1}`, serviceId: "web", slot: i + 1, nodeId, specVersion: 7, state: "running" as const }));
  const waiting = [4, 5].map((slot) => ({ id: `t${slot}`, serviceId: "web", slot, nodeId: "", specVersion: 7, state: "pending" as const }));
  return { ...cluster, services: [{ id: "web", specVersion: 7, spec }], tasks: [...placed, ...waiting] };
}

const ERR = "no suitable node (max replicas per node limit exceed; scheduling constraints not satisfied on 3 nodes)";

describe("why a service's tasks wait, node by node", () => {
  it("ok/each node's refusing filter and reason, the scheduler's errors once each, and the planner's own count", () => {
    const tasks = [
      { state: "running", desiredState: "running", err: null },
      { state: "pending", desiredState: "running", err: ERR },
      { state: "pending", desiredState: "running", err: ERR },
      { state: "shutdown", desiredState: "shutdown", err: "task: non-zero exit (1)" },
    ];
    const explained = explainPending(cluster(), "web", tasks)!;
    expect(explained).toMatchObject({ serviceId: "web", pending: 2, errors: [ERR], plannerPending: 2, problems: [] });
    expect(explained.plannerReason).toMatch(/^no suitable node \(/);
    const byNode = Object.fromEntries(explained.matrix.map((r) => [r.nodeId, r.filter.passed ? "ok" : r.filter.failedFilter]));
    expect(byNode).toEqual({ "node-1": "constraints", "node-2": "maxReplicas", "node-3": "maxReplicas", "node-4": "maxReplicas", "node-5": "constraints", "node-6": "constraints" });
    const node5 = explained.matrix.find((r) => r.nodeId === "node-5")!;
    expect(node5.constraints.map((c) => [c.matched, c.actual])).toEqual([[false, "no"]]);
  });

  it("ok/a service the snapshot does not plan (a Docker job) has no explanation", () => {
    expect(explainPending(cluster(), "job", [])).toBeNull();
  });
});
