import { generateKeyPairSync, sign } from "node:crypto";
import { buildCsr, MAX_JSON_DEPTH, toPem } from "@rampart/core";
import { request } from "node:https";
import { testStoreKinds } from "@rampart/db/testing";
import { createCertificateAuthority, createRootCa, verifyCsr } from "@rampart/manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrFor } from "./identity.js";
import { joinWorker as joinNode, startTestServer, type TestServer } from "../test-support/server.js";

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
    // A string is sent as it is: the raw text of a body.
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
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
    const issued = ca.local!.issue({
      csr: verifyCsr(csrFor(privateKey)),
      nodeId,
      role: opts.role ?? "worker",
      clusterId: opts.clusterId ?? record.id,
      expiryMs: opts.expiryMs ?? 3_600_000,
      now: opts.now ?? new Date(),
    });
    return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: issued.pem, nodeId };
  }

  const joinWorker = (hostname: string) => joinNode(s, hostname, (body) => call("POST", "/v1/join", undefined, body));

  it("ok/the root CA is served to anyone, byte for byte", async () => {
    const r = await call("GET", "/v1/ca");
    expect(r.json.text).toBe(root);
  });

  it("ok/a joined worker heartbeats and learns the period and its role", async () => {
    const worker = await joinWorker("tls-worker-1");
    const r = await call("POST", "/v1/heartbeat", worker, {});
    // With the dispatcher session's messages: no renewal asked for, and the trust root's digest.
    const digest = s.server.runtime.manager.cluster.current().ca.rootDigestHex;
    expect(r).toEqual({ status: 200, json: { heartbeatPeriodMs: 5000, role: "worker", rotate: false, rootDigest: digest } });
  });

  it("ok/a node renaming itself through a heartbeat is audited with its ID and both names", async () => {
    const worker = await joinWorker("tls-renamer");
    const description = { hostname: "tls-renamed", os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} };
    expect((await call("POST", "/v1/heartbeat", worker, { description })).status).toBe(200);
    const events = await s.server.runtime.manager.audit.list({ action: "node.rename", limit: 10 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: "node",
      actorId: worker.nodeId,
      targetId: worker.nodeId,
      targetName: "tls-renamed",
      reason: "hostname changed from tls-renamer to tls-renamed",
    });
    // The same description again is no rename.
    expect((await call("POST", "/v1/heartbeat", worker, { description })).status).toBe(200);
    expect(await s.server.runtime.manager.audit.list({ action: "node.rename", limit: 10 })).toHaveLength(1);
  });

  /** What a refused node is told: ca/auth.go's reason, wrapped as AuthorizeForwardedRoleAndOrg wraps it. */
  const peerRole = (inner: string) => `Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = ${inner}`;
  const clusterId = () => s.server.runtime.manager.cluster.current().record.id;
  const refusals: Array<[string, () => Identity | undefined, "GET" | "POST", string, () => string, string]> = [
    ["a missing client certificate", () => undefined, "POST", "/v1/heartbeat", () => peerRole("no client certificates in request"), ""],
    ["a self-signed certificate", () => selfSigned(), "POST", "/v1/heartbeat", () => peerRole("no verified chains for remote certificate"), ""],
    [
      "a certificate of another cluster (different O)",
      () => issue({ clusterId: "otherclusterxxxxxxxxxxxxx" }),
      "POST",
      "/v1/heartbeat",
      () => peerRole(`Permission denied: remote certificate not part of organization: ${clusterId()}`),
      "",
    ],
    [
      "an expired certificate",
      () => issue({ now: new Date(Date.now() - 3 * 86400_000) }),
      "POST",
      "/v1/heartbeat",
      () => peerRole("no verified chains for remote certificate"),
      "CERT_HAS_EXPIRED",
    ],
    [
      "a worker certificate on a manager-only route",
      () => issue({ role: "worker" }),
      "GET",
      "/v1/nodes",
      () => peerRole("Permission denied: remote certificate not part of OUs: [swarm-manager]"),
      "",
    ],
    [
      "a certificate from another CA with this cluster's O and a manager OU",
      () => foreignCaCertificate(s.server.runtime.manager.cluster.current().record.id),
      "GET",
      "/v1/nodes",
      () => peerRole("no verified chains for remote certificate"),
      "",
    ],
  ];
  it.each(refusals)("fail/%s is refused in Swarm's words and audited", async (label, identity, method, path, message, detail) => {
    const before = (await s.server.runtime.manager.audit.list({ action: "node.refused", limit: 200 })).length;
    const r = await call(method, path, identity(), method === "POST" ? {} : undefined);
    expect(r.status, label).toBe(403);
    expect(r.json.error).toBe(message());
    const after = await s.server.runtime.manager.audit.list({ action: "node.refused", limit: 200 });
    expect(after.length).toBe(before + 1);
    // The audit keeps what TLS said about the chain, which the node is not told.
    expect(after[0]).toMatchObject({ outcome: "denied", reason: expect.stringContaining(r.json.error!) });
    expect(after[0]!.reason).toContain(detail);
  });

  it.each([
    ["fail/a token that is not the cluster's", { token: "SWMTKN-1-x-y" }],
    ["fail/a token longer than any the cluster makes", { token: "x".repeat(300) }],
    ["fail/an empty token", { token: "" }],
  ])("%s: invalid argument, in ca/server.go's words", async (_n, body) => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const description = { hostname: "tls-bad-token", os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} };
    const r = await call("POST", "/v1/join", undefined, { ...body, csr: csrFor(privateKey), description });
    expect(r).toEqual({ status: 400, json: { error: "A valid join token is necessary to join this cluster" } });
  });

  it("fail/an empty CSR is refused before the token is looked at, as ca/server.go does", async () => {
    const description = { hostname: "tls-no-csr", os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} };
    const r = await call("POST", "/v1/join", undefined, { token: "SWMTKN-1-x-y", csr: "", description });
    expect(r).toEqual({ status: 400, json: { error: "InvalidArgument" } });
    // A renewal is the same RPC in Swarm, with the same first check.
    const worker = await joinWorker("tls-renew-no-csr");
    expect(await call("POST", "/v1/renew", worker, { csr: "" })).toEqual({ status: 400, json: { error: "InvalidArgument" } });
  });

  it("fail/a heartbeat from a certificate whose node is not registered is the dispatcher's not found", async () => {
    const r = await call("POST", "/v1/heartbeat", issue({ nodeId: "notregisteredxxxxxxxxxxxx" }), {});
    expect(r).toEqual({ status: 404, json: { error: "node not registered" } });
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
    expect(refused).toMatchObject({ status: 403, json: { error: peerRole(`Permission denied: node ${worker.nodeId} was removed from swarm`) } });
    await s.restart();
    root = s.server.runtime.manager.cluster.current().ca.rootPem;
    const again = await call("POST", "/v1/heartbeat", worker, {});
    expect(again.json.error).toBe(peerRole(`Permission denied: node ${worker.nodeId} was removed from swarm`));
    expect((await call("POST", "/v1/renew", worker, { csr: "x" })).status).toBe(403);
  });

  it("fail/a CSR whose key is not a point on the curve is a 400, not a 500", async () => {
    const worker = await joinWorker("tls-worker-off-curve");
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
    spki[spki.length - 1] = spki[spki.length - 1]! ^ 0x01; // the last byte of Y: the point leaves the curve
    const csr = toPem(buildCsr(spki, (info) => new Uint8Array(sign("sha256", info, privateKey))), "CERTIFICATE REQUEST");
    const r = await call("POST", "/v1/renew", worker, { csr });
    expect(r).toMatchObject({ status: 400, json: { error: "invalid CSR: its public key is not a valid point on the curve" } });
  });

  it("fail/control characters in what a node reports are a 400", async () => {
    const worker = await joinWorker("tls-worker-escapes");
    const description = { hostname: "x", os: "linux\u001b[31m", arch: "x86_64", nanoCpus: 1, memoryBytes: 1, engineVersion: "v", engineLabels: {} };
    expect((await call("POST", "/v1/heartbeat", worker, { description })).status).toBe(400);
    const nul = { ...description, os: "linux", engineLabels: { "a\u0000b": "c" } };
    expect((await call("POST", "/v1/heartbeat", worker, { description: nul })).status).toBe(400);
  });

  it("fail/C1 controls and bidirectional characters at join and in heartbeats are a 400 naming the field and the code point, and nothing is stored", async () => {
    const manager = s.server.runtime.manager;
    const token = await manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
    const base = { hostname: "tls-worker-bidi", os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} };
    const join = (description: Record<string, unknown>) =>
      call("POST", "/v1/join", undefined, { token, csr: csrFor(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey), description: { ...base, ...description } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ hostname: "gnp\u202eexe" }, "description.hostname: contains U+202E (a bidirectional override)"],
      [{ os: "linux\u009b31m" }, "description.os: contains U+009B (a C1 control character)"],
      [{ engineVersion: "v\u009d0;title\u009c" }, "description.engineVersion: contains U+009D (a C1 control character)"],
      [{ engineLabels: { zone: "a\u2066b" } }, "description.engineLabels.zone: contains U+2066 (a bidirectional isolate)"],
      // The key is part of the path: it comes back escaped, never raw.
      [{ engineLabels: { "zone\u202e": "a" } }, "description.engineLabels.zone\\u{202e}: contains U+202E (a bidirectional override)"],
      [{ genericResources: { "gpu\u200f": 1 } }, "description.genericResources.gpu\\u{200f}: contains U+200F (a bidirectional mark)"],
    ];
    for (const [description, error] of cases) {
      expect(await join(description), JSON.stringify(description)).toEqual({ status: 400, json: { error } });
    }
    expect(manager.nodes.constraintNodes().some((n) => n.hostname.includes("exe"))).toBe(false);

    const worker = await joinWorker("tls-worker-bidi-beat");
    const beat = await call("POST", "/v1/heartbeat", worker, { description: { ...base, hostname: "tls-worker-bidi-beat", arch: "x86\u061c64" } });
    expect(beat).toEqual({ status: 400, json: { error: "description.arch: contains U+061C (a bidirectional mark)" } });
    expect((await call("POST", "/v1/heartbeat", worker, { description: { ...base, hostname: "tls-worker-bidi-beat" } })).status).toBe(200);
  });

  it("fail/a demoted node's manager certificate no longer opens manager-only routes", async () => {
    const worker = await joinWorker("tls-worker-demoted");
    const manager = s.server.runtime.manager;
    await manager.nodes.promote(worker.nodeId, { type: "system", id: null, name: "test" }, null);
    const asManager = issue({ role: "manager", nodeId: worker.nodeId });
    expect((await call("GET", "/v1/nodes", asManager)).status).toBe(200);
    await manager.nodes.demote(worker.nodeId, { type: "system", id: null, name: "test" }, null);
    const r = await call("GET", "/v1/nodes", asManager);
    expect(r).toMatchObject({ status: 403, json: { error: `Permission denied: node ${worker.nodeId} is not a manager` } });
  });

  it("fail/bad bodies are 4xx, never 5xx", async () => {
    const worker = await joinWorker("tls-worker-bad-input");
    expect((await call("POST", "/v1/join", undefined, { token: 1 })).status).toBe(400);
    expect((await call("POST", "/v1/join", undefined, { token: "x", csr: "y", description: {} })).status).toBe(400);
    expect((await call("POST", "/v1/renew", worker, { csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n" })).status).toBe(400);
    expect((await call("POST", "/v1/heartbeat", worker, { extra: true })).status).toBe(400);
    expect((await call("GET", "/v1/nope")).status).toBe(404);
  });

  it.each([
    ["60 KB of open brackets", "[".repeat(60 * 1024)],
    ["a description nested one level too deep", `{"description":{"engineLabels":${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}}}`],
  ])("fail/a body of %s is a 400 naming the depth limit, before it is parsed", async (_label, body) => {
    const worker = await joinWorker(`tls-worker-deep-${body.length}`);
    expect(await call("POST", "/v1/heartbeat", worker, body)).toEqual({
      status: 400,
      json: { error: `the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep` },
    });
    expect(await call("POST", "/v1/heartbeat", worker, `{"description":{"engineLabels":${"[".repeat(MAX_JSON_DEPTH - 2)}${"]".repeat(MAX_JSON_DEPTH - 2)}}}`)).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining("description") },
    });
  });

  it("fail/odd request targets and task reports are 4xx, and the server stays up", async () => {
    const worker = await joinWorker("tls-worker-odd-targets");
    // `new URL` throws on these; the endpoint must not.
    for (const target of ["//", "//a:b", "//x/v1/assignments", "/v1/assignments?known=%zz", "/v1/ca?" + "a".repeat(2000)]) {
      expect((await call("GET", target, worker)).status).toBeLessThan(500);
    }
    expect((await call("POST", "/v1/tasks/status", worker, { taskId: "nope", state: "running" })).status).toBe(400);
    // A task that does not exist gets the answer another node's task gets (Swarm's words), so IDs cannot be probed.
    expect(await call("POST", "/v1/tasks/status", worker, { taskId: "abcdefghijklmnopqrstuvwxy", state: "running" })).toEqual({
      status: 403,
      json: { error: "cannot update a task not assigned this node" },
    });
    expect((await call("POST", "/v1/tasks/status", worker, { taskId: "abcdefghijklmnopqrstuvwxy", state: "dancing" })).status).toBe(400);
    // The batch form: each update is checked and named by its place; at most 16; never empty.
    const update = { taskId: "abcdefghijklmnopqrstuvwxy", state: "accepted" };
    expect(await call("POST", "/v1/tasks/status", worker, { updates: [update, { ...update, state: "dancing" }] })).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/^updates\.1\.state: /) },
    });
    expect((await call("POST", "/v1/tasks/status", worker, { updates: Array.from({ length: 17 }, () => update) })).status).toBe(400);
    expect((await call("POST", "/v1/tasks/status", worker, { updates: [] })).status).toBe(400);
    expect((await call("POST", "/v1/tasks/status", worker, { updates: [update], taskId: update.taskId })).status).toBe(400);
    expect((await call("POST", "/v1/tasks/status", worker, { updates: [update, update] })).status).toBe(403);
    expect((await call("GET", "/v1/ca")).status).toBe(200);
    expect(s.logs.join("")).not.toContain("node endpoint request failed");
  });
});

/** A manager certificate for this cluster, issued by a CA that is not this swarm's. */
function foreignCaCertificate(clusterId: string): Identity {
  const foreign = createRootCa(new Date());
  const ca = createCertificateAuthority(foreign.certPem, foreign.key);
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const issued = ca.issue({ csr: verifyCsr(csrFor(privateKey)), nodeId: "impostorxxxxxxxxxxxxxxxxx", role: "manager", clusterId, expiryMs: 3_600_000, now: new Date() });
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: issued.pem };
}

/** A self-signed CA certificate presented as a client certificate: it must not be trusted. */
function selfSigned(): Identity {
  const { certPem, key } = createRootCa(new Date());
  return { key: key.export({ type: "pkcs8", format: "pem" }).toString(), cert: certPem };
}
