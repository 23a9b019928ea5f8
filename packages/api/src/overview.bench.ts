/**
 * overview.summary.1kNodes10kTasks: milliseconds for `overview.summary` (the Overview's
 * counts and every warning producer over one snapshot of the store) with 1,000 nodes,
 * 50 services of 200 replicas (10,000 tasks), 50 secrets and 5,000 routine audit events,
 * through the procedure and the response transformer. overview.events.crowded: the
 * newest ten security events under those 5,000 routine ones. Medians of nine runs after
 * three unreported, on PGlite.
 */
import { createHarness } from "./test-support/harness.js";
import { transformer } from "./transformer.js";

const NODES = 1_000;
const SERVICES = 50;
const REPLICAS = 200;

const h = await createHarness("pglite");
try {
  const now = Date.now();
  const rows = Array.from({ length: NODES }, (_, i) => ({
    id: `n${String(i).padStart(24, "0")}`,
    hostname: `node-${i}`,
    role: "worker",
    labels: { zone: `zone-${i % 10}` },
    engineLabels: {},
    os: "linux",
    arch: "x86_64",
    nanoCpus: 64_000_000_000n,
    memoryBytes: 256_000_000_000n,
    engineVersion: "0.1.0",
    certSerial: "ab",
    certPem: "-----BEGIN CERTIFICATE-----",
    certRole: "swarm-worker",
    certNotBefore: new Date(now),
    certNotAfter: new Date(now + (i % 100 === 0 ? 5 : 90) * 86400_000),
    lastHeartbeatAt: new Date(now),
  }));
  for (let i = 0; i < rows.length; i += 1000) await h.t.store.prisma.node.createMany({ data: rows.slice(i, i + 1000) });
  await h.manager.nodes.load();
  const admin = await h.caller({ channel: "socket" });
  for (let i = 0; i < 50; i++) await admin.secret.create({ name: `bench_secret_${i}`, data: Buffer.from(`value-${i}`).toString("base64") });
  for (let i = 0; i < SERVICES; i++) {
    const constraints = i % 10 === 0 ? ["engine.labels.disk == ssd"] : ["node.labels.zone != none"];
    await admin.service.create({ name: `bench-${i}`, image: "nginx", replicas: REPLICAS, constraints });
  }
  await h.manager.audit.recordMany(
    Array.from({ length: 5_000 }, (_, i) => ({
      actor: { type: "user" as const, id: null, name: "admin" },
      action: "planner.whatif" as const,
      target: { type: "service" as const, id: null, name: `whatif-${i}` },
      outcome: "success" as const,
    })),
  );
  const tasks = await h.t.store.prisma.task.count();
  console.error(`# ${NODES} nodes, ${tasks} tasks, ${SERVICES} services`);

  async function median(run: () => Promise<unknown>): Promise<{ ms: number; bytes: number }> {
    let bytes = 0;
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const started = performance.now();
      bytes = JSON.stringify(transformer.output.serialize(await run())).length;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { ms: times[4]!, bytes };
  }

  const summary = await median(() => admin.overview.summary());
  console.log(`overview.summary.1kNodes10kTasks: ${summary.ms.toFixed(0)} ms`);
  console.log(`overview.summary.1kNodes10kTasks.bytes: ${summary.bytes} B`);
  const events = await median(() => admin.overview.events({ limit: 10 }));
  console.log(`overview.events.crowded: ${events.ms.toFixed(1)} ms`);
} finally {
  await h.dispose();
}
