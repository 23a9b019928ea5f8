import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type TestEngine } from "../test-support/engines.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { freePort } from "../test-support/swarm.js";
import { issue, makeCa, type Pem } from "../test-support/tls.js";

/**
 * Connecting a swarm over TCP with client TLS (ADR 0020), against a real engine started
 * with `--tlsverify`: the right material connects and the key is sealed, never shown;
 * wrong material is refused with a sentence that says which side refused.
 */
describe("rampart env add over TLS, against a real engine with --tlsverify", () => {
  let s: TestServer;
  let engine: TestEngine;
  let port: number;
  let ca: Pem & { dir: string };
  let client: Pem;
  let stranger: Pem & { dir: string };
  let strangerClient: Pem;
  const rampart = (...args: string[]) => runCli(s.dataDir, ...args);
  const tlsFlags = (caPem: Pem, clientPem: Pem) => ["--tlscacert", caPem.certPath, "--tlscert", clientPem.certPath, "--tlskey", clientPem.keyPath];

  beforeAll(async () => {
    ca = makeCa("engine-ca");
    const server = issue(ca, "engine", "server");
    client = issue(ca, "rampart", "client");
    stranger = makeCa("stranger-ca");
    strangerClient = issue(stranger, "intruder", "client");
    port = await freePort();
    // Each is kept as soon as it is up, so that one failing to start leaves none of the others behind.
    await Promise.all([
      startTestServer("pglite").then((started) => (s = started)),
      startEngine("env-tls", { image: false, tls: { port, caPath: ca.certPath, certPath: server.certPath, keyPath: server.keyPath } }).then((started) => (engine = started)),
    ]);
    const init = engine.cli("swarm", "init", "--advertise-addr", "127.0.0.1:" + (await freePort()), "--listen-addr", "127.0.0.1:" + (await freePort()));
    if (init.status !== 0) throw new Error(`docker swarm init: ${init.stderr}`);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([s?.dispose(), engine?.stop()]);
  }, 120_000);

  it("fail/an engine certificate from a CA Rampart was not given: Rampart refused it", async () => {
    const r = await rampart("env", "add", "tls", "--docker-host", `tcp://127.0.0.1:${port}`, ...tlsFlags(stranger, strangerClient));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: Rampart refused the certificate of the engine at 127.0.0.1:${port}:`);
  });

  it("fail/a client certificate from another CA: the engine refused it", async () => {
    const r = await rampart("env", "add", "tls", "--docker-host", `tcp://127.0.0.1:${port}`, "--tlscacert", ca.certPath, "--tlscert", strangerClient.certPath, "--tlskey", strangerClient.keyPath);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Error: the engine at 127\\.0\\.0\\.1:${port} (refused Rampart's client certificate|closed the TLS handshake)`));
  });

  it("fail/a key that is not the certificate's is refused before any connection", async () => {
    const r = await rampart("env", "add", "tls", "--docker-host", `tcp://127.0.0.1:${port}`, "--tlscacert", ca.certPath, "--tlscert", client.certPath, "--tlskey", strangerClient.keyPath);
    expect(r).toMatchObject({ code: 1, stderr: "Error: the client key does not belong to the client certificate\n" });
  });

  it("fail/TLS material without all three parts names the missing ones", async () => {
    const r = await rampart("env", "add", "tls", "--docker-host", `tcp://127.0.0.1:${port}`, "--tlscacert", ca.certPath);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("TLS needs all three: the CA certificate, the client certificate and the client key");
  });

  it("fail/plain HTTP to the TLS port is told the engine speaks TLS", async () => {
    const r = await rampart("env", "add", "tls", "--docker-host", `tcp://127.0.0.1:${port}`, "--insecure");
    expect(r).toMatchObject({ code: 1, stderr: `Error: the engine at 127.0.0.1:${port} speaks TLS: give its CA, a client certificate and key\n` });
  });

  it("ok/the right material connects; the key is sealed in the store and no answer carries it", async () => {
    const r = await rampart("env", "add", "tls", "--docker-host", `tcp://127.0.0.1:${port}`, ...tlsFlags(ca, client));
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await rampart("env", "ls")).stdout).toMatch(new RegExp(`^tls +docker +tcp://127\\.0\\.0\\.1:${port} +TLS +\\w+ +Connected$`, "m"));
    const inspect = await rampart("env", "inspect", "tls");
    expect(JSON.parse(inspect.stdout)[0]).toMatchObject({ hasTlsKey: true, insecure: false, tlsCert: client.cert });
    const keyBody = client.key.split("\n")[1]!;
    expect(inspect.stdout).not.toContain("PRIVATE KEY");
    expect(inspect.stdout).not.toContain(keyBody);
    // In the store: sealed bytes, not the PEM.
    const row = await s.server.runtime.store.prisma.environment.findUniqueOrThrow({ where: { name: "tls" } });
    expect(Buffer.from(row.tlsKey!).toString("latin1")).not.toContain("PRIVATE KEY");
    expect(s.logs.join("")).not.toContain(keyBody);
    // Cluster commands go through the TLS connection.
    expect((await rampart("node", "ls", "-q", "--env", "tls")).stdout.trim()).toBe(engine.cli("info", "--format", "{{.Swarm.NodeID}}").stdout.trim());
  });
});
