/**
 * planner.whatif.1kNodes50Services: one what-if on a busy cluster, the figure the UI's
 * "plan as you type" depends on. 1,000 nodes labelled with zone, rack and tier; 50
 * services with mixed constraints, spread preferences, reservations and 10–200
 * replicas, all placed by the scheduler first ("today"). The what-if relabels a few
 * nodes and changes one service's spec: replicas, preferences and the image, so that
 * all its tasks are replaced (the worst case: replicas or preferences alone keep them).
 * The figure is the median of several runs after a warm-up.
 *
 * Target: under 50 ms, so a keystroke's plan is back before the next one.
 */
import { toSchedulerTask } from "../orchestrator/index.js";
import { Scheduler } from "../scheduler/index.js";
import type { ServiceSpec } from "../service/index.js";
import { planPlacement, type PlannerCluster, type PlannerNode, type PlannerService, type PlannerTask, type Sandbox } from "./index.js";

const NODES = 1000;
const SERVICES = 50;
const WARMUP = 5;
const RUNS = 21;

/** A small deterministic generator, so every run plans the same cluster. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const TIERS = ["web", "web", "db", "batch"];
const CONSTRAINTS: string[][] = [[], ["node.labels.tier == web"], ["node.labels.tier != batch"], ["node.role == worker"], ["node.labels.zone != z3", "node.labels.tier != db"]];
const PREFERENCES: string[][] = [[], ["node.labels.zone"], ["node.labels.zone", "node.labels.rack"]];

function nodes(): PlannerNode[] {
  return Array.from({ length: NODES }, (_, i) => ({
    id: `node${i}`,
    hostname: `host-${i}`,
    role: i < 5 ? "manager" : "worker",
    state: "ready",
    availability: "active",
    labels: { zone: `z${i % 10}`, rack: `r${Math.floor(i / 25)}`, tier: TIERS[i % TIERS.length]! },
    platform: { os: "linux", architecture: "x86_64" },
    resources: { nanoCpus: 32e9, memoryBytes: 128 * 2 ** 30 },
  }));
}

function services(): PlannerService[] {
  const random = lcg(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: SERVICES }, (_, i) => {
    const spec: ServiceSpec = {
      name: `svc-${i}`,
      image: "nginx:alpine",
      mode: "replicated",
      replicas: 10 + Math.floor(random() * 191),
      constraints: pick(CONSTRAINTS),
      preferences: pick(PREFERENCES),
      maxReplicasPerNode: i % 7 === 0 ? 2 : 0,
      reservations: { nanoCpus: (1 + Math.floor(random() * 5)) * 1e8, memoryBytes: (1 + Math.floor(random() * 8)) * 64 * 2 ** 20 },
    };
    return { id: `svc${i}`, specVersion: 1, spec };
  });
}

/** Today: every service's replicas placed by the scheduler and running. */
function today(): PlannerCluster {
  const cluster = { nodes: nodes(), services: services() };
  const pending: PlannerTask[] = cluster.services.flatMap((s) =>
    Array.from({ length: s.spec.replicas }, (_, i) => ({ id: `${s.id}.${i + 1}`, serviceId: s.id, slot: i + 1, nodeId: "", specVersion: 1, state: "pending" as const })),
  );
  const specs = new Map(cluster.services.map((s) => [s.id, s.spec]));
  const scheduler = new Scheduler({
    nodes: cluster.nodes,
    tasks: pending.map((t) => toSchedulerTask({ ...t, nodeId: null, desiredState: "running" }, specs.get(t.serviceId))),
    services: Object.fromEntries(cluster.services.map((s) => [s.id, 1])),
  });
  const placed = new Map<string, string>();
  for (const d of scheduler.schedule(0)) if (d.outcome === "assigned") placed.set(d.taskId, d.nodeId);
  const tasks = pending.map((t): PlannerTask => (placed.has(t.id) ? { ...t, nodeId: placed.get(t.id)!, state: "running" } : t));
  return { ...cluster, tasks };
}

/** Five web nodes become batch nodes, one loses its zone; svc-0 gets a new image, grows and spreads by zone and rack. */
function whatIf(cluster: PlannerCluster): Sandbox {
  const relabel = Object.fromEntries(
    [0, 4, 8, 12, 16].map((i, k) => {
      const labels: Record<string, string> = { ...cluster.nodes[i]!.labels, tier: "batch" };
      if (k === 0) delete labels.zone;
      return [`node${i}`, { labels }];
    }),
  );
  const focus = cluster.services[0]!;
  return {
    nodes: relabel,
    service: { serviceId: focus.id, spec: { ...focus.spec, image: "nginx:1.27", replicas: focus.spec.replicas + 20, preferences: ["node.labels.zone", "node.labels.rack"] } },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const cluster = today();
const sandbox = whatIf(cluster);
for (let i = 0; i < WARMUP; i++) planPlacement(cluster, sandbox);
const times: number[] = [];
let last = planPlacement(cluster, sandbox);
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  last = planPlacement(cluster, sandbox);
  times.push(performance.now() - start);
}
const placedTasks = cluster.tasks.filter((t) => t.nodeId !== "").length;
console.error(
  `# ${cluster.nodes.length} nodes, ${cluster.services.length} services, ${placedTasks} of ${cluster.tasks.length} tasks placed today; ` +
    `what-if changes ${last.changed.length} services, focus ${last.focus?.name} after ${Object.values(last.focus?.diff.after ?? {}).reduce((a, b) => a + b, 0)} tasks`,
);
console.log(`planner.whatif.1kNodes50Services: ${median(times).toFixed(1)} ms`);
