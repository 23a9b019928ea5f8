import { defaultServiceSpec, predictPlacement, RampartError, type PlacementPrediction } from "@rampart/core";
import { afterEach, describe, expect, it } from "vitest";
import { LEADER_NODE, WORKER_NODE } from "../../test-support/docker-swarm.js";
import { answer } from "./fidelity-worker.js";
import { createFidelityTracker, logFidelityDefect, settledPlacement, type FidelityJob, type FidelityPorts, type FidelityTracker, type Predictor } from "./fidelity-tracker.js";
import { dockerServiceSchema, dockerTaskSchema } from "./schema.js";
import { plannerSnapshotOf } from "./snapshot.js";

/** A replicated service of two and its tasks, shaped as dockerd 20.10 gives them. */
const TEMPLATE = { ContainerSpec: { Image: "local/busybox:1", Args: ["sleep", "600"] }, Placement: { Constraints: ["node.role==manager"] }, ForceUpdate: 0, Runtime: "container" };
const { Runtime: _runtime, ...taskSpec } = TEMPLATE;

const service = (over: Record<string, unknown> = {}) =>
  dockerServiceSchema.parse({
    ID: "svc",
    Version: { Index: 30 },
    CreatedAt: "2026-12-06T23:07:01Z",
    UpdatedAt: "2026-12-06T23:07:01Z",
    Spec: { Name: "web", TaskTemplate: TEMPLATE, Mode: { Replicated: { Replicas: 2 } } },
    ...over,
  });

let n = 0;
const task = (node: string | undefined, state: string, desired = "running", extra: Record<string, unknown> = {}) =>
  dockerTaskSchema.parse({
    ID: `t${n++}`,
    CreatedAt: "2026-12-06T23:07:01Z",
    UpdatedAt: "2026-12-06T23:07:02Z",
    ServiceID: "svc",
    NodeID: node,
    Spec: taskSpec,
    DesiredState: desired,
    Status: { State: state, ...extra },
  });

const noNode = { Err: "no suitable node (scheduling constraints not satisfied on 3 nodes)" };

describe("whether Swarm has settled for a service", () => {
  it("ok/every task running or waiting with Swarm's no suitable node: the placement, per node, with the errors", () => {
    expect(settledPlacement(service(), [task("n1", "running"), task(undefined, "pending", "running", noNode), task("n2", "shutdown", "shutdown")])).toEqual({
      placement: { placed: { n1: 1 }, pendingErrors: [noNode.Err] },
    });
  });

  it("fail/tasks on their way, told to stop but running, too few, or waiting without Swarm's word are not settled", () => {
    expect(settledPlacement(service(), [task("n1", "running"), task("n2", "starting")])).toEqual({ waiting: "a task is starting" });
    expect(settledPlacement(service(), [task("n1", "running"), task("n2", "running"), task("n3", "running", "shutdown")])).toEqual({ waiting: "tasks told to stop are still running" });
    expect(settledPlacement(service(), [task("n1", "running")])).toEqual({ waiting: "1 of 2 tasks made" });
    expect(settledPlacement(service(), [task("n1", "running"), task(undefined, "pending")])).toEqual({ waiting: "a task is pending" });
    expect(settledPlacement(service(), [task("n1", "running"), task("n2", "rejected", "running", { Err: "network sandbox join failed" })])).toEqual({
      waiting: "a task is rejected (network sandbox join failed)",
    });
  });

  it("fail/a rolling update under way, or tasks that run the previous spec, are not settled", () => {
    expect(settledPlacement(service({ UpdateStatus: { State: "updating" } }), [task("n1", "running"), task("n2", "running")])).toEqual({ waiting: "Docker's rolling update is updating" });
    const old = dockerTaskSchema.parse({ ...task("n2", "running"), Spec: { ...taskSpec, ContainerSpec: { Image: "local/busybox:0" } } });
    expect(settledPlacement(service(), [task("n1", "running"), old])).toEqual({ waiting: "tasks still run the previous spec" });
  });

  it("ok/a task whose spec differs from the template only in placement runs the current spec", () => {
    const moved = dockerTaskSchema.parse({ ...task("n2", "running"), Spec: { ...taskSpec, Placement: {} } });
    expect(settledPlacement(service(), [task("n1", "running"), moved])).toEqual({ placement: { placed: { n1: 1, n2: 1 }, pendingErrors: [] } });
  });

  it("ok/a global service has no count to reach; other services' tasks are not read", () => {
    const global = service({ Spec: { Name: "web", TaskTemplate: TEMPLATE, Mode: { Global: {} } } });
    const other = dockerTaskSchema.parse({ ...task("n2", "starting"), ServiceID: "other" });
    expect(settledPlacement(global, [task("n1", "running"), other])).toEqual({ placement: { placed: { n1: 1 }, pendingErrors: [] } });
  });
});

/**
 * The tracker's run loop, with Docker's answers given by the test through the read port
 * and the prediction made in this thread (the worker's own test is below: the same
 * function answers there).
 */
describe("the tracker's checks", () => {
  const env = { record: { id: "env1", name: "prod" }, call: () => Promise.reject(new Error("reads go through the test's port")) };
  /** A swarm of the leader (active) and a drained worker: one replica can only go to the leader. */
  const before = plannerSnapshotOf([LEADER_NODE, WORKER_NODE], [], []);
  const job = (change: FidelityJob["change"] = "create"): FidelityJob => ({
    serviceId: "svc",
    serviceName: "web",
    change,
    before,
    spec: defaultServiceSpec({ name: "web", image: "local/busybox:1", replicas: 2 }),
    draft: true,
  });
  const placedOn = (...nodes: string[]) => ({ service: service(), tasks: nodes.map((node) => task(node, "running")) });

  let tracker: FidelityTracker | undefined;
  afterEach(async () => {
    await tracker?.stop();
    tracker = undefined;
  });

  function start(read: FidelityPorts["read"], extra: Partial<FidelityPorts> = {}) {
    const warnings: Array<{ obj: object; msg: string | undefined }> = [];
    const log = { warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }), info: () => undefined, debug: () => undefined, error: () => undefined };
    const inThread: Predictor = { predict: async (cluster, sandbox, wanted) => (wanted() ? predictPlacement(cluster, sandbox) : null), stop: async () => undefined };
    tracker = createFidelityTracker(
      { log, now: () => new Date() },
      { environmentIds: async () => new Set(["env1"]), predictor: inThread, read, ...extra },
      { intervalMs: 1, limitMs: 5_000 },
    );
    return { tracker, warnings };
  }

  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 2_000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 2));
  };
  const state = async (t: FidelityTracker) => (await t.latest(env, "svc"))?.state;

  it("ok/Swarm's placement, read twice alike, matches the prediction", async () => {
    const { tracker: t, warnings } = start(async () => placedOn(LEADER_NODE.ID, LEADER_NODE.ID));
    t.track(env, job());
    await until(async () => (await state(t)) !== "checking");
    expect(await t.latest(env, "svc")).toMatchObject({ state: "matched", change: "create", placement: { placed: { [LEADER_NODE.ID]: 2 }, pendingErrors: [] } });
    expect(warnings).toEqual([]);
  });

  it("fail/a placement the planner did not predict is a fidelity defect, logged with both sides", async () => {
    const { tracker: t, warnings } = start(async () => placedOn(WORKER_NODE.ID, WORKER_NODE.ID));
    t.track(env, job());
    await until(async () => (await state(t)) !== "checking");
    expect(await state(t)).toBe("differs");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/^planner fidelity defect: Swarm placed service web where the planner did not predict \(/);
    expect(warnings[0]!.obj).toMatchObject({ env: "prod", serviceId: "svc", change: "create", swarm: { placed: { [WORKER_NODE.ID]: 2 } } });
  });

  it("ok/a newer change supersedes the check under way: only its result stays", async () => {
    let reads = 0;
    let settled = false;
    const { tracker: t } = start(async () => {
      reads++;
      return settled ? placedOn(LEADER_NODE.ID, LEADER_NODE.ID) : { service: service(), tasks: [task(LEADER_NODE.ID, "starting")] };
    });
    t.track(env, job("create"));
    await until(async () => reads > 0);
    expect(await t.latest(env, "svc")).toMatchObject({ state: "checking", change: "create", detail: "waiting for Swarm to settle: a task is starting" });
    t.track(env, job("scale"));
    settled = true;
    await until(async () => (await state(t)) !== "checking");
    expect(await t.latest(env, "svc")).toMatchObject({ state: "matched", change: "scale" });
  });

  it("ok/a change superseded before its prediction's turn is never predicted", async () => {
    const asked: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const predictor: Predictor = {
      async predict(cluster, sandbox, wanted) {
        await gate;
        if (!wanted()) return null;
        asked.push(sandbox.service!.spec.name);
        return predictPlacement(cluster, sandbox);
      },
      stop: async () => undefined,
    };
    const { tracker: t } = start(async () => placedOn(LEADER_NODE.ID, LEADER_NODE.ID), { predictor });
    t.track(env, { ...job("create"), spec: { ...job().spec, name: "first" } });
    t.track(env, { ...job("update"), spec: { ...job().spec, name: "second" } });
    release();
    await until(async () => (await state(t)) !== "checking");
    expect(asked).toEqual(["second"]);
    expect(await t.latest(env, "svc")).toMatchObject({ state: "matched", change: "update" });
  });

  it("ok/stop ends every check: no read after it, and no verdict", async () => {
    let reads = 0;
    const { tracker: t } = start(async () => {
      reads++;
      return { service: service(), tasks: [task(LEADER_NODE.ID, "starting")] };
    });
    t.track(env, job());
    await until(async () => reads > 1);
    await t.stop();
    const after = reads;
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).toBe(after);
    expect(await state(t)).toBe("checking");
    t.track(env, job("update"));
    expect((await t.latest(env, "svc"))?.change).toBe("create");
  });

  it("ok/a service removed meanwhile (Docker's 404) takes its result with it", async () => {
    const { tracker: t } = start(async () => {
      throw new RampartError("not_found", "service svc not found");
    });
    t.track(env, job());
    await until(async () => (await t.latest(env, "svc")) === null);
    expect(await t.latest(env, "svc")).toBeNull();
  });

  it("ok/a removed environment's checks stop and its results go", async () => {
    const live = new Set(["env1"]);
    let reads = 0;
    const { tracker: t } = start(
      async () => {
        reads++;
        return { service: service(), tasks: [task(LEADER_NODE.ID, "starting")] };
      },
      { environmentIds: async () => live },
    );
    t.track(env, job());
    await until(async () => reads > 0);
    live.delete("env1");
    await until(async () => (await t.latest(env, "svc")) === null);
    const after = reads;
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).toBe(after);
  });

  it("fail/Docker answering something unexpected fails the check with the field, never a crash", async () => {
    const { tracker: t } = start(async () => ({ service: { ID: "svc" }, tasks: [] }));
    t.track(env, job());
    await until(async () => (await state(t)) !== "checking");
    expect((await t.latest(env, "svc"))?.detail).toMatch(/^the check could not read the swarm: Docker answered something unexpected for service web: its field /);
  });
});

describe("the fidelity defect's log line", () => {
  it("ok/names the service and each difference: the line the engine tests look for (and must not find)", () => {
    const lines: string[] = [];
    const prediction: PlacementPrediction = { plan: { focus: null, changed: [], tookMs: 0 }, outcomes: [], alike: [], orders: { run: 1, all: true }, concurrent: [] };
    const env = { record: { id: "env1", name: "prod" }, call: () => Promise.reject(new Error("not called")) };
    const job: FidelityJob = { serviceId: "svc", serviceName: "web", change: "update", before: { nodes: [], services: [], tasks: [] }, spec: defaultServiceSpec({ name: "web", image: "x" }), draft: false };
    logFidelityDefect({ warn: (_obj, msg) => void lines.push(msg ?? "") }, env, job, prediction, { placed: { n9: 1 }, pendingErrors: [] }, {
      matched: false,
      differences: [{ kind: "unknown-node", nodeIds: ["n9"], text: "node n9 is not in the snapshot." }],
      undetermined: [],
    });
    expect(lines).toEqual(["planner fidelity defect: Swarm placed service web where the planner did not predict (node n9 is not in the snapshot.)"]);
  });
});

describe("the prediction's worker", () => {
  it("ok/answers with predictPlacement's own result, as plain data", () => {
    const cluster = plannerSnapshotOf([LEADER_NODE, WORKER_NODE], [], []);
    const sandbox = { service: { spec: defaultServiceSpec({ name: "web", image: "local/busybox:1", replicas: 2 }) } };
    const reply = answer(structuredClone({ cluster, sandbox }));
    const { plan: { tookMs: _a, ...plan }, ...rest } = (reply as { prediction: PlacementPrediction }).prediction;
    const { plan: { tookMs: _b, ...expectedPlan }, ...expectedRest } = predictPlacement(cluster, sandbox);
    expect({ plan, ...rest }).toEqual({ plan: expectedPlan, ...expectedRest });
  });

  it("fail/a sandbox that plans no service is an error answer, not a crash of the worker", () => {
    expect(answer({ cluster: { nodes: [], services: [], tasks: [] }, sandbox: {} })).toEqual({ error: "predictPlacement: the sandbox plans no service" });
  });
});
