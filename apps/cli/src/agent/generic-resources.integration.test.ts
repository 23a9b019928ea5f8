import { defaultServiceSpec } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClient } from "../client/index.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { waitFor } from "../test-support/wait.js";
import { describeThisMachine, memoryStore, NodeAgent } from "./agent.js";

const system = { type: "system" as const, id: null, name: "test" };

/**
 * A node's generic resources, from `--generic-resource` to placement: the agent
 * advertises them, the manager stores them, and the scheduler and the constraint
 * enforcer hand them out. The server's own node advertises none.
 */
describe.each(testStoreKinds())("generic resources advertised by an agent, on %s", (kind) => {
  let s: TestServer;
  let client: AdminClient;
  let token: string;
  const agents: NodeAgent[] = [];

  beforeAll(async () => {
    s = await startTestServer(kind, { nodeListen: "127.0.0.1:0" });
    client = createAdminClient({ socketPath: s.server.socketPath });
    token = await s.server.runtime.manager.cluster.revealToken("worker", system, null);
  });
  afterAll(async () => {
    for (const agent of agents) agent.stop();
    await s?.dispose();
  });

  function agentWith(hostname: string, genericResources: Record<string, number>): NodeAgent {
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", hostname, {}, genericResources),
      store: memoryStore(),
    });
    agents.push(agent);
    return agent;
  }

  let nodeId: string;
  const tasks = async () => (await s.server.runtime.manager.services.get("trainer")).tasks;

  it("ok/the node's API output and node inspect show what it advertised", async () => {
    const agent = agentWith("gpu-1", { gpu: 2 });
    ({ nodeId } = await agent.join());
    agent.start();
    expect((await client.node.get.query({ ref: nodeId })).resources.generic).toEqual({ gpu: 2 });
    const pretty = await runCli(s.dataDir, "node", "inspect", "--pretty", "gpu-1");
    expect(pretty.stdout).toMatch(/\nResources:\n CPUs:\t+\S+\n Memory:\t+\S+\n Generic Resources:\n {2}gpu=2\nEngine Version:/);
    const other = (await client.node.get.query({ ref: s.server.runtime.manager.nodes.schedulerNodes().find((n) => n.id !== nodeId)!.id })).resources;
    expect(other.generic).toEqual({});
  });

  it("ok/two gpus, tasks reserving one each: two run there, the rest wait with the scheduler's reason", async () => {
    const manager = s.server.runtime.manager;
    await waitFor(() => manager.nodes.constraintNodes().filter((n) => n.state === "ready").length === 2, "two Ready nodes");
    await manager.services.create(
      defaultServiceSpec({ name: "trainer", image: "trainer:1", replicas: 2, reservations: { nanoCpus: 0, memoryBytes: 0, generic: { gpu: 1 } } }),
      system,
      null,
    );
    await waitFor(async () => (await tasks()).filter((t) => t.state === "running").length === 2, "two running tasks");
    // Scaled once the gpus are taken, so every pass over the new tasks finds both nodes short.
    await manager.services.scale("trainer", 4, system, null);
    await waitFor(async () => (await tasks()).filter((t) => t.state === "pending" && t.err !== null).length === 2, "two tasks pending with a reason");
    const all = await tasks();
    expect(all.filter((t) => t.state === "running").every((t) => t.nodeId === nodeId)).toBe(true);
    // The agent's gpus are taken; the server's own node has no container engine here (ADR 0019).
    for (const t of all.filter((x) => x.state === "pending")) {
      expect(t.err).toBe("no suitable node (1 node not available for new tasks; insufficient resources on 1 node)");
    }
  }, 60_000);

  it("ok/a node that advertises fewer gpus loses tasks to the constraint enforcer", async () => {
    const description = { ...describeThisMachine("test", "gpu-1", {}), genericResources: { gpu: 1 } };
    await s.server.runtime.manager.nodes.updateDescription(nodeId, description, null);
    await waitFor(async () => (await tasks()).filter((t) => t.desiredState === "running" && t.nodeId === nodeId).length === 1, "one task left on the node");
  }, 60_000);

  it.each([
    [{ gpu: 0 }, "generic resource gpu must be a positive whole number, got 0"],
    [{ gpu: 1.5 }, "generic resource gpu must be a positive whole number, got 1.5"],
    [{ "g pu": 1 }, "invalid generic resource kind \"g pu\": at most 128 characters, without spaces, '=' or ','"],
  ])("fail/a join advertising %j is refused with what is wrong, and no node is made", async (genericResources, message) => {
    const before = s.server.runtime.manager.nodes.schedulerNodes().length;
    await expect(agentWith("bad", genericResources).join()).rejects.toThrow(message);
    expect(s.server.runtime.manager.nodes.schedulerNodes()).toHaveLength(before);
  });
});
