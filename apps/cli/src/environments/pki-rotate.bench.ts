/**
 * pki.rotate.swarm.3: Docker Swarm rotating its own root CA on a real swarm of three
 * private engines (one manager, two workers), start to finish, as `docker swarm ca
 * --rotate` runs it on the manager: the update that makes the new root, then the docker
 * CLI's own wait (its progress display, root_rotation.go, polling every 200 ms) until
 * every node presents a certificate from the new root, the rotation is over and every
 * node trusts the new root. This is the anchor DESIGN.md §6 compares a root rotation
 * with.
 *
 * pki.rotate.swarm.3.rampart: the same rotation on the same engines started through
 * Rampart's API (`pki.rotate` with the environment, over the admin socket) and followed
 * with `pki.status` every 200 ms until Docker's own end (no rotation, three nodes Ready,
 * three on the trust root): what Rampart adds to Docker's rotation. `.ratio` is Rampart's
 * over Docker's (at most 1: no slower than the docker CLI).
 *
 * Each figure is the median of RUNS rotations, the two ways taking turns.
 */
import { execFile } from "node:child_process";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { createAdminClient } from "../client/index.js";
import { createLogger } from "../server/log.js";
import { startTestServer } from "../test-support/server.js";
import { startSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

const RUNS = 3;
const system = { type: "system" as const, id: null, name: "bench" };
const run = promisify(execFile);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const swarm = await startSwarm(["rotb-manager", "rotb-worker-1", "rotb-worker-2"]);
const docker: number[] = [];
const rampart: number[] = [];
try {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const s = await startTestServer("pglite", { log: createLogger("info", discard) });
  try {
    await s.server.runtime.manager.environments.add({ name: "bench", dockerHost: swarm.leader.host }, system, null);
    const api = createAdminClient({ socketPath: s.server.socketPath, env: "bench" });
    /** Docker's own end of a rotation (root_rotation.go's `done`): none under way, every node Ready, on the trust root. */
    const atRest = async (other?: string) => {
      const status = await api.pki.status.query();
      return status.rotation === null && status.counts.ready === 3 && status.counts.trustRootCurrent === 3 && status.trustRoot.digest !== other;
    };
    for (let i = 0; i < RUNS; i++) {
      // Every rotation starts from a swarm at rest.
      await waitFor(() => atRest(), "the swarm to be at rest", { timeoutMs: 120_000, intervalMs: 200 });
      docker.push(await timed(() => run("docker", ["-H", swarm.leader.host, "swarm", "ca", "--rotate", "--quiet"]).then(() => undefined)));

      await waitFor(() => atRest(), "the swarm to be at rest", { timeoutMs: 120_000, intervalMs: 200 });
      const before = await api.pki.status.query();
      rampart.push(
        await timed(async () => {
          await api.pki.rotate.mutate({ version: before.version });
          await waitFor(() => atRest(before.trustRoot.digest), "the rotation started through Rampart to finish", { timeoutMs: 120_000, intervalMs: 200 });
        }),
      );
      process.stderr.write(`run ${i + 1}: docker ${docker.at(-1)!.toFixed(0)} ms, through Rampart ${rampart.at(-1)!.toFixed(0)} ms\n`);
    }
  } finally {
    await s.dispose();
  }
} finally {
  await swarm.stop();
}

const theirs = median(docker);
const ours = median(rampart);
console.log(`pki.rotate.swarm.3: ${theirs.toFixed(0)} ms`);
console.log(`pki.rotate.swarm.3.rampart: ${ours.toFixed(0)} ms`);
console.log(`pki.rotate.swarm.3.ratio: ${(ours / theirs).toFixed(2)} x`);
