import { describe, expect, it } from "vitest";
import { parseConstraints } from "../constraint/index.js";
import { node, service, spec, task } from "../test-support/orchestration.js";
import { planGlobal, type OrchestratorService, type OrchestratorTask } from "./index.js";

const g = (over: Partial<OrchestratorService> = {}) => service({ spec: { ...spec, mode: "global", replicas: 0 }, ...over });
const on = (id: string, nodeId: string, over: Partial<OrchestratorTask> = {}) => task(id, null, { nodeId, state: "running", ...over });

describe("global orchestrator", () => {
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
    expect(plan.create.map((t) => [t.nodeId, t.slot, t.state])).toEqual([["ok", null, "pending"]]);
    expect(plan.update).toEqual([
      { id: "t1", desiredState: "shutdown" },
      { id: "t3", desiredState: "shutdown" },
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
      { id: "a", desiredState: "shutdown" },
      { id: "b", desiredState: "shutdown" },
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
      { id: "b", desiredState: "shutdown" },
      { id: "d", desiredState: "shutdown" },
    ]);
    expect(plan.create).toEqual([]);
    expect(plan.replaced).toEqual([]);
  });

  it("ok/a rename (change none) keeps every task that is not on a paused node up to date", () => {
    const plan = planGlobal(g({ specVersion: 2 }), tasks, "none", [], nodes);
    expect(plan.update).toEqual(["a", "b"].map((id) => ({ id, specVersion: 2 })));
    expect(plan.create).toEqual([]);
  });

  it("ok/a paused node's task left behind stays as it is on later updates, and is replaced once the node is active again", () => {
    const behind = [on("c", "eu-paused", { specVersion: 1 })];
    const paused = new Map([["eu-paused", nodes.get("eu-paused")!]]);
    expect(planGlobal(g({ specVersion: 3 }), behind, "none", [], paused)).toEqual({ create: [], update: [], remove: [], replaced: [] });
    const active = new Map([["eu-paused", node("eu-paused", { labels: { zone: "eu" } })]]);
    const plan = planGlobal(g({ specVersion: 3 }), behind, "none", [], active);
    expect(plan.replaced).toEqual(["c"]);
    expect(plan.create.map((t) => t.nodeId)).toEqual(["eu-paused"]);
  });

  it("ok/a node whose task stopped and will not restart gets no new one; one whose task would restart does", () => {
    const stopped = [on("x", "eu", { state: "complete", desiredState: "shutdown" }), on("y", "us", { state: "failed", desiredState: "shutdown" })];
    const two = new Map([...nodes].filter(([id]) => id === "eu" || id === "us"));
    const plan = planGlobal(g(), stopped, "none", [], two, (t) => t.id === "y");
    expect(plan.create.map((t) => t.nodeId)).toEqual(["us"]);
  });
});
