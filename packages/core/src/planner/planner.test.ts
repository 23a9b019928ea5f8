import { describe, expect, it } from "vitest";
import { defaultServiceSpec, type ServiceSpec } from "../service/index.js";
import { labelCatalogue, pciDssScenario, planPlacement, type PlannerCluster, type PlannerNode, type PlannerService, type PlannerTask, type Sandbox } from "./index.js";
import { parseConstraints } from "../constraint/index.js";
import { taskSpecChange } from "../orchestrator/index.js";
import { SandboxIds } from "./sandbox.js";
import { simulate } from "./simulate.js";

function node(id: string, over: Partial<PlannerNode> = {}): PlannerNode {
  return { id, hostname: id, role: "worker", state: "ready", availability: "active", labels: {}, ...over };
}

function spec(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return defaultServiceSpec({ name, image: "nginx:alpine", ...over });
}

function service(id: string, over: Partial<ServiceSpec> = {}, specVersion = 1): PlannerService {
  return { id, specVersion, spec: spec(id, over) };
}

/** Running tasks of a service, one per listed node, slots from 1 (null for global). */
function running(serviceId: string, nodeIds: readonly string[], global = false): PlannerTask[] {
  return nodeIds.map((nodeId, i) => ({ id: `${serviceId}.${i + 1}`, serviceId, slot: global ? null : i + 1, nodeId, specVersion: 1, state: "running" }));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const changedNames = (result: ReturnType<typeof planPlacement>) => result.changed.map((d) => d.name);

describe("the PCI-DSS example", () => {
  const { cluster, sandbox } = pciDssScenario();
  const result = planPlacement(cluster, sandbox);

  it("ok/the draft lands one task on each node labelled pcidss=yes", () => {
    expect(result.focus?.problems).toEqual([]);
    expect(result.focus?.diff).toEqual({
      serviceId: null,
      name: "web-fe",
      before: {},
      after: { "node-2": 1, "node-3": 1, "node-4": 1 },
      moved: 0,
      pending: 0,
      pendingReason: null,
    });
    expect(result.changed).toEqual([result.focus?.diff]);
  });

  it("ok/tookMs is the plan's own duration in milliseconds: more than nothing, within the time around the call", () => {
    const before = performance.now();
    const { tookMs } = planPlacement(cluster, sandbox);
    const around = performance.now() - before;
    expect(tookMs).toBeGreaterThan(0);
    expect(tookMs).toBeLessThanOrEqual(around);
  });

  it("ok/the matrix says why the other nodes are refused: no label, or another value", () => {
    const rows = Object.fromEntries(result.focus!.matrix.map((r) => [r.nodeId, r]));
    expect(rows["node-1"]!.constraints.map((c) => c.reason)).toEqual(['node.labels.pcidss is nothing, not "yes"']);
    expect(rows["node-5"]!.constraints.map((c) => c.reason)).toEqual(['node.labels.pcidss is "no", not "yes"']);
    expect(rows["node-1"]!.filter).toMatchObject({ passed: false, failedFilter: "constraints" });
    expect(rows["node-2"]).toMatchObject({ filter: { passed: true }, before: 0, after: 1, role: "worker", hostname: "node-2" });
    expect(result.focus!.spread).toEqual([]);
  });

  it("ok/the scenario's labels feed the constraint picker", () => {
    expect(labelCatalogue(cluster.nodes)).toEqual({ pcidss: ["no", "yes"] });
  });
});

describe("node changes", () => {
  it("ok/removing a label moves the task it held; only the affected service is listed", () => {
    const cluster: PlannerCluster = {
      nodes: ["n1", "n2", "n3", "n4"].map((id) => node(id, { labels: id === "n4" ? {} : { pcidss: "yes" } })),
      services: [service("web", { replicas: 3, constraints: ["node.labels.pcidss == yes"] }), service("api", { replicas: 2 })],
      tasks: [...running("web", ["n1", "n2", "n3"]), ...running("api", ["n4", "n1"])],
    };
    const result = planPlacement(cluster, { nodes: { n2: { labels: {} }, n4: { labels: { pcidss: "yes" } } } });
    expect(result.focus).toBeNull();
    expect(result.changed).toEqual([
      { serviceId: "web", name: "web", before: { n1: 1, n2: 1, n3: 1 }, after: { n1: 1, n3: 1, n4: 1 }, moved: 1, pending: 0, pendingReason: null },
    ]);
  });

  it("ok/draining a node moves its tasks to the least loaded node", () => {
    const cluster: PlannerCluster = {
      nodes: [node("n1"), node("n2"), node("n3")],
      services: [service("api", { replicas: 2 })],
      tasks: running("api", ["n1", "n2"]),
    };
    const [diff] = planPlacement(cluster, { nodes: { n1: { availability: "drain" } } }).changed;
    expect(diff).toMatchObject({ before: { n1: 1, n2: 1 }, after: { n2: 1, n3: 1 }, moved: 1 });
  });

  it("ok/a paused node keeps its task even when it stops meeting the constraints (the enforcer checks active nodes only)", () => {
    const cluster: PlannerCluster = {
      nodes: [node("n1", { labels: { tier: "web" } }), node("n2", { labels: { tier: "web" } })],
      services: [service("web", { constraints: ["node.labels.tier == web"] })],
      tasks: running("web", ["n1"]),
    };
    expect(planPlacement(cluster, { nodes: { n1: { labels: {}, availability: "pause" } } }).changed).toEqual([]);
    expect(planPlacement(cluster, { nodes: { n1: { labels: {} } } }).changed[0]).toMatchObject({ after: { n2: 1 }, moved: 1 });
  });

  it("ok/tasks on a node that is down are restarted elsewhere", () => {
    const cluster: PlannerCluster = {
      nodes: [node("n1", { state: "down" }), node("n2")],
      services: [service("api")],
      tasks: running("api", ["n1"]),
    };
    expect(planPlacement(cluster, {}).changed[0]).toMatchObject({ before: { n1: 1 }, after: { n2: 1 }, moved: 1 });
  });

  it("ok/tasks on a node that was removed are restarted elsewhere", () => {
    const cluster: PlannerCluster = { nodes: [node("n2")], services: [service("api")], tasks: running("api", ["gone"]) };
    expect(planPlacement(cluster, {}).changed[0]).toMatchObject({ before: { gone: 1 }, after: { n2: 1 }, moved: 1 });
  });

  it("ok/a role change moves tasks constrained to managers, and the matrix shows the new roles", () => {
    const ctl = service("ctl", { replicas: 2, constraints: ["node.role==manager"] });
    const cluster: PlannerCluster = {
      nodes: [node("m1", { role: "manager" }), node("m2", { role: "manager" }), node("w1")],
      services: [ctl],
      tasks: running("ctl", ["m1", "m2"]),
    };
    const result = planPlacement(cluster, { nodes: { m2: { role: "worker" }, w1: { role: "manager" } }, service: { serviceId: "ctl", spec: ctl.spec } });
    expect(result.focus?.diff).toMatchObject({ serviceId: "ctl", before: { m1: 1, m2: 1 }, after: { m1: 1, w1: 1 }, moved: 1 });
    const m2 = result.focus!.matrix.find((r) => r.nodeId === "m2")!;
    expect(m2).toMatchObject({ role: "worker", before: 1, after: 0, filter: { passed: false, failedFilter: "constraints" } });
    expect(m2.constraints[0]).toMatchObject({ matched: false, actual: "worker", reason: 'node.role is "worker", not "manager"' });
  });

  it("ok/changes to nodes the cluster does not have are ignored", () => {
    const cluster: PlannerCluster = { nodes: [node("n1")], services: [service("api")], tasks: running("api", ["n1"]) };
    const nodes = JSON.parse('{"gone":{"availability":"drain"},"constructor":{"availability":"drain"}}') as Sandbox["nodes"];
    expect(planPlacement(cluster, { nodes }).changed).toEqual([]);
  });
});

describe("spec changes", () => {
  const threeNodes = [node("n1"), node("n2"), node("n3")];

  /** Which of today's task ids the scheduler still holds, and where, after the sandbox's spec for `current` ran. */
  function keptTasks(cluster: PlannerCluster, current: PlannerService, next: ServiceSpec): Record<string, string> {
    const planned = { id: current.id, specVersion: current.specVersion + 1, spec: next, constraints: parseConstraints(next.constraints), change: taskSpecChange(current.spec, next) };
    const { scheduler } = simulate(cluster.nodes, new Set(), cluster.tasks, [planned], new SandboxIds(new Set(cluster.tasks.map((t) => t.id))));
    const kept: Record<string, string> = {};
    for (const t of cluster.tasks) {
      const status = scheduler.taskStatus(t.id);
      if (status) kept[t.id] = status.nodeId;
    }
    return kept;
  }

  it("ok/scaling up keeps every task where it is and places the new replicas (replicas are not in the task spec)", () => {
    const web = service("web", { replicas: 2 });
    const cluster: PlannerCluster = { nodes: threeNodes, services: [web], tasks: running("web", ["n1", "n2"]) };
    const next = { ...web.spec, replicas: 3 };
    const result = planPlacement(cluster, { service: { serviceId: "web", spec: next } });
    expect(result.focus?.diff).toEqual({ serviceId: "web", name: "web", before: { n1: 1, n2: 1 }, after: { n1: 1, n2: 1, n3: 1 }, moved: 0, pending: 0, pendingReason: null });
    expect(keptTasks(cluster, web, next)).toEqual({ "web.1": "n1", "web.2": "n2" });
  });

  it("ok/scaling down leaves the lowest slots where they are: slot 1 keeps its task", () => {
    const web = service("web", { replicas: 3 });
    const cluster: PlannerCluster = { nodes: threeNodes, services: [web], tasks: running("web", ["n1", "n2", "n3"]) };
    const next = { ...web.spec, replicas: 1 };
    const result = planPlacement(cluster, { service: { serviceId: "web", spec: next } });
    expect(result.focus?.diff).toMatchObject({ after: { n1: 1 }, moved: 2 });
    expect(result.focus?.diff.replaced).toBeUndefined();
    expect(keptTasks(cluster, web, next)).toEqual({ "web.1": "n1" });
  });

  it("ok/a rename keeps every task", () => {
    const web = service("web", { replicas: 2 });
    const cluster: PlannerCluster = { nodes: threeNodes, services: [web], tasks: running("web", ["n1", "n2"]) };
    const next = { ...web.spec, name: "web-2" };
    const result = planPlacement(cluster, { service: { serviceId: "web", spec: next } });
    expect(result.changed).toEqual([{ serviceId: "web", name: "web-2", before: { n1: 1, n2: 1 }, after: { n1: 1, n2: 1 }, moved: 0, pending: 0, pendingReason: null }]);
    expect(keptTasks(cluster, web, next)).toEqual({ "web.1": "n1", "web.2": "n2" });
  });

  it("ok/a new image replaces every task, and the diff counts them even where they land on the same nodes", () => {
    const web = service("web", { replicas: 2 });
    const cluster: PlannerCluster = { nodes: threeNodes, services: [web], tasks: running("web", ["n1", "n2"]) };
    const next = { ...web.spec, image: "nginx:1.27" };
    expect(planPlacement(cluster, { service: { serviceId: "web", spec: next } }).focus?.diff).toMatchObject({ replaced: 2, pending: 0 });
    expect(keptTasks(cluster, web, next)).toEqual({});
  });

  it("ok/a placement-only change keeps the tasks whose node still fits and moves the others", () => {
    const web = service("web", { replicas: 3 });
    const cluster: PlannerCluster = { nodes: threeNodes, services: [web], tasks: running("web", ["n1", "n2", "n3"]) };
    const next = { ...web.spec, constraints: ["node.hostname != n1"] };
    const result = planPlacement(cluster, { service: { serviceId: "web", spec: next } });
    expect(result.focus?.diff).toMatchObject({ after: { n2: 2, n3: 1 }, moved: 1, replaced: 1 });
    expect(keptTasks(cluster, web, next)).toEqual({ "web.2": "n2", "web.3": "n3" });
  });

  it("ok/an unchanged spec plans nothing new, and the focus is listed anyway", () => {
    const web = service("web", { replicas: 2 });
    const cluster: PlannerCluster = { nodes: threeNodes, services: [web], tasks: running("web", ["n1", "n2"]) };
    const result = planPlacement(cluster, { service: { serviceId: "web", spec: { ...web.spec } } });
    expect(result.changed).toEqual([{ serviceId: "web", name: "web", before: { n1: 1, n2: 1 }, after: { n1: 1, n2: 1 }, moved: 0, pending: 0, pendingReason: null }]);
  });

  it("ok/max replicas per node: the extra task waits, and every row of the matrix says why", () => {
    const result = planPlacement({ nodes: threeNodes, services: [], tasks: [] }, { service: { spec: spec("web", { replicas: 4, maxReplicasPerNode: 1 }) } });
    expect(result.focus?.diff).toMatchObject({ after: { n1: 1, n2: 1, n3: 1 }, pending: 1, pendingReason: "no suitable node (max replicas per node limit exceed)" });
    expect(result.focus!.matrix.map((r) => r.filter)).toEqual(
      threeNodes.map(() => ({ passed: false, failedFilter: "maxReplicas", reason: expect.any(String) as string })),
    );
  });
});

describe("resources", () => {
  const cpus = (n: number) => ({ nanoCpus: n * 1e9, memoryBytes: 2 ** 30 });

  it("fail/reservations that no node can hold leave tasks pending with Swarm's reason", () => {
    const nodes = ["n1", "n2", "n3"].map((id) => node(id, { resources: cpus(2) }));
    const result = planPlacement({ nodes, services: [], tasks: [] }, { service: { spec: spec("big", { replicas: 5, reservations: { nanoCpus: 1.5e9, memoryBytes: 0 } }) } });
    expect(result.focus?.diff).toMatchObject({
      after: { n1: 1, n2: 1, n3: 1 },
      pending: 2,
      pendingReason: "no suitable node (insufficient resources on 3 nodes)",
    });
    expect(result.changed.map((d) => d.pending)).toEqual([2]);
  });

  it("ok/the matrix counts what the other services hold on each node", () => {
    const nodes = [node("n1", { resources: cpus(2) }), node("n2", { resources: cpus(2) })];
    const cluster: PlannerCluster = { nodes, services: [service("db", { reservations: { nanoCpus: 1e9, memoryBytes: 0 } })], tasks: running("db", ["n1"]) };
    const result = planPlacement(cluster, { service: { spec: spec("web", { reservations: { nanoCpus: 1.5e9, memoryBytes: 0 } }) } });
    expect(result.focus?.diff.after).toEqual({ n2: 1 });
    expect(result.focus!.matrix.map((r) => [r.nodeId, r.filter.passed])).toEqual([
      ["n1", false],
      ["n2", false],
    ]);
    expect(result.focus!.matrix[0]!.filter).toMatchObject({ failedFilter: "resources" });
  });
});

describe("spread preferences", () => {
  it("ok/nodes lacking the label form the \"\" branch, which gets its fair share", () => {
    const nodes = [node("a1", { labels: { zone: "a" } }), node("x1"), node("a2", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" } })];
    const result = planPlacement({ nodes, services: [], tasks: [] }, { service: { spec: spec("web", { replicas: 6, preferences: ["node.labels.zone"] }) } });
    expect(result.focus?.diff.after).toEqual({ a1: 1, a2: 1, b1: 2, x1: 2 });
    expect(result.focus?.spread).toEqual([
      { descriptor: "node.labels.zone", value: "a", tasks: 2, nodeIds: ["a1", "a2"], children: [] },
      { descriptor: "node.labels.zone", value: "b", tasks: 2, nodeIds: ["b1"], children: [] },
      { descriptor: "node.labels.zone", value: "", tasks: 2, nodeIds: ["x1"], children: [] },
    ]);
  });

  it("ok/levels nest outermost first; descriptors without a label prefix add no level", () => {
    const nodes = [
      node("a-r1", { labels: { zone: "a", rack: "r1" } }),
      node("a-r2", { labels: { zone: "a", rack: "r2" } }),
      node("b-r1", { labels: { zone: "b", rack: "r1" } }),
    ];
    const preferences = ["node.labels.zone", "node.hostname", "node.labels.rack"];
    const result = planPlacement({ nodes, services: [], tasks: [] }, { service: { spec: spec("web", { replicas: 4, preferences }) } });
    const [a, b] = result.focus!.spread;
    expect(a).toMatchObject({ value: "a", tasks: 2, children: [{ descriptor: "node.labels.rack", value: "r1", tasks: 1 }, { value: "r2", tasks: 1 }] });
    expect(b).toMatchObject({ value: "b", tasks: 2, children: [{ value: "r1", tasks: 2, nodeIds: ["b-r1"] }] });
  });
});

describe("specs the manager would refuse", () => {
  const cluster: PlannerCluster = {
    nodes: [node("n1"), node("n2")],
    services: [service("web"), service("api")],
    tasks: [...running("web", ["n1"]), ...running("api", ["n2"])],
  };

  it("fail/bad constraints give Swarm's messages, one per expression, and nothing planned", () => {
    const bad = spec("web", { constraints: ["node.labels.pcidss == yes", "a==b", "node.role >= manager", "node.labels.x == b==c"] });
    const result = planPlacement(cluster, { service: { serviceId: "web", spec: bad } });
    expect(result.focus).toEqual({
      serviceId: "web",
      name: "web",
      problems: [
        { field: "constraints[1]", message: "key 'a' is invalid" },
        { field: "constraints[2]", message: "constraint expected one operator from ==, !=" },
        { field: "constraints[3]", message: "value 'b==c' is invalid" },
      ],
      matrix: [],
      spread: [],
      diff: { serviceId: "web", name: "web", before: {}, after: {}, moved: 0, pending: 0, pendingReason: null },
    });
    expect(result.changed).toEqual([]);
  });

  it("fail/the other services are still planned with the node changes", () => {
    const result = planPlacement(cluster, { nodes: { n2: { availability: "drain" } }, service: { spec: spec("new", { constraints: ["~"] }) } });
    expect(result.focus?.problems).toHaveLength(1);
    expect(changedNames(result)).toEqual(["api"]);
  });

  it.each<[string, Sandbox["service"], { field: string; message: string }[]]>([
    ["a bad name", { spec: spec("-web") }, [{ field: "name", message: "name must be valid as a DNS name component" }]],
    ["a CPU reservation below the floor", { spec: spec("x", { reservations: { nanoCpus: 5e5, memoryBytes: 0 } }) }, [{ field: "reserveCpu", message: "invalid cpu value 0.0005: Must be at least 0.001" }]],
    ["a name another service has", { spec: spec("api") }, [{ field: "name", message: "name conflicts with an existing object" }]],
    ["a rename onto another service", { serviceId: "web", spec: spec("api") }, [{ field: "name", message: "name conflicts with an existing object" }]],
    ["a mode change", { serviceId: "web", spec: spec("web", { mode: "global", replicas: 0 }) }, [{ field: "mode", message: "service mode change is not allowed" }]],
    ["an unknown service", { serviceId: "nope", spec: spec("nope") }, [{ field: "serviceId", message: "service nope not found" }]],
  ])("fail/%s", (_, request, problems) => {
    expect(planPlacement(cluster, { service: request }).focus?.problems).toEqual(problems);
  });
});

describe("global services", () => {
  const nodes = [node("n1"), node("n2"), node("n3", { availability: "drain" }), node("n4", { availability: "pause" }), node("m1", { role: "manager" })];

  it("ok/a draft runs one pre-assigned task on every eligible node: not drained, not paused, meeting the constraints", () => {
    const result = planPlacement({ nodes, services: [], tasks: [] }, { service: { spec: spec("agent", { mode: "global", replicas: 0, constraints: ["node.role == worker"] }) } });
    expect(result.focus?.diff).toMatchObject({ after: { n1: 1, n2: 1 }, pending: 0 });
  });

  it("ok/draining a node takes its task away; a paused node keeps its own; a new node gets one", () => {
    const cluster: PlannerCluster = { nodes, services: [service("agent", { mode: "global", replicas: 0 })], tasks: running("agent", ["n1", "n4", "m1"], true) };
    const [diff] = planPlacement(cluster, { nodes: { n1: { availability: "drain" } } }).changed;
    expect(diff).toMatchObject({ before: { n1: 1, n4: 1, m1: 1 }, after: { n2: 1, n4: 1, m1: 1 }, moved: 1 });
  });
});

describe("the difference from today", () => {
  /** A busy cluster with tasks waiting: one pending for want of room, one pre-assigned to a node that cannot take it. */
  function waiting(): PlannerCluster {
    const small = { nanoCpus: 1e9, memoryBytes: 2 ** 30 };
    return {
      nodes: [node("n1", { resources: small }), node("n2", { resources: small, labels: { zone: "a" } }), node("n3", { availability: "pause", resources: small })],
      services: [
        service("web", { replicas: 3, maxReplicasPerNode: 1, preferences: ["node.labels.zone"] }),
        service("agent", { mode: "global", replicas: 0, reservations: { nanoCpus: 5e8, memoryBytes: 0 } }),
        service("db", { reservations: { nanoCpus: 8e8, memoryBytes: 0 } }),
      ],
      tasks: [
        ...running("web", ["n1", "n2"]),
        { id: "web.3", serviceId: "web", slot: 3, nodeId: "", specVersion: 1, state: "pending" },
        { id: "agent.1", serviceId: "agent", slot: null, nodeId: "n1", specVersion: 1, state: "running" },
        { id: "agent.2", serviceId: "agent", slot: null, nodeId: "n2", specVersion: 1, state: "pending" },
        { id: "agent.3", serviceId: "agent", slot: null, nodeId: "n3", specVersion: 1, state: "assigned" },
        { id: "db.1", serviceId: "db", slot: 1, nodeId: "n2", specVersion: 1, state: "running" },
      ],
    };
  }

  it("ok/an empty sandbox changes nothing, with tasks pending and pre-assigned", () => {
    const cluster = waiting();
    expect(planPlacement(cluster, {}).changed).toEqual([]);
    expect(planPlacement(cluster, { nodes: {} }).changed).toEqual([]);
    const { cluster: pci } = pciDssScenario();
    expect(planPlacement(pci, {}).changed).toEqual([]);
  });

  it("ok/before counts the tasks nodes have taken, not pre-assigned ones still pending", () => {
    const cluster = waiting();
    const agent = cluster.services[1]!;
    const result = planPlacement(cluster, { service: { serviceId: "agent", spec: agent.spec } });
    expect(result.focus?.diff).toEqual({
      serviceId: "agent",
      name: "agent",
      before: { n1: 1, n3: 1 },
      after: { n1: 1, n3: 1 },
      moved: 0,
      pending: 1,
      pendingReason: "insufficient resources on 1 node",
    });
    expect(result.focus!.matrix.map((r) => [r.nodeId, r.before])).toEqual([
      ["n1", 1],
      ["n2", 0],
      ["n3", 1],
    ]);
  });

  it("ok/a service is listed when its waiting count changes, not merely because tasks wait", () => {
    const cluster = waiting();
    // db leaving n2 makes room there for agent's pre-assigned task; web.3 still waits for a node.
    const result = planPlacement(cluster, { nodes: { n2: { availability: "drain" } } });
    expect(changedNames(result)).toEqual(["agent", "db", "web"]);
    const withRoom = planPlacement(cluster, { service: { serviceId: "db", spec: { ...cluster.services[2]!.spec, replicas: 0 } } });
    expect(withRoom.changed.map((d) => [d.name, d.before, d.after, d.pending])).toEqual([
      ["agent", { n1: 1, n3: 1 }, { n1: 1, n2: 1, n3: 1 }, 0],
      ["db", { n2: 1 }, {}, 0],
    ]);
  });

  it("ok/a paused node's global task is left as it is when the image changes; the others restart in place", () => {
    const nodes = [node("n1"), node("n2"), node("n3", { availability: "pause" })];
    const agent = service("agent", { mode: "global", replicas: 0 });
    const cluster: PlannerCluster = { nodes, services: [agent], tasks: running("agent", ["n1", "n2", "n3"], true) };
    const result = planPlacement(cluster, { service: { serviceId: "agent", spec: { ...agent.spec, image: "agent:2" } } });
    expect(result.focus?.diff).toMatchObject({ before: { n1: 1, n2: 1, n3: 1 }, after: { n1: 1, n2: 1, n3: 1 }, moved: 0, replaced: 2 });
  });
});

describe("label names every JavaScript object inherits", () => {
  it("ok/constraints and spread over constructor, toString and __proto__ read a missing label as \"\"", () => {
    const nodes = [node("n1", { labels: { constructor: "a" } }), node("n2"), node("n3", { labels: { zone: "x" } })];
    const spec_ = spec("web", {
      replicas: 4,
      constraints: ["node.labels.toString != x", "node.labels.__proto__ != x", "engine.labels.constructor != x"],
      preferences: ["node.labels.constructor", "node.labels.__proto__"],
    });
    const result = planPlacement({ nodes, services: [], tasks: [] }, { service: { spec: spec_ } });
    expect(result.focus?.problems).toEqual([]);
    expect(result.focus?.diff.after).toEqual({ n1: 2, n2: 1, n3: 1 });
    expect(result.focus?.spread).toEqual([
      { descriptor: "node.labels.constructor", value: "a", tasks: 2, nodeIds: ["n1"], children: [{ descriptor: "node.labels.__proto__", value: "", tasks: 2, nodeIds: ["n1"], children: [] }] },
      { descriptor: "node.labels.constructor", value: "", tasks: 2, nodeIds: ["n2", "n3"], children: [{ descriptor: "node.labels.__proto__", value: "", tasks: 2, nodeIds: ["n2", "n3"], children: [] }] },
    ]);
    expect(result.focus!.matrix[1]!.constraints.map((c) => c.reason)).toEqual(["node.labels.toString is nothing", "node.labels.__proto__ is nothing", "engine.labels.constructor is nothing"]);
  });

  it("ok/== on such a name matches no node that lacks the label", () => {
    const result = planPlacement({ nodes: [node("n1"), node("n2")], services: [], tasks: [] }, { service: { spec: spec("web", { constraints: ["node.labels.constructor == x"] }) } });
    expect(result.focus?.diff).toMatchObject({ after: {}, pending: 1, pendingReason: "no suitable node (scheduling constraints not satisfied on 2 nodes)" });
  });
});

describe("purity", () => {
  it("ok/neither the cluster nor the sandbox is modified", () => {
    const cluster: PlannerCluster = {
      nodes: [node("n1", { labels: { zone: "a" } }), node("n2", { labels: { zone: "b" } }), node("n3")],
      services: [service("web", { replicas: 2, preferences: ["node.labels.zone"] }), service("agent", { mode: "global", replicas: 0 })],
      tasks: [...running("web", ["n1", "n2"]), ...running("agent", ["n1", "n2"], true)],
    };
    const sandbox: Sandbox = {
      nodes: { n1: { labels: {}, availability: "drain" }, n3: { role: "manager" } },
      service: { serviceId: "web", spec: spec("web", { replicas: 4, preferences: ["node.labels.zone"], constraints: ["node.role == worker"] }) },
    };
    const copies = structuredClone({ cluster, sandbox });
    planPlacement(deepFreeze(cluster), deepFreeze(sandbox));
    expect({ cluster, sandbox }).toEqual(copies);
  });

  it("ok/simulated tasks and the draft get ids that clash with nothing in the cluster", () => {
    const cluster: PlannerCluster = {
      nodes: [node("n1"), node("n2")],
      services: [service("sandbox-1")],
      tasks: [{ id: "sandbox-2", serviceId: "sandbox-1", slot: 1, nodeId: "n1", specVersion: 1, state: "running" }],
    };
    const result = planPlacement(cluster, { service: { spec: spec("draft", { replicas: 2 }) } });
    expect(result.focus?.diff).toMatchObject({ serviceId: null, after: { n1: 1, n2: 1 } });
    expect(changedNames(result)).toEqual(["draft"]);
  });

  it("ok/the same input gives the same plan", () => {
    const { cluster, sandbox } = pciDssScenario();
    const strip = (r: ReturnType<typeof planPlacement>) => ({ ...r, tookMs: 0 });
    expect(strip(planPlacement(cluster, sandbox))).toEqual(strip(planPlacement(cluster, sandbox)));
  });
});
