/**
 * SwarmKit's scheduler benchmarks (reference/vectors/scheduler.json → benchmarks),
 * built as its setup says: every node READY with an empty engine description, every
 * third one reporting the Network plugin `network`; tasks PENDING with no service and no
 * spec version, so each is scheduled alone; the Constraints variants attach every task
 * to a network of driver `network`, leaving a third of the nodes eligible. The time is
 * that of the pass, from its start until every task has a decision: in memory, with no
 * store, hence `scheduler.pass.*`. The like-for-like figures, through the store and the
 * production scheduling loop, are `scheduler.store.*` (packages/manager).
 *
 * scheduler.pass.service.1kNodes100kTasks.rate: one service of 100,000 replicas (one group)
 * on 1,000 nodes, `node.labels.tier != batch` leaving two thirds eligible, spread over
 * 10 zones, with CPU and memory reservations that fit.
 *
 * Targets (DESIGN.md §6): at least 10× SwarmKit on each workload (SwarmKit here: 1k×1k
 * 188 ms, 1k×10k 1.99 s, 1k×100k 25.2 s, 100k nodes×1k 34.3 s, 5k×100k constrained
 * 135 s) and at least 100,000 tasks a second for one service.
 * The 100k×100k and 100k×1M cases run only with RAMPART_BENCH_FULL set.
 */
import { Scheduler, type SchedulerNode, type SchedulerTask } from "./index.js";

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
const FULL = Boolean(env.RAMPART_BENCH_FULL);

interface Case {
  name: string;
  nodes: number;
  tasks: number;
  networkConstraint: boolean;
  full?: boolean;
}

const CASES: Case[] = [
  { name: "BenchmarkScheduler1kNodes1kTasks", nodes: 1e3, tasks: 1e3, networkConstraint: false },
  { name: "BenchmarkScheduler1kNodes10kTasks", nodes: 1e3, tasks: 1e4, networkConstraint: false },
  { name: "BenchmarkScheduler1kNodes100kTasks", nodes: 1e3, tasks: 1e5, networkConstraint: false },
  { name: "BenchmarkScheduler100kNodes100kTasks", nodes: 1e5, tasks: 1e5, networkConstraint: false, full: true },
  { name: "BenchmarkScheduler100kNodes1kTasks", nodes: 1e5, tasks: 1e3, networkConstraint: false },
  { name: "BenchmarkScheduler100kNodes1MTasks", nodes: 1e5, tasks: 1e6, networkConstraint: false, full: true },
  { name: "BenchmarkSchedulerConstraints1kNodes1kTasks", nodes: 1e3, tasks: 1e3, networkConstraint: true },
  { name: "BenchmarkSchedulerConstraints1kNodes10kTasks", nodes: 1e3, tasks: 1e4, networkConstraint: true },
  { name: "BenchmarkSchedulerConstraints1kNodes100kTasks", nodes: 1e3, tasks: 1e5, networkConstraint: true },
  { name: "BenchmarkSchedulerConstraints5kNodes100kTasks", nodes: 5e3, tasks: 1e5, networkConstraint: true },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function check(decisions: ReturnType<Scheduler["schedule"]>, tasks: number, label: string): void {
  const assigned = decisions.filter((d) => d.outcome === "assigned").length;
  if (decisions.length !== tasks || assigned !== tasks) throw new Error(`${label}: ${assigned} of ${tasks} tasks assigned (${decisions.length} decisions)`);
}

function swarmCase(c: Case): number {
  const nodes: SchedulerNode[] = [];
  for (let i = 0; i < c.nodes; i++) {
    nodes.push({ id: `node${i}`, state: "ready", availability: "active", plugins: i % 3 === 0 ? [{ type: "Network", name: "network" }] : [] });
  }
  const scheduler = new Scheduler({ nodes });
  const networks = c.networkConstraint ? ["network"] : undefined;
  const setup = performance.now();
  for (let i = 0; i < c.tasks; i++) {
    scheduler.createTask({ id: `task${i}`, serviceId: "", specVersion: null, nodeId: "", state: "pending", desiredState: "running", networkDrivers: networks });
  }
  console.error(`# ${c.name}: ${c.tasks} tasks created in ${(performance.now() - setup).toFixed(0)} ms`);
  const start = performance.now();
  const decisions = scheduler.schedule(1);
  const ms = performance.now() - start;
  check(decisions, c.tasks, c.name);
  return ms;
}

function serviceCase(): number {
  const nodes: SchedulerNode[] = [];
  for (let i = 0; i < 1000; i++) {
    nodes.push({
      id: `node${i}`,
      state: "ready",
      availability: "active",
      labels: { zone: `zone${i % 10}`, ...(i % 3 === 0 ? { tier: "batch" } : {}) },
      resources: { nanoCpus: 64e9, memoryBytes: 256 * 2 ** 30 },
      plugins: [],
    });
  }
  const scheduler = new Scheduler({ nodes, services: { web: 1 } });
  const tasks = 100_000;
  const template: Omit<SchedulerTask, "id"> = {
    serviceId: "web",
    specVersion: 1,
    nodeId: "",
    state: "pending",
    desiredState: "running",
    reservations: { nanoCpus: 1e8, memoryBytes: 64 * 2 ** 20 },
    constraints: ["node.labels.tier != batch"],
    preferences: ["node.labels.zone"],
  };
  for (let i = 0; i < tasks; i++) scheduler.createTask({ id: `web.${i}`, ...template });
  const start = performance.now();
  const decisions = scheduler.schedule(1);
  const seconds = (performance.now() - start) / 1000;
  check(decisions, tasks, "service");
  return tasks / seconds;
}

for (const c of CASES) {
  if (c.full && !FULL) {
    console.error(`# ${c.name}: skipped (set RAMPART_BENCH_FULL to run)`);
    continue;
  }
  const runs = c.tasks * Math.max(1, c.nodes / 1000) <= 1e5 ? 5 : c.tasks >= 1e6 ? 1 : 3;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(swarmCase(c));
  console.log(`scheduler.pass.${c.name}: ${median(times).toFixed(1)} ms`);
}

const rates: number[] = [];
for (let r = 0; r < 5; r++) rates.push(serviceCase());
console.log(`scheduler.pass.service.1kNodes100kTasks.rate: ${median(rates).toFixed(0)} tasks/s`);
