import { defaultServiceSpec, type PlanResult, type Sandbox, type ServiceSpec, type WhyNotRow } from "@rampart/core";
import { describe, expect, it } from "vitest";
import {
  buildNodeChanges,
  formatMoves,
  formatPlacement,
  formatPlan,
  formatWhyNot,
  parseNodeEdits,
  planCommand,
  resolveNode,
  scenarioSource,
  type PlanNode,
  type PlanSource,
} from "./plan.js";
import { UsageError } from "./cli.js";

const node = (id: string, hostname: string, labels: Record<string, string> = {}, role: PlanNode["role"] = "worker"): PlanNode => ({
  id,
  hostname,
  role,
  availability: "active",
  labels,
});

const NODES = [
  node("aaaa1111", "node-1", { zone: "a" }, "manager"),
  node("aaaa2222", "node-2", { zone: "a" }),
  node("bbbb3333", "node-3", { zone: "b" }),
  node("cccc4444", "node-10", {}),
];

describe("node flags", () => {
  it("ok/each flag becomes an edit", () => {
    expect(
      parseNodeEdits({
        "label-add": ["node-1:zone=c", "node-2:pci"],
        "label-rm": ["node-3:zone"],
        availability: ["node-10=drain"],
        role: ["aaaa1=worker"],
      }),
    ).toEqual([
      { ref: "node-1", kind: "label-add", key: "zone", value: "c" },
      { ref: "node-2", kind: "label-add", key: "pci", value: "" },
      { ref: "node-3", kind: "label-rm", key: "zone" },
      { ref: "node-10", kind: "availability", value: "drain" },
      { ref: "aaaa1", kind: "role", value: "worker" },
    ]);
  });

  it("ok/a label key may hold a colon: only the first one ends NODE", () => {
    expect(parseNodeEdits({ "label-add": ["node-1:com.example:tier=1"] })).toEqual([
      { ref: "node-1", kind: "label-add", key: "com.example:tier", value: "1" },
    ]);
  });

  it.each([
    ["fail/label-add without NODE", { "label-add": ["zone=a"] }, `invalid argument "zone=a" for "--label-add" flag: expected NODE:key=value`],
    ["fail/label-add with an empty key", { "label-add": ["node-1:=a"] }, `invalid argument "node-1:=a" for "--label-add" flag: invalid label key ""`],
    ["fail/label-rm without a key", { "label-rm": ["node-1:"] }, `invalid argument "node-1:" for "--label-rm" flag: expected NODE:key`],
    ["fail/availability without NODE", { availability: ["drain"] }, `invalid argument "drain" for "--availability" flag: expected NODE=active|pause|drain`],
    ["fail/unknown availability", { availability: ["node-1=off"] }, `invalid argument "node-1=off" for "--availability" flag: invalid availability "off": use active, pause or drain`],
    ["fail/unknown role", { role: ["node-1=leader"] }, `invalid argument "node-1=leader" for "--role" flag: invalid role "leader": use worker or manager`],
  ])("%s", (_name, values, message) => {
    expect(() => parseNodeEdits(values)).toThrow(UsageError);
    expect(() => parseNodeEdits(values)).toThrow(message);
  });

  it.each([
    ["ok/by ID", "bbbb3333", "node-3"],
    ["ok/by hostname", "node-10", "node-10"],
    ["ok/by unique ID prefix", "cccc", "node-10"],
  ])("%s", (_name, ref, hostname) => {
    expect(resolveNode(ref, NODES).hostname).toBe(hostname);
  });

  it.each([
    ["fail/ambiguous prefix", "aaaa", "node aaaa is ambiguous (2 matches found)"],
    ["fail/unknown", "node-9", "node node-9 not found"],
  ])("%s", (_name, ref, message) => {
    expect(() => resolveNode(ref, NODES)).toThrow(message);
  });

  it("ok/changes start from the node's labels, additions before removals, one entry per node", () => {
    const edits = parseNodeEdits({
      "label-add": ["node-1:pci=yes", "node-1:zone=z"],
      "label-rm": ["aaaa1111:zone"],
      availability: ["node-3=drain"],
      role: ["node-3=manager"],
    });
    expect(buildNodeChanges(edits, NODES)).toEqual({
      aaaa1111: { labels: { pci: "yes" } },
      bbbb3333: { availability: "drain", role: "manager" },
    });
    expect(NODES[0]!.labels).toEqual({ zone: "a" });
  });

  it("fail/removing a label the node does not have, as docker node update says", () => {
    expect(() => buildNodeChanges(parseNodeEdits({ "label-rm": ["node-10:zone"] }), NODES)).toThrow("key zone doesn't exist in node's labels");
  });
});

const row = (n: PlanNode, over: Partial<WhyNotRow> = {}): WhyNotRow => ({
  nodeId: n.id,
  hostname: n.hostname,
  role: n.role,
  availability: n.availability,
  constraints: [],
  filter: { passed: true },
  before: 0,
  after: 0,
  ...over,
});

const zoneA = { key: "node.labels.zone", op: "==" as const, value: "a" };
const [n1, n2, n3, n10] = NODES as [PlanNode, PlanNode, PlanNode, PlanNode];

/** A hand-built plan: web (3 replicas, zone==a, spread over zone) moving onto zone a, api losing a task on node-3. */
function handBuiltPlan(): PlanResult {
  const matrix: WhyNotRow[] = [
    row(n1, { constraints: [{ constraint: zoneA, matched: true, actual: "a", reason: 'node.labels.zone is "a"' }], after: 1 }),
    row(n2, { constraints: [{ constraint: zoneA, matched: true, actual: "a", reason: 'node.labels.zone is "a"' }], before: 1, after: 1 }),
    row(n3, {
      constraints: [{ constraint: zoneA, matched: false, actual: "b", reason: 'node.labels.zone is "b", not "a"' }],
      filter: { passed: false, failedFilter: "constraints", reason: 'node.labels.zone is "b", not "a"' },
      before: 2,
    }),
    row(n10, {
      availability: "drain",
      constraints: [{ constraint: zoneA, matched: false, actual: "", reason: 'node.labels.zone is nothing, not "a"' }],
      filter: { passed: false, failedFilter: "ready", reason: "node availability is drain" },
    }),
  ];
  const webDiff = {
    serviceId: "webid0000000000000000000",
    name: "web",
    before: { aaaa2222: 1, bbbb3333: 2 },
    after: { aaaa1111: 1, aaaa2222: 1 },
    moved: 2,
    pending: 1,
    pendingReason: "no suitable node (scheduling constraints not satisfied on 2 nodes)",
  };
  return {
    focus: {
      serviceId: webDiff.serviceId,
      name: "web",
      problems: [],
      matrix,
      spread: [
        { descriptor: "node.labels.zone", value: "a", tasks: 2, nodeIds: [n1.id, n2.id], children: [] },
        { descriptor: "node.labels.zone", value: "b", tasks: 0, nodeIds: [n3.id], children: [] },
        { descriptor: "node.labels.zone", value: "", tasks: 0, nodeIds: [n10.id], children: [] },
      ],
      diff: webDiff,
    },
    changed: [
      { serviceId: "apiid", name: "api", before: { bbbb3333: 1 }, after: { cccc4444: 1 }, moved: 1, pending: 0, pendingReason: null },
      webDiff,
    ],
    tookMs: 2.345,
  };
}

describe("plan output", () => {
  it("ok/placement under spread groups: nodes with a task now or after, each group's task count", () => {
    const plan = handBuiltPlan();
    expect(formatPlacement(plan.focus!.matrix, plan.focus!.spread).map((l) => l.trimEnd())).toEqual([
      "NODE       ROLE      AVAILABILITY   BEFORE    AFTER     CHANGE",
      "node.labels.zone=a: 2 tasks",
      "  node-1   manager   Active         0         1         +1",
      "  node-2   worker    Active         1         1",
      "node.labels.zone=b: 0 tasks",
      "  node-3   worker    Active         2         0         -2",
      "node.labels.zone not set: 0 tasks",
    ]);
  });

  it("ok/placement without preferences is one list in hostname order", () => {
    expect(formatPlacement(handBuiltPlan().focus!.matrix, []).map((l) => l.trimEnd())).toEqual([
      "NODE      ROLE      AVAILABILITY   BEFORE    AFTER     CHANGE",
      "node-1    manager   Active         0         1         +1",
      "node-2    worker    Active         1         1",
      "node-3    worker    Active         2         0         -2",
    ]);
  });

  it("ok/the why-not table: a column per constraint with ✓/✗ and the reason, then the scheduler's verdict", () => {
    expect(formatWhyNot(handBuiltPlan().focus!.matrix)).toEqual([
      "NODE      ROLE      AVAILABILITY   node.labels.zone==a                      SCHEDULER",
      'node-1    manager   Active         ✓ node.labels.zone is "a"                ok',
      'node-2    worker    Active         ✓ node.labels.zone is "a"                ok',
      'node-3    worker    Active         ✗ node.labels.zone is "b", not "a"       constraints: node.labels.zone is "b", not "a"',
      'node-10   worker    Drain          ✗ node.labels.zone is nothing, not "a"   ready: node availability is drain',
    ]);
  });

  it("ok/moves name each node's change by hostname, with pending reasons after", () => {
    const hostname = (id: string) => NODES.find((n) => n.id === id)?.hostname ?? id;
    expect(formatMoves(handBuiltPlan().changed, hostname)).toEqual([
      "SERVICE   MOVED     PENDING   CHANGES",
      "api       1         0         node-3 -1, node-10 +1",
      "web       2         1         node-1 +1, node-3 -2",
      "web: no suitable node (scheduling constraints not satisfied on 2 nodes)",
    ]);
  });

  it("ok/the whole plan: the four parts, the focus left out of the other services", () => {
    const spec = defaultServiceSpec({
      name: "web",
      image: "nginx",
      replicas: 3,
      constraints: ["node.labels.zone==a"],
      preferences: ["node.labels.zone"],
      reservations: { nanoCpus: 5e8, memoryBytes: 0 },
    });
    const text = formatPlan(handBuiltPlan(), {
      nodes: NODES,
      edits: parseNodeEdits({ availability: ["node-10=drain"] }),
      spec,
    }).join("\n");
    expect(text).toContain("Node changes: node-10 availability=drain\n");
    expect(text).toContain(
      "Service web (webid0000000): replicated, 3 replicas; constraints node.labels.zone==a; spread over node.labels.zone; reserves 0.5 CPU\n",
    );
    expect(text).toContain("\nPlacement:\nNODE ");
    expect(text).toContain("\nWhy (not), node by node:\nNODE ");
    expect(text).toContain("\nPending: 1 task would wait for a node: no suitable node (scheduling constraints not satisfied on 2 nodes)\n");
    expect(text).toContain("\nOther services that would move:\nSERVICE   MOVED     PENDING   CHANGES\napi ");
    expect(text).not.toMatch(/^web +2 /m);
    expect(text).toMatch(/\nDry run: nothing was changed \(planned in 2\.3 ms\)\.$/);
  });

  it("ok/a plan of node changes alone lists the services that move", () => {
    const plan: PlanResult = { focus: null, changed: handBuiltPlan().changed.slice(0, 1), tookMs: 1 };
    const lines = formatPlan(plan, { nodes: NODES, edits: [] });
    expect(lines).toContain("Services that would move:");
    expect(formatPlan({ focus: null, changed: [], tookMs: 1 }, { nodes: NODES, edits: [] })).toContain("No service would move.");
  });
});

/** A live-cluster stand-in that records the sandbox it is asked about. */
function recordingSource(result: PlanResult, services: Record<string, { id: string; spec: ServiceSpec }> = {}): PlanSource & { asked: Sandbox[] } {
  const asked: Sandbox[] = [];
  return {
    asked,
    nodes: async () => NODES,
    service: async (ref) => {
      const s = services[ref];
      if (!s) throw new Error(`service ${ref} not found`);
      return s;
    },
    whatIf: async (sandbox) => (asked.push(sandbox), result),
  };
}

describe("planCommand", () => {
  const current = defaultServiceSpec({ name: "web", image: "nginx", replicas: 2, constraints: ["node.role==worker"] });

  it("ok/SERVICE: its spec, changed as update would; node flags by ID", async () => {
    const source = recordingSource(handBuiltPlan(), { web: { id: "webid", spec: current } });
    await planCommand(source, () => undefined, ["web"], {
      replicas: "3",
      constraint: ["node.labels.zone==a"],
      "label-add": ["node-10:zone=a"],
      availability: ["node-3=pause"],
    });
    expect(source.asked).toEqual([
      {
        service: { serviceId: "webid", spec: { ...current, replicas: 3, constraints: ["node.labels.zone==a", "node.role==worker"] } },
        nodes: { cccc4444: { labels: { zone: "a" } }, bbbb3333: { availability: "pause" } },
      },
    ]);
  });

  it("ok/a draft needs --name and --image", async () => {
    const source = recordingSource(handBuiltPlan());
    await expect(planCommand(source, () => undefined, [], { replicas: "2" })).rejects.toThrow(
      new UsageError("a draft service needs --name and --image (or plan an existing SERVICE)"),
    );
    await planCommand(source, () => undefined, [], { name: "new", image: "nginx", "placement-pref": ["spread=node.labels.zone"] });
    expect(source.asked[0]!.service).toEqual({
      spec: { ...current, name: "new", replicas: 1, constraints: [], preferences: ["node.labels.zone"] },
    });
    expect(source.asked[0]!.nodes).toBeUndefined();
  });

  it("ok/node changes alone plan no service", async () => {
    const source = recordingSource({ focus: null, changed: [], tookMs: 0 });
    const lines: string[] = [];
    await planCommand(source, (l) => lines.push(l), [], { availability: ["node-1=drain"] });
    expect(source.asked).toEqual([{ nodes: { aaaa1111: { availability: "drain" } } }]);
    expect(lines).toContain("No service would move.");
  });

  it("fail/nothing to plan", async () => {
    await expect(planCommand(recordingSource(handBuiltPlan()), () => undefined, [], {})).rejects.toThrow(UsageError);
  });

  it("fail/spec problems are Swarm's messages, and an error; --json still prints the plan", async () => {
    const refused: PlanResult = {
      focus: {
        serviceId: null,
        name: "x",
        problems: [{ field: "constraints[0]", message: "constraint expected one operator from ==, !=" }],
        matrix: [],
        spread: [],
        diff: { serviceId: null, name: "x", before: {}, after: {}, moved: 0, pending: 0, pendingReason: null },
      },
      changed: [],
      tookMs: 0,
    };
    await expect(planCommand(recordingSource(refused), () => undefined, [], { name: "x", image: "y", constraint: ["zone"] })).rejects.toThrow(
      "constraint expected one operator from ==, !=",
    );
    const lines: string[] = [];
    expect(await planCommand(recordingSource(refused), (l) => lines.push(l), [], { name: "x", image: "y", constraint: ["zone"], json: true })).toBe(1);
    expect(JSON.parse(lines.join("\n"))).toEqual(refused);
  });
});

describe("the pci-dss scenario, planned here by the core planner", () => {
  it("ok/web-fe lands on the three audited nodes; the others say why not", async () => {
    const lines: string[] = [];
    expect(await planCommand(scenarioSource("pci-dss"), (l) => lines.push(l), [], {})).toBe(0);
    const text = lines.join("\n");
    expect(text).toContain("Service web-fe (new): replicated, 3 replicas; constraints node.labels.pcidss == yes");
    expect(text).toMatch(/^node-2 +worker +Active +0 +1 +\+1$/m);
    expect(text).toMatch(/^node-5 +worker +Active +✗ node\.labels\.pcidss is "no", not "yes" +constraints: /m);
    expect(text).toMatch(/^node-1 +manager +Active +✗ node\.labels\.pcidss is nothing, not "yes"/m);
    expect(text).toContain("Pending: none");
  });

  it("ok/flags apply on top: a fourth replica and one audited node drained leave two pending", async () => {
    const lines: string[] = [];
    await planCommand(scenarioSource("pci-dss"), (l) => lines.push(l), [], { replicas: "4", "replicas-max-per-node": "1", availability: ["node-3=drain"] });
    const text = lines.join("\n");
    expect(text).toContain("Node changes: node-3 availability=drain");
    expect(text).toMatch(/Pending: 2 tasks would wait for a node: no suitable node \(.*\)/);
    expect(text).toMatch(/^node-3 +worker +Drain +✓ .* ready: /m);
  });

  it("ok/--json prints the PlanResult", async () => {
    const lines: string[] = [];
    await planCommand(scenarioSource("pci-dss"), (l) => lines.push(l), [], { json: true });
    const result = JSON.parse(lines.join("\n")) as PlanResult;
    expect(result.focus?.diff.after).toEqual({ "node-2": 1, "node-3": 1, "node-4": 1 });
  });

  it("fail/an unknown scenario is a usage error", () => {
    expect(() => scenarioSource("hipaa")).toThrow(new UsageError('unknown scenario "hipaa": the scenarios are pci-dss'));
  });
});
