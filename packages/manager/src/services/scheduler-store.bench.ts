/**
 * SwarmKit's scheduler benchmarks (manager/scheduler/scheduler_test.go benchScheduler),
 * like for like: through the store and the production scheduling loop, not one pass in
 * memory (that is core's `scheduler.pass.*`).
 *
 * As in SwarmKit, N nodes and T tasks are created in one store transaction, and the
 * timer starts as that transaction commits. It runs until every task is ASSIGNED in the
 * store: the manager learns of the nodes (its registry is read from the store) and of
 * the tasks (the `tasksCreated` event every task-creating path emits), and its
 * scheduling loop debounces, reads, decides, and writes its decisions checked and in
 * batches, as it does in a running server. The manager's other loops (restarts, the
 * enforcer, the reaper) run too.
 *
 * SwarmKit's tasks have no service and no spec version, so each is scheduled alone. Here
 * a task always names a service, so each names one of its own that does not exist: the
 * same one-task groups, read by the task's own spec as the loop reads any task whose
 * service is gone. SwarmKit's Constraints variants attach each task to a network whose
 * driver every third node has; Rampart's specs have no networks yet, so the same third
 * is chosen by a node label constraint (`node.labels.network == yes`), which the
 * scheduler's constraint filter decides where SwarmKit's plugin filter would.
 *
 * Prints the median of five runs after one unreported (one run for the long workloads):
 * `scheduler.store.<BenchmarkName>` in ms for PGlite, and
 * `scheduler.store.postgres.<BenchmarkName>` when DATABASE_URL names a PostgreSQL
 * server, each followed by its ratio to SwarmKit's time on this kind of machine
 * (below 1 is faster than SwarmKit's in-memory store).
 * `RAMPART_BENCH_STORE_CASES=1k` runs only the cases whose name contains `1k`.
 */
import { randomBytes } from "node:crypto";
import { defaultServiceSpec, type ServiceSpec } from "@rampart/core";
import { kekSource, openKeyring, type StoreKind } from "@rampart/db";
import { createTestStore, testStoreKinds, type TestStore } from "@rampart/db/testing";
import { createManager, type Manager } from "../index.js";

interface Case {
  name: string;
  nodes: number;
  tasks: number;
  constrained: boolean;
  /** SwarmKit's time on this kind of machine, ms. */
  swarmkitMs: number;
}

const CASES: Case[] = [
  { name: "BenchmarkScheduler1kNodes1kTasks", nodes: 1e3, tasks: 1e3, constrained: false, swarmkitMs: 188 },
  { name: "BenchmarkScheduler1kNodes10kTasks", nodes: 1e3, tasks: 1e4, constrained: false, swarmkitMs: 1_990 },
  { name: "BenchmarkScheduler1kNodes100kTasks", nodes: 1e3, tasks: 1e5, constrained: false, swarmkitMs: 25_200 },
  { name: "BenchmarkScheduler100kNodes1kTasks", nodes: 1e5, tasks: 1e3, constrained: false, swarmkitMs: 34_300 },
  { name: "BenchmarkSchedulerConstraints5kNodes100kTasks", nodes: 5e3, tasks: 1e5, constrained: true, swarmkitMs: 135_000 },
];

const only = process.env.RAMPART_BENCH_STORE_CASES;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const log = {
  ...quiet,
  warn: (obj: object, msg?: string) => console.error(`# warn: ${msg ?? ""} ${JSON.stringify(obj)}`),
  error: (obj: object, msg?: string) => console.error(`# error: ${msg ?? ""} ${JSON.stringify(obj)}`),
};

async function openManager(t: TestStore): Promise<Manager> {
  const { codec } = await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined));
  const manager = createManager({
    store: t.store,
    codec,
    log,
    now: () => new Date(),
    random: (n) => new Uint8Array(randomBytes(n)),
    version: "bench",
    nodeAddress: "127.0.0.1:2377",
  });
  await manager.cluster.init();
  await manager.nodes.load();
  await manager.start();
  return manager;
}

/**
 * SwarmKit's setup in one transaction: N READY nodes (a heartbeat at the commit), every
 * third labelled for the Constraints variants; T PENDING tasks, each of its own absent
 * service. Returns when the transaction has committed.
 */
async function createNodesAndTasks(t: TestStore, c: Case): Promise<number> {
  const spec: ServiceSpec = defaultServiceSpec({ image: "busybox", constraints: c.constrained ? ["node.labels.network == yes"] : [] });
  let committing = 0;
  await t.store.prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(
        `INSERT INTO node (id, hostname, role, os, arch, nano_cpus, memory_bytes, engine_version, last_heartbeat_at, labels)
         SELECT 'n' || lpad(i::text, 24, '0'), 'name' || i, 'worker', 'linux', 'x86_64', 0, 0, 'bench', now(),
                CASE WHEN $2 AND i % 3 = 0 THEN '{"network": "yes"}'::jsonb ELSE '{}'::jsonb END
           FROM generate_series(0, $1 - 1) AS i`,
        c.nodes,
        c.constrained,
      );
      await tx.$executeRawUnsafe(
        `INSERT INTO task (id, service_id, service_name, spec, spec_version, desired_state, state)
         SELECT 't' || lpad(i::text, 24, '0'), 's' || lpad(i::text, 24, '0'), 'task' || i,
                jsonb_set($2::jsonb, '{name}', to_jsonb('task' || i)), 1, 'running', 'pending'
           FROM generate_series(0, $1 - 1) AS i`,
        c.tasks,
        JSON.stringify(spec),
      );
      committing = performance.now();
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  return committing;
}

async function assignedCount(t: TestStore): Promise<number> {
  return t.store.prisma.task.count({ where: { state: "assigned" } });
}

/** One run: a fresh store and manager; returns ms from the commit until every task is ASSIGNED. */
async function run(kind: StoreKind, c: Case): Promise<number> {
  const t = await createTestStore(kind);
  const manager = await openManager(t);
  try {
    const started = await createNodesAndTasks(t, c);
    const done = new Promise<void>((resolve, reject) => {
      let checking = false;
      let again = false;
      const check = async (): Promise<void> => {
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        try {
          do {
            again = false;
            if ((await assignedCount(t)) === c.tasks) return resolve();
          } while (again);
        } catch (error) {
          reject(error);
        } finally {
          checking = false;
        }
      };
      manager.bus.on("tasksAssigned", () => void check());
    });
    // What the manager is told after the commit: the nodes (from the store), then the tasks.
    await manager.nodes.load();
    manager.bus.emit("tasksCreated", { tasks: Array.from({ length: c.tasks }, (_, i) => ({ serviceId: `s${String(i).padStart(24, "0")}`, slot: null, nodeId: null })) });
    // The loop's timers are unref'd, as a server's are; this keeps the bench alive meanwhile.
    const alive = setInterval(() => undefined, 1_000);
    try {
      await done;
    } finally {
      clearInterval(alive);
    }
    return performance.now() - started;
  } finally {
    manager.stop();
    await manager.scheduler.idle();
    await t.dispose();
  }
}

const label = (kind: StoreKind) => (kind === "pglite" ? "scheduler.store" : "scheduler.store.postgres");

for (const kind of testStoreKinds()) {
  for (const c of CASES) {
    if (only && !c.name.includes(only)) continue;
    // As Go's benchmark harness runs a benchmark before the iterations it reports, the
    // short workloads run once unreported (a server's code is warm); the long ones warm
    // up within their single run.
    const short = c.tasks * Math.max(1, c.nodes / 1000) <= 1e4;
    if (short) await run(kind, c);
    const times: number[] = [];
    const runs = short ? 5 : 1;
    for (let r = 0; r < runs; r++) {
      const ms = await run(kind, c);
      console.error(`# ${label(kind)}.${c.name} run ${r + 1}/${runs}: ${ms.toFixed(0)} ms`);
      times.push(ms);
    }
    const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    console.log(`${label(kind)}.${c.name}: ${ms.toFixed(0)} ms`);
    console.log(`${label(kind)}.${c.name}.vsSwarmKit: ${(ms / c.swarmkitMs).toFixed(3)} ratio`);
  }
}
