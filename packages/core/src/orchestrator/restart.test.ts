import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from "../service/index.js";
import { at, node, service, spec, task } from "../test-support/orchestration.js";
import { planRestart, RestartHistory, type OrchestratorTask } from "./index.js";

const SECOND = 1_000_000_000;
const policy = (over: Partial<RestartPolicy>): RestartPolicy => ({ ...DEFAULT_RESTART_POLICY, ...over });
const withPolicy = (p: RestartPolicy) => ({ ...spec, restartPolicy: p });
const failed = (id: string, p: RestartPolicy, over: Partial<OrchestratorTask> = {}) =>
  task(id, 1, { nodeId: "n1", state: "failed", spec: withPolicy(p), updatedAt: at(0), ...over });

describe("restart conditions", () => {
  it.each<[RestartPolicy["condition"], string, boolean]>([
    ["any", "failed", true],
    ["any", "complete", true],
    ["on-failure", "failed", true],
    ["on-failure", "rejected", true],
    ["on-failure", "orphaned", true],
    ["on-failure", "complete", false],
    ["none", "failed", false],
    ["none", "complete", false],
  ])("ok/%s after %s: restart %s", (condition, state, expected) => {
    const t = failed("a", policy({ condition }), { state: state as OrchestratorTask["state"] });
    expect(new RestartHistory().shouldRestart(t, false)).toBe(expected);
  });

  it("ok/a task without a policy of its own restarts on any exit (Swarm's defaults)", () => {
    expect(new RestartHistory().shouldRestart(task("a", 1, { state: "complete" }), false)).toBe(true);
  });
});

describe("restart attempts", () => {
  /** Records `n` replacements made at `seconds` each, as the supervisor does after each restart. */
  const replace = (h: RestartHistory, p: RestartPolicy, seconds: readonly number[], specVersion = 1) => {
    for (const s of seconds) h.record({ serviceId: "svc", slot: 1, nodeId: null, specVersion, spec: withPolicy(p), createdAt: at(s) }, false);
  };

  it("ok/without a window, at most max-attempts restarts per slot", () => {
    const p = policy({ maxAttempts: 2 });
    const h = new RestartHistory();
    expect(h.shouldRestart(failed("a", p), false)).toBe(true);
    replace(h, p, [1, 2]);
    expect(h.shouldRestart(failed("c", p, { updatedAt: at(3) }), false)).toBe(false);
    // Another slot has its own count.
    expect(h.shouldRestart(failed("x", p, { slot: 2 }), false)).toBe(true);
  });

  it("ok/a new spec version starts the count again", () => {
    const p = policy({ maxAttempts: 1 });
    const h = new RestartHistory();
    replace(h, p, [1]);
    expect(h.shouldRestart(failed("b", p, { updatedAt: at(2) }), false)).toBe(false);
    expect(h.shouldRestart(failed("b", p, { updatedAt: at(2), specVersion: 2 }), false)).toBe(true);
  });

  it("ok/with a window, only restarts inside it and before the task's own end count", () => {
    const p = policy({ maxAttempts: 2, windowNs: 10 * SECOND });
    const h = new RestartHistory();
    replace(h, p, [0, 5]);
    // Ended at 8 s: both restarts fall in (−2 s, 8 s].
    expect(h.shouldRestart(failed("c", p, { updatedAt: at(8) }), false)).toBe(false);
    // Ended at 12 s: the one at 0 s is outside the window.
    expect(h.shouldRestart(failed("c", p, { updatedAt: at(12) }), false)).toBe(true);
  });

  it("ok/restarts recorded after the task ended do not count against it", () => {
    const p = policy({ maxAttempts: 1, windowNs: 60 * SECOND });
    const h = new RestartHistory();
    replace(h, p, [20]);
    expect(h.shouldRestart(failed("c", p, { updatedAt: at(10) }), false)).toBe(true);
  });

  it("ok/global services count per node", () => {
    const p = policy({ maxAttempts: 1 });
    const h = new RestartHistory();
    h.record({ serviceId: "svc", slot: null, nodeId: "n1", specVersion: 1, spec: withPolicy(p), createdAt: at(1) }, true);
    expect(h.shouldRestart(failed("a", p, { slot: null, nodeId: "n1", updatedAt: at(2) }), true)).toBe(false);
    expect(h.shouldRestart(failed("b", p, { slot: null, nodeId: "n2", updatedAt: at(2) }), true)).toBe(true);
  });

  it("ok/the history is rebuilt from the store: every task of the newest version but the first made is a restart", () => {
    const p = policy({ maxAttempts: 2 });
    const tasks = [1, 2, 3].map((s) => failed(`t${s}`, p, { createdAt: at(s), updatedAt: at(s) }));
    const h = new RestartHistory();
    h.rebuild(tasks, () => false);
    expect(h.shouldRestart(failed("t4", p, { updatedAt: at(4) }), false)).toBe(false);
    const fresh = new RestartHistory();
    fresh.rebuild(tasks.slice(0, 2), () => false);
    expect(fresh.shouldRestart(failed("t3", p, { updatedAt: at(4) }), false)).toBe(true);
  });

  it("ok/clearing a service forgets its history", () => {
    const p = policy({ maxAttempts: 1 });
    const h = new RestartHistory();
    replace(h, p, [1]);
    h.clearService("svc");
    expect(h.shouldRestart(failed("b", p, { updatedAt: at(2) }), false)).toBe(true);
  });
});

describe("restart plans", () => {
  const h = () => new RestartHistory();

  it("ok/the old task is told to stop and a replacement of the current spec waits at READY in its slot for the policy's delay", () => {
    const p = policy({ delayNs: 7 * SECOND });
    const plan = planRestart(failed("a", p), service({ specVersion: 3 }), node("n1"), h());
    expect(plan).toEqual({
      update: { id: "a", desiredState: "shutdown" },
      create: { serviceId: "svc", slot: 1, nodeId: null, specVersion: 3, desiredState: "ready", state: "pending" },
      delayMs: 7000,
      waitStop: false,
    });
  });

  it("ok/a task still running (its node was drained) is replaced at once but waits for the old one to stop", () => {
    const plan = planRestart(task("a", 1, { nodeId: "n1", state: "running" }), service(), node("n1", { availability: "drain" }), h());
    expect(plan).toMatchObject({ delayMs: 0, waitStop: true });
  });

  it("ok/a task on a Down node does not wait for it", () => {
    const plan = planRestart(task("a", 1, { nodeId: "n1", state: "running" }), service(), node("n1", { state: "down" }), h());
    expect(plan).toMatchObject({ delayMs: 5000, waitStop: false });
  });

  it("ok/a global task is replaced on its own node", () => {
    const g = service({ spec: { ...spec, mode: "global", replicas: 0 } });
    expect(planRestart(failed("a", DEFAULT_RESTART_POLICY, { slot: null }), g, node("n1"), h())?.create).toMatchObject({ slot: null, nodeId: "n1" });
  });

  it("ok/no replacement when the policy says so; the task is still told to stop", () => {
    expect(planRestart(failed("a", policy({ condition: "none" })), service(), node("n1"), h())).toEqual({
      update: { id: "a", desiredState: "shutdown" },
      create: null,
      delayMs: 0,
      waitStop: false,
    });
  });

  it("ok/a task already told to stop is not restarted again", () => {
    expect(planRestart(failed("a", DEFAULT_RESTART_POLICY, { desiredState: "shutdown" }), service(), node("n1"), h())).toBeNull();
  });
});
