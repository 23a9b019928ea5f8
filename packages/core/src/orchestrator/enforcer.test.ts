import { describe, expect, it } from "vitest";
import type { ServiceSpec } from "../service/index.js";
import { node, spec, task } from "../test-support/orchestration.js";
import { noncompliantTasks, type OrchestratorTask } from "./index.js";

const GiB = 1024 ** 3;
const on = (id: string, over: Partial<OrchestratorTask> = {}) => task(id, 1, { nodeId: "n1", state: "running", ...over });

describe("constraint enforcer", () => {
  const zoned: ServiceSpec = { ...spec, constraints: ["node.labels.zone == eu"] };

  it("ok/an active node that stopped matching rejects the tasks of the service's current constraints", () => {
    const n = node("n1", { labels: { zone: "us" } });
    expect(noncompliantTasks(n, [on("a"), on("b", { serviceId: "other" })], (id) => (id === "svc" ? zoned : spec))).toEqual(["a"]);
  });

  it("ok/the service's current spec decides, not the (older) spec the task was made with", () => {
    const n = node("n1", { labels: { zone: "us" } });
    expect(noncompliantTasks(n, [on("a", { spec })], () => zoned)).toEqual(["a"]);
  });

  it("ok/a task whose service is gone is judged by its own spec", () => {
    const n = node("n1", { labels: { zone: "us" } });
    expect(noncompliantTasks(n, [on("a", { spec: zoned }), on("b", { spec })], () => undefined)).toEqual(["a"]);
  });

  it("ok/pre-assigned pending tasks are covered; ended tasks and tasks told to stop are not", () => {
    const n = node("n1", { labels: { zone: "us" } });
    const tasks = [on("pre", { state: "pending" }), on("done", { state: "complete" }), on("stopping", { desiredState: "shutdown" }), on("ready", { desiredState: "ready" })];
    expect(noncompliantTasks(n, tasks, () => zoned)).toEqual(["pre", "ready"]);
  });

  it("ok/paused and drained nodes are left alone", () => {
    for (const availability of ["pause", "drain"] as const) {
      expect(noncompliantTasks(node("n1", { availability }), [on("a")], () => zoned)).toEqual([]);
    }
  });

  it("ok/re-checks CPU and memory: tasks in ID order take theirs, and those that no longer fit are rejected", () => {
    const n = node("n1", { resources: { nanoCpus: 2e9, memoryBytes: 1 * GiB } });
    const big: ServiceSpec = { ...spec, reservations: { nanoCpus: 1e9, memoryBytes: 512 * 1024 ** 2 } };
    const tasks = [on("c", { spec: big }), on("a", { spec: big }), on("b", { spec: big })];
    expect(noncompliantTasks(n, tasks, () => big)).toEqual(["c"]);
  });

  it("ok/re-checks generic resources; the first task short of one ends the check, as in Swarm", () => {
    const n = node("n1", { resources: { nanoCpus: 4e9, memoryBytes: 4 * GiB, generic: { discrete: { gpu: 1 } } } });
    const gpu: ServiceSpec = { ...spec, reservations: { nanoCpus: 0, memoryBytes: 0, generic: { gpu: 1 } } };
    const tasks = [on("a", { spec: gpu }), on("b", { spec: gpu }), on("c", { spec: { ...spec, constraints: ["node.labels.zone == eu"] } })];
    expect(noncompliantTasks(n, tasks, () => undefined)).toEqual(["b"]);
  });
});
