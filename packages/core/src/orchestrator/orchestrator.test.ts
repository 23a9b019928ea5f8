import { describe, expect, it } from "vitest";
import { parseConstraints } from "../constraint/index.js";
import type { ServiceSpec } from "../service/index.js";
import {
  placementOnlyChange,
  planGlobal,
  planNodeDown,
  planReplicated,
  sameSpec,
  toSchedulerTask,
  type OrchestratorNode,
  type OrchestratorService,
  type OrchestratorTask,
} from "./index.js";

const spec: ServiceSpec = {
  name: "web",
  image: "nginx",
  mode: "replicated",
  replicas: 3,
  constraints: [],
  preferences: [],
  maxReplicasPerNode: 0,
  reservations: { nanoCpus: 0, memoryBytes: 0 },
};
const service = (over: Partial<OrchestratorService> = {}): OrchestratorService => ({ id: "svc", specVersion: 1, spec, ...over });
const task = (id: string, slot: number | null, over: Partial<OrchestratorTask> = {}): OrchestratorTask => ({
  id,
  serviceId: "svc",
  slot,
  nodeId: null,
  specVersion: 1,
  desiredState: "running",
  state: "pending",
  ...over,
});
const node = (id: string, over: Partial<OrchestratorNode> = {}): OrchestratorNode => ({
  id,
  role: "worker",
  hostname: id,
  labels: {},
  engineLabels: {},
  platform: { os: "linux", arch: "x86_64" },
  addr: null,
  state: "ready",
  availability: "active",
  ...over,
});

describe("replicated orchestrator", () => {
  it("ok/creates one pending task per missing slot", () => {
    const plan = planReplicated(service(), [task("a", 2)], false, [], new Map());
    expect(plan.create.map((t) => t.slot)).toEqual([1, 3]);
    expect(plan.update).toEqual([]);
  });

  it("ok/scaling down shuts down the highest slots: unplaced at once, placed through their node", () => {
    const s = service({ spec: { ...spec, replicas: 1 } });
    const plan = planReplicated(s, [task("a", 1), task("b", 2), task("c", 3, { nodeId: "n1", state: "running" })], false, [], new Map());
    expect(plan.update).toEqual([
      { id: "b", desiredState: "shutdown", state: "shutdown", message: "shut down before placement", err: null },
      { id: "c", desiredState: "shutdown", err: null },
    ]);
    expect(plan.create).toEqual([]);
  });

  it("ok/a new spec version replaces tasks, but a placement-only change keeps those still in place", () => {
    const constraints = parseConstraints(["node.labels.zone == eu"]);
    const nodes = new Map([
      ["n1", node("n1", { labels: { zone: "eu" } })],
      ["n2", node("n2", { labels: { zone: "us" } })],
    ]);
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 2 } });
    const tasks = [task("a", 1, { nodeId: "n1", state: "running" }), task("b", 2, { nodeId: "n2", state: "running" })];
    const plan = planReplicated(s, tasks, true, constraints, nodes);
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "b", desiredState: "shutdown", err: null },
    ]);
    expect(plan.create).toEqual([expect.objectContaining({ slot: 2, specVersion: 2, state: "pending" })]);
  });

  it("ok/terminal tasks do not count as a slot's task", () => {
    const plan = planReplicated(service({ spec: { ...spec, replicas: 1 } }), [task("a", 1, { state: "rejected" })], false, [], new Map());
    expect(plan.create).toHaveLength(1);
  });
});

describe("global orchestrator", () => {
  const g = service({ spec: { ...spec, mode: "global", replicas: 0 } });
  it("ok/one pre-assigned task per eligible node; none on drained, down or non-matching nodes; paused keep theirs", () => {
    const constraints = parseConstraints(["node.role == worker"]);
    const nodes = new Map([
      ["ok", node("ok")],
      ["drained", node("drained", { availability: "drain" })],
      ["down", node("down", { state: "down" })],
      ["manager", node("manager", { role: "manager" })],
      ["paused", node("paused", { availability: "pause" })],
      ["paused-with-task", node("paused-with-task", { availability: "pause" })],
    ]);
    const tasks = [task("t1", null, { nodeId: "drained", state: "running" }), task("t2", null, { nodeId: "paused-with-task", state: "running" })];
    const plan = planGlobal(g, tasks, constraints, nodes);
    expect(plan.create.map((t) => t.nodeId)).toEqual(["ok"]);
    expect(plan.update).toEqual([{ id: "t1", desiredState: "shutdown", err: "node no longer eligible for this global service" }]);
  });
});

describe("node down", () => {
  it("ok/live tasks on a Down node are orphaned so their slots are filled elsewhere", () => {
    const changes = planNodeDown([task("a", 1, { nodeId: "n", state: "running" }), task("b", 2, { nodeId: "n", state: "complete" })]);
    expect(changes).toEqual([{ id: "a", desiredState: "shutdown", state: "orphaned", err: "node is down" }]);
  });
});

describe("placement-only change", () => {
  it.each([
    ["constraints", { constraints: ["node.role == worker"] }, true],
    ["preferences", { preferences: ["node.labels.zone"] }, true],
    ["max replicas per node", { maxReplicasPerNode: 2 }, true],
    ["replicas", { replicas: 5 }, false],
    ["image", { image: "nginx:alpine" }, false],
    ["reservations", { reservations: { nanoCpus: 1e9, memoryBytes: 0 } }, false],
  ])("ok/%s", (_, change, expected) => {
    expect(placementOnlyChange(spec, { ...spec, ...change })).toBe(expected);
  });

  it("ok/key order does not make two specs differ", () => {
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as unknown as ServiceSpec;
    expect(sameSpec(spec, reordered)).toBe(true);
    expect(placementOnlyChange(spec, { ...reordered, constraints: ["node.role == manager"] })).toBe(true);
  });
});

describe("scheduler hand-over", () => {
  it("ok/a task carries its service's placement spec and its error", () => {
    const s = { ...spec, constraints: ["node.role == worker"], maxReplicasPerNode: 2, reservations: { nanoCpus: 1e9, memoryBytes: 64 } };
    expect(toSchedulerTask(task("a", 1, { err: "no suitable node" }), s)).toEqual({
      id: "a",
      serviceId: "svc",
      specVersion: 1,
      nodeId: "",
      state: "pending",
      desiredState: "running",
      error: "no suitable node",
      constraints: ["node.role == worker"],
      preferences: [],
      maxReplicas: 2,
      reservations: { nanoCpus: 1e9, memoryBytes: 64 },
    });
  });

  it("ok/a task whose service is gone has no spec", () => {
    expect(toSchedulerTask(task("a", 1, { nodeId: "n1", state: "running" }), undefined)).toEqual({
      id: "a",
      serviceId: "svc",
      specVersion: 1,
      nodeId: "n1",
      state: "running",
      desiredState: "running",
    });
  });
});
