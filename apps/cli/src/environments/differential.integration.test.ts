import {
  comparePlacement,
  defaultContainerSpec,
  defaultServiceSpec,
  predictPlacement,
  type NodeChange,
  type PlacementComparison,
  type PlacementPrediction,
  type PlannerCluster,
  type ServiceSpec,
  type SwarmPlacement,
} from "@rampart/core";
import type Docker from "dockerode";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dockerServiceSchema, dockerSpecOf, readPlannerSnapshot, readSwarmPlacement } from "@rampart/manager";
import { startEngine, TEST_IMAGE, type TestEngine } from "../test-support/engines.js";
import { joinSwarm, startSwarm, type TestSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

/**
 * The planner against a real Docker Swarm: six private engines (three managers, three
 * workers, two of the workers with engine labels), and for each scenario the nodes set
 * up as it says, the cluster read through the Engine API (`readPlannerSnapshot`), the
 * placement predicted with core's planner (every outcome Swarm's random tie-breaks
 * allow), the service created or the nodes changed for real through dockerode, and, once
 * Swarm has settled, its placement compared with the prediction (`comparePlacement`).
 * Where they disagree, the test prints both: that is a fidelity defect in core, never
 * something to weaken here.
 */

const MANAGERS = ["m1", "m2", "m3"] as const;
const WORKERS = ["w1", "w2", "w3"] as const;
type NodeName = (typeof MANAGERS)[number] | (typeof WORKERS)[number];
const ENGINE_LABELS: Partial<Record<NodeName, Record<string, string>>> = { w2: { storage: "ssd" }, w3: { storage: "hdd" } };

let swarm: TestSwarm;
const extra: TestEngine[] = [];
let docker: Docker;
const ids = new Map<NodeName, string>();
const id = (name: NodeName) => ids.get(name)!;

/** Tasks that sleep, and stop at once when told to (busybox's sleep as PID 1 ignores SIGTERM). */
const sleeper = defaultContainerSpec({ command: ["sleep", "3600"], stopSignal: "SIGKILL" });
function spec(over: Partial<ServiceSpec>): ServiceSpec {
  return defaultServiceSpec({ image: TEST_IMAGE, container: sleeper, restartPolicy: { condition: "any", delayNs: 0, maxAttempts: 0, windowNs: 0 }, ...over });
}

beforeAll(async () => {
  // Engine labels are the engine's own (`dockerd --label`): w2 and w3 start with theirs, beside the swarm, and join it as workers.
  const started = await Promise.allSettled([
    startSwarm(["m1", "m2", "m3", "w1"], { managers: 3 }),
    ...(["w2", "w3"] as const).map((name) => startEngine(name, { labels: ENGINE_LABELS[name] })),
  ]);
  for (const r of started.slice(1)) if (r.status === "fulfilled") extra.push(r.value as TestEngine);
  try {
    for (const r of started) if (r.status === "rejected") throw r.reason;
    swarm = (started[0] as PromiseFulfilledResult<TestSwarm>).value;
    for (const engine of extra) {
      const joined = await joinSwarm(engine, swarm.tokens().worker, swarm.address);
      if (joined.status !== 0) throw new Error(`docker swarm join on ${engine.name}: ${joined.stderr}`);
    }
    docker = swarm.leader.docker;
    await waitFor(async () => (await docker.listNodes()).filter((n: { Status?: { State?: string } }) => n.Status?.State === "ready").length === 6, "six Ready swarm nodes", {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    for (const engine of [...swarm.engines, ...extra]) {
      const nodeId = engine.cli("info", "--format", "{{.Swarm.NodeID}}").stdout.trim();
      ids.set(engine.name as NodeName, nodeId);
    }
  } catch (error) {
    for (const engine of extra) await engine.stop().catch(() => undefined);
    if (started[0]?.status === "fulfilled") await (started[0].value as TestSwarm).stop();
    throw error;
  }
}, 180_000);

afterAll(async () => {
  for (const engine of extra.reverse()) await engine.stop().catch(() => undefined);
  await swarm?.stop();
}, 120_000);

afterEach(async () => {
  for (const s of await docker.listServices()) await docker.getService(s.ID).remove();
  // Removed services' tasks stop before the next scenario, so nothing they held is counted.
  await waitFor(async () => (await docker.listTasks()).every((t: { Status: { State: string } }) => !LIVE.has(t.Status.State)), "every task to stop", {
    timeoutMs: 60_000,
    intervalMs: 200,
  });
}, 90_000);

const LIVE = new Set(["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running"]);

/** Sets every node's labels (none unless given) and makes it active. */
async function nodesAs(labels: Partial<Record<NodeName, Record<string, string>>>): Promise<void> {
  for (const name of [...MANAGERS, ...WORKERS]) await setNode(name, { labels: labels[name] ?? {}, availability: "active" });
}

async function setNode(name: NodeName, change: NodeChange): Promise<void> {
  const node = docker.getNode(id(name));
  const current = (await node.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
  const next = { ...current.Spec };
  if (change.labels) next.Labels = change.labels;
  if (change.availability) next.Availability = change.availability;
  await node.update({ _query: { version: current.Version.Index }, _body: next });
}

/**
 * Swarm has settled for a service: each task meant to run is running or waits with
 * Swarm's error, tasks told to stop have stopped, there are `count` of the former when
 * given, and two reads half a second apart agree.
 */
async function settled(serviceId: string, count?: number): Promise<SwarmPlacement> {
  let last = "";
  let placement: SwarmPlacement | undefined;
  await waitFor(
    async () => {
      const tasks = (await docker.listTasks({ filters: { service: [serviceId] } })) as { DesiredState: string; Status: { State: string; Err?: string } }[];
      const wanted = tasks.filter((t) => LIVE.has(t.DesiredState));
      const ready = wanted.every((t) => t.Status.State === "running" || (t.Status.State === "pending" && (t.Status.Err ?? "").startsWith("no suitable node")));
      const stopped = tasks.filter((t) => !LIVE.has(t.DesiredState)).every((t) => !LIVE.has(t.Status.State));
      if (!ready || !stopped || (count !== undefined && wanted.length !== count)) return false;
      placement = await readSwarmPlacement(docker, serviceId);
      const now = JSON.stringify(placement);
      const same = now === last;
      last = now;
      return same;
    },
    `service ${serviceId} to settle`,
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  return placement!;
}

/** What Swarm did and what the planner allowed, side by side, when they differ. */
function verdict(prediction: PlacementPrediction, actual: SwarmPlacement): PlacementComparison {
  const result = comparePlacement(prediction, actual);
  if (!result.matched) {
    console.error(JSON.stringify({ swarm: actual, planner: prediction.outcomes, alike: prediction.alike, differences: result.differences }, null, 2));
  }
  return result;
}

/** Predicts a new service from the snapshot, creates it for real, and compares once Swarm has settled. */
async function createAndCompare(service: ServiceSpec, count?: number) {
  const cluster = await readPlannerSnapshot(docker);
  const prediction = predictPlacement(cluster, { service: { spec: service } });
  expect(prediction.plan.focus?.problems).toEqual([]);
  // @types/dockerode's spec types differ from the Engine API's (GenericResources, TaskSpec's union): the JSON is Docker's.
  const created = await docker.createService(dockerSpecOf(service) as Docker.CreateServiceOptions);
  const actual = await settled(created.id, count);
  return { cluster, prediction, actual, result: verdict(prediction, actual), serviceId: created.id };
}

/**
 * Predicts node changes under a running service (the sandbox's what-if, the service's
 * spec as it is), makes them for real, and compares once Swarm has settled.
 */
async function changeNodesAndCompare(serviceId: string, changes: Partial<Record<NodeName, NodeChange>>, count?: number) {
  const cluster = await readPlannerSnapshot(docker);
  const service = cluster.services.find((s) => s.id === serviceId)!;
  const nodes = Object.fromEntries(Object.entries(changes).map(([name, change]) => [id(name as NodeName), change]));
  const prediction = predictPlacement(cluster, { nodes, service: { serviceId, spec: service.spec } });
  for (const [name, change] of Object.entries(changes)) await setNode(name as NodeName, change);
  const actual = await settled(serviceId, count);
  return { cluster, prediction, actual, result: verdict(prediction, actual) };
}

/**
 * Predicts an update of a running service, made as Rampart makes one: `change` edits the
 * spec as read back from Docker (an engine older than API 1.44 keeps none of core's
 * hardening fields, so the spec first written is not the one to edit), the result goes
 * to Docker with `dockerSpecOf` over the service's current Docker spec, and the
 * placement is compared once Swarm has settled.
 */
async function updateAndCompare(serviceId: string, change: (spec: ServiceSpec) => ServiceSpec, count?: number) {
  const cluster = await readPlannerSnapshot(docker);
  const next = change(cluster.services.find((s) => s.id === serviceId)!.spec);
  const prediction = predictPlacement(cluster, { service: { serviceId, spec: next } });
  expect(prediction.plan.focus?.problems).toEqual([]);
  const service = docker.getService(serviceId);
  const current = dockerServiceSchema.parse(await service.inspect());
  await service.update({ _query: { version: current.Version.Index }, _body: dockerSpecOf(next, current.Spec) });
  const actual = await settled(serviceId, count);
  return { cluster, prediction, actual, result: verdict(prediction, actual) };
}

/** Tasks per node name, for expectations that read as the scenario does. */
function byName(placed: Readonly<Record<string, number>>): Record<string, number> {
  const names = new Map([...ids].map(([name, nodeId]) => [nodeId, name]));
  return Object.fromEntries(Object.entries(placed).map(([nodeId, n]) => [names.get(nodeId) ?? nodeId, n]));
}

const PCI: Partial<Record<NodeName, Record<string, string>>> = { m2: { pcidss: "yes" }, w1: { pcidss: "yes" }, w2: { pcidss: "yes" }, m3: { pcidss: "no" }, w3: { pcidss: "no" } };
const names = (nodeIds: readonly string[]) => nodeIds.map((n) => [...ids].find(([, v]) => v === n)?.[0] ?? n).sort();

describe("the planner against a real Docker Swarm (6 engines)", () => {
  it("ok/the snapshot reads every node as Swarm sees it: roles, engine labels, resources, platform", async () => {
    await nodesAs(PCI);
    const cluster: PlannerCluster = await readPlannerSnapshot(docker);
    expect(cluster.nodes.map((n) => [n.hostname, n.role, n.state, n.availability]).sort()).toEqual([
      ["m1", "manager", "ready", "active"],
      ["m2", "manager", "ready", "active"],
      ["m3", "manager", "ready", "active"],
      ["w1", "worker", "ready", "active"],
      ["w2", "worker", "ready", "active"],
      ["w3", "worker", "ready", "active"],
    ]);
    const w2 = cluster.nodes.find((n) => n.hostname === "w2")!;
    expect(w2).toMatchObject({ id: id("w2"), labels: { pcidss: "yes" }, engineLabels: { storage: "ssd" }, runtimeKind: "docker", addr: "127.0.0.1" });
    expect(w2.platform?.os).toBe("linux");
    expect(w2.resources?.nanoCpus).toBeGreaterThan(0);
    expect(w2.resources?.memoryBytes).toBeGreaterThan(0);
    expect(cluster.services).toEqual([]);
  });

  it("ok/PCI-DSS: web-fe's three replicas land one on each node labelled pcidss=yes", async () => {
    await nodesAs(PCI);
    const { prediction, actual, result } = await createAndCompare(spec({ name: "web-fe", replicas: 3, constraints: ["node.labels.pcidss == yes"] }), 3);
    expect(byName(actual.placed)).toEqual({ m2: 1, w1: 1, w2: 1 });
    expect(prediction.outcomes).toHaveLength(1);
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/node.role == manager: four tasks on the three managers, one of them chosen at random for the second", async () => {
    await nodesAs({});
    const { actual, result } = await createAndCompare(spec({ name: "on-managers", replicas: 4, constraints: ["node.role == manager"] }), 4);
    expect(Object.keys(byName(actual.placed)).sort()).toEqual(["m1", "m2", "m3"]);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
    expect(result.undetermined.map((u) => names(u.nodes))).toEqual([["m1", "m2", "m3"]]);
  });

  it("ok/node.role == worker: one task on each worker", async () => {
    await nodesAs({});
    const { actual, result } = await createAndCompare(spec({ name: "on-workers", replicas: 3, constraints: ["node.role == worker"] }), 3);
    expect(byName(actual.placed)).toEqual({ w1: 1, w2: 1, w3: 1 });
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/engine.labels: only the engine started with storage=ssd takes the tasks", async () => {
    await nodesAs({});
    const { actual, result } = await createAndCompare(spec({ name: "on-ssd", replicas: 2, constraints: ["engine.labels.storage == ssd"] }), 2);
    expect(byName(actual.placed)).toEqual({ w2: 2 });
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/!=: a node without the label differs from yes too", async () => {
    await nodesAs(PCI);
    const { actual, result } = await createAndCompare(spec({ name: "not-pci", replicas: 3, constraints: ["node.labels.pcidss != yes"] }), 3);
    expect(byName(actual.placed)).toEqual({ m1: 1, m3: 1, w3: 1 });
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/two constraints together: workers whose engine is not on hdd", async () => {
    await nodesAs({});
    const { actual, result } = await createAndCompare(spec({ name: "both", replicas: 4, constraints: ["node.role == worker", "engine.labels.storage != hdd"] }), 4);
    expect(byName(actual.placed)).toEqual({ w1: 2, w2: 2 });
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/spread over node.labels.zone: two tasks per zone, whichever nodes of a zone Swarm picks", async () => {
    await nodesAs({ m1: { zone: "a" }, w1: { zone: "a" }, m2: { zone: "b" }, w2: { zone: "b" }, w3: { zone: "b" }, m3: { zone: "c" } });
    const { actual, result } = await createAndCompare(spec({ name: "spread", replicas: 6, preferences: ["node.labels.zone"] }), 6);
    const placed = byName(actual.placed);
    expect([(placed.m1 ?? 0) + (placed.w1 ?? 0), (placed.m2 ?? 0) + (placed.w2 ?? 0) + (placed.w3 ?? 0), placed.m3]).toEqual([2, 2, 2]);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
    expect(result.undetermined.map((u) => names(u.nodes))).toEqual([["m2", "w2", "w3"]]);
  });

  it("ok/spread when some nodes lack the label: they share one branch of their own", async () => {
    await nodesAs({ m1: { zone: "a" }, m2: { zone: "a" }, w1: { zone: "b" } });
    const { actual, result } = await createAndCompare(spec({ name: "spread-gaps", replicas: 5, preferences: ["node.labels.zone"] }), 5);
    const placed = byName(actual.placed);
    const zones = [(placed.m1 ?? 0) + (placed.m2 ?? 0), placed.w1 ?? 0, (placed.m3 ?? 0) + (placed.w2 ?? 0) + (placed.w3 ?? 0)];
    expect(zones.reduce((a, b) => a + b)).toBe(5);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
  });

  it("ok/spread over two levels with max replicas per node: a full branch gives its share to the others", async () => {
    await nodesAs({
      m1: { zone: "a", rack: "1" },
      m2: { zone: "b", rack: "1" },
      m3: { zone: "b", rack: "2" },
      w1: { zone: "b", rack: "2" },
      w2: { zone: "c", rack: "1" },
      w3: { zone: "c", rack: "1" },
    });
    const { actual, result } = await createAndCompare(spec({ name: "racks", replicas: 7, maxReplicasPerNode: 2, preferences: ["node.labels.zone", "node.labels.rack"] }), 7);
    expect(Object.values(actual.placed).every((n) => n <= 2)).toBe(true);
    expect(byName(actual.placed).m1).toBe(2);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
  });

  it("ok/a paused node keeps what it runs and takes nothing new", async () => {
    await nodesAs({});
    const { serviceId } = await createAndCompare(spec({ name: "everywhere", mode: "global", replicas: 0 }), 6);
    await setNode("w3", { availability: "pause" });
    const { actual, result } = await createAndCompare(spec({ name: "after-pause", replicas: 5, constraints: ["node.role == worker"] }), 5);
    expect(byName(actual.placed).w3).toBeUndefined();
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
    expect(byName((await readSwarmPlacement(docker, serviceId)).placed).w3).toBe(1);
  });

  it("ok/max replicas per node: three workers take one each, two tasks wait with Swarm's words", async () => {
    await nodesAs({});
    const { actual, result } = await createAndCompare(spec({ name: "capped", replicas: 5, maxReplicasPerNode: 1, constraints: ["node.role == worker"] }), 5);
    expect(byName(actual.placed)).toEqual({ w1: 1, w2: 1, w3: 1 });
    expect(actual.pendingErrors).toHaveLength(2);
    expect(actual.pendingErrors[0]).toMatch(/^no suitable node \(.*max replicas per node limit exceed/);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
  });

  it("ok/reservations nothing can hold: every task waits, insufficient resources on 6 nodes", async () => {
    await nodesAs({});
    const cluster = await readPlannerSnapshot(docker);
    const memory = Math.max(...cluster.nodes.map((n) => n.resources?.memoryBytes ?? 0));
    const { actual, result } = await createAndCompare(spec({ name: "too-big", replicas: 3, reservations: { nanoCpus: 0, memoryBytes: 2 * memory } }), 3);
    expect(actual).toEqual({ placed: {}, pendingErrors: Array(3).fill("no suitable node (insufficient resources on 6 nodes)") });
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/reservations that fit twice per node: six tasks on the three workers, the rest wait", async () => {
    await nodesAs({});
    const cluster = await readPlannerSnapshot(docker);
    const memory = Math.min(...cluster.nodes.map((n) => n.resources?.memoryBytes ?? 0));
    const { actual, result } = await createAndCompare(
      spec({ name: "two-each", replicas: 8, constraints: ["node.role == worker"], reservations: { nanoCpus: 0, memoryBytes: Math.floor(memory * 0.4) } }),
      8,
    );
    expect(byName(actual.placed)).toEqual({ w1: 2, w2: 2, w3: 2 });
    expect(actual.pendingErrors).toHaveLength(2);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
  });

  it("ok/global with a constraint: one task on each node that meets it", async () => {
    await nodesAs(PCI);
    const { actual, result } = await createAndCompare(spec({ name: "agent", mode: "global", replicas: 0, constraints: ["node.labels.pcidss == yes"] }), 3);
    expect(byName(actual.placed)).toEqual({ m2: 1, w1: 1, w2: 1 });
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/all tasks break ties: a worker busy with another service's task gets none of two", async () => {
    await nodesAs({});
    await createAndCompare(spec({ name: "pinned", replicas: 1, constraints: ["node.hostname == w1"] }), 1);
    const { actual, result } = await createAndCompare(spec({ name: "beside", replicas: 2, constraints: ["node.role == worker"] }), 2);
    expect(byName(actual.placed)).toEqual({ w2: 1, w3: 1 });
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
  });

  it("ok/an update through dockerSpecOf over Docker's spec: scaled up in place, Docker-only fields kept", async () => {
    await nodesAs(PCI);
    const first = spec({ name: "web-fe", replicas: 3, constraints: ["node.labels.pcidss == yes"] });
    const created = await docker.createService({ ...dockerSpecOf(first), Labels: { team: "payments" } } as Docker.CreateServiceOptions);
    await settled(created.id, 3);
    const { actual, prediction, result } = await updateAndCompare(created.id, (now) => ({ ...now, replicas: 6 }), 6);
    expect(byName(actual.placed)).toEqual({ m2: 2, w1: 2, w2: 2 });
    expect(prediction.plan.focus?.diff.replaced).toBeUndefined();
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
    const after = (await created.inspect()) as { Spec: { Labels?: Record<string, string>; Mode?: unknown } };
    expect(after.Spec.Labels).toEqual({ team: "payments" });
    expect(after.Spec.Mode).toEqual({ Replicated: { Replicas: 6 } });
  });

  it("ok/an update of the constraints alone keeps the tasks whose node still fits and moves the other", async () => {
    await nodesAs(PCI);
    const first = spec({ name: "moving", replicas: 3, constraints: ["node.role == worker"] });
    const { serviceId } = await createAndCompare(first, 3);
    const { actual, prediction, result } = await updateAndCompare(serviceId, (now) => ({ ...now, constraints: ["node.labels.pcidss == yes"] }), 3);
    expect(byName(actual.placed)).toEqual({ m2: 1, w1: 1, w2: 1 });
    expect(prediction.plan.focus?.diff.replaced).toBe(1);
    expect(result).toEqual({ matched: true, differences: [], undetermined: [] });
    // The kept tasks run an older template that differs only in placement: the snapshot reads them as current.
    const now = await readPlannerSnapshot(docker);
    const again = predictPlacement(now, { service: { serviceId, spec: now.services.find((s) => s.id === serviceId)!.spec } });
    expect(again.plan.focus?.diff).toMatchObject({ moved: 0, pending: 0 });
    expect(again.plan.focus?.diff.replaced).toBeUndefined();
  });

  it("ok/constraints changed and scaled up at once: the new task and the replacement may meet the scheduler apart, so which node gets two is Swarm's", async () => {
    await nodesAs(PCI);
    const { serviceId } = await createAndCompare(spec({ name: "grown", replicas: 3, constraints: ["node.role == worker"] }), 3);
    const { actual, result } = await updateAndCompare(serviceId, (now) => ({ ...now, replicas: 4, constraints: ["node.labels.pcidss == yes"] }), 4);
    // In one pass m2 takes both (SwarmKit stays on a node while the next is no better);
    // when the updater's replacement comes a pass later, the three tie and any may take it.
    const placed = byName(actual.placed);
    expect(Object.keys(placed).sort()).toEqual(["m2", "w1", "w2"]);
    expect(Object.values(placed).sort()).toEqual([1, 1, 2]);
    expect(result).toMatchObject({ matched: true, differences: [] });
    expect(result.undetermined.map((u) => names(u.nodes))).toEqual([["m2", "w1", "w2"]]);
  });

  it("ok/a drained node: its task moves to another worker", async () => {
    await nodesAs({});
    const { serviceId, result: before } = await createAndCompare(spec({ name: "drainee", replicas: 3, constraints: ["node.role == worker"] }), 3);
    expect(before.matched).toBe(true);
    const { actual, result } = await changeNodesAndCompare(serviceId, { w1: { availability: "drain" } }, 3);
    const placed = byName(actual.placed);
    expect(placed.w1).toBeUndefined();
    expect((placed.w2 ?? 0) + (placed.w3 ?? 0)).toBe(3);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
    expect(result.undetermined.map((u) => names(u.nodes))).toEqual([["w2", "w3"]]);
  });

  it("ok/a label removed under a running service: the constraint enforcer moves the task it held", async () => {
    await nodesAs(PCI);
    const { serviceId } = await createAndCompare(spec({ name: "web-fe", replicas: 3, constraints: ["node.labels.pcidss == yes"] }), 3);
    const { actual, result } = await changeNodesAndCompare(serviceId, { w1: { labels: {} } }, 3);
    const placed = byName(actual.placed);
    expect(placed.w1).toBeUndefined();
    expect((placed.m2 ?? 0) + (placed.w2 ?? 0)).toBe(3);
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(true);
  });
});
