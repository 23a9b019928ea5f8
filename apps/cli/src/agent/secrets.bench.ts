/**
 * secrets.deliver.500: from granting one secret to a service of 500 tasks (one per
 * node) until all 500 simulated nodes hold it, over the real protocol against a real
 * server on PGlite. Granting a secret changes the task spec, so, as in Swarm, every task
 * is replaced: the figure includes rescheduling 500 tasks, each node's long poll
 * waking, its fetch of the secret (authorised per node and audited), and its report.
 */
import { Writable } from "node:stream";
import { defaultServiceSpec } from "@rampart/core";
import { createLogger } from "../server/log.js";
import { startTestServer } from "../test-support/server.js";
import { simulate } from "./simulate.js";
import { waitFor } from "../test-support/wait.js";

const NODES = 500;
const system = { type: "system" as const, id: null, name: "bench" };
/** Looks often (the figure is a latency) and long (a loaded machine is slow). */
const patiently = { timeoutMs: 60_000, intervalMs: 10 };

// At the server's default log level (info), as it runs in production; tests log at debug.
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0", log: createLogger("info", discard) });
try {
  const manager = s.server.runtime.manager;
  const token = await manager.cluster.revealToken("worker", system, null);
  const holders = new Set<number>();
  let secretId = "";
  const sim = await simulate({
    address: s.server.nodeAddress,
    token,
    nodes: NODES,
    prefix: "bench",
    version: "bench",
    concurrency: 32,
    events: (index) => ({
      task(task, state) {
        if (state === "running" && task.secrets.some((ref) => ref.secretId === secretId)) holders.add(index);
      },
    }),
  });
  for (const agent of sim.agents) agent.start();
  await waitFor(() => manager.nodes.constraintNodes().filter((n) => n.state === "ready").length >= NODES + 1, "all nodes Ready", patiently);
  const spec = defaultServiceSpec({ name: "web", image: "nginx:alpine", replicas: NODES, constraints: ["node.role == worker"], maxReplicasPerNode: 1 });
  const service = await manager.services.create(spec, system, null);
  await waitFor(async () => (await manager.services.list()).find((v) => v.id === service.id)!.running === NODES, "all tasks running", patiently);
  const secret = await manager.secrets.create({ name: "bench_secret", data: new TextEncoder().encode("s3cr3t-value"), labels: {} }, system, null);
  secretId = secret.id;

  const started = performance.now();
  const current = await manager.services.get(service.id);
  await manager.services.update(
    service.id,
    current.version,
    { ...spec, secrets: [{ secretId, secretName: secret.name, target: "db_password", uid: "0", gid: "0", mode: 0o400 }] },
    system,
    null,
  );
  await waitFor(() => holders.size === NODES, "every node to hold the secret", patiently);
  const ms = performance.now() - started;
  console.log(`secrets.deliver.${NODES}: ${ms.toFixed(0)} ms`);
  sim.stop();
} finally {
  await s.dispose();
}
