import { defaultContainerSpec, defaultServiceSpec } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL } from "../agent/runtime/container-config.js";
import { startEngine, TEST_IMAGE, type TestEngine } from "../test-support/engines.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { waitFor } from "../test-support/wait.js";

/**
 * The server's own node runs its tasks through the machine's engine, under the same
 * rules as any agent, or gets none and says why (ADR 0019).
 */
const system = { type: "system" as const, id: null, name: "test" };

describe("the server's own node without an engine", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer("pglite");
  }, 60_000);
  afterAll(async () => s?.dispose());

  it("fail/says it has no container runtime, gets no task, and the why-not view gives the reason", async () => {
    const manager = s.server.runtime.manager;
    const self = await manager.nodes.get(s.server.runtime.local.nodeId);
    expect(self.runtime.kind).toBe("none");
    expect(self.runtime.detail).toMatch(/^cannot reach the Docker Engine at unix:\/\/.*no-engine\.sock/);
    await manager.services.create(defaultServiceSpec({ name: "nowhere", image: TEST_IMAGE, replicas: 2 }), system, null);
    await manager.settled();
    const tasks = (await manager.services.get("nowhere")).tasks;
    expect(tasks.map((t) => t.state)).toEqual(["pending", "pending"]);
    expect(tasks[0]!.err).toBe("no suitable node (1 node not available for new tasks)");
    const service = await manager.services.get("nowhere");
    const plan = await manager.planner.whatIf({ service: { serviceId: service.id, spec: service.spec } }, system, null);
    const row = plan.focus!.matrix.find((r) => r.nodeId === self.id)!;
    expect(row.filter).toEqual({ passed: false, failedFilter: "ready", reason: `no container runtime on this node: ${self.runtime.detail}` });
    // Draining it works as on any node.
    await manager.nodes.update(self.id, { version: self.version, availability: "drain" }, system, null);
    expect((await manager.nodes.get(self.id)).availability).toBe("drain");
  });
});

describe("the server's own node with an engine", () => {
  let s: TestServer;
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine("dk-server");
    s = await startTestServer("pglite", { dockerHost: engine.host });
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
    await engine?.stop();
  }, 60_000);

  it("ok/runs its tasks as containers through that engine, and drain stops them", async () => {
    const manager = s.server.runtime.manager;
    const nodeId = s.server.runtime.local.nodeId;
    const self = await manager.nodes.get(nodeId);
    expect(self.runtime.kind).toBe("docker");
    expect(self.runtime.detail).toBe(`Docker Engine ${self.engineVersion} at ${engine.host}`);
    await manager.services.create(
      defaultServiceSpec({ name: "local", image: TEST_IMAGE, replicas: 1, container: defaultContainerSpec({ command: ["sleep", "600"], stopGracePeriodNs: 1e9 }) }),
      system,
      null,
    );
    const running = async () => (await manager.services.get("local")).tasks.filter((t) => t.state === "running");
    await waitFor(async () => (await running()).length === 1, "the task to run on the server's node", { timeoutMs: 60_000 });
    const [task] = await running();
    expect(task!.nodeId).toBe(nodeId);
    const [container] = await engine.docker.listContainers({ filters: { label: [`${LABEL.task}=${task!.id}`] } });
    expect(container?.Id).toBe(task!.containerId);
    expect(container?.Labels[LABEL.node]).toBe(nodeId);

    await manager.nodes.update(nodeId, { version: (await manager.nodes.get(nodeId)).version, availability: "drain" }, system, null);
    await waitFor(async () => (await manager.services.get("local")).tasks.find((t) => t.id === task!.id)?.state === "shutdown", "the drained task to shut down");
    await waitFor(async () => (await engine.docker.listContainers({ all: true, filters: { label: [LABEL.task] } })).length === 0, "its container to be removed");
  }, 120_000);
});
