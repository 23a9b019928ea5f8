/**
 * docker.snapshot.6nodes: how long the planner's snapshot of a real Docker Swarm takes
 * (`readPlannerSnapshot`: one `GET /nodes`, `GET /services` and `GET /tasks` through the
 * leader's socket, each answer checked and converted), on six engines (three managers)
 * running 50 replicated services of 6 busybox `sleep` tasks each: 300 running containers.
 * The median of 25 reads is the figure; beside it, the same conversion on answers already
 * fetched (`.convert`), and what building the swarm cost (`.setup`: engines up and
 * joined; `.tasks`: from the first service created until all 300 containers run).
 */
import { defaultContainerSpec, defaultServiceSpec } from "@rampart/core";
import type Docker from "dockerode";
import { dockerSpecOf, plannerSnapshotOf, readPlannerSnapshot } from "@rampart/manager";
import { TEST_IMAGE } from "../test-support/engines.js";
import { startSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

const SERVICES = 50;
const REPLICAS = 6;
const TASKS = SERVICES * REPLICAS;
const RUNS = 25;
const patiently = { timeoutMs: 900_000, intervalMs: 1_000 };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function runningTasks(docker: Docker): Promise<number> {
  const tasks = (await docker.listTasks({ filters: { "desired-state": ["running"] } })) as { Status: { State: string } }[];
  return tasks.filter((t) => t.Status.State === "running").length;
}

const figures: Record<string, [number, string]> = {};
const setupStarted = performance.now();
const swarm = await startSwarm(["bench-m1", "bench-m2", "bench-m3", "bench-w1", "bench-w2", "bench-w3"], { managers: 3 });
try {
  figures["docker.snapshot.6nodes.setup"] = [performance.now() - setupStarted, "ms"];
  const docker = swarm.leader.docker;
  const sleeper = defaultContainerSpec({ command: ["sleep", "3600"], stopSignal: "SIGKILL" });
  const tasksStarted = performance.now();
  for (let i = 0; i < SERVICES; i++) {
    const spec = defaultServiceSpec({ name: `bench-${String(i).padStart(2, "0")}`, image: TEST_IMAGE, replicas: REPLICAS, container: sleeper });
    // @types/dockerode's spec types differ from the Engine API's: the JSON is Docker's.
    await docker.createService(dockerSpecOf(spec) as Docker.CreateServiceOptions);
  }
  await waitFor(async () => (await runningTasks(docker)) === TASKS, `${TASKS} running tasks`, patiently);
  figures["docker.snapshot.6nodes.tasks"] = [performance.now() - tasksStarted, "ms"];

  const first = await readPlannerSnapshot(docker);
  process.stderr.write(`snapshot: ${first.nodes.length} nodes, ${first.services.length} services, ${first.tasks.length} tasks\n`);
  if (first.nodes.length !== 6 || first.services.length !== SERVICES || first.tasks.length !== TASKS) throw new Error("the snapshot does not hold the swarm the bench built");

  const reads: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await readPlannerSnapshot(docker);
    reads.push(performance.now() - started);
  }
  figures["docker.snapshot.6nodes"] = [median(reads), "ms"];

  const [nodes, services, tasks] = await Promise.all([docker.listNodes(), docker.listServices(), docker.listTasks()]);
  const converts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    plannerSnapshotOf(nodes, services, tasks);
    converts.push(performance.now() - started);
  }
  figures["docker.snapshot.6nodes.convert"] = [median(converts), "ms"];
  process.stderr.write(`reads: min ${Math.min(...reads).toFixed(1)} ms, max ${Math.max(...reads).toFixed(1)} ms; answers: ${JSON.stringify([nodes, services, tasks]).length} bytes\n`);
} finally {
  await swarm.stop();
}

for (const [name, [value, unit]] of Object.entries(figures)) console.log(`${name}: ${value.toFixed(unit === "ms" && value < 100 ? 1 : 0)} ${unit}`);
