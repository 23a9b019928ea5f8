/**
 * Real containers, side by side with Docker Swarm on the same four engines (ADR 0019):
 * - tasks.start.100: a 100-replica service on 4 docker-backed agents, from create until
 *   all 100 containers run (as the engines list them);
 * - secrets.mount.100: 100 tasks that each read a secret at /run/secrets and exit 0,
 *   from create until every one has (exited 0, so it read it).
 * Then Docker Swarm does the same on the same engines (`swarm init` on one, `join` on the
 * others, `service create --replicas 100`), and each figure is printed with Swarm's and
 * the ratio (Rampart / Swarm: at most 1 means no slower than Swarm).
 */
import { createServer } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { defaultContainerSpec, defaultServiceSpec } from "@rampart/core";
import { createLogger } from "../../server/log.js";
import { startEngines, TEST_IMAGE, type TestEngine } from "../../test-support/engines.js";
import { startTestServer } from "../../test-support/server.js";
import { waitFor } from "../../test-support/wait.js";
import { memoryStore, NodeAgent } from "../agent.js";
import { tmpfsSecretStore } from "../secrets.js";
import { LABEL } from "./container-config.js";
import { setUpRuntime } from "./index.js";

const REPLICAS = 100;
const system = { type: "system" as const, id: null, name: "bench" };
const patiently = { timeoutMs: 600_000, intervalMs: 100 };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Running containers with `label`, on every engine. */
async function running(engines: readonly TestEngine[], label: string): Promise<number> {
  let n = 0;
  for (const e of engines) n += (await e.docker.listContainers({ filters: { label: [label], status: ["running"] } })).length;
  return n;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const engines = await startEngines(["bench-1", "bench-2", "bench-3", "bench-4"]);
const figures: Record<string, number> = {};
try {
  // ---- Rampart: a server (whose own node has no engine) and four docker-backed agents.
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0", log: createLogger("info", discard) });
  const roots: string[] = [];
  const agents: NodeAgent[] = [];
  try {
    const manager = s.server.runtime.manager;
    const token = await manager.cluster.revealToken("worker", system, null);
    for (const engine of engines) {
      const setup = await setUpRuntime("docker", { dockerHost: engine.host, env: {}, version: "bench", hostname: undefined, labels: {}, generic: {} });
      const root = mkdtempSync("/dev/shm/rampart-bench-secrets-");
      roots.push(root);
      const agent = new NodeAgent({ address: s.server.nodeAddress, token, description: setup.description, store: memoryStore(), secrets: tmpfsSecretStore(root), executor: setup.executor! });
      await agent.join();
      agent.start();
      agents.push(agent);
    }
    await waitFor(() => manager.nodes.constraintNodes().filter((n) => n.state === "ready" && n.role === "worker").length === 4, "four Ready workers", patiently);

    const sleeper = defaultContainerSpec({ command: ["sleep", "600"], stopGracePeriodNs: 1e9 });
    figures["tasks.start.100"] = await timed(async () => {
      await manager.services.create(defaultServiceSpec({ name: "web", image: TEST_IMAGE, replicas: REPLICAS, constraints: ["node.role == worker"], container: sleeper }), system, null);
      await waitFor(async () => (await running(engines, `${LABEL.serviceName}=web`)) === REPLICAS, "100 Rampart containers running", patiently);
    });
    await manager.services.remove("web", system, null);
    await waitFor(async () => (await running(engines, `${LABEL.serviceName}=web`)) === 0, "web's containers to go", patiently);

    const secret = await manager.secrets.create({ name: "bench_secret", data: new TextEncoder().encode("bench-s3cr3t"), labels: {} }, system, null);
    const reader = defaultContainerSpec({ command: ["sh", "-c", "cat /run/secrets/bench_secret > /dev/null && sleep 600"], stopGracePeriodNs: 1e9 });
    figures["secrets.mount.100"] = await timed(async () => {
      await manager.services.create(
        defaultServiceSpec({
          name: "readers",
          image: TEST_IMAGE,
          replicas: REPLICAS,
          constraints: ["node.role == worker"],
          container: reader,
          secrets: [{ secretId: secret.id, secretName: secret.name, target: "bench_secret", uid: "0", gid: "0", mode: 0o400 }],
        }),
        system,
        null,
      );
      // A reader runs on only after `cat` succeeded; it is counted once its sleep has started.
      await waitFor(async () => (await sleepersAfterRead(engines, `${LABEL.serviceName}=readers`)) === REPLICAS, "100 Rampart containers to read the secret", patiently);
    });
    await manager.services.remove("readers", system, null);
    await waitFor(async () => (await running(engines, `${LABEL.serviceName}=readers`)) === 0, "readers' containers to go", patiently);
  } finally {
    for (const agent of agents) await agent.shutdown();
    await s.dispose();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }

  // ---- Docker Swarm on the same engines.
  const ports = await Promise.all(engines.map(() => freePort()));
  const init = engines[0]!.cli("swarm", "init", "--advertise-addr", `127.0.0.1:${ports[0]}`, "--listen-addr", `127.0.0.1:${ports[0]}`);
  if (init.status !== 0) throw new Error(`docker swarm init: ${init.stderr}`);
  const joinToken = engines[0]!.cli("swarm", "join-token", "-q", "worker").stdout.trim();
  for (let i = 1; i < engines.length; i++) {
    const joined = engines[i]!.cli("swarm", "join", "--token", joinToken, "--advertise-addr", `127.0.0.1:${ports[i]}`, "--listen-addr", `127.0.0.1:${ports[i]}`, `127.0.0.1:${ports[0]}`);
    if (joined.status !== 0) throw new Error(`docker swarm join: ${joined.stderr}`);
  }
  const swarm = engines[0]!;
  await waitFor(() => swarm.cli("node", "ls", "-q").stdout.trim().split("\n").length === 4, "four Swarm nodes", patiently);
  figures["tasks.start.100.swarm"] = await timed(async () => {
    const created = swarm.cli("service", "create", "--detach", "--no-resolve-image", "--name", "web", "--replicas", String(REPLICAS), "--stop-grace-period", "1s", TEST_IMAGE, "sleep", "600");
    if (created.status !== 0) throw new Error(`docker service create: ${created.stderr}`);
    await waitFor(async () => (await running(engines, "com.docker.swarm.service.name=web")) === REPLICAS, "100 Swarm containers running", patiently);
  });
  swarm.cli("service", "rm", "web");
  await waitFor(async () => (await running(engines, "com.docker.swarm.service.name=web")) === 0, "Swarm's web containers to go", patiently);

  const secretDir = mkdtempSync("/tmp/rampart-bench-swarm-secret-");
  writeFileSync(join(secretDir, "value"), "bench-s3cr3t");
  const secretMade = swarm.cli("secret", "create", "bench_secret", join(secretDir, "value"));
  rmSync(secretDir, { recursive: true, force: true });
  if (secretMade.status !== 0) throw new Error(`docker secret create: ${secretMade.stderr}`);
  figures["secrets.mount.100.swarm"] = await timed(async () => {
    const created = swarm.cli(
      "service", "create", "--detach", "--no-resolve-image", "--name", "readers", "--replicas", String(REPLICAS), "--stop-grace-period", "1s",
      "--secret", "bench_secret", TEST_IMAGE, "sh", "-c", "cat /run/secrets/bench_secret > /dev/null && sleep 600",
    );
    if (created.status !== 0) throw new Error(`docker service create: ${created.stderr}`);
    await waitFor(async () => (await sleepersAfterRead(engines, "com.docker.swarm.service.name=readers")) === REPLICAS, "100 Swarm containers to read the secret", patiently);
  });
  swarm.cli("service", "rm", "readers");
} finally {
  for (const engine of engines) await engine.stop();
}

for (const [name, ms] of Object.entries(figures)) console.log(`${name}: ${ms.toFixed(0)} ms`);
for (const base of ["tasks.start.100", "secrets.mount.100"]) {
  const ours = figures[base];
  const theirs = figures[`${base}.swarm`];
  if (ours !== undefined && theirs !== undefined) console.log(`${base}.ratio: ${(ours / theirs).toFixed(2)} x`);
}

/**
 * Running containers whose main process is already past reading the secret: `sleep` is
 * running, which it only does after `cat` succeeded (`&&`). Read from the engine's `top`.
 */
async function sleepersAfterRead(list: readonly TestEngine[], label: string): Promise<number> {
  let n = 0;
  for (const e of list) {
    const running = await e.docker.listContainers({ filters: { label: [label], status: ["running"] } });
    const tops = await Promise.all(
      running.map((c) =>
        e.docker
          .getContainer(c.Id)
          .top()
          .then((top: { Processes?: string[][] }) => (top.Processes ?? []).some((p) => p.some((col) => col.startsWith("sleep 600"))))
          .catch(() => false),
      ),
    );
    n += tops.filter(Boolean).length;
  }
  return n;
}
