import { describe, expect, it } from "vitest";
import { evaluateConstraint, parseConstraint } from "../constraint/index.js";
import {
  ASSIGNED_MESSAGE,
  PREASSIGNED_MESSAGE,
  Scheduler,
  explainPlacement,
  summarizeVerdicts,
  type SchedulerDecision,
  type SchedulerNode,
  type SchedulerTask,
} from "./index.js";

const T0 = 1_700_000_000_000;
const MINUTES_5 = 5 * 60 * 1000;

function node(id: string, extra: Partial<SchedulerNode> = {}): SchedulerNode {
  return { id, state: "ready", availability: "active", ...extra };
}

function task(id: string, extra: Partial<SchedulerTask> = {}): SchedulerTask {
  return { id, serviceId: "svc", specVersion: 1, nodeId: "", state: "pending", desiredState: "running", ...extra };
}

function placements(decisions: readonly SchedulerDecision[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of decisions) if (d.outcome === "assigned") out[d.taskId] = d.nodeId;
  return out;
}

function errors(decisions: readonly SchedulerDecision[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of decisions) if (d.outcome === "pending") out[d.taskId] = d.error;
  return out;
}

function serviceCounts(s: Scheduler, nodeIds: readonly string[], service = "svc"): Record<string, number> {
  return Object.fromEntries(nodeIds.map((id) => [id, s.nodeUsage(id)?.activeByService[service] ?? 0]));
}

function group(prefix: string, n: number, extra: Partial<SchedulerTask> = {}): SchedulerTask[] {
  return Array.from({ length: n }, (_, i) => task(`${prefix}${i}`, extra));
}

describe("why-not explanations", () => {
  const good: Partial<SchedulerNode> = {
    labels: { zone: "a" },
    platform: { os: "linux", architecture: "x86_64" },
    resources: { memoryBytes: 2e9 },
    plugins: [{ type: "Volume", name: "nfs:latest" }],
  };
  const nodes = [
    node("down", { ...good, state: "down", labels: { zone: "b" } }),
    node("drained", { ...good, availability: "drain" }),
    node("small", { ...good, resources: { memoryBytes: 5e8 }, labels: { zone: "b" } }),
    node("noplugin", { ...good, plugins: [{ type: "Volume", name: "other" }] }),
    node("zone-b", { ...good, labels: { zone: "b" } }),
    node("arm", { ...good, platform: { os: "linux", architecture: "aarch64" } }),
    node("ok", good),
  ];
  const wanted = task("t", {
    reservations: { memoryBytes: 1e9 },
    volumeDrivers: ["nfs"],
    constraints: ["node.labels.zone==a"],
    platforms: [{ os: "linux", architecture: "amd64" }],
  });

  it("ok/each node is charged to the first failing filter, with a reason", () => {
    const verdicts = explainPlacement({ nodes }, wanted);
    const zoneReason = evaluateConstraint(parseConstraint("node.labels.zone==a"), {
      id: "zone-b",
      role: "worker",
      hostname: "",
      labels: { zone: "b" },
      engineLabels: {},
      platform: { os: "linux", arch: "x86_64" },
      addr: null,
    }).reason;
    expect(verdicts).toEqual([
      { nodeId: "down", passed: false, failedFilter: "ready", reason: "node is down" },
      { nodeId: "drained", passed: false, failedFilter: "ready", reason: "node availability is drain" },
      { nodeId: "small", passed: false, failedFilter: "resources", reason: "needs 1000000000 bytes of memory, 500000000 free" },
      { nodeId: "noplugin", passed: false, failedFilter: "plugins", reason: 'missing Volume plugin "nfs"' },
      { nodeId: "zone-b", passed: false, failedFilter: "constraints", reason: zoneReason },
      { nodeId: "arm", passed: false, failedFilter: "platform", reason: "node platform linux/aarch64 is not among linux/amd64" },
      { nodeId: "ok", passed: true },
    ]);
    expect(zoneReason).toBe('node.labels.zone is "b", not "a"');
  });

  it("ok/without the one good node, the scheduler's error is the verdicts' summary", () => {
    const s = new Scheduler({ nodes: nodes.slice(0, -1), services: { svc: 1 } });
    s.createTask(wanted);
    const verdicts = s.explainTask("t");
    expect(errors(s.schedule(T0))).toEqual({ t: summarizeVerdicts(verdicts) });
    expect(summarizeVerdicts(verdicts)).toBe(
      "no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node; missing plugin on 1 node; scheduling constraints not satisfied on 1 node; unsupported platform on 1 node)",
    );
  });

  it("ok/dynamic filters explain themselves", () => {
    const s = new Scheduler({
      nodes: [node("n1")],
      services: { svc: 1 },
      tasks: [task("a", { nodeId: "n1", state: "running", hostPorts: [{ protocol: "tcp", port: 80 }] })],
    });
    expect(s.explainTask(task("b", { hostPorts: [{ protocol: "tcp", port: 80 }] }))).toEqual([
      { nodeId: "n1", passed: false, failedFilter: "hostPorts", reason: "host port 80/tcp already in use" },
    ]);
    expect(s.explainTask(task("c", { maxReplicas: 1 }))).toEqual([
      { nodeId: "n1", passed: false, failedFilter: "maxReplicas", reason: "node already runs 1 active task of the service (max 1)" },
    ]);
  });
});

describe("filters", () => {
  const cases: [string, SchedulerNode, Partial<SchedulerTask>, boolean][] = [
    ["ok/x86_64 node runs amd64", node("n", { platform: { os: "linux", architecture: "x86_64" } }), { platforms: [{ os: "linux", architecture: "amd64" }] }, true],
    ["ok/aarch64 node runs arm64", node("n", { platform: { os: "linux", architecture: "aarch64" } }), { platforms: [{ os: "linux", architecture: "arm64" }] }, true],
    ["ok/empty architecture is a wildcard", node("n", { platform: { os: "linux", architecture: "s390x" } }), { platforms: [{ os: "linux", architecture: "" }] }, true],
    ["fail/os is compared exactly", node("n", { platform: { os: "windows", architecture: "amd64" } }), { platforms: [{ os: "linux", architecture: "" }] }, false],
    ["fail/no platform reported", node("n"), { platforms: [{ os: "", architecture: "" }] }, false],
    ["ok/x:latest satisfies x", node("n", { plugins: [{ type: "Network", name: "weave:latest" }] }), { networkDrivers: ["weave"] }, true],
    ["fail/x:1.0 does not satisfy x", node("n", { plugins: [{ type: "Network", name: "weave:1.0" }] }), { networkDrivers: ["weave"] }, false],
    ["ok/no engine description passes the plugin filter", node("n"), { networkDrivers: ["weave"], volumeDrivers: ["nfs"] }, true],
    ["ok/local volumes need no plugin", node("n", { plugins: [] }), { volumeDrivers: ["local", ""] }, true],
    ["ok/a network without driver state needs no plugin", node("n", { plugins: [] }), { networkDrivers: [""] }, true],
    ["ok/log driver not checked on nodes reporting no Log plugins", node("n", { plugins: [{ type: "Volume", name: "x" }] }), { logDriver: "fluentd" }, true],
    ["fail/log driver missing among reported Log plugins", node("n", { plugins: [{ type: "Log", name: "json-file" }] }), { logDriver: "fluentd" }, false],
    ["ok/log driver none", node("n", { plugins: [{ type: "Log", name: "json-file" }] }), { logDriver: "none" }, true],
    ["ok/unparseable constraints disable the filter", node("n"), { constraints: ["node.labels.zone ~ a"] }, true],
    ["fail/unknown keys never match", node("n"), { constraints: ["node.name != x"] }, false],
    ["ok/!= matches a node without the label", node("n"), { constraints: ["node.labels.tier != batch"] }, true],
  ];
  it.each(cases)("%s", (_name, n, extra, passes) => {
    expect(explainPlacement({ nodes: [n] }, task("t", extra))[0]!.passed).toBe(passes);
  });
});

describe("host ports", () => {
  it("ok/tcp and udp on the same port share a node; a second tcp does not", () => {
    const s = new Scheduler({ nodes: [node("n1")], services: { svc: 1 } });
    s.createTask(task("tcp", { specVersion: null, hostPorts: [{ protocol: "tcp", port: 58 }] }));
    s.createTask(task("udp", { specVersion: null, hostPorts: [{ protocol: "udp", port: 58 }] }));
    expect(placements(s.schedule(T0))).toEqual({ tcp: "n1", udp: "n1" });
    s.createTask(task("tcp2", { specVersion: null, hostPorts: [{ protocol: "tcp", port: 58 }] }));
    expect(errors(s.schedule(T0))).toEqual({ tcp2: "no suitable node (host-mode port already in use on 1 node)" });
  });

  it("ok/a port is released when its task leaves", () => {
    const s = new Scheduler({ nodes: [node("n1")], services: { svc: 1 } });
    s.createTask(task("a", { specVersion: null, hostPorts: [{ protocol: "tcp", port: 8080 }] }));
    s.schedule(T0);
    s.createTask(task("b", { specVersion: null, hostPorts: [{ protocol: "tcp", port: 8080 }] }));
    expect(errors(s.schedule(T0))).toEqual({ b: "no suitable node (host-mode port already in use on 1 node)" });
    s.updateTask(task("a", { specVersion: null, nodeId: "n1", state: "shutdown", hostPorts: [{ protocol: "tcp", port: 8080 }] }));
    expect(placements(s.schedule(T0))).toEqual({ b: "n1" });
  });

  it("ok/port 0 is not a host port", () => {
    const s = new Scheduler({ nodes: [node("n1")], services: { svc: 1 } });
    for (const id of ["a", "b"]) s.createTask(task(id, { specVersion: null, hostPorts: [{ protocol: "tcp", port: 0 }] }));
    expect(placements(s.schedule(T0))).toEqual({ a: "n1", b: "n1" });
  });
});

describe("max replicas", () => {
  it("ok/a group takes one node each, the rest waits, a new node takes it", () => {
    const s = new Scheduler({ nodes: [node("n1"), node("n2")], services: { svc: 1 } });
    for (const t of group("t", 3, { maxReplicas: 1 })) s.createTask(t);
    const first = s.schedule(T0);
    expect(new Set(Object.values(placements(first)))).toEqual(new Set(["n1", "n2"]));
    expect(Object.values(errors(first))).toEqual(["no suitable node (max replicas per node limit exceed)"]);
    s.createNode(node("n3"));
    expect(Object.values(placements(s.schedule(T0)))).toEqual(["n3"]);
  });

  it("ok/counts tasks of the same service only", () => {
    const s = new Scheduler({
      nodes: [node("n1")],
      services: { svc: 1, other: 1 },
      tasks: [task("o", { serviceId: "other", nodeId: "n1", state: "running" })],
    });
    s.createTask(task("t", { maxReplicas: 1 }));
    expect(placements(s.schedule(T0))).toEqual({ t: "n1" });
  });
});

describe("generic resources", () => {
  it("ok/named items are claimed in order and come back when the task goes", () => {
    const s = new Scheduler({ nodes: [node("gpu", { resources: { generic: { named: { gpu: ["g0", "g1"] } } } })], services: { svc: 1 } });
    for (const id of ["a", "b", "c"]) s.createTask(task(id, { specVersion: null, reservations: { generic: { gpu: 1 } } }));
    const first = s.schedule(T0);
    expect(placements(first)).toEqual({ a: "gpu", b: "gpu" });
    expect(errors(first)).toEqual({ c: "no suitable node (insufficient resources on 1 node)" });
    expect(s.nodeUsage("gpu")!.generic).toEqual({ discrete: {}, named: {} });
    s.deleteTask("a");
    expect(s.nodeUsage("gpu")!.generic.named).toEqual({ gpu: ["g0"] });
    expect(placements(s.schedule(T0))).toEqual({ c: "gpu" });
  });

  it("ok/discrete counts go down and a kind used up is gone", () => {
    const s = new Scheduler({
      nodes: [node("n1", { resources: { nanoCpus: 4e9, generic: { discrete: { apple: 3 } } } })],
      services: { svc: 1 },
    });
    s.createTask(task("a", { specVersion: null, reservations: { nanoCpus: 1e9, generic: { apple: 2 } } }));
    s.createTask(task("b", { specVersion: null, reservations: { nanoCpus: 1e9, generic: { apple: 2 } } }));
    const d = s.schedule(T0);
    expect(placements(d)).toEqual({ a: "n1" });
    expect(errors(d)).toEqual({ b: "no suitable node (insufficient resources on 1 node)" });
    expect(s.nodeUsage("n1")).toMatchObject({ nanoCpus: 3e9, generic: { discrete: { apple: 1 } } });
  });

  it("ok/a node update recomputes what is free from the new totals", () => {
    const s = new Scheduler({
      nodes: [node("n1", { resources: { memoryBytes: 1e9 } })],
      services: { svc: 1 },
      tasks: [task("a", { nodeId: "n1", state: "running", reservations: { memoryBytes: 4e8 } })],
    });
    expect(s.nodeUsage("n1")!.memoryBytes).toBe(6e8);
    s.updateNode(node("n1", { resources: { memoryBytes: 2e9 } }));
    expect(s.nodeUsage("n1")!.memoryBytes).toBe(1.6e9);
  });
});

describe("pre-assigned tasks", () => {
  it("ok/confirmed first, with Swarm's message", () => {
    const s = new Scheduler({
      nodes: [node("n1"), node("n2")],
      tasks: [task("free", { serviceId: "", specVersion: null }), task("pre", { serviceId: "", specVersion: null, nodeId: "n1" })],
    });
    expect(s.schedule(T0)).toEqual([
      { outcome: "assigned", taskId: "pre", nodeId: "n1", state: "assigned", message: PREASSIGNED_MESSAGE },
      { outcome: "assigned", taskId: "free", nodeId: "n2", state: "assigned", message: ASSIGNED_MESSAGE },
    ]);
  });

  it("fail/a node that does not fit gives the bare explanation, written once", () => {
    const s = new Scheduler({ nodes: [node("small", { resources: { memoryBytes: 1e8 } })], services: { svc: 1 } });
    s.createTask(task("pre", { nodeId: "small", reservations: { memoryBytes: 1e9 } }));
    expect(s.schedule(T0)).toEqual([{ outcome: "pending", taskId: "pre", nodeId: "small", pending: true, error: "insufficient resources on 1 node" }]);
    expect(s.schedule(T0 + 1000)).toEqual([]);
    expect(s.isQueued("pre")).toBe(true);
    s.updateNode(node("small", { resources: { memoryBytes: 2e9 } }));
    expect(placements(s.schedule(T0 + 2000))).toEqual({ pre: "small" });
  });

  it("ok/their failures do not count against the node", () => {
    const s = new Scheduler({ nodes: [node("n1")], services: { svc: 1 } });
    s.createTask(task("pre", { nodeId: "n1" }));
    s.schedule(T0);
    s.updateTask(task("pre", { nodeId: "n1", state: "failed" }), T0);
    expect(s.recentFailures("n1", "svc", 1, T0)).toBe(0);
  });
});

describe("faulty nodes", () => {
  /** n1 runs one task of svc; n2 runs none but failed svc v1 five times, a second apart from T0. */
  function faulty(): Scheduler {
    const s = new Scheduler({ nodes: [node("n1"), node("n2")], services: { svc: 2 }, tasks: [task("r", { nodeId: "n1", state: "running" })] });
    for (let i = 0; i < 5; i++) {
      s.createTask(task(`f${i}`, { nodeId: "n2", state: "running" }));
      s.updateTask(task(`f${i}`, { nodeId: "n2", state: i % 2 ? "failed" : "rejected" }), T0 + i * 1000);
    }
    return s;
  }

  it.each([
    ["ok/a node with 5 recent failures goes last", 1, T0 + 10_000, "n1"],
    ["ok/still penalised exactly 5 minutes after the oldest failure", 1, T0 + MINUTES_5, "n1"],
    ["ok/the penalty ends when the oldest failure leaves the window", 1, T0 + MINUTES_5 + 1, "n2"],
    ["ok/a new spec version starts with a clean slate", 2, T0 + 10_000, "n2"],
  ])("%s", (_name, specVersion, now, expected) => {
    const s = faulty();
    expect(s.recentFailures("n2", "svc", 1, T0 + 10_000)).toBe(5);
    s.createTask(task("new", { specVersion }));
    expect(placements(s.schedule(now))).toEqual({ new: expected });
  });

  it("ok/four failures are not enough", () => {
    const s = new Scheduler({ nodes: [node("n1"), node("n2")], services: { svc: 1 }, tasks: [task("r", { nodeId: "n1", state: "running" })] });
    for (let i = 0; i < 4; i++) {
      s.createTask(task(`f${i}`, { nodeId: "n2", state: "running" }));
      s.updateTask(task(`f${i}`, { nodeId: "n2", state: "failed" }), T0);
    }
    s.createTask(task("new"));
    expect(placements(s.schedule(T0))).toEqual({ new: "n2" });
  });
});

describe("spread preferences", () => {
  it("ok/the docs' 9 replicas over three datacenters", () => {
    const dc = (id: string, datacenter: string) => node(id, { labels: { datacenter } });
    const nodes = [dc("east1", "east"), dc("east2", "east"), dc("east3", "east"), dc("south1", "south"), dc("south2", "south"), dc("west1", "west")];
    const s = new Scheduler({ nodes, services: { svc: 1 } });
    for (const t of group("t", 9, { preferences: ["node.labels.datacenter"] })) s.createTask(t);
    s.schedule(T0);
    const c = serviceCounts(s, nodes.map((n) => n.id));
    expect([c.east1, c.east2, c.east3]).toEqual([1, 1, 1]);
    expect([c.south1, c.south2].sort()).toEqual([1, 2]);
    expect(c.west1).toBe(3);
  });

  it("ok/nodes lacking the label form a branch of their own, with a fair share", () => {
    const nodes = [node("a1", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" } }), node("x1"), node("x2", { labels: { other: "1" } })];
    const s = new Scheduler({ nodes, services: { svc: 1 } });
    for (const t of group("t", 6, { preferences: ["node.labels.zone"] })) s.createTask(t);
    s.schedule(T0);
    expect(serviceCounts(s, ["a1", "b1", "x1", "x2"])).toEqual({ a1: 2, b1: 2, x1: 1, x2: 1 });
  });

  it("ok/a constraint keeps unlabeled nodes out (the empty branch then has no room)", () => {
    const nodes = [node("a1", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" } }), node("x1")];
    const s = new Scheduler({ nodes, services: { svc: 1 } });
    for (const t of group("t", 6, { preferences: ["node.labels.zone"], constraints: ["node.labels.zone != nowhere", "node.labels.zone==a"] })) {
      s.createTask(t);
    }
    s.schedule(T0);
    expect(serviceCounts(s, ["a1", "b1", "x1"])).toEqual({ a1: 6, b1: 0, x1: 0 });
  });

  it("ok/branch counts are not refreshed between passes (Swarm's quirk)", () => {
    // Branch a has no eligible node, b already runs 2, c none: c takes all 4 new tasks.
    const nodes = [node("na", { labels: { zone: "a", tier: "off" } }), node("nb", { labels: { zone: "b" } }), node("nc", { labels: { zone: "c" } })];
    const prefs = { preferences: ["node.labels.zone"], constraints: ["node.labels.tier != off"] };
    const s = new Scheduler({
      nodes,
      services: { svc: 1 },
      tasks: [task("e0", { ...prefs, nodeId: "nb", state: "running" }), task("e1", { ...prefs, nodeId: "nb", state: "running" })],
    });
    for (const t of group("t", 4, prefs)) s.createTask(t);
    s.schedule(T0);
    expect(serviceCounts(s, ["na", "nb", "nc"])).toEqual({ na: 0, nb: 2, nc: 4 });
  });

  it("ok/two levels split each share again", () => {
    const n = (id: string, dc: string, rack: string) => node(id, { labels: { dc, rack } });
    const nodes = [n("d1r1a", "d1", "r1"), n("d1r1b", "d1", "r1"), n("d1r2a", "d1", "r2"), n("d2r1a", "d2", "r1")];
    const s = new Scheduler({ nodes, services: { svc: 1 } });
    for (const t of group("t", 8, { preferences: ["node.labels.dc", "node.labels.rack"] })) s.createTask(t);
    s.schedule(T0);
    expect(serviceCounts(s, nodes.map((x) => x.id))).toEqual({ d1r1a: 1, d1r1b: 1, d1r2a: 2, d2r1a: 4 });
  });

  it("ok/descriptors other than node or engine labels add no level", () => {
    const nodes = [node("a1", { labels: { zone: "a" } }), node("a2", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" } })];
    const s = new Scheduler({ nodes, services: { svc: 1 } });
    for (const t of group("t", 6, { preferences: ["node.hostname"] })) s.createTask(t);
    s.schedule(T0);
    expect(serviceCounts(s, ["a1", "a2", "b1"])).toEqual({ a1: 2, a2: 2, b1: 2 });
  });

  it("ok/engine labels, prefix in any case", () => {
    const nodes = [node("a1", { engineLabels: { disk: "ssd" } }), node("a2", { engineLabels: { disk: "ssd" } }), node("b1", { engineLabels: { disk: "hdd" } })];
    const s = new Scheduler({ nodes, services: { svc: 1 } });
    for (const t of group("t", 4, { preferences: ["Engine.Labels.disk"] })) s.createTask(t);
    s.schedule(T0);
    expect(serviceCounts(s, ["a1", "a2", "b1"])).toEqual({ a1: 1, a2: 1, b1: 2 });
  });
});

describe("label names every JavaScript object inherits", () => {
  it.each(["constructor", "__proto__", "toString"])("ok/constraints and spread over node.labels.%s read a missing label as \"\"", (name) => {
    const nodes = [node("has-a", { labels: JSON.parse(`{"${name}":"a"}`) as Record<string, string> }), node("plain1"), node("plain2", { labels: { zone: "z" } })];
    const s = new Scheduler({ nodes, services: { svc: 1 } });
    for (const t of group("t", 4, { preferences: [`node.labels.${name}`], constraints: [`node.labels.${name} != b`, `engine.labels.${name} != b`] })) s.createTask(t);
    const decisions = s.schedule(T0);
    expect(errors(decisions)).toEqual({});
    // Two branches, "a" and "": two tasks each, the "" branch's split over its two nodes.
    expect(serviceCounts(s, ["has-a", "plain1", "plain2"])).toEqual({ "has-a": 2, plain1: 1, plain2: 1 });
  });

  it("ok/== on such a name matches no node that lacks the label", () => {
    const s = new Scheduler({ nodes: [node("n1"), node("n2")], services: { svc: 1 } });
    s.createTask(task("t", { constraints: ["node.labels.constructor == x"] }));
    expect(errors(s.schedule(T0))).toEqual({ t: "no suitable node (scheduling constraints not satisfied on 2 nodes)" });
  });
});

describe("leaf filling", () => {
  it("ok/the least loaded node fills up to the next before it gets a turn", () => {
    const s = new Scheduler({
      nodes: [node("A"), node("B"), node("C")],
      services: { svc: 1 },
      tasks: [
        task("b0", { nodeId: "B", state: "running" }),
        ...group("c", 3, { nodeId: "C", state: "running" }),
      ],
    });
    for (const t of group("t", 4)) s.createTask(t);
    const order = Object.values(placements(s.schedule(T0)));
    expect(order).toEqual(["A", "A", "B", "B"]);
    expect(serviceCounts(s, ["A", "B", "C"])).toEqual({ A: 2, B: 3, C: 3 });
  });

  it("ok/then round robin, skipping nodes that filled up", () => {
    const s = new Scheduler({
      nodes: [node("small", { resources: { memoryBytes: 1e9 } }), node("big", { resources: { memoryBytes: 1e10 } })],
      services: { svc: 1 },
    });
    for (const t of group("t", 5, { reservations: { memoryBytes: 1e9 } })) s.createTask(t);
    s.schedule(T0);
    expect(serviceCounts(s, ["small", "big"])).toEqual({ small: 1, big: 4 });
  });

  it("ok/ties go to the node with fewer tasks of any service", () => {
    const s = new Scheduler({
      nodes: [node("busy"), node("idle")],
      services: { svc: 1, other: 1 },
      tasks: [task("o", { serviceId: "other", nodeId: "busy", state: "running" })],
    });
    s.createTask(task("t"));
    expect(placements(s.schedule(T0))).toEqual({ t: "idle" });
  });
});

describe("one-off tasks of services of their own", () => {
  it("ok/spread over the least loaded nodes in order, as the scan would", () => {
    const nodes = Array.from({ length: 20 }, (_, i) => node(`n${String(i).padStart(2, "0")}`));
    const s = new Scheduler({ nodes });
    for (let i = 0; i < 60; i++) s.createTask(task(`t${i}`, { serviceId: `s${i}`, specVersion: 1 }));
    const placed = placements(s.schedule(T0));
    expect(Object.keys(placed)).toHaveLength(60);
    expect(Object.values(placed)).toEqual(Array.from({ length: 60 }, (_, i) => `n${String(i % 20).padStart(2, "0")}`));
  });

  it("ok/a service that already has tasks is ranked by them, not by the shared order", () => {
    const s = new Scheduler({
      nodes: [node("A"), node("B")],
      services: { held: 1, other: 1 },
      tasks: [task("h0", { serviceId: "held", nodeId: "A", state: "running" }), task("o0", { serviceId: "other", nodeId: "B", state: "running" })],
    });
    // Two tasks of new services that fit nowhere warm the shared ranking without changing any node.
    s.createTask(task("w1", { serviceId: "w1", reservations: { memoryBytes: 1e18 } }));
    s.createTask(task("w2", { serviceId: "w2", reservations: { memoryBytes: 1e18 } }));
    s.createTask(task("h1", { serviceId: "held" }));
    // Both nodes hold one task; only B holds none of `held`.
    expect(placements(s.schedule(T0))).toEqual({ h1: "B" });
  });
});

describe("queue", () => {
  it("ok/a task whose service is gone is dropped, not retried", () => {
    const s = new Scheduler({ services: { svc: 1 } });
    s.createTask(task("t"));
    expect(s.schedule(T0)).toEqual([{ outcome: "pending", taskId: "t", nodeId: "", pending: true, error: "no suitable node" }]);
    expect(s.schedule(T0)).toEqual([]);
    s.deleteService("svc");
    expect(s.schedule(T0)).toEqual([{ outcome: "dropped", taskId: "t", reason: "service-missing" }]);
    expect(s.isQueued("t")).toBe(false);
  });

  it("ok/an old version's task meant to stop is shut down; one still wanted is left alone", () => {
    const s = new Scheduler({ services: { svc: 2 } });
    s.createTask(task("stop", { specVersion: 1, desiredState: "shutdown" }));
    s.createTask(task("keep", { specVersion: 1 }));
    expect(s.schedule(T0)).toEqual([
      { outcome: "shutdown", taskId: "stop", state: "shutdown" },
      { outcome: "dropped", taskId: "keep", reason: "outdated-spec" },
    ]);
    expect(s.taskStatus("stop")).toBeUndefined();
    expect(s.isQueued("keep")).toBe(false);
  });

  it("ok/ignored at start: pending tasks already meant to stop, and tasks past running", () => {
    const s = new Scheduler({
      nodes: [node("n1")],
      tasks: [task("stop", { nodeId: "n1", desiredState: "shutdown" }), task("done", { nodeId: "n1", state: "complete" })],
    });
    expect(s.schedule(T0)).toEqual([]);
    expect(s.nodeUsage("n1")!.tasks).toBe(0);
  });

  it("ok/the same inputs give the same decisions", () => {
    const build = () => {
      const nodes = Array.from({ length: 20 }, (_, i) => node(`n${i}`, { labels: { zone: `z${i % 3}` }, resources: { memoryBytes: 4e9 } }));
      const s = new Scheduler({ nodes, services: { svc: 1, one: 1 } });
      for (const t of group("g", 50, { preferences: ["node.labels.zone"], reservations: { memoryBytes: 1e9 } })) s.createTask(t);
      for (const t of group("o", 30, { serviceId: "one", specVersion: null, reservations: { memoryBytes: 5e8 } })) s.createTask(t);
      return s.schedule(T0);
    };
    expect(build()).toEqual(build());
  });
});

/** A small deterministic random source for the cross-check below. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe("cached node heaps agree with a full evaluation", () => {
  it("ok/every one-off task goes to the least loaded node that passes, oldest first on ties", () => {
    const rand = lcg(7);
    const nodes = Array.from({ length: 40 }, (_, i) =>
      node(`n${i}`, {
        labels: { zone: `z${i % 4}` },
        resources: { nanoCpus: 4e9, memoryBytes: 8e9 },
        plugins: i % 3 === 0 ? [{ type: "Network", name: "overlay" }] : [],
      }),
    );
    const s = new Scheduler({ nodes, services: { a: 1, b: 1 } });
    const live: SchedulerTask[] = [];
    for (let i = 0; i < 600; i++) {
      const r = rand();
      if (r < 0.08 && live.length > 0) {
        const gone = live.splice(Math.floor(rand() * live.length), 1)[0]!;
        s.deleteTask(gone.id);
        continue;
      }
      if (r < 0.12) {
        const id = `n${Math.floor(rand() * nodes.length)}`;
        const drained = rand() < 0.3;
        s.updateNode({ ...nodes[Number(id.slice(1))]!, availability: drained ? "drain" : "active", labels: { zone: `z${Math.floor(rand() * 4)}` } });
        continue;
      }
      const t = task(`t${i}`, {
        serviceId: rand() < 0.5 ? "a" : "b",
        specVersion: null,
        reservations: { nanoCpus: rand() < 0.5 ? 5e8 : 0, memoryBytes: Math.floor(rand() * 3) * 5e8 },
        constraints: rand() < 0.3 ? ["node.labels.zone != z1"] : undefined,
        networkDrivers: rand() < 0.2 ? ["overlay"] : undefined,
        hostPorts: rand() < 0.1 ? [{ protocol: "tcp", port: 8000 + Math.floor(rand() * 3) }] : undefined,
        maxReplicas: rand() < 0.1 ? 3 : undefined,
      });
      const verdicts = s.explainTask(t);
      const usage = (id: string) => s.nodeUsage(id)!;
      const index = (id: string) => Number(id.slice(1));
      const passing = verdicts.filter((v) => v.passed).map((v) => v.nodeId);
      passing.sort((x, y) => {
        const ux = usage(x);
        const uy = usage(y);
        return (ux.activeByService[t.serviceId] ?? 0) - (uy.activeByService[t.serviceId] ?? 0) || ux.activeTasks - uy.activeTasks || index(x) - index(y);
      });
      s.createTask(t);
      const decisions = s.schedule(T0 + i);
      if (passing.length > 0) {
        expect(decisions).toEqual([{ outcome: "assigned", taskId: t.id, nodeId: passing[0], state: "assigned", message: ASSIGNED_MESSAGE }]);
        live.push({ ...t, nodeId: passing[0]!, state: "assigned" });
      } else {
        expect(decisions).toEqual([{ outcome: "pending", taskId: t.id, nodeId: "", pending: true, error: summarizeVerdicts(verdicts) }]);
        s.deleteTask(t.id);
      }
    }
  });
});
