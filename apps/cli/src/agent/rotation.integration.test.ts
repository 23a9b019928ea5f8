import { execFileSync } from "node:child_process";
import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStoreKinds } from "@rampart/db/testing";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { waitFor } from "../test-support/wait.js";
import { describeThisMachine, fileStore, memoryStore, NodeAgent, type AgentIdentity } from "./agent.js";
import { createNodeClient } from "./client.js";
import { csrFor } from "../server/identity.js";

const admin = { type: "user" as const, id: "u-test", name: "admin" };
const system = { type: "system" as const, id: null, name: "test" };

const CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;

/** `openssl verify` of a node's certificate file against `rootPem`, with whatever follows the leaf as untrusted intermediates. */
function opensslVerify(dir: string, certFilePem: string, rootPem: string): string {
  const [leaf, ...rest] = certFilePem.match(CERT) ?? [];
  const root = join(dir, "root.pem");
  const leafPath = join(dir, "leaf.pem");
  const untrusted = join(dir, "untrusted.pem");
  writeFileSync(root, rootPem);
  writeFileSync(leafPath, leaf ?? "");
  writeFileSync(untrusted, rest.join(""));
  const args = ["verify", "-CAfile", root, ...(rest.length > 0 ? ["-untrusted", untrusted] : []), leafPath];
  try {
    return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`.trim();
  }
}

describe.each(testStoreKinds())("root CA rotation with real agents over mTLS on %s", (kind) => {
  let s: TestServer;
  let work: string;
  const agents: NodeAgent[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    s = await startTestServer(kind, { nodeListen: "127.0.0.1:0" });
    work = mkdtempSync(join(tmpdir(), "rampart-rotation-"));
  });
  afterAll(async () => {
    for (const a of agents) a.stop();
    await s?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  const manager = () => s.server.runtime.manager;

  async function startAgent(name: string, token: string, dir?: string): Promise<{ agent: NodeAgent; identity: AgentIdentity; dir: string }> {
    const stateDir = dir ?? join(work, name);
    const agent = new NodeAgent({ address: s.server.nodeAddress, token, description: describeThisMachine("test", name, {}), store: fileStore(stateDir) });
    const identity = await agent.join();
    agent.start();
    agents.push(agent);
    dirs.push(stateDir);
    return { agent, identity, dir: stateDir };
  }

  it("ok/five agents rotate to a new root; old and new certificates both work meanwhile; the old token and root are refused after", async () => {
    const oldToken = await manager().cluster.revealToken("worker", system, null);
    const oldRoot = manager().cluster.current().ca.rootPem;
    const started = await Promise.all(["rot-a", "rot-b", "rot-c", "rot-d", "rot-e"].map((n) => startAgent(n, oldToken)));
    await waitFor(async () => (await manager().nodes.list()).filter((n) => n.hostname.startsWith("rot-") && n.tls.status === "ready").length === 5, "five agents presenting their certificates", { timeoutMs: 20_000 });

    // E stops before the rotation: the rotation waits for it, which keeps it in progress here.
    const e = started[4]!;
    e.agent.stop();
    const { version } = manager().cluster.current().record;
    await manager().cluster.changeCa({ version, signingCaCert: "", signingCaKey: "", forceRotate: true }, admin, null);
    const rotation = manager().cluster.current().record.rootRotation;
    expect(rotation).not.toBeNull();
    const newRoot = rotation!.caCert;
    expect(newRoot).not.toBe(oldRoot);

    // A–D renew at once, under the cross-signed intermediate.
    await waitFor(
      async () => (await Promise.all(started.slice(0, 4).map((a) => manager().nodes.get(a.identity.nodeId)))).every((n) => n.tls.status === "ready"),
      "A–D rotated",
      { timeoutMs: 60_000 },
    );
    expect(manager().cluster.current().record.rootRotation).not.toBeNull();
    const aCert = readFileSync(fileStore(started[0]!.dir).files.certPath, "utf8");
    expect(aCert.match(CERT)).toHaveLength(2);
    // During the rotation a new certificate verifies against the old root, through the intermediate, and against the new root.
    expect(opensslVerify(work, aCert, oldRoot)).toMatch(/: OK$/);
    expect(opensslVerify(work, aCert, newRoot)).toMatch(/: OK$/);

    // A node still on its old certificate and a node on a new one both talk to the manager.
    const eIdentity = fileStore(e.dir).load()!;
    expect(opensslVerify(work, eIdentity.certPem, oldRoot)).toMatch(/: OK$/);
    const tlsOf = (i: AgentIdentity) => ({ ca: i.rootPem, key: i.key.export({ type: "pkcs8", format: "pem" }).toString(), cert: i.certPem });
    const oldClient = createNodeClient(s.server.nodeAddress, tlsOf(eIdentity));
    const newClient = createNodeClient(s.server.nodeAddress, tlsOf(fileStore(started[0]!.dir).load()!));
    const [oldBeat, newBeat] = await Promise.all([oldClient.heartbeat(), newClient.heartbeat()]);
    oldClient.close();
    newClient.close();
    expect(oldBeat.role).toBe("worker");
    expect(newBeat.role).toBe("worker");
    expect(oldBeat.rootDigest).toBe(newBeat.rootDigest);

    const progress = manager().rootRotation.progress();
    // Not yet counted down (three heartbeats), or already: either way it holds the rotation up.
    expect(progress.get(e.identity.nodeId)?.state).toMatch(/^(pending|unreachable)$/);
    // A–D and the server's own node, which renews on its own session.
    await waitFor(() => [...manager().rootRotation.progress().values()].filter((p) => p.state === "rotated").length >= 5, "A–D and the server's own node rotated", { timeoutMs: 60_000 });

    // E comes back: asked to renew, it does, and the rotation finishes.
    const back = await startAgent("rot-e", "", e.dir);
    expect(back.identity.nodeId).toBe(e.identity.nodeId);
    await waitFor(() => manager().cluster.current().record.rootRotation === null, "the rotation to finish", { timeoutMs: 60_000 });
    const after = manager().cluster.current();
    expect(after.ca.rootPem).toBe(newRoot);
    expect(after.record.rootRotatedAt).not.toBeNull();

    // Every node takes the new root, and its certificate verifies against it.
    const running = [...started.slice(0, 4).map((a) => a.agent), back.agent];
    await waitFor(() => running.every((a) => a.current!.rootPem === newRoot), "every agent to hold the new root", { timeoutMs: 60_000 });
    for (const dir of [...new Set(dirs)]) {
      const files = fileStore(dir).files;
      expect(readFileSync(files.rootPath, "utf8")).toBe(newRoot);
      expect(opensslVerify(work, readFileSync(files.certPath, "utf8"), newRoot), dir).toMatch(/: OK$/);
    }

    // The join tokens were made again with the new digest: the old one is refused on both sides.
    const newToken = await manager().cluster.revealToken("worker", system, null);
    expect(newToken).not.toBe(oldToken);
    expect(newToken.split("-")[2]).not.toBe(oldToken.split("-")[2]);
    const stale = new NodeAgent({ address: s.server.nodeAddress, token: oldToken, description: describeThisMachine("test", "stale", {}), store: memoryStore() });
    await expect(stale.join()).rejects.toThrow(/remote CA does not match fingerprint/);
    const raw = createNodeClient(s.server.nodeAddress, { ca: oldRoot });
    const csr = csrFor(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    await expect(raw.join({ token: oldToken, csr, description: describeThisMachine("test", "stale-raw", {}) })).rejects.toMatchObject({
      status: 400,
      message: "A valid join token is necessary to join this cluster",
    });
    raw.close();
    // With the new token a node joins under the new root, and its certificate has no intermediate.
    const fresh = await startAgent("rot-f", newToken);
    expect(fresh.identity.certPem.match(CERT)).toHaveLength(1);
    expect(new X509Certificate(fresh.identity.certPem).verify(new X509Certificate(newRoot).publicKey)).toBe(true);

    const audit = (await manager().audit.list({ limit: 200 })).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["ca.rotate", "ca.rotated"]));
  }, 300_000);

  it("ok/a node that never comes back is taken out of the wait by removing it", async () => {
    const token = await manager().cluster.revealToken("worker", system, null);
    const gone = await startAgent("rot-gone", token);
    await waitFor(async () => (await manager().nodes.get(gone.identity.nodeId)).tls.status === "ready", "rot-gone presenting its certificate", { timeoutMs: 20_000 });
    gone.agent.stop();
    const { version } = manager().cluster.current().record;
    await manager().cluster.changeCa({ version, signingCaCert: "", signingCaKey: "", forceRotate: true }, admin, null);
    await waitFor(() => [...manager().rootRotation.progress().entries()].filter(([id, p]) => id !== gone.identity.nodeId && p.state !== "rotated").length === 0, "every other node rotated", { timeoutMs: 60_000 });
    expect(manager().cluster.current().record.rootRotation).not.toBeNull();
    expect((await manager().nodes.get(gone.identity.nodeId)).tls.status).toBe("needs-rotation");
    await manager().nodes.remove(gone.identity.nodeId, true, admin, null);
    await waitFor(() => manager().cluster.current().record.rootRotation === null, "the rotation to finish without it", { timeoutMs: 60_000 });
  }, 240_000);
});
