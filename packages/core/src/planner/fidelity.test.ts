import { describe, expect, it } from "vitest";
import { defaultServiceSpec, type ServiceSpec } from "../service/index.js";
import {
  comparePlacement,
  MAX_NODE_ORDERS,
  parseNoSuitableNode,
  pciDssScenario,
  predictPlacement,
  servicesInFlight,
  type PlacementComparison,
  type PlannerCluster,
  type PlannerNode,
  type PlannerTask,
  type SwarmPlacement,
} from "./index.js";

const GiB = 2 ** 30;

function node(id: string, over: Partial<PlannerNode> = {}): PlannerNode {
  return { id, hostname: id, role: "worker", state: "ready", availability: "active", labels: {}, resources: { nanoCpus: 4e9, memoryBytes: 8 * GiB }, ...over };
}

function spec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return defaultServiceSpec({ name: "web", image: "nginx:alpine", ...over });
}

function cluster(nodes: PlannerNode[], tasks: PlannerTask[] = [], services: PlannerCluster["services"] = []): PlannerCluster {
  return { nodes, services, tasks };
}

function swarm(placed: Record<string, number>, pendingErrors: string[] = []): SwarmPlacement {
  return { placed, pendingErrors };
}

const kinds = (c: PlacementComparison) => c.differences.map((d) => d.kind);

describe("the PCI-DSS example", () => {
  const { cluster: pci, sandbox } = pciDssScenario();
  const prediction = predictPlacement(pci, sandbox);

  it("ok/one task on each pcidss=yes node is determined: the three tie, and three tasks give each one", () => {
    expect(prediction.alike).toEqual([
      ["node-1", "node-5", "node-6"],
      ["node-2", "node-3", "node-4"],
    ]);
    expect(prediction.outcomes).toEqual([{ placed: { "node-2": 1, "node-3": 1, "node-4": 1 }, pending: 0, pendingReason: null }]);
    expect(comparePlacement(prediction, swarm({ "node-2": 1, "node-3": 1, "node-4": 1 }))).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("fail/a task on a node without the label is an eligibility difference, with the planner's reason", () => {
    const result = comparePlacement(prediction, swarm({ "node-1": 1, "node-2": 1, "node-3": 1 }));
    expect(result.matched).toBe(false);
    expect(kinds(result)).toEqual(["eligibility", "counts", "counts"]);
    expect(result.differences[0]!.text).toBe('Swarm placed 1 task on node-1, which the planner refuses (constraints: node.labels.pcidss is nothing, not "yes").');
    expect(result.differences[2]!.text).toBe("node-2, node-3 and node-4, which are alike: Swarm placed 1, 1, 0, the planner 1, 1, 1 in any order.");
  });

  it("fail/two tasks on one node and none on another is a count difference", () => {
    const result = comparePlacement(prediction, swarm({ "node-2": 2, "node-3": 1 }));
    expect(kinds(result)).toEqual(["counts"]);
  });

  it("fail/a node the planner never saw", () => {
    const result = comparePlacement(prediction, swarm({ "node-2": 1, "node-3": 1, "node-9": 1 }));
    expect(kinds(result)).toContain("unknown-node");
    expect(result.differences[0]!.text).toBe("Swarm placed 1 task on node node-9, which the planner did not know of.");
  });
});

describe("ties Swarm breaks at random", () => {
  const nodes = ["n1", "n2", "n3", "n4"].map((id) => node(id));

  it("ok/two tasks over four equal nodes: any two of them; only the total is determined", () => {
    const prediction = predictPlacement(cluster(nodes), { service: { spec: spec({ replicas: 2 }) } });
    expect(prediction.plan.focus?.diff.after).toEqual({ n1: 1, n2: 1 });
    expect(prediction.alike).toEqual([["n1", "n2", "n3", "n4"]]);
    const result = comparePlacement(prediction, swarm({ n3: 1, n4: 1 }));
    expect(result.matched).toBe(true);
    expect(result.undetermined).toEqual([
      {
        nodes: ["n1", "n2", "n3", "n4"],
        reason:
          "n1, n2, n3 and n4 are alike for this placement and Swarm breaks ties between equal nodes at random, so which of them gets more is not determined. " +
          "Determined: 2 tasks among them, 0 to 1 on each.",
      },
    ]);
    expect(comparePlacement(prediction, swarm({ n3: 2 })).matched).toBe(false);
  });

  it("ok/another service's task breaks the tie: the busier node is determined to get none", () => {
    const busy: PlannerTask[] = [{ id: "t1", serviceId: "other", slot: 1, nodeId: "n1", specVersion: 1, state: "running" }];
    const other = { id: "other", specVersion: 1, spec: spec({ name: "other" }) };
    const prediction = predictPlacement(cluster(nodes.slice(0, 3), busy, [other]), { service: { spec: spec({ replicas: 1 }) } });
    expect(prediction.alike).toEqual([["n2", "n3"]]);
    expect(comparePlacement(prediction, swarm({ n3: 1 })).matched).toBe(true);
    const wrong = comparePlacement(prediction, swarm({ n1: 1 }));
    expect(kinds(wrong)).toEqual(["counts", "counts"]);
    expect(wrong.differences[0]!.text).toBe("n1: Swarm placed 1 task, the planner 0.");
  });

  it("ok/another service mid-change: the tie-break on all tasks is not known, so the busier node may take it too, and that is named", () => {
    // "other" is being updated: its task runs the version before the service's, and Swarm replaces it around this placement.
    const busy: PlannerTask[] = [{ id: "t1", serviceId: "other", slot: 1, nodeId: "n1", specVersion: 1, state: "running" }];
    const other = { id: "other", specVersion: 2, spec: spec({ name: "other" }) };
    const prediction = predictPlacement(cluster(nodes.slice(0, 3), busy, [other]), { service: { spec: spec({ replicas: 1 }) } });
    expect(prediction.concurrent).toEqual(["other"]);
    const result = comparePlacement(prediction, swarm({ n1: 1 }));
    expect(result.matched).toBe(true);
    expect(result.undetermined.map((u) => u.reason)).toContain(
      "other was mid-change when Swarm placed this service (tasks waiting for a node or for their replacement, or replicas not yet made or stopped), " +
        "so the tasks Swarm counted on each node to break ties are not known: " +
        "any node that ties on this service's own tasks may take them. Determined: which nodes are eligible, and how this service's own tasks spread over them.",
    );
    // The service's own spread is still determined: two tasks never share a node while another has none.
    const two = predictPlacement(cluster(nodes.slice(0, 3), busy, [other]), { service: { spec: spec({ replicas: 2 }) } });
    expect(comparePlacement(two, swarm({ n1: 2 })).matched).toBe(false);
    // And so is eligibility.
    const ssd = predictPlacement(cluster([node("a", { labels: { disk: "ssd" } }), node("b")], [{ ...busy[0]!, nodeId: "a" }], [other]), {
      service: { spec: spec({ replicas: 1, constraints: ["node.labels.disk == ssd"] }) },
    });
    expect(kinds(comparePlacement(ssd, swarm({ b: 1 })))).toContain("eligibility");
  });

  it("ok/another service mid-change frees only the tie-break: a node its neighbours fill stays full", () => {
    const small = { resources: { nanoCpus: 1e9, memoryBytes: 1 * GiB } };
    const two = [node("n1", small), node("n2", small)];
    // "heavy" holds all of n1's memory; "other", on n2, is being updated meanwhile.
    const heavy = { id: "heavy", specVersion: 1, spec: spec({ name: "heavy", reservations: { nanoCpus: 0, memoryBytes: 1 * GiB } }) };
    const other = { id: "other", specVersion: 2, spec: spec({ name: "other" }) };
    const held: PlannerTask[] = [
      { id: "t1", serviceId: "heavy", slot: 1, nodeId: "n1", specVersion: 1, state: "running" },
      { id: "t2", serviceId: "other", slot: 1, nodeId: "n2", specVersion: 1, state: "running" },
    ];
    const prediction = predictPlacement(cluster(two, held, [heavy, other]), { service: { spec: spec({ replicas: 2, reservations: { nanoCpus: 0, memoryBytes: GiB / 2 } }) } });
    expect(prediction.concurrent).toEqual(["other"]);
    expect(prediction.outcomes.map((o) => o.placed)).toEqual([{ n2: 2 }]);
    expect(kinds(comparePlacement(prediction, swarm({ n1: 1, n2: 1 })))).toEqual(["counts", "counts"]);
  });

  it("ok/servicesInFlight: a task waiting for a node, a task of an older version, or replicas not yet made or stopped; never a settled or global service", () => {
    const svc = (id: string, over: Partial<ServiceSpec> = {}, specVersion = 1) => ({ id, specVersion, spec: spec({ name: id, ...over }) });
    const task = (serviceId: string, over: Partial<PlannerTask> = {}): PlannerTask => ({ id: `${serviceId}-${over.nodeId ?? "n1"}`, serviceId, slot: 1, nodeId: "n1", specVersion: 1, state: "running", ...over });
    const c = cluster(
      nodes,
      [task("settled"), task("waiting", { nodeId: "" }), task("older", { specVersion: 1 }), task("scaling"), task("global", { slot: null }), task("shrinking"), task("shrinking", { nodeId: "n2" })],
      [svc("settled"), svc("waiting"), svc("older", {}, 2), svc("scaling", { replicas: 3 }), svc("global", { mode: "global" }), svc("shrinking"), svc("new")],
    );
    expect(servicesInFlight(c).map((s) => s.id)).toEqual(["waiting", "older", "scaling", "shrinking", "new"]);
  });

  it("ok/a rolling update that scales up: which eligible node ends with two is Swarm's slot order, the counts as a set are determined", () => {
    const pci = { labels: { pcidss: "yes" } };
    const nodes4 = [node("m2", { role: "manager", ...pci }), node("w1", pci), node("w2", pci), node("w3", { labels: { pcidss: "no" } })];
    const old = spec({ name: "grown", replicas: 3, constraints: ["node.role == worker"] });
    const running: PlannerTask[] = ["w1", "w2", "w3"].map((n, i) => ({ id: `t${i}`, serviceId: "grown", slot: i + 1, nodeId: n, specVersion: 1, state: "running" }));
    const prediction = predictPlacement(cluster(nodes4, running, [{ id: "grown", specVersion: 1, spec: old }]), {
      service: { serviceId: "grown", spec: { ...old, replicas: 4, constraints: ["node.labels.pcidss == yes"] } },
    });
    for (const placed of [{ m2: 2, w1: 1, w2: 1 }, { m2: 1, w1: 2, w2: 1 }]) {
      const result = comparePlacement(prediction, swarm(placed));
      expect(result.differences).toEqual([]);
      expect(result.undetermined.at(-1)).toEqual({
        nodes: ["m2", "w1", "w2"],
        reason:
          "The update replaces running tasks through Swarm's updater, apart from any tasks a scale-up adds and a few at a time (one by default) in an order it picks at random, " +
          "so Swarm may place them in separate passes and which of m2, w1 and w2 ends with more is not determined. Determined: their counts taken as a set (1, 1, 2).",
      });
    }
    expect(kinds(comparePlacement(prediction, swarm({ m2: 2, w1: 2 })))).toEqual(["counts"]);
    const loose = comparePlacement(prediction, swarm({ m2: 2, w1: 2 }));
    expect(loose.differences[0]!.text).toBe("m2, w1 and w2, which Swarm's updater may fill in any order: Swarm placed 2, 2, 0, the planner 1, 1, 2 in any order.");
    // One replacement alone goes out in one pass: the counts are compared node by node, the kept task included.
    const two: PlannerTask[] = [running[0]!, { ...running[2]!, slot: 2 }];
    const moved = predictPlacement(cluster(nodes4, two, [{ id: "grown", specVersion: 1, spec: { ...old, replicas: 2 } }]), {
      service: { serviceId: "grown", spec: { ...old, replicas: 2, constraints: ["node.labels.pcidss == yes"] } },
    });
    expect(moved.plan.focus?.diff.replaced).toBe(1);
    expect(comparePlacement(moved, swarm({ w1: 1, w2: 1 })).matched).toBe(true);
    expect(kinds(comparePlacement(moved, swarm({ m2: 1, w2: 1 })))).toContain("counts");
    expect(kinds(comparePlacement(prediction, swarm({ m2: 1, w1: 1, w2: 1, w3: 1 })))).toContain("eligibility");
  });

  it("ok/max replicas per node forces the split: two each on the only two nodes, determined", () => {
    const prediction = predictPlacement(cluster([node("a", { labels: { disk: "ssd" } }), node("b", { labels: { disk: "ssd" } }), node("c")]), {
      service: { spec: spec({ replicas: 4, maxReplicasPerNode: 2, constraints: ["node.labels.disk == ssd"] }) },
    });
    expect(comparePlacement(prediction, swarm({ a: 2, b: 2 }))).toEqual({ matched: true, differences: [], undetermined: [] });
    expect(comparePlacement(prediction, swarm({ a: 3, b: 1 })).matched).toBe(false);
  });

  it("ok/spread over a zone: the odd task goes to whichever branch Swarm meets first", () => {
    const zoned = [node("a1", { labels: { zone: "a" } }), node("a2", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" } })];
    const prediction = predictPlacement(cluster(zoned), { service: { spec: spec({ replicas: 3, preferences: ["node.labels.zone"] }) } });
    expect(prediction.outcomes.map((o) => o.placed)).toEqual([{ a1: 1, a2: 1, b1: 1 }, { a1: 1, b1: 2 }]);
    expect(comparePlacement(prediction, swarm({ a2: 1, b1: 2 })).matched).toBe(true);
    expect(comparePlacement(prediction, swarm({ a1: 2, b1: 1 })).matched).toBe(false);
    const result = comparePlacement(prediction, swarm({ a1: 1, a2: 1, b1: 1 }));
    expect(result.undetermined.map((u) => u.nodes)).toEqual([["a1", "a2"], ["b1"]]);
    expect(result.undetermined[1]!.reason).toBe(
      "How many tasks b1 gets depends on the order Swarm meets equally good nodes in (ties of the service's tasks and all tasks, or spread branches met in map order). Determined: 1 to 2 on b1.",
    );
  });

  it("ok/an even spread is determined", () => {
    const zoned = [node("a1", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" } }), node("b2", { labels: { zone: "b" } })];
    const prediction = predictPlacement(cluster(zoned), { service: { spec: spec({ replicas: 4, preferences: ["node.labels.zone"] }) } });
    expect(comparePlacement(prediction, swarm({ a1: 2, b1: 1, b2: 1 }))).toEqual({ matched: true, differences: [], undetermined: [] });
  });
});

describe("pending tasks and their error", () => {
  const six = ["n1", "n2", "n3", "n4", "n5", "n6"].map((id, i) => node(id, { labels: { pcidss: i < 3 ? "yes" : "no" } }));

  it("ok/nothing fits anywhere: the count and the error are determined, to the letter", () => {
    const prediction = predictPlacement(cluster(six), { service: { spec: spec({ replicas: 2, reservations: { nanoCpus: 0, memoryBytes: 16 * GiB } }) } });
    const error = "no suitable node (insufficient resources on 6 nodes)";
    expect(prediction.outcomes).toEqual([{ placed: {}, pending: 2, pendingReason: error }]);
    expect(comparePlacement(prediction, swarm({}, [error, error]))).toEqual({ matched: true, differences: [], undetermined: [] });
    const wrong = comparePlacement(prediction, swarm({}, [error, "no suitable node (insufficient resources on 5 nodes)"]));
    expect(kinds(wrong)).toEqual(["reason"]);
    expect(wrong.differences[0]!.text).toBe(
      'Swarm\'s pending tasks say "no suitable node (insufficient resources on 5 nodes)", the planner "no suitable node (insufficient resources on 6 nodes)".',
    );
    expect(kinds(comparePlacement(prediction, swarm({ n1: 1 }, [error])))).toEqual(["pending", "counts"]);
  });

  it("ok/some placed, the rest waiting: the first pass's error or a later full count, nothing else", () => {
    const prediction = predictPlacement(cluster(six), {
      service: { spec: spec({ replicas: 5, maxReplicasPerNode: 1, constraints: ["node.labels.pcidss == yes"] }) },
    });
    const placed = { n1: 1, n2: 1, n3: 1 };
    expect(prediction.outcomes).toEqual([{ placed, pending: 2, pendingReason: "no suitable node (max replicas per node limit exceed)" }]);
    const first = comparePlacement(prediction, swarm(placed, Array(2).fill("no suitable node (max replicas per node limit exceed)")));
    expect(first.matched).toBe(true);
    expect(first.undetermined.map((u) => u.reason)).toEqual([
      'The pending tasks\' error counts only the nodes Swarm met after the last one that took a task, in an order Go leaves to chance, until a later pass counts them all ("no suitable node (scheduling constraints not satisfied on 3 nodes; max replicas per node limit exceed)"). Determined: "no suitable node", naming only filters that refuse nodes in the matrix.',
    ]);
    const later = "no suitable node (scheduling constraints not satisfied on 3 nodes; max replicas per node limit exceed)";
    expect(comparePlacement(prediction, swarm(placed, [later, later])).matched).toBe(true);
    const some = "no suitable node (max replicas per node limit exceed; scheduling constraints not satisfied on 2 nodes)";
    const bounded = comparePlacement(prediction, swarm(placed, [some, some]));
    expect(bounded.matched).toBe(true);
    expect(bounded.undetermined[0]!.reason).toMatch(/Swarm's text is one of those\.$/);
    const wrong = comparePlacement(prediction, swarm(placed, ["no suitable node (insufficient resources on 1 node)", later]));
    expect(kinds(wrong)).toEqual(["reason"]);
    expect(wrong.differences[0]!.text).toContain("counts more nodes than the planner's matrix refuses (resources: 1 of 0)");
    expect(kinds(comparePlacement(prediction, swarm(placed, ["no node at all", later])))).toEqual(["reason"]);
  });

  it("fail/Swarm waits while the planner has room: the pending count and the node with room are named", () => {
    const prediction = predictPlacement(cluster(six), { service: { spec: spec({ replicas: 3, constraints: ["node.labels.pcidss == yes"] }) } });
    const result = comparePlacement(prediction, swarm({ n1: 1, n2: 1 }, ["no suitable node (scheduling constraints not satisfied on 4 nodes)"]));
    expect(kinds(result)).toEqual(["eligibility", "eligibility", "eligibility", "pending", "reason", "counts"]);
    expect(result.differences[2]!.text).toBe("Swarm left 1 task pending, yet the planner says n3 had room for another (Swarm gave it 0).");
    expect(result.differences[3]!.text).toBe("Swarm left 1 task pending, the planner 0.");
  });
});

describe("what cannot be compared", () => {
  it("fail/a refused spec makes no prediction", () => {
    const prediction = predictPlacement(cluster([node("n1")]), { service: { spec: spec({ constraints: ["node.labels.x =! y"] }) } });
    expect(prediction.outcomes).toEqual([]);
    const result = comparePlacement(prediction, swarm({}));
    expect(result.matched).toBe(false);
    expect(kinds(result)).toEqual(["refused"]);
  });

  it("fail/predictPlacement needs a planned service", () => {
    expect(() => predictPlacement(cluster([node("n1")]), {})).toThrow("plans no service");
  });

  it("ok/many distinct nodes: a sample of orders, and the comparison says so", () => {
    const nodes = Array.from({ length: 9 }, (_, i) => node(`n${i}`, { resources: { nanoCpus: (i + 1) * 1e9, memoryBytes: 8 * GiB } }));
    const prediction = predictPlacement(cluster(nodes), { service: { spec: spec({ replicas: 3 }) } });
    expect(MAX_NODE_ORDERS).toBeLessThan(362_880);
    expect(prediction.orders).toEqual({ run: 11, all: false });
    const result = comparePlacement(prediction, swarm({ n0: 1, n1: 1, n2: 1 }));
    expect(result.matched).toBe(true);
    expect(result.undetermined.at(-1)!.reason).toMatch(/^Only 11 node orders were tried/);
  });
});

describe("parseNoSuitableNode", () => {
  it.each([
    ["ok/bare", "no suitable node", []],
    ["ok/one clause", "no suitable node (insufficient resources on 6 nodes)", [["resources", 6]]],
    ["ok/singular", "no suitable node (1 node not available for new tasks)", [["ready", 1]]],
    [
      "ok/several clauses",
      "no suitable node (scheduling constraints not satisfied on 3 nodes; max replicas per node limit exceed; host-mode port already in use on 1 node)",
      [["constraints", 3], ["maxReplicas", 1], ["hostPorts", 1]],
    ],
  ] as const)("%s", (_, text, counts) => {
    expect([...parseNoSuitableNode(text)!]).toEqual(counts);
  });

  it.each([
    ["fail/another error", "node is down"],
    ["fail/a filter the planner lacks", "no suitable node (cannot fulfill requested CSI volume mounts on 2 nodes)"],
    ["fail/plural for one", "no suitable node (insufficient resources on 1 nodes)"],
  ])("%s", (_, text) => {
    expect(parseNoSuitableNode(text)).toBeNull();
  });
});
