/**
 * server.flood.*: `/healthz` and admin-socket latency, in milliseconds, while 1,920 idle
 * connections from twelve loopback addresses press on both public listeners of a server
 * running under `ulimit -n 1024` (the flood of flood.integration.test.ts). Each `/healthz`
 * is a fresh connection from 127.0.0.1, as a health checker makes it. 200 of each;
 * the median and the 99th percentile are reported.
 */
import { createAdminClient } from "../client/index.js";
import { flood, floodAddresses, startLimitedServer, timedGet } from "../test-support/flood.js";
import { waitFor } from "../test-support/wait.js";

const SAMPLES = 200;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const server = await startLimitedServer(1024);
try {
  const url = new URL(server.url);
  const floods = await Promise.all([
    flood(url.hostname, Number(url.port), floodAddresses(12), 80),
    flood(server.nodeHost, server.nodePort, floodAddresses(12), 80),
  ]);
  for (const f of floods) await waitFor(() => f.open().total <= server.caps.total, "the flood to be cut to the caps", { timeoutMs: 5_000, intervalMs: 20 });
  console.error(`flood: http ${floods[0].open().total} and node ${floods[1].open().total} connections held (caps ${JSON.stringify(server.caps)})`);
  const admin = createAdminClient({ socketPath: server.socketPath });
  const health: number[] = [];
  const socket: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const answer = await timedGet(`${server.url}/healthz`);
    if (answer.status !== 200) throw new Error(`/healthz answered ${answer.status} under flood`);
    health.push(answer.ms);
    const started = performance.now();
    await admin.system.status.query();
    socket.push(performance.now() - started);
  }
  for (const f of floods) f.end();
  health.sort((a, b) => a - b);
  socket.sort((a, b) => a - b);
  console.log(`server.flood.healthzMs.p50: ${percentile(health, 50).toFixed(2)} ms`);
  console.log(`server.flood.healthzMs.p99: ${percentile(health, 99).toFixed(2)} ms`);
  console.log(`server.flood.adminSocketMs.p50: ${percentile(socket, 50).toFixed(2)} ms`);
  console.log(`server.flood.adminSocketMs.p99: ${percentile(socket, 99).toFixed(2)} ms`);
} finally {
  await server.stop();
}
