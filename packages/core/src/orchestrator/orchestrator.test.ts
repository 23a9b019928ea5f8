import { describe, expect, it } from "vitest";
import { parseConstraints } from "../constraint/index.js";
import { defaultServiceSpec, type ServiceSpec } from "../service/index.js";
import {
  planGlobal,
  planNodeDown,
  planReplicated,
  sameSpec,
  taskSpecChange,
  toSchedulerTask,
  type OrchestratorNode,
  type OrchestratorService,
  type OrchestratorTask,
} from "./index.js";

const spec = defaultServiceSpec({ name: "web", image: "nginx", replicas: 3 });
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
  const running = (id: string, slot: number, nodeId: string, over: Partial<OrchestratorTask> = {}) => task(id, slot, { nodeId, state: "running", ...over });

  it("ok/creates one pending task per missing slot", () => {
    const plan = planReplicated(service(), [task("a", 2)], "none", [], new Map());
    expect(plan.create.map((t) => t.slot)).toEqual([1, 3]);
    expect(plan.update).toEqual([]);
    expect(plan.replaced).toEqual([]);
  });

  it("ok/scaling down (a new spec version, change none) shuts down the highest slots and keeps the others, moved to the new version", () => {
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 1 } });
    const plan = planReplicated(s, [running("a", 1, "n1"), task("b", 2), running("c", 3, "n2")], "none", [], new Map());
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "b", desiredState: "shutdown", state: "shutdown", message: "shut down before placement", err: null },
      { id: "c", desiredState: "shutdown", err: null },
    ]);
    expect(plan.create).toEqual([]);
    expect(plan.replaced).toEqual([]);
  });

  it("ok/scaling up (change none) keeps every task and adds the new slots", () => {
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 3 } });
    const plan = planReplicated(s, [running("a", 1, "n1"), task("b", 2)], "none", [], new Map());
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "b", specVersion: 2 },
    ]);
    expect(plan.create).toEqual([expect.objectContaining({ slot: 3, specVersion: 2, state: "pending", nodeId: null })]);
  });

  it("ok/a placement change keeps the tasks whose node still meets the constraints and replaces the others", () => {
    const constraints = parseConstraints(["node.labels.zone == eu"]);
    const nodes = new Map([
      ["n1", node("n1", { labels: { zone: "eu" } })],
      ["n2", node("n2", { labels: { zone: "us" } })],
    ]);
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 3 } });
    const tasks = [running("a", 1, "n1"), running("b", 2, "n2"), task("c", 3)];
    const plan = planReplicated(s, tasks, "placement", constraints, nodes);
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "b", desiredState: "shutdown", err: null },
      { id: "c", desiredState: "shutdown", state: "shutdown", message: "shut down before placement", err: null },
    ]);
    expect(plan.replaced).toEqual(["b", "c"]);
    expect(plan.create.map((t) => [t.slot, t.specVersion])).toEqual([
      [2, 2],
      [3, 2],
    ]);
  });

  it("ok/a task spec change replaces every task of the older version", () => {
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 2, image: "nginx:alpine" } });
    const plan = planReplicated(s, [running("a", 1, "n1"), running("b", 2, "n2", { specVersion: 2 })], "task", [], new Map([["n1", node("n1")]]));
    expect(plan.update).toEqual([{ id: "a", desiredState: "shutdown", err: null }]);
    expect(plan.replaced).toEqual(["a"]);
    expect(plan.create).toEqual([expect.objectContaining({ slot: 1, specVersion: 2 })]);
  });

  it("ok/a task older than the last update missed a change of unknown kind: replaced even when the last change is none", () => {
    const s = service({ specVersion: 3 });
    const plan = planReplicated(s, [running("a", 1, "n1", { specVersion: 2 }), running("b", 2, "n1", { specVersion: 1 }), running("c", 3, "n1", { specVersion: 3 })], "none", [], new Map());
    expect(plan.update).toEqual([
      { id: "a", specVersion: 3 },
      { id: "b", desiredState: "shutdown", err: null },
    ]);
    expect(plan.replaced).toEqual(["b"]);
  });

  it("ok/terminal tasks do not count as a slot's task", () => {
    const plan = planReplicated(service({ spec: { ...spec, replicas: 1 } }), [task("a", 1, { state: "rejected" })], "none", [], new Map());
    expect(plan.create).toHaveLength(1);
  });
});

describe("global orchestrator", () => {
  const g = (over: Partial<OrchestratorService> = {}) => service({ spec: { ...spec, mode: "global", replicas: 0 }, ...over });
  const on = (id: string, nodeId: string, over: Partial<OrchestratorTask> = {}) => task(id, null, { nodeId, state: "running", ...over });

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
    const tasks = [on("t1", "drained"), on("t2", "paused-with-task"), on("t3", "gone")];
    const plan = planGlobal(g(), tasks, "none", constraints, nodes);
    expect(plan.create.map((t) => t.nodeId)).toEqual(["ok"]);
    expect(plan.update).toEqual([
      { id: "t1", desiredState: "shutdown", err: "node no longer eligible for this global service" },
      { id: "t3", desiredState: "shutdown", err: "node was removed" },
    ]);
  });

  const nodes = new Map([
    ["eu", node("eu", { labels: { zone: "eu" } })],
    ["us", node("us", { labels: { zone: "us" } })],
    ["eu-paused", node("eu-paused", { labels: { zone: "eu" }, availability: "pause" })],
    ["us-paused", node("us-paused", { labels: { zone: "us" }, availability: "pause" })],
  ]);
  const tasks = [on("a", "eu"), on("b", "us"), on("c", "eu-paused"), on("d", "us-paused")];

  it("ok/a task spec change replaces each task in place, except on a paused node, whose task is left as it is", () => {
    const plan = planGlobal(g({ specVersion: 2 }), tasks, "task", [], nodes);
    expect(plan.update).toEqual([
      { id: "a", desiredState: "shutdown", err: null },
      { id: "b", desiredState: "shutdown", err: null },
    ]);
    expect(plan.replaced).toEqual(["a", "b"]);
    expect(plan.create.map((t) => [t.nodeId, t.specVersion, t.state])).toEqual([
      ["eu", 2, "pending"],
      ["us", 2, "pending"],
    ]);
  });

  it("ok/a placement change keeps the tasks on nodes still eligible, paused ones included, and shuts down the rest", () => {
    const plan = planGlobal(g({ specVersion: 2 }), tasks, "placement", parseConstraints(["node.labels.zone == eu"]), nodes);
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "b", desiredState: "shutdown", err: "node no longer eligible for this global service" },
      { id: "c", specVersion: 2 },
      { id: "d", desiredState: "shutdown", err: "node no longer eligible for this global service" },
    ]);
    expect(plan.create).toEqual([]);
    expect(plan.replaced).toEqual([]);
  });

  it("ok/a rename (change none) keeps every task", () => {
    const plan = planGlobal(g({ specVersion: 2 }), tasks, "none", [], nodes);
    expect(plan.update).toEqual(["a", "b", "c", "d"].map((id) => ({ id, specVersion: 2 })));
    expect(plan.create).toEqual([]);
  });

  it("ok/a paused node's task left behind stays as it is on later updates, and is replaced once the node is active again", () => {
    const behind = [on("c", "eu-paused", { specVersion: 1 })];
    const paused = new Map([["eu-paused", nodes.get("eu-paused")!]]);
    expect(planGlobal(g({ specVersion: 3 }), behind, "none", [], paused)).toEqual({ create: [], update: [], replaced: [] });
    const active = new Map([["eu-paused", node("eu-paused", { labels: { zone: "eu" } })]]);
    const plan = planGlobal(g({ specVersion: 3 }), behind, "none", [], active);
    expect(plan.replaced).toEqual(["c"]);
    expect(plan.create.map((t) => t.nodeId)).toEqual(["eu-paused"]);
  });
});

describe("node down", () => {
  it("ok/live tasks on a Down node are orphaned so their slots are filled elsewhere", () => {
    const changes = planNodeDown([task("a", 1, { nodeId: "n", state: "running" }), task("b", 2, { nodeId: "n", state: "complete" })]);
    expect(changes).toEqual([{ id: "a", desiredState: "shutdown", state: "orphaned", err: "node is down" }]);
  });
});

describe("task spec change", () => {
  it.each<[string, Partial<ServiceSpec>, "none" | "placement" | "task"]>([
    ["nothing", {}, "none"],
    ["replicas", { replicas: 5 }, "none"],
    ["name", { name: "web-2" }, "none"],
    ["replicas and name", { replicas: 0, name: "api" }, "none"],
    ["constraints", { constraints: ["node.role == worker"] }, "placement"],
    ["preferences", { preferences: ["node.labels.zone"] }, "placement"],
    ["max replicas per node", { maxReplicasPerNode: 2 }, "placement"],
    ["constraints and replicas", { constraints: ["node.role == worker"], replicas: 1 }, "placement"],
    ["image", { image: "nginx:alpine" }, "task"],
    ["reservations", { reservations: { nanoCpus: 1e9, memoryBytes: 0 } }, "task"],
    ["image and constraints", { image: "nginx:alpine", constraints: ["node.role == worker"] }, "task"],
  ])("ok/%s", (_, change, expected) => {
    expect(taskSpecChange(spec, { ...spec, ...change })).toBe(expected);
  });

  it("ok/key order does not make two specs differ", () => {
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as unknown as ServiceSpec;
    expect(sameSpec(spec, reordered)).toBe(true);
    expect(taskSpecChange(spec, reordered)).toBe("none");
    expect(taskSpecChange(spec, { ...reordered, constraints: ["node.role == manager"] })).toBe("placement");
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
