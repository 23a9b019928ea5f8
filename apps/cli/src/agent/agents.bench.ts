/**
 * agents.join.1000: seconds for 1,000 simulated agents to join a real `rampart server`
 * (PGlite store) over the real protocol: fetch and pin the root, key and CSR, join,
 * certificate back. Target (DESIGN.md §6): under 10 s.
 * heartbeat.1000.cpu: the server process's CPU while those 1,000 agents heartbeat every
 * 5 s, as a percentage of one core, read from /proc over 30 s after a 10 s warm-up.
 * Target: under 20 %.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeNodeList } from "@rampart/api/schema";
import { createAdminClient } from "../client/index.js";
import { serverReadyUrl } from "../test-support/cli.js";
import { simulate } from "./simulate.js";

const NODES = Number(process.env.RAMPART_BENCH_AGENTS ?? 1000);
const main = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "rampart-bench-agents-"));

const server = spawn(
  process.execPath,
  [main, "server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0", "--log-level", "warn"],
  { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, DATABASE_URL: "" } },
);

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

try {
  await serverReadyUrl(server);
  const admin = createAdminClient({ socketPath: join(dataDir, "rampart.sock") });
  const { nodeAddress } = await admin.swarm.info.query();
  const { token } = await admin.swarm.revealToken.mutate({ role: "worker" });

  const serverBefore = cpuTicks(server.pid!);
  const clientBefore = process.cpuUsage();
  const sim = await simulate({ address: nodeAddress, token, nodes: NODES, prefix: "bench", version: "bench", concurrency: 32 });
  const client = process.cpuUsage(clientBefore);
  console.error(
    `join phase CPU: server ${((cpuTicks(server.pid!) - serverBefore) / 100).toFixed(1)} s, agents ${((client.user + client.system) / 1e6).toFixed(1)} s`,
  );
  if (sim.failed.length > 0) throw new Error(`${sim.failed.length} joins failed: ${sim.failed[0]}`);
  console.log(`agents.join.${NODES}: ${(sim.joinMs / 1000).toFixed(2)} s`);

  for (const agent of sim.agents) agent.start();
  await new Promise((r) => setTimeout(r, 10_000));
  const ticksPerSecond = 100;
  const before = cpuTicks(server.pid!);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, 30_000));
  const seconds = (performance.now() - started) / 1000;
  const used = (cpuTicks(server.pid!) - before) / ticksPerSecond;
  console.log(`heartbeat.${NODES}.cpu: ${((used / seconds) * 100).toFixed(1)} %`);
  const nodes = decodeNodeList(await admin.node.list.query());
  console.log(`heartbeat.${NODES}.ready: ${nodes.filter((n) => n.state === "ready").length} nodes`);
  const t0 = performance.now();
  await admin.node.list.query();
  console.log(`node.ls.${nodes.length}: ${(performance.now() - t0).toFixed(0)} ms`);
  sim.stop();
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dataDir, { recursive: true, force: true });
}
