import { labelCatalogue, pciDssScenario, planPlacement, type PlannerNode, type PlanResult, type WhyNotRow } from "@rampart/core/planner";
import { describe, expect, it } from "vitest";
import {
  buildSandbox,
  describeEdit,
  filterMatrix,
  keyOptions,
  listEdits,
  otherChanges,
  placementRows,
  placementTotals,
  planSignature,
  removeLabel,
  revertEdit,
  setAvailability,
  setLabel,
  setRole,
  spreadView,
  toPlannerCluster,
  verdictOf,
  type NodeChanges,
} from "./planner";

const node = (id: string, labels: Record<string, string> = {}, extra: Partial<PlannerNode> = {}): PlannerNode => ({
  id,
  hostname: `host-${id}`,
  role: "worker",
  state: "ready",
  availability: "active",
  labels,
  ...extra,
});

describe("sandbox edits", () => {
  const a = node("a", { zone: "b", rack: "r1" });
  const byId = new Map([[a.id, a]]);

  it("ok/a change back to the node's own value leaves no change", () => {
    let changes: NodeChanges = setLabel({}, a, "zone", "a");
    expect(changes).toEqual({ a: { labels: { zone: "a", rack: "r1" } } });
    changes = setLabel(changes, a, "zone", "b");
    expect(changes).toEqual({});
  });

  it("ok/lists and reverts each edit on its own", () => {
    let changes = setLabel({}, a, "zone", "a");
    changes = setLabel(changes, a, "pci", "yes");
    changes = removeLabel(changes, a, "rack");
    changes = setAvailability(changes, a, "drain");
    changes = setRole(changes, a, "manager");
    const edits = listEdits(byId, changes);
    expect(edits.map(describeEdit)).toEqual([
      "availability: active → drain",
      "add label pci=yes",
      "label zone: b → a",
      "remove label rack=r1",
      "role: worker → manager",
    ]);
    const withoutDrain = revertEdit(changes, a, edits[0]!);
    expect(withoutDrain.a?.availability).toBeUndefined();
    const withRack = revertEdit(changes, a, edits.find((e) => e.kind === "label-remove")!);
    expect(withRack.a?.labels).toEqual({ zone: "a", pci: "yes", rack: "r1" });
    const all = edits.reduce((c, e) => revertEdit(c, a, e), changes);
    expect(all).toEqual({});
  });

  it("ok/the sandbox carries node changes only when there are some", () => {
    const spec = pciDssScenario().sandbox.service!.spec;
    expect(buildSandbox({}, { spec })).toEqual({ service: { spec } });
    expect(buildSandbox({ a: { role: "manager" } }, null)).toEqual({ nodes: { a: { role: "manager" } } });
  });
});

describe("keyOptions", () => {
  it("ok/built-in keys first, then node labels and engine labels with their values", () => {
    const nodes = [
      node("a", { zone: "a" }, { platform: { os: "linux", architecture: "x86_64" }, addr: "10.0.0.2", engineLabels: { disk: "ssd" } }),
      node("b", { zone: "b", pci: "yes" }, { role: "manager", addr: "10.0.0.10" }),
    ];
    const options = keyOptions(nodes, labelCatalogue(nodes));
    expect(options.map((o) => o.key)).toEqual([
      "node.id",
      "node.hostname",
      "node.role",
      "node.platform.os",
      "node.platform.arch",
      "node.ip",
      "node.labels.pci",
      "node.labels.zone",
      "engine.labels.disk",
    ]);
    const get = (key: string) => options.find((o) => o.key === key)!;
    expect(get("node.hostname").values).toEqual(["host-a", "host-b"]);
    expect(get("node.ip").values).toEqual(["10.0.0.2", "10.0.0.10"]);
    expect(get("node.labels.zone")).toEqual({ key: "node.labels.zone", values: ["a", "b"], nodes: 2 });
    expect(get("node.labels.pci").nodes).toBe(1);
    expect(get("engine.labels.disk").values).toEqual(["ssd"]);
  });
});

const row = (hostname: string, passed: boolean): WhyNotRow => ({
  nodeId: hostname,
  hostname,
  role: "worker",
  availability: "active",
  constraints: [],
  filter: passed ? { passed: true } : { passed: false, failedFilter: "constraints", reason: "no" },
  before: 0,
  after: 0,
});

describe("verdictOf", () => {
  it.each([
    ["ok/passes", { passed: true } as const, "eligible"],
    ["ok/capacity is full", { passed: false, failedFilter: "maxReplicas", reason: "" } as const, "full"],
    ["ok/resources is full", { passed: false, failedFilter: "resources", reason: "" } as const, "full"],
    ["ok/constraints exclude", { passed: false, failedFilter: "constraints", reason: "" } as const, "excluded"],
    ["ok/a drained node is excluded", { passed: false, failedFilter: "ready", reason: "" } as const, "excluded"],
  ])("%s", (_, filter, expected) => expect(verdictOf({ ...row("n", true), filter })).toBe(expected));
});

describe("filterMatrix", () => {
  const full = { ...row("node-3", false), filter: { passed: false, failedFilter: "maxReplicas", reason: "" } as const };
  const rows = [row("node-10", true), row("node-2", false), row("db-1", false), full];
  it.each([
    ["ok/room, then full, then excluded, each in natural order", { search: "", excludedOnly: false }, ["node-10", "node-3", "db-1", "node-2"]],
    ["ok/excluded only keeps full nodes too", { search: "", excludedOnly: true }, ["node-3", "db-1", "node-2"]],
    ["ok/search", { search: "NODE", excludedOnly: false }, ["node-10", "node-3", "node-2"]],
    ["ok/search and excluded", { search: "node-", excludedOnly: true }, ["node-3", "node-2"]],
  ])("%s", (_, filter, expected) => expect(filterMatrix(rows, filter).map((r) => r.hostname)).toEqual(expected));
});

describe("placement views", () => {
  const diff = { serviceId: "s", name: "web", before: { a: 2, b: 1 }, after: { a: 1, b: 1, c: 1 }, moved: 1, pending: 0, pendingReason: null };
  const hostnames = new Map([
    ["a", "node-a"],
    ["b", "node-b"],
    ["c", "node-c"],
  ]);

  it("ok/rows per node with totals", () => {
    const rows = placementRows(diff, hostnames);
    expect(rows.map((r) => [r.hostname, r.before, r.after])).toEqual([
      ["node-a", 2, 1],
      ["node-b", 1, 1],
      ["node-c", 0, 1],
    ]);
    expect(placementTotals(rows)).toEqual({ before: 3, after: 3, changedNodes: 2 });
  });

  it("ok/spread groups carry the count today", () => {
    const groups = [
      { descriptor: "node.labels.zone", value: "x", tasks: 2, nodeIds: ["a", "c"], children: [] },
      { descriptor: "node.labels.zone", value: "", tasks: 1, nodeIds: ["b"], children: [] },
    ];
    const view = spreadView(groups, diff, hostnames);
    expect(view.map((g) => [g.value, g.before, g.after, g.rows.map((r) => r.hostname)])).toEqual([
      ["x", 2, 2, ["node-a", "node-c"]],
      ["", 1, 1, ["node-b"]],
    ]);
  });
});

describe("with core's planner", () => {
  it("ok/the PCI-DSS example lands on the three labelled nodes, and a label change moves it", () => {
    const { cluster, sandbox } = pciDssScenario();
    const result = planPlacement(cluster, sandbox);
    expect(result.focus?.diff.after).toEqual({ "node-2": 1, "node-3": 1, "node-4": 1 });
    const excluded = result.focus!.matrix.filter((r) => !r.filter.passed).map((r) => r.hostname);
    expect(excluded).toEqual(["node-1", "node-5", "node-6"]);

    const node5 = cluster.nodes.find((n) => n.id === "node-5")!;
    const drained = setAvailability(setLabel({}, node5, "pcidss", "yes"), cluster.nodes.find((n) => n.id === "node-2")!, "drain");
    const moved = planPlacement(cluster, buildSandbox(drained, sandbox.service!));
    expect(moved.focus?.diff.after).toEqual({ "node-3": 1, "node-4": 1, "node-5": 1 });
    expect(planSignature(moved)).not.toBe(planSignature(result));
  });

  it("ok/the signature ignores timing and key order", () => {
    const { cluster, sandbox } = pciDssScenario();
    const a = planPlacement(cluster, sandbox);
    const b: PlanResult = JSON.parse(JSON.stringify({ ...a, tookMs: 99 }));
    b.changed = b.changed.map((d) => ({ pendingReason: d.pendingReason, pending: d.pending, moved: d.moved, after: d.after, before: d.before, name: d.name, serviceId: d.serviceId }));
    expect(planSignature(b)).toBe(planSignature(a));
  });

  it("ok/other changes leave out the planned draft", () => {
    const { cluster, sandbox } = pciDssScenario();
    expect(otherChanges(planPlacement(cluster, sandbox))).toEqual([]);
  });

  it("ok/a snapshot from the wire reads as a planner cluster", () => {
    const { cluster } = pciDssScenario();
    const wire = { ...cluster, tasks: [{ id: "t", serviceId: "s", slot: 1, nodeId: "node-2", specVersion: 1, state: "running" }, { id: "u", serviceId: "s", slot: 2, nodeId: "", specVersion: 1, state: "bogus" }] };
    expect(toPlannerCluster(wire).tasks.map((t) => t.id)).toEqual(["t"]);
  });
});
