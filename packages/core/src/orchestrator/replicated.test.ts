import { describe, expect, it } from "vitest";
import { parseConstraints } from "../constraint/index.js";
import { at, node, running, service, spec, task } from "../test-support/orchestration.js";
import { planReplicated } from "./index.js";

describe("replicated orchestrator", () => {
  it("ok/creates one pending task per missing slot, lowest numbers first", () => {
    const plan = planReplicated(service(), [task("a", 2)], "none", [], new Map());
    expect(plan.create.map((t) => [t.slot, t.state, t.desiredState])).toEqual([
      [1, "pending", "running"],
      [3, "pending", "running"],
    ]);
    expect(plan).toMatchObject({ update: [], remove: [], replaced: [] });
  });

  it("ok/scaling down tells the surplus slots to go (desired REMOVE) and moves the kept ones to the new version", () => {
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 1 } });
    const plan = planReplicated(s, [running("a", 1, "n1"), task("b", 2), running("c", 3, "n2")], "none", [], new Map());
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "c", desiredState: "remove" },
      { id: "b", desiredState: "remove" },
    ]);
    expect(plan.create).toEqual([]);
  });

  it("ok/scaling down gives up copies on the most crowded node first, then tasks that are not running", () => {
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 2 } });
    // n1 holds slots 1 and 2, n2 slot 3: the second copy on n1 goes.
    const plan = planReplicated(s, [running("a", 1, "n1"), running("b", 2, "n1"), running("c", 3, "n2")], "none", [], new Map());
    expect(plan.update.filter((c) => c.desiredState === "remove")).toEqual([{ id: "b", desiredState: "remove" }]);
  });

  it("ok/scaling up keeps every task and adds the new slots", () => {
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 3 } });
    const plan = planReplicated(s, [running("a", 1, "n1"), task("b", 2)], "none", [], new Map());
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "b", specVersion: 2 },
    ]);
    expect(plan.create).toEqual([expect.objectContaining({ slot: 3, specVersion: 2, state: "pending", nodeId: null })]);
  });

  it("ok/a placement change keeps the tasks whose node still meets the constraints and replaces the others in their slot", () => {
    const constraints = parseConstraints(["node.labels.zone == eu"]);
    const nodes = new Map([
      ["n1", node("n1", { labels: { zone: "eu" } })],
      ["n2", node("n2", { labels: { zone: "us" } })],
    ]);
    const s = service({ specVersion: 2, spec: { ...spec, replicas: 3 } });
    const plan = planReplicated(s, [running("a", 1, "n1"), running("b", 2, "n2"), task("c", 3)], "placement", constraints, nodes);
    expect(plan.update).toEqual([
      { id: "a", specVersion: 2 },
      { id: "b", desiredState: "shutdown" },
      { id: "c", desiredState: "shutdown" },
    ]);
    expect(plan.replaced).toEqual(["b", "c"]);
    expect(plan.create.map((t) => [t.slot, t.specVersion])).toEqual([
      [2, 2],
      [3, 2],
    ]);
  });

  it("ok/a task that carries its spec is compared with the service's (IsTaskDirty), whatever the last change was", () => {
    const s = service({ specVersion: 3, spec: { ...spec, image: "nginx:2" } });
    const tasks = [running("a", 1, "n1", { specVersion: 2, spec: { ...spec, image: "nginx:2", replicas: 1 } }), running("b", 2, "n1", { specVersion: 2, spec })];
    const plan = planReplicated({ ...s, spec: { ...s.spec, replicas: 2 } }, tasks, "none", [], new Map([["n1", node("n1")]]));
    expect(plan.update).toEqual([
      { id: "a", specVersion: 3 },
      { id: "b", desiredState: "shutdown" },
    ]);
    expect(plan.replaced).toEqual(["b"]);
  });

  it("ok/a task without its spec, older than the last update, missed a change of unknown kind: replaced", () => {
    const s = service({ specVersion: 3 });
    const plan = planReplicated(s, [running("a", 1, "n1", { specVersion: 2 }), running("b", 2, "n1", { specVersion: 1 }), running("c", 3, "n1", { specVersion: 3 })], "none", [], new Map());
    expect(plan.update).toEqual([
      { id: "a", specVersion: 3 },
      { id: "b", desiredState: "shutdown" },
    ]);
    expect(plan.replaced).toEqual(["b"]);
  });

  it("ok/a task that stopped while meant to run holds its slot: its restart is the supervisor's, not a new slot's", () => {
    const plan = planReplicated(service({ spec: { ...spec, replicas: 1 } }), [task("a", 1, { state: "failed", nodeId: "n1" })], "none", [], new Map());
    expect(plan).toEqual({ create: [], update: [], remove: [], replaced: [] });
  });

  it("ok/a slot whose newest task will not be restarted stays held and is not refilled", () => {
    const tasks = [task("old", 1, { state: "failed", desiredState: "shutdown", updatedAt: at(1) }), task("new", 1, { state: "complete", desiredState: "shutdown", updatedAt: at(2) })];
    const plan = planReplicated(service({ spec: { ...spec, replicas: 1 } }), tasks, "none", [], new Map(), (t) => t.id !== "new");
    expect(plan).toEqual({ create: [], update: [], remove: [], replaced: [] });
  });

  it("ok/a dead slot (every task stopped, and the newest would restart) is refilled; a dead slot beyond the replicas loses its history", () => {
    const tasks = [task("a", 1, { state: "shutdown", desiredState: "shutdown", updatedAt: at(1) }), task("b", 4, { state: "shutdown", desiredState: "remove", updatedAt: at(1) })];
    const plan = planReplicated(service({ spec: { ...spec, replicas: 1 } }), tasks, "none", [], new Map());
    expect(plan.create.map((t) => t.slot)).toEqual([1]);
    expect(plan.remove).toEqual(["b"]);
  });
});
