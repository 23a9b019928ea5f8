import { defaultContainerSpec, defaultServiceSpec, taskRuntimeOf } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test-support/server.js";
import { waitFor } from "../../test-support/wait.js";
import { memoryStore, NodeAgent } from "../agent.js";
import type { AssignedTask, TaskUpdate } from "../client.js";
import { refusingExecutor } from "./executor.js";
import { setUpRuntime } from "./index.js";

/**
 * A node whose engine cannot be reached (ADR 0019): it joins, its description says why it
 * runs nothing, the scheduler passes over it with that reason, and a task that reaches it
 * anyway is rejected with it.
 */
const system = { type: "system" as const, id: null, name: "test" };

describe("a node without a container engine", () => {
  let s: TestServer;
  let agent: NodeAgent;

  beforeAll(async () => {
    s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
  }, 60_000);
  afterAll(async () => {
    await agent?.shutdown();
    await s?.dispose();
  });

  it("fail/joins, says it has no container runtime, and gets no task of a global service", async () => {
    const manager = s.server.runtime.manager;
    const setup = await setUpRuntime("docker", { dockerHost: "unix:///nonexistent/docker.sock", env: {}, version: "test", hostname: "engineless", labels: {}, generic: {} });
    expect(setup.problem).toBe("no container runtime on this node: cannot reach the Docker Engine at unix:///nonexistent/docker.sock (ENOENT)");
    const token = await manager.cluster.revealToken("worker", system, null);
    agent = new NodeAgent({ address: s.server.nodeAddress, token, description: setup.description, store: memoryStore(), executor: setup.executor! });
    const { nodeId } = await agent.join();
    agent.start();
    await waitFor(async () => (await manager.nodes.get(nodeId)).state === "ready", "the node to be Ready");
    const node = await manager.nodes.get(nodeId);
    expect(node.runtime).toEqual({ kind: "none", detail: "cannot reach the Docker Engine at unix:///nonexistent/docker.sock (ENOENT)", securityOptions: [] });
    // A global service makes a task for every node; this node's stays pending, saying why.
    await manager.services.create(defaultServiceSpec({ name: "everywhere", image: "local/busybox:1", mode: "global", replicas: 0 }), system, null);
    await manager.settled();
    const mine = (await manager.services.get("everywhere")).tasks.filter((t) => t.nodeId === nodeId);
    // A pre-assigned (global) task says it in Swarm's words for its one node.
    expect(mine.map((t) => [t.state, t.err])).toEqual([["pending", "1 node not available for new tasks"]]);
  });

  it("fail/a task that reaches it anyway is rejected with the reason", async () => {
    const reports: TaskUpdate[][] = [];
    const executor = refusingExecutor(
      {
        nodeId: "n",
        report: async (updates) => void reports.push([...updates]),
        prepareSecrets: async () => new Map(),
        removeSecrets: async () => undefined,
        seccompProfile: async () => "",
        warn: () => undefined,
      },
      "no container runtime on this node: cannot reach the Docker Engine at unix:///x.sock (ENOENT)",
    );
    const task: AssignedTask = {
      id: "abcdefghijklmnopqrstuvwxy",
      serviceId: "s",
      serviceName: "web",
      slot: 1,
      specVersion: 1,
      desiredState: "running",
      state: "assigned",
      secrets: [],
      runtime: taskRuntimeOf(defaultServiceSpec({ name: "web", image: "local/busybox:1", container: defaultContainerSpec() })),
    };
    await executor.sync([task]);
    await executor.sync([task]); // once is enough
    expect(reports).toEqual([
      [
        { taskId: task.id, state: "accepted", message: "accepted" },
        { taskId: task.id, state: "rejected", message: "accepted", err: "no container runtime on this node: cannot reach the Docker Engine at unix:///x.sock (ENOENT)" },
      ],
    ]);
  });
});
