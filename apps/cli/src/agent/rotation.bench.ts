/**
 * pki.rotate.native.3 and pki.rotate.100: seconds for a root CA rotation of a real
 * `rampart server` (PGlite store) to finish, from `swarm ca --rotate` to the new trust
 * root in force, with 3 and then 100 agents joined over the real protocol (simulated
 * agents run the real TLS, renewal and session code in one process). Target (issue 15):
 * 100 in under 10 s. Also printed: pki.rotate.100.roots, until every node holds the new
 * trust root (the second progress line).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAdminClient } from "../client/index.js";
import { serverReadyUrl } from "../test-support/cli.js";
import { simulate, type Simulation } from "./simulate.js";

const main = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "rampart-bench-rotation-"));
const server = spawn(
  process.execPath,
  [main, "server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0", "--log-level", "warn"],
  { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, DATABASE_URL: "" } },
);
const sims: Simulation[] = [];

try {
  await serverReadyUrl(server);
  const admin = createAdminClient({ socketPath: join(dataDir, "rampart.sock") });
  const { nodeAddress } = await admin.swarm.info.query();

  async function allReady(nodes: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await admin.pki.status.query();
      if (status.counts.nodes === nodes && status.counts.ready === nodes && status.rotation === null) return;
      if (Date.now() > deadline) {
        const rows = (await admin.pki.nodes.query({ tlsStatus: "unknown", limit: 5 })).rows.concat((await admin.pki.nodes.query({ tlsStatus: "needs-rotation", limit: 5 })).rows);
        throw new Error(`only ${status.counts.ready} of ${nodes} nodes ready; e.g. ${JSON.stringify(rows.map((r) => [r.hostname, r.state, r.tlsStatus, r.issuer, r.issuance]))}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function joinAgents(count: number, prefix: string): Promise<void> {
    const { token } = await admin.swarm.revealToken.mutate({ role: "worker" });
    const sim = await simulate({ address: nodeAddress, token, nodes: count, prefix, version: "bench", concurrency: 16 });
    if (sim.failed.length > 0) throw new Error(`${sim.failed.length} joins failed: ${sim.failed[0]}`);
    for (const agent of sim.agents) agent.start();
    sims.push(sim);
  }

  /** Seconds from the rotate call until the rotation is over, and until every node holds the new root. */
  async function rotate(nodes: number): Promise<{ finished: number; roots: number }> {
    const { version } = await admin.swarm.info.query();
    const started = performance.now();
    await admin.pki.rotate.mutate({ version });
    let finished = 0;
    for (;;) {
      const status = await admin.pki.status.query();
      if (finished === 0 && status.rotation === null) finished = (performance.now() - started) / 1000;
      if (finished > 0 && status.counts.trustRootCurrent === nodes) return { finished, roots: (performance.now() - started) / 1000 };
      if (performance.now() - started > 180_000) throw new Error(`the rotation did not finish in 3 minutes: ${JSON.stringify(status.counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  await joinAgents(3, "rot3");
  await allReady(4);
  const three = await rotate(4);
  console.log(`pki.rotate.native.3: ${three.finished.toFixed(2)} s`);

  await joinAgents(97, "rot100");
  await allReady(101);
  const hundred = await rotate(101);
  console.log(`pki.rotate.100: ${hundred.finished.toFixed(2)} s`);
  console.log(`pki.rotate.100.roots: ${hundred.roots.toFixed(2)} s`);
} finally {
  for (const sim of sims) sim.stop();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dataDir, { recursive: true, force: true });
}
