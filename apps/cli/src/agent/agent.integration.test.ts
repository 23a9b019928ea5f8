import { X509Certificate } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { describeThisMachine, fileStore, memoryStore, NodeAgent } from "./agent.js";
import { simulate } from "./simulate.js";
import { waitFor } from "../test-support/wait.js";

const system = { type: "system" as const, id: null, name: "test" };

describe("rampart agent against a real server", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
    token = await s.server.runtime.manager.cluster.revealToken("worker", system, null);
  });
  afterAll(async () => {
    await s?.dispose();
  });


  it("ok/joins, keeps its key 0600 on disk, heartbeats to Ready, and reports its description", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "rampart-agent-")), "state");
    const store = fileStore(dir);
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", "agent-one", { zone: "eu-1" }),
      store,
    });
    const identity = await agent.join();
    expect(statSync(store.files.keyPath).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(identity.certPem).subject).toContain(`CN=${identity.nodeId}`);
    agent.start();
    await waitFor(async () => (await s.server.runtime.manager.nodes.get(identity.nodeId)).state === "ready", "Ready", { timeoutMs: 10_000 });
    const node = await s.server.runtime.manager.nodes.get(identity.nodeId);
    expect(node).toMatchObject({ hostname: "agent-one", engineLabels: { zone: "eu-1" }, role: "worker" });
    expect(node.resources).toEqual({ nanoCpus: availableParallelism() * 1e9, memoryBytes: totalmem(), generic: {} });
    agent.stop();
    // A restarted agent resumes with what is on disk, without a token.
    const again = new NodeAgent({ address: s.server.nodeAddress, token: undefined, description: describeThisMachine("test", "agent-one", {}), store: fileStore(dir) });
    expect((await again.join()).nodeId).toBe(identity.nodeId);
    again.stop();
  });

  it("ok/renews at once when promoted, and its new certificate carries the manager OU", async () => {
    let renewed = "";
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", "agent-two", {}),
      store: memoryStore(),
      events: { renewed: (_i, reason) => (renewed = reason) },
    });
    const identity = await agent.join();
    agent.start();
    await s.server.runtime.manager.nodes.promote(identity.nodeId, system, null);
    await waitFor(() => agent.current?.role === "manager", "the renewal", { timeoutMs: 10_000 });
    expect(renewed).toBe("role changed to manager");
    expect(new X509Certificate(agent.current!.certPem).subject).toContain("OU=swarm-manager");
    agent.stop();
  }, 30_000);

  it("fail/a refused token and a foreign CA give Swarm's messages", async () => {
    const bad = new NodeAgent({ address: s.server.nodeAddress, token: `${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`, description: describeThisMachine("test", "x", {}), store: memoryStore() });
    await expect(bad.join()).rejects.toThrow("A valid join token is necessary to join this cluster");
    const foreign = new NodeAgent({
      address: s.server.nodeAddress,
      token: "SWMTKN-1-04u4pfuuas7f5vbsi6bekf6kvmnl8j324xk5112ry4yi1sr4sp-000avh9he7dy896m08s18udxr",
      description: describeThisMachine("test", "x", {}),
      store: memoryStore(),
    });
    await expect(foreign.join()).rejects.toThrow(
      "remote CA does not match fingerprint. Expected: 05640c26f5eae68ec6cd6e4c45da13afe62791b948979d9ac54982ce716b3109",
    );
  });

  it("fail/a removed node is told, and says, what a Swarm node is told", async () => {
    let refused: string | undefined;
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", "agent-removed", {}),
      store: memoryStore(),
      events: { refused: (message) => (refused = message) },
    });
    const identity = await agent.join();
    await s.server.runtime.manager.nodes.remove(identity.nodeId, true, system, null);
    agent.start();
    await waitFor(() => refused !== undefined, "the refusal", { timeoutMs: 10_000 });
    expect(refused).toBe(
      `Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = Permission denied: node ${identity.nodeId} was removed from swarm`,
    );
    agent.stop();
  });

  it("fail/a token that is not the cluster's is an invalid argument (400), not a refusal of this node", async () => {
    const wrong = `${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`;
    const agent = new NodeAgent({ address: s.server.nodeAddress, token: wrong, description: describeThisMachine("test", "y", {}), store: memoryStore() });
    await expect(agent.join()).rejects.toMatchObject({ status: 400, message: "A valid join token is necessary to join this cluster" });
  });

  it("ok/simulate joins many nodes, each with its own identity, over the real protocol", async () => {
    const sim = await simulate({ address: s.server.nodeAddress, token, nodes: 20, prefix: "simtest", version: "test" });
    expect(sim.failed).toEqual([]);
    const ids = new Set(sim.agents.map((a) => a.current!.nodeId));
    expect(ids.size).toBe(20);
    const nodes = (await s.server.runtime.manager.nodes.list()).filter((n) => n.hostname.startsWith("simtest-"));
    expect(nodes).toHaveLength(20);
    expect(new Set(nodes.map((n) => n.engineLabels.zone)).size).toBe(10);
    sim.stop();
  });
});

describe("rampart agent when its manager goes away", () => {
  it("ok/stops at once while it waits to poll again, instead of waiting out its backoff", async () => {
    const s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
    const token = await s.server.runtime.manager.cluster.revealToken("worker", system, null);
    let waits = 0;
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", "agent-backoff", {}),
      store: memoryStore(),
      // An hour: if shutdown() waited it out, this test would time out.
      pollRetryMs: () => {
        waits++;
        return 3_600_000;
      },
    });
    await agent.join();
    agent.start();
    await s.dispose();
    await waitFor(() => waits >= 1, "a failed poll of the stopped manager", { timeoutMs: 20_000 });
    await agent.shutdown();
  }, 30_000);
});
