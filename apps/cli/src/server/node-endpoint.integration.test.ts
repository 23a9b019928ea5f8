import { generateKeyPairSync } from "node:crypto";
import { request } from "node:https";
import { testStoreKinds } from "@rampart/db/testing";
import { createRootCa, verifyCsr } from "@rampart/manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrFor } from "./identity.js";
import { startTestServer, type TestServer } from "../test-support/server.js";

/**
 * The node endpoint against a real TLS client: each refusal Swarm's model requires,
 * through a real handshake, and each one audited.
 */
interface Identity {
  key: string;
  cert: string;
}

describe.each(testStoreKinds())("node endpoint over mTLS on %s", (kind) => {
  let s: TestServer;
  let root: string;

  beforeAll(async () => {
    s = await startTestServer(kind, { nodeListen: "127.0.0.1:0" });
    root = s.server.runtime.manager.cluster.current().ca.rootPem;
  });
  afterAll(async () => {
    await s?.dispose();
  });

  function call(method: string, path: string, identity?: Identity, body?: unknown): Promise<{ status: number; json: { error?: string } & Record<string, unknown> }> {
    const [host, port] = s.server.nodeAddress.split(":");
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port: Number(port),
          path,
          method,
          ca: root,
          servername: "swarm-ca",
          ...(identity ?? {}),
          headers: payload ? { "content-type": "application/json" } : {},
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode!, json: text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : { text } }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** A certificate from this swarm's CA, with whatever the test needs. */
  function issue(opts: { role?: "worker" | "manager"; clusterId?: string; nodeId?: string; now?: Date; expiryMs?: number } = {}): Identity & { nodeId: string } {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const { record, ca } = s.server.runtime.manager.cluster.current();
    const nodeId = opts.nodeId ?? "abcdefghijklmnopqrstuvwxy";
    const issued = ca.issue({
      csr: verifyCsr(csrFor(privateKey)),
      nodeId,
      role: opts.role ?? "worker",
      clusterId: opts.clusterId ?? record.id,
      expiryMs: opts.expiryMs ?? 3_600_000,
      now: opts.now ?? new Date(),
    });
    return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: issued.pem, nodeId };
  }

  async function joinWorker(hostname: string): Promise<Identity & { nodeId: string }> {
    const manager = s.server.runtime.manager;
    const token = await manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const result = await call("POST", "/v1/join", undefined, {
      token,
      csr: csrFor(privateKey),
      description: { hostname, os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} },
    });
    expect(result.status).toBe(200);
    return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: result.json.certificatePem as string, nodeId: result.json.nodeId as string };
  }

  it("ok/the root CA is served to anyone, byte for byte", async () => {
    const r = await call("GET", "/v1/ca");
    expect(r.json.text).toBe(root);
  });

  it("ok/a joined worker heartbeats and learns the period and its role", async () => {
    const worker = await joinWorker("tls-worker-1");
    const r = await call("POST", "/v1/heartbeat", worker, {});
    expect(r).toEqual({ status: 200, json: { heartbeatPeriodMs: 5000, role: "worker" } });
  });

  it.each([
    ["a missing client certificate", () => undefined, "POST", "/v1/heartbeat", "Permission denied: no client certificate was presented"],
    ["a self-signed certificate", () => selfSigned(), "POST", "/v1/heartbeat", "Permission denied: certificate not trusted"],
    ["a certificate of another cluster (different O)", () => issue({ clusterId: "otherclusterxxxxxxxxxxxxx" }), "POST", "/v1/heartbeat", "Permission denied: remote certificate not part of organization:"],
    ["an expired certificate", () => issue({ now: new Date(Date.now() - 3 * 86400_000) }), "POST", "/v1/heartbeat", "CERT_HAS_EXPIRED"],
    ["a worker certificate on a manager-only route", () => issue({ role: "worker" }), "GET", "/v1/nodes", "Permission denied: remote certificate not part of OUs: [swarm-manager]"],
  ] as const)("fail/%s is refused and audited", async (label, identity, method, path, message) => {
    const before = (await s.server.runtime.manager.audit.list({ action: "node.refused", limit: 200 })).length;
    const r = await call(method, path, identity(), method === "POST" ? {} : undefined);
    expect(r.status, label).toBe(403);
    expect(r.json.error).toContain(message);
    const after = await s.server.runtime.manager.audit.list({ action: "node.refused", limit: 200 });
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ outcome: "denied", reason: r.json.error });
  });

  it("ok/a manager certificate may use the manager-only route", async () => {
    const r = await call("GET", "/v1/nodes", issue({ role: "manager", nodeId: s.server.runtime.local.nodeId }));
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json)).toBe(true);
  });

  it("fail/a removed node is refused, also after a restart", async () => {
    const worker = await joinWorker("tls-worker-removed");
    expect((await call("POST", "/v1/heartbeat", worker, {})).status).toBe(200);
    await s.server.runtime.manager.nodes.remove(worker.nodeId, true, { type: "system", id: null, name: "test" }, null);
    const refused = await call("POST", "/v1/heartbeat", worker, {});
    expect(refused).toMatchObject({ status: 403, json: { error: `Permission denied: node ${worker.nodeId} was removed from swarm` } });
    await s.restart();
    root = s.server.runtime.manager.cluster.current().ca.rootPem;
    const again = await call("POST", "/v1/heartbeat", worker, {});
    expect(again.json.error).toBe(`Permission denied: node ${worker.nodeId} was removed from swarm`);
    expect((await call("POST", "/v1/renew", worker, { csr: "x" })).status).toBe(403);
  });

  it("fail/bad bodies are 4xx, never 5xx", async () => {
    const worker = await joinWorker("tls-worker-bad-input");
    expect((await call("POST", "/v1/join", undefined, { token: 1 })).status).toBe(400);
    expect((await call("POST", "/v1/join", undefined, { token: "x", csr: "y", description: {} })).status).toBe(400);
    expect((await call("POST", "/v1/renew", worker, { csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n" })).status).toBe(400);
    expect((await call("POST", "/v1/heartbeat", worker, { extra: true })).status).toBe(400);
    expect((await call("GET", "/v1/nope")).status).toBe(404);
  });
});

/** A self-signed certificate with a plausible swarm subject: it must not be trusted. */
function selfSigned(): Identity {
  const { certPem, key } = createRootCa(new Date());
  return { key: key.export({ type: "pkcs8", format: "pem" }).toString(), cert: certPem };
}
