import { generateKeyPairSync, sign } from "node:crypto";
import { Agent, request } from "node:https";
import { connect } from "node:tls";
import { toPem } from "@rampart/core";
import { hostileCertificates } from "@rampart/core/testing";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrFor } from "./identity.js";
import { joinWorker as joinNode, startTestServer, type TestServer } from "../test-support/server.js";

/**
 * Hostile clients against the node endpoint's real TLS listener: certificates built to
 * make a reader work (thousands of extensions, huge OIDs, maximum length), bodies over
 * the limit, CSRs with two blocks, renegotiation.
 */
interface Identity {
  key: string;
  cert: string;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { error?: string } & Record<string, unknown>;
}

const NO_VERIFIED_CHAIN = "Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = no verified chains for remote certificate";
const READ = "node certificate read";

describe.each(testStoreKinds())("node endpoint against hostile clients on %s", (kind) => {
  let s: TestServer;
  let root: string;

  beforeAll(async () => {
    s = await startTestServer(kind, { nodeListen: "127.0.0.1:0" });
    root = s.server.runtime.manager.cluster.current().ca.rootPem;
  });
  afterAll(async () => {
    await s?.dispose();
  });

  function call(method: string, path: string, options: { identity?: Identity; agent?: Agent; body?: string } = {}): Promise<Reply> {
    const [host, port] = s.server.nodeAddress.split(":");
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port: Number(port),
          path,
          method,
          ca: root,
          servername: "swarm-ca",
          // The client side must accept to send what the test builds (an unknown signature algorithm).
          ciphers: "DEFAULT:@SECLEVEL=0",
          ...(options.identity ?? {}),
          ...(options.agent ? { agent: options.agent } : {}),
          headers: options.body === undefined ? {} : { "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, json: text.startsWith("{") ? JSON.parse(text) : { text } }));
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
  }

  const joinWorker = (hostname: string) => joinNode(s, hostname, (body) => call("POST", "/v1/join", { body: JSON.stringify(body) }));

  const reads = () => s.logs.filter((line) => line.includes(READ)).map((line) => JSON.parse(line) as { bytes: number });

  it("fail/hostile certificates are refused unread while a node on the same listener is answered, its certificate read once per connection", async () => {
    const worker = await joinWorker("hostile-neighbour");
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
    const key = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const hostile = hostileCertificates(spki, (data) => new Uint8Array(sign("sha256", data, privateKey)), new Date());
    const readsBefore = reads().length;

    // 32 keep-alive connections with hostile certificates, three requests each, in
    // parallel with 20 heartbeats of a real node on one keep-alive connection.
    const attackers = Array.from({ length: 32 }, (_, i) => ({
      agent: new Agent({ keepAlive: true, maxSockets: 1 }),
      identity: { key, cert: toPem(hostile[i % hostile.length]!.der, "CERTIFICATE") },
    }));
    const nodeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const attack = Promise.all(
        attackers.map(async ({ agent, identity }) => {
          const replies: Reply[] = [];
          for (let i = 0; i < 3; i++) replies.push(await call("POST", "/v1/heartbeat", { identity, agent, body: "{}" }));
          return replies;
        }),
      );
      const node = (async () => {
        const replies: Reply[] = [];
        for (let i = 0; i < 20; i++) replies.push(await call("POST", "/v1/heartbeat", { identity: worker, agent: nodeAgent, body: "{}" }));
        return replies;
      })();
      const healthz = fetch(`${s.server.url}/healthz`);
      const [attacked, served, health] = await Promise.all([attack, node, healthz]);

      expect(attacked.flat().map((r) => [r.status, r.json.error])).toEqual(Array.from({ length: 96 }, () => [403, NO_VERIFIED_CHAIN]));
      expect(served.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
      expect(health.status).toBe(200);
      // One read for the node's one connection, however many requests it carried; none of a hostile certificate.
      const read = reads().slice(readsBefore);
      expect(read).toHaveLength(1);
      expect(read[0]!.bytes).toBeLessThan(2000);
      // Every hostile certificate was the size the attack used, and the refusals quote none of it.
      for (const h of hostile) expect(h.der.length).toBeGreaterThan(50_000);
      expect(s.logs.join("").length).toBeLessThan(2_000_000);
    } finally {
      for (const { agent } of attackers) agent.destroy();
      nodeAgent.destroy();
    }

    // A second connection of the same node is read once more.
    const second = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) expect((await call("POST", "/v1/heartbeat", { identity: worker, agent: second, body: "{}" })).status).toBe(200);
    } finally {
      second.destroy();
    }
    expect(reads().length - readsBefore).toBe(2);
  });

  it("fail/a client cannot renegotiate, so a connection's certificate never changes", async () => {
    const worker = await joinWorker("hostile-renegotiate");
    const [host, port] = s.server.nodeAddress.split(":");
    const socket = connect({ host, port: Number(port), ca: root, servername: "swarm-ca", maxVersion: "TLSv1.2", ...worker });
    try {
      await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
      const outcome = await new Promise<string>((resolve) => {
        socket.once("error", (error) => resolve(`error: ${error.message}`));
        socket.once("close", () => resolve("closed"));
        socket.renegotiate({ rejectUnauthorized: false }, (error) => {
          if (error) resolve(`error: ${error.message}`);
          else resolve("renegotiated");
        });
        // Renegotiation happens as data flows: ask for something.
        socket.write("GET /v1/ca HTTP/1.1\r\nhost: swarm-ca\r\n\r\n");
      });
      expect(outcome).not.toBe("renegotiated");
    } finally {
      socket.destroy();
    }
  });

  it("fail/a body over 64 KiB gets its 413 and then the connection closes, never a reset", async () => {
    const worker = await joinWorker("hostile-large-body");
    for (const size of [70 * 1024, 512 * 1024]) {
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify({ description: "x".repeat(size) });
        const reply = await call("POST", "/v1/heartbeat", { identity: worker, body });
        expect(reply.status, `${size} bytes`).toBe(413);
        expect(reply.json).toEqual({ error: "the request body is larger than 65536 bytes" });
        expect(reply.headers.connection).toBe("close");
      }
    }
  });

  it("fail/a CSR with two PEM blocks is a 400 that says so, on join and renew", async () => {
    const worker = await joinWorker("hostile-two-blocks");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const two = csrFor(privateKey) + csrFor(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    const error = "invalid CSR: expected one PEM CERTIFICATE REQUEST block, found more than one PEM block";
    expect((await call("POST", "/v1/renew", { identity: worker, body: JSON.stringify({ csr: two }) })).json).toEqual({ error });
    const token = await s.server.runtime.manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
    const description = { hostname: "two-blocks", os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} };
    const joined = await call("POST", "/v1/join", { body: JSON.stringify({ token, csr: two, description }) });
    expect(joined).toMatchObject({ status: 400, json: { error } });
    // A key block beside the request is a second block too.
    const withKey = csrFor(privateKey) + privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(await call("POST", "/v1/renew", { identity: worker, body: JSON.stringify({ csr: withKey }) })).toMatchObject({ status: 400, json: { error } });
  });

  it("fail/an unknown route quotes only a short prefix of the path", async () => {
    const reply = await call("GET", `/v1/${"a".repeat(4000)}`);
    expect(reply.status).toBe(404);
    expect(reply.json.error!.length).toBeLessThan(120);
  });
});
