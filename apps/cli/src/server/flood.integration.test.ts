import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../client/index.js";
import { flood, floodAddresses, startLimitedServer, timedGet, type Flood, type LimitedServer } from "../test-support/flood.js";
import { waitFor } from "../test-support/wait.js";

/**
 * Idle connections must not use up the server's file descriptors. The server runs in a
 * process of its own with `ulimit -n 1024`; twelve loopback addresses open 80 idle
 * connections each to both public listeners (1,920 in all, past every cap). While they
 * hold on, `/healthz`, the node endpoint and the admin socket answer from 127.0.0.1, and
 * the server still has descriptors to spare; then the timeouts close the flood.
 */
const OPEN_FILES = 1024;
const SOURCES = floodAddresses(12);
const PER_SOURCE = 80;

describe("a flood of idle connections", () => {
  let server: LimitedServer;
  let http: Flood;
  let node: Flood;
  /** Descriptors held with the store warmed up, before the flood. */
  let baseline: number;

  beforeAll(async () => {
    server = await startLimitedServer(OPEN_FILES);
    await timedGet(`${server.url}/healthz`);
    await createAdminClient({ socketPath: server.socketPath }).system.status.query();
    baseline = server.openDescriptors();
    const url = new URL(server.url);
    [http, node] = await Promise.all([
      flood(url.hostname, Number(url.port), SOURCES, PER_SOURCE),
      flood(server.nodeHost, server.nodePort, SOURCES, PER_SOURCE),
    ]);
  });
  afterAll(async () => {
    http?.end();
    node?.end();
    await server?.stop();
  });

  it("ok/the caps come from the open-file limit", () => {
    // (1024 − 256 reserved) / 2 listeners − the probe address's own 64.
    expect(server.caps).toEqual({ perAddress: 64, total: 320 });
  });

  it("fail/each listener holds at most its caps: the rest are closed at once", async () => {
    for (const f of [http, node]) {
      await waitFor(() => f.open().total <= server.caps.total, "the flood to be cut to the cap", { timeoutMs: 5_000, intervalMs: 20 });
      expect(f.open().total).toBe(server.caps.total);
      expect(f.open().maxPerAddress).toBeLessThanOrEqual(server.caps.perAddress);
    }
    expect(server.openDescriptors()).toBeLessThan(OPEN_FILES - 128);
  });

  it("ok/healthz, the node endpoint and the admin socket still answer", async () => {
    const health = await timedGet(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", store: { reachable: true } });

    const started = performance.now();
    const status = await createAdminClient({ socketPath: server.socketPath }).system.status.query();
    const socketMs = performance.now() - started;
    expect(status).toBeTruthy();

    const ca = await new Promise<number>((resolve, reject) => {
      const req = request({ host: server.nodeHost, port: server.nodePort, path: "/v1/ca", rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.end();
    });
    expect(ca).toBe(200);
    // Recorded, not asserted (figures belong to `pnpm bench`: server.flood.*).
    console.info(`under flood: /healthz ${health.ms.toFixed(1)} ms, admin socket ${socketMs.toFixed(1)} ms`);
  });

  it("ok/each cap that was hit is logged once, naming it, not once per connection", () => {
    const lines = server.logs.filter((l) => String(l.msg).startsWith("connection cap reached"));
    expect(lines.map((l) => `${String(l.listener)} ${String(l.cap)}`).sort()).toEqual(["http perAddress", "http total", "node perAddress", "node total"]);
    expect(lines.find((l) => l.listener === "node" && l.cap === "total")?.msg).toBe("connection cap reached: node listener, total (320)");
  });

  it("ok/the handshake and header timeouts close the idle connections that were let in", async () => {
    // No ClientHello within 10 s (Node's default was 120 s).
    await waitFor(() => node.open().total === 0, "the node endpoint to drop connections that never shake hands", { timeoutMs: 30_000, intervalMs: 250 });
    // No request line within the header timeout (20 s, checked every 5 s).
    await waitFor(() => http.open().total === 0, "the HTTP listener to drop connections that never send a request", { timeoutMs: 45_000, intervalMs: 250 });
    expect((await timedGet(`${server.url}/healthz`)).status).toBe(200);
    // Back to what it held before the flood (the store keeps its files open), give or take.
    expect(server.openDescriptors()).toBeLessThan(baseline + 16);
  });
});
