/**
 * fidelity.stall: how long the server stops answering while the planner's fidelity check
 * predicts a change on a large swarm (7 nodes that placement tells apart, so 7! = 5040
 * node orders, with 50 services of 6 tasks each and a spread draft of 7 replicas). The
 * longest gap between 10 ms timers is measured while the prediction runs on the event
 * loop (`.inline`, as before the worker) and in the tracker's worker thread (`.worker`);
 * beside them, how long the prediction itself takes each way, and whether both gave the
 * same prediction (`.same`: 1).
 */
import { defaultServiceSpec, predictPlacement, type PlacementPrediction, type PlannerCluster, type Sandbox } from "@rampart/core";
import { createWorkerPredictor } from "@rampart/manager";

const NODES = 7;
const SERVICES = 50;
const REPLICAS = 6;

const cluster: PlannerCluster = {
  nodes: Array.from({ length: NODES }, (_, i) => ({
    id: `n${i}`,
    hostname: `h${i}`,
    role: i === 0 ? ("manager" as const) : ("worker" as const),
    state: "ready" as const,
    availability: "active" as const,
    labels: { zone: `z${i}` },
    engineLabels: {},
    platform: { os: "linux", architecture: "x86_64" },
    addr: `10.0.0.${i}`,
    resources: { nanoCpus: (4 + i) * 1e9, memoryBytes: (8 + i) * 2 ** 30, generic: null },
    plugins: null,
    runtimeKind: "docker" as const,
  })),
  services: Array.from({ length: SERVICES }, (_, s) => ({
    id: `s${s}`,
    specVersion: 1,
    spec: defaultServiceSpec({ name: `svc${s}`, image: "x", replicas: REPLICAS, reservations: { nanoCpus: 1e7, memoryBytes: 2 ** 20 } }),
  })),
  tasks: Array.from({ length: SERVICES * REPLICAS }, (_, t) => ({
    id: `t${t}`,
    serviceId: `s${Math.floor(t / REPLICAS)}`,
    slot: (t % REPLICAS) + 1,
    nodeId: `n${(Math.floor(t / REPLICAS) + (t % REPLICAS)) % NODES}`,
    specVersion: 1,
    state: "running" as const,
  })),
};
const sandbox: Sandbox = { service: { spec: { ...defaultServiceSpec({ name: "new", image: "x", replicas: NODES }), preferences: ["node.labels.zone"] } } };

/** Runs `work` while 10 ms timers tick; the longest gap between two of them is the stall. */
async function stallDuring(work: () => Promise<PlacementPrediction>): Promise<{ stallMs: number; tookMs: number; prediction: PlacementPrediction }> {
  let last = performance.now();
  let stallMs = 0;
  const ticking = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  const prediction = await work();
  const tookMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 50));
  clearInterval(ticking);
  return { stallMs, tookMs, prediction };
}

const comparable = (p: PlacementPrediction) => JSON.stringify({ ...p, plan: { ...p.plan, tookMs: 0 } });

const inline = await stallDuring(async () => predictPlacement(cluster, sandbox));
const predictor = createWorkerPredictor();
const worker = await stallDuring(async () => (await predictor.predict(cluster, sandbox, () => true))!);
await predictor.stop();
process.stderr.write(`${inline.prediction.orders.run} node orders, ${inline.prediction.outcomes.length} outcome(s)\n`);
console.log(`fidelity.stall.inline: ${Math.round(inline.stallMs)} ms`);
console.log(`fidelity.stall.worker: ${Math.round(worker.stallMs)} ms`);
console.log(`fidelity.predict.inline: ${Math.round(inline.tookMs)} ms`);
console.log(`fidelity.predict.worker: ${Math.round(worker.tookMs)} ms`);
console.log(`fidelity.same: ${comparable(inline.prediction) === comparable(worker.prediction) ? 1 : 0} bool`);
