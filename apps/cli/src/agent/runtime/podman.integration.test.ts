import { mkdtempSync, rmSync } from "node:fs";
import { defaultContainerSpec, defaultServiceSpec } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPodman, TEST_IMAGE, type TestEngine } from "../../test-support/engines.js";
import { startTestServer, type TestServer } from "../../test-support/server.js";
import { waitFor } from "../../test-support/wait.js";
import { memoryStore, NodeAgent } from "../agent.js";
import { tmpfsSecretStore } from "../secrets.js";
import { LABEL } from "./container-config.js";
import { setUpRuntime } from "./index.js";

/**
 * Podman's Docker-compatible socket through the same `--docker-host` flag (ADR 0019): the
 * node describes itself from Podman's info, runs a hardened task reading its secret, and
 * removes the container when the task stops.
 */
const system = { type: "system" as const, id: null, name: "test" };

describe("tasks on Podman's Docker-compatible API", () => {
  let s: TestServer;
  let podman: TestEngine;
  let agent: NodeAgent;
  const root = mkdtempSync("/dev/shm/rampart-test-secrets-");

  beforeAll(async () => {
    podman = await startPodman("pm-1");
    s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
  }, 120_000);
  afterAll(async () => {
    await agent?.shutdown();
    await s?.dispose();
    await podman?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it("ok/a service runs on the Podman node and reads its secret at /run/secrets", async () => {
    const manager = s.server.runtime.manager;
    const setup = await setUpRuntime("docker", { dockerHost: podman.host, env: {}, version: "test", hostname: "podman-node", labels: {}, generic: {} });
    expect(setup.problem).toBeUndefined();
    const token = await manager.cluster.revealToken("worker", system, null);
    const warnings: string[] = [];
    agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: setup.description,
      store: memoryStore(),
      secrets: tmpfsSecretStore(root),
      executor: setup.executor!,
      events: { error: (m) => void warnings.push(m) },
    });
    const { nodeId } = await agent.join();
    agent.start();
    await waitFor(async () => (await manager.nodes.get(nodeId)).state === "ready", "the Podman node to be Ready");
    const node = await manager.nodes.get(nodeId);
    expect(node.runtime.kind).toBe("docker");
    expect(node.runtime.detail).toContain(podman.host);
    expect(node.platform.os).toBe("linux");

    const secret = await manager.secrets.create({ name: "pm_secret", data: new TextEncoder().encode("podman-value"), labels: {} }, system, null);
    await manager.services.create(
      defaultServiceSpec({
        name: "pm",
        image: TEST_IMAGE,
        constraints: ["node.role == worker"],
        secrets: [{ secretId: secret.id, secretName: secret.name, target: "s", uid: "0", gid: "0", mode: 0o400 }],
        container: defaultContainerSpec({
          command: ["sh", "-c", "cat /run/secrets/s; echo; grep -E '^(NoNewPrivs|CapEff):' /proc/self/status; echo ready; exec sleep 600"],
          readOnly: true,
          capDrop: ["ALL"],
          stopGracePeriodNs: 1e9,
        }),
      }),
      system,
      null,
    );
    const running = async () => (await manager.services.get("pm")).tasks.filter((t) => t.state === "running");
    await waitFor(async () => (await running()).length === 1, "the task to run on Podman", { timeoutMs: 60_000 }).catch(async (error: Error) => {
      const tasks = (await manager.services.get("pm")).tasks.map((t) => `${t.state} ${t.message ?? ""} ${t.err ?? ""}`);
      throw new Error(`${error.message}; tasks: ${tasks.join(" | ")}; agent warnings: ${warnings.join(" | ")}`);
    });
    const [task] = await running();
    await waitFor(() => podman.cli("logs", task!.containerId!).stdout.includes("ready"), "the container's checks");
    const out = podman.cli("logs", task!.containerId!).stdout;
    expect(out).toContain("podman-value");
    expect(out).toContain("NoNewPrivs:\t1");
    expect(out).toContain("CapEff:\t0000000000000000");

    await manager.services.remove("pm", system, null);
    await waitFor(async () => (await podman.docker.listContainers({ all: true, filters: { label: [LABEL.task] } })).length === 0, "the container to be removed");
  }, 120_000);
});
