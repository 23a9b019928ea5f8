import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { defaultContainerSpec, defaultServiceSpec, type ServiceSpec } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, startEngines, TEST_IMAGE, type TestEngine } from "../../test-support/engines.js";
import { runCli } from "../../test-support/cli.js";
import { startTestServer, type TestServer } from "../../test-support/server.js";
import { waitFor } from "../../test-support/wait.js";
import { memoryStore, NodeAgent, type AgentStore } from "../agent.js";
import { tmpfsSecretStore } from "../secrets.js";
import { LABEL } from "./container-config.js";
import { setUpRuntime } from "./index.js";
import type { LogLine } from "@rampart/manager";

/**
 * Tasks as real containers on real engines (ADR 0019): two docker-backed agents, each
 * with its own dockerd, under a real server. What runs is what the scheduler chose; the
 * secret is a read-only file at /run/secrets/<target> with the grant's owner and mode,
 * and its value is nowhere else; the hardening is in force inside the container.
 */
const system = { type: "system" as const, id: null, name: "test" };
/** The built CLI, as a node runs it. */
const CLI = fileURLToPath(new URL("../../../dist/main.js", import.meta.url));
const CANARY = `canary-${createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 16)}`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface Node {
  engine: TestEngine;
  agent: NodeAgent;
  store: AgentStore;
  root: string;
  nodeId: string;
}

describe("tasks as containers on real Docker Engines", () => {
  let s: TestServer;
  let token: string;
  const nodes: Node[] = [];
  let engines: TestEngine[] = [];
  const warnings: string[] = [];

  async function startAgent(engine: TestEngine, store: AgentStore = memoryStore(), root = mkdtempSync("/dev/shm/rampart-test-secrets-")): Promise<Node> {
    const setup = await setUpRuntime("docker", { dockerHost: engine.host, env: {}, version: "test", hostname: undefined, labels: {}, generic: {} });
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: setup.description,
      store,
      secrets: tmpfsSecretStore(root),
      executor: setup.executor!,
      events: { error: (m) => void warnings.push(m) },
    });
    const { nodeId } = await agent.join();
    agent.start();
    return { engine, agent, store, root, nodeId };
  }

  const manager = () => s.server.runtime.manager;
  const nodeOf = (nodeId: string | null) => nodes.find((n) => n.nodeId === nodeId)!;
  const containersOf = async (engine: TestEngine, all = true) =>
    engine.docker.listContainers({ all, filters: { label: [LABEL.task] } });

  beforeAll(async () => {
    engines = await startEngines(["dk-alpha", "dk-beta"]);
    s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
    token = await manager().cluster.revealToken("worker", system, null);
    for (const engine of engines) nodes.push(await startAgent(engine));
    await waitFor(() => manager().nodes.constraintNodes().filter((n) => n.state === "ready" && n.role === "worker").length === 2, "two Ready workers");
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) await n.agent.shutdown();
    await s?.dispose();
    for (const e of engines) await e.stop();
    for (const n of nodes) rmSync(n.root, { recursive: true, force: true });
  }, 60_000);

  function spec(name: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
    return defaultServiceSpec({
      name,
      image: TEST_IMAGE,
      replicas: 2,
      constraints: ["node.role == worker"],
      maxReplicasPerNode: 1,
      ...overrides,
    });
  }

  const running = async (service: string) => (await manager().services.get(service)).tasks.filter((t) => t.state === "running" && t.desiredState === "running");

  /** Waits for `count` running tasks; on a timeout, says where each task got to and what the agents warned of. */
  async function untilRunning(service: string, count: number): Promise<void> {
    await waitFor(async () => (await running(service)).length === count, `${count} running tasks of ${service}`, { timeoutMs: 60_000 }).catch(async (error: Error) => {
      const tasks = (await manager().services.get(service)).tasks.map((t) => `${t.state} ${t.message ?? ""} ${t.err ?? ""}`);
      throw new Error(`${error.message}; tasks: ${tasks.join(" | ")}; agent warnings: ${warnings.join(" | ")}`);
    });
  }

  it("ok/the node describes itself from its engine's info", () => {
    const view = manager().nodes.constraintNodes().find((n) => n.id === nodes[0]!.nodeId)!;
    expect(view.hostname).toBe("dk-alpha");
    expect(view.platform).toEqual({ os: "linux", arch: expect.stringMatching(/^(x86_64|aarch64)$/) });
  });

  it("ok/a service runs hardened containers on exactly the scheduler's nodes, reading its secret with the grant's owner and mode", async () => {
    const secret = await manager().secrets.create({ name: "db_password", data: new TextEncoder().encode(CANARY), labels: {} }, system, null);
    const script = [
      "sha256sum /run/secrets/db | cut -c1-64",
      "stat -c 'owner=%u:%g mode=%a' /run/secrets/db",
      "grep -E '^(NoNewPrivs|CapEff|Seccomp):' /proc/self/status",
      "touch /written 2>/dev/null && echo root=writable || echo root=read-only",
      "echo ready",
      "exec sleep 600",
    ].join("; ");
    await manager().services.create(
      spec("web", {
        secrets: [{ secretId: secret.id, secretName: "db_password", target: "db", uid: "1000", gid: "1000", mode: 0o440 }],
        container: defaultContainerSpec({ command: ["sh", "-c"], args: [script], user: "1000:1000", readOnly: true, capDrop: ["ALL"], env: ["MODE=test"], stopGracePeriodNs: 1e9 }),
      }),
      system,
      null,
    );
    await untilRunning("web", 2);
    const tasks = await running("web");
    for (const task of tasks) {
      const { engine, root } = nodeOf(task.nodeId);
      // The container is on the node the scheduler chose, under the task's ID, and it is the one reported.
      const [container] = await engine.docker.listContainers({ filters: { label: [`${LABEL.task}=${task.id}`] } });
      expect(container?.Id).toBe(task.containerId);
      await waitFor(() => engine.cli("logs", task.containerId!).stdout.includes("ready"), "the task's script to finish its checks");
      const logs = engine.cli("logs", task.containerId!);
      const lines = logs.stdout.trim().split("\n");
      expect(lines[0]).toBe(sha256(CANARY));
      expect(lines).toContain("owner=1000:1000 mode=440");
      expect(lines).toContain("NoNewPrivs:\t1");
      expect(lines).toContain("CapEff:\t0000000000000000");
      expect(lines).toContain("Seccomp:\t2");
      expect(lines).toContain("root=read-only");
      // The value is in no log, no inspect output, no environment, label or command.
      const inspect = engine.cli("inspect", task.containerId!).stdout;
      expect(inspect).not.toContain(CANARY);
      expect(logs.stdout + logs.stderr).not.toContain(CANARY);
      expect(inspect).toContain(`"Destination": "/run/secrets/db"`);
      // Nor in the engine's own log, which at debug level holds every API call that made the container.
      const daemon = engine.daemonLog();
      expect(daemon).toContain("POST /v1.");
      expect(daemon).toContain("/containers/create");
      expect(daemon).not.toContain(CANARY);
      expect(existsSync(join(root, task.id, "db"))).toBe(true);
    }
    // Exactly one container per task, on its own node, nowhere else.
    const all = (await Promise.all(engines.map((e) => containersOf(e)))).flat().filter((c) => c.Labels[LABEL.serviceName] === "web");
    expect(all.map((c) => c.Labels[LABEL.task]).sort()).toEqual(tasks.map((t) => t.id).sort());

    // Scale down: slot 2's container and its secret file are both gone.
    const slot2 = tasks.find((t) => t.slot === 2)!;
    const holder = nodeOf(slot2.nodeId);
    await manager().services.scale("web", 1, system, null);
    await waitFor(async () => (await containersOf(holder.engine)).every((c) => c.Labels[LABEL.task] !== slot2.id), "slot 2's container to be removed");
    await waitFor(() => !existsSync(join(holder.root, slot2.id)), "slot 2's secret file to be removed");
    // The agent reports the task's end after removing its container: a moment later under load.
    await waitFor(async () => (await manager().services.get("web")).tasks.find((t) => t.id === slot2.id)?.state === "shutdown", "slot 2 to be reported shut down");
  }, 120_000);

  it("ok/logs come from the agents running the tasks, once or followed, and each read is audited", async () => {
    const script = "echo starting >&2; i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done";
    await manager().services.create(spec("talker", { container: defaultContainerSpec({ command: ["sh", "-c", script], stopGracePeriodNs: 1e9 }) }), system, null);
    await untilRunning("talker", 2);
    const tasks = await running("talker");
    await new Promise((r) => setTimeout(r, 1500));
    // Once, the last 3 lines of each task's log.
    let cursor = await manager().logs.open("talker", { follow: false, tail: 3, since: null }, system, null);
    const once: LogLine[] = [];
    for (;;) {
      const page = await manager().logs.read(cursor, system);
      once.push(...page.lines);
      cursor = page.cursor;
      if (page.done) break;
    }
    for (const task of tasks) {
      const mine = once.filter((l) => l.taskId === task.id);
      expect(mine).toHaveLength(3);
      expect(mine.every((l) => /^line-\d+$/.test(l.line) && l.stream === "stdout" && l.serviceName === "talker" && l.slot === task.slot)).toBe(true);
    }
    // The whole log has the stderr line too.
    cursor = await manager().logs.open(tasks[0]!.id, { follow: false, tail: null, since: null }, system, null);
    const whole: typeof once = [];
    for (;;) {
      const page = await manager().logs.read(cursor, system);
      whole.push(...page.lines);
      cursor = page.cursor;
      if (page.done) break;
    }
    expect(whole).toContainEqual(expect.objectContaining({ taskId: tasks[0]!.id, stream: "stderr", line: "starting" }));
    expect(whole.every((l) => l.taskId === tasks[0]!.id)).toBe(true);
    // Followed: new lines keep coming until the reader cancels.
    cursor = await manager().logs.open("talker", { follow: true, tail: 0, since: null }, system, null);
    const seen = new Set<string>();
    while (seen.size < 6) {
      const page = await manager().logs.read(cursor, system);
      for (const l of page.lines) seen.add(`${l.taskId}:${l.line}`);
      cursor = page.cursor;
      expect(page.done).toBe(false);
    }
    manager().logs.cancel(cursor, system);
    // `rampart service logs`, as a user runs it, with docker's prefix.
    const cli = await runCli(s.dataDir, "service", "logs", "--tail", "2", "talker");
    expect(cli.code, cli.stderr).toBe(0);
    const printed = cli.stdout.trim().split("\n");
    expect(printed).toHaveLength(4);
    for (const line of printed) expect(line).toMatch(/^talker\.[12]\.[0-9a-z]{12}@dk-(alpha|beta) {4}\| line-\d+$/);
    await expect(manager().logs.read(cursor, { type: "user", id: "someone-else", name: "eve" })).rejects.toThrow("this log session has ended or is not yours");
    const audited = await manager().audit.list({ action: "service.logs", limit: 10 });
    expect(audited).toHaveLength(4);
    await manager().services.remove("talker", system, null);
  }, 120_000);

  it("ok/a custom seccomp profile stored in Rampart is what the container runs under; unconfined turns seccomp off", async () => {
    const profile = JSON.stringify({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
    });
    await manager().runtime.createProfile({ name: "no-mkdir", content: profile }, system, null);
    const probe = "mkdir /tmp/x 2>/dev/null && echo mkdir=allowed || echo mkdir=denied; grep '^Seccomp:' /proc/self/status; echo ready; exec sleep 600";
    await manager().services.create(
      spec("strict", { replicas: 1, container: defaultContainerSpec({ command: ["sh", "-c", probe], seccomp: { mode: "custom", profile: "no-mkdir" }, stopGracePeriodNs: 1e9 }) }),
      system,
      null,
    );
    await manager().services.create(
      spec("loose", { replicas: 1, container: defaultContainerSpec({ command: ["sh", "-c", probe], seccomp: { mode: "unconfined" }, stopGracePeriodNs: 1e9 }) }),
      system,
      null,
    );
    await untilRunning("strict", 1);
    await untilRunning("loose", 1);
    const output = async (service: string) => {
      const [task] = await running(service);
      const { engine } = nodeOf(task!.nodeId);
      await waitFor(() => engine.cli("logs", task!.containerId!).stdout.includes("ready"), `${service}'s probe`);
      return engine.cli("logs", task!.containerId!).stdout;
    };
    expect(await output("strict")).toContain("mkdir=denied");
    expect(await output("strict")).toContain("Seccomp:\t2");
    expect(await output("loose")).toContain("mkdir=allowed");
    expect(await output("loose")).toContain("Seccomp:\t0");
    // The profile cannot go while a service names it.
    await expect(manager().runtime.removeProfile("no-mkdir", system, null)).rejects.toThrow("seccomp profile no-mkdir is in use by service strict");
    await manager().services.remove("strict", system, null);
    await manager().services.remove("loose", system, null);
    await manager().runtime.removeProfile("no-mkdir", system, null);
  }, 120_000);

  it("fail/a bind source that leads through a symbolic link is rejected on the node, even inside an allowed folder", async () => {
    const dir = mkdtempSync("/tmp/rampart-test-allowed-");
    symlinkSync("/etc", join(dir, "escape"));
    try {
      const { allowedHostPaths } = manager().cluster.current().record.runtimePolicy;
      await manager().cluster.setRuntimePolicy(
        { version: manager().cluster.current().record.version, policy: { allowedHostPaths: [...allowedHostPaths, dir], allowHostNetwork: false, allowPrivileged: false } },
        system,
        null,
      );
      await manager().services.create(
        spec("linked", { replicas: 1, container: defaultContainerSpec({ command: ["sleep", "600"], mounts: [{ type: "bind", source: join(dir, "escape"), target: "/host", readOnly: true }] }) }),
        system,
        null,
      );
      await waitFor(async () => (await manager().services.get("linked")).tasks.some((t) => t.state === "rejected"), "the task to be rejected");
      const [task] = (await manager().services.get("linked")).tasks.filter((t) => t.state === "rejected");
      expect(task!.err).toBe(`bind source ${join(dir, "escape")} leads through a symbolic link to /etc; the runtime policy allows paths as written, so name the real path`);
      for (const e of engines) expect((await e.docker.listContainers({ all: true, filters: { label: [`${LABEL.serviceName}=linked`] } })).length).toBe(0);
      await manager().services.remove("linked", system, null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("fail/an image the engine does not have rejects the task with the engine's words", async () => {
    await manager().services.create(spec("ghost", { image: "local/nope:1", replicas: 1 }), system, null);
    await waitFor(async () => (await manager().services.get("ghost")).tasks.some((t) => t.state === "rejected"), "a rejected task", { timeoutMs: 90_000 });
    const rejected = (await manager().services.get("ghost")).tasks.find((t) => t.state === "rejected")!;
    expect(rejected.err).toBe("No such image: local/nope:1");
    await manager().services.remove("ghost", system, null);
  }, 120_000);

  it("fail/a crash-looping container follows the restart policy: failed with its exit code, restarted after the delay, at most max attempts", async () => {
    await manager().services.create(
      spec("crash", {
        replicas: 1,
        container: defaultContainerSpec({ command: ["sh", "-c", "exit 3"] }),
        restartPolicy: { condition: "on-failure", delayNs: 1e9, maxAttempts: 2, windowNs: 0 },
      }),
      system,
      null,
    );
    const failed = async () => (await manager().services.get("crash")).tasks.filter((t) => t.state === "failed");
    await waitFor(async () => (await failed()).length === 3, "the first run and two restarts to fail", { timeoutMs: 60_000 });
    const tasks = await failed();
    for (const t of tasks) {
      expect(t.err).toBe("task: non-zero exit (3)");
      expect(t.exitCode).toBe(3);
    }
    // Each restart waited out the delay after the one before it ended.
    const ends = tasks.map((t) => t.updatedAt.getTime()).sort((a, b) => a - b);
    const starts = tasks.map((t) => t.createdAt.getTime()).sort((a, b) => a - b);
    for (let i = 1; i < 3; i++) expect(starts[i]! - ends[i - 1]!).toBeGreaterThanOrEqual(-50);
    // No fourth attempt.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await manager().services.get("crash")).tasks).toHaveLength(3);
    await manager().services.remove("crash", system, null);
  }, 120_000);

  it("ok/an agent that restarts adopts its running containers instead of starting duplicates", async () => {
    await manager().services.create(spec("steady", { container: defaultContainerSpec({ command: ["sleep", "600"], stopGracePeriodNs: 1e9 }) }), system, null);
    await untilRunning("steady", 2);
    const before = await running("steady");
    const first = nodes[0]!;
    await first.agent.shutdown();
    const again = await startAgent(first.engine, first.store, first.root);
    nodes[0] = again;
    // Give the new agent time to see its tasks, then: the same containers, no more.
    await waitFor(async () => (await containersOf(first.engine)).some((c) => c.Labels[LABEL.serviceName] === "steady"), "the engine to list steady's container");
    await new Promise((r) => setTimeout(r, 3000));
    const after = await running("steady");
    expect(after.map((t) => `${t.id}:${t.containerId}`).sort()).toEqual(before.map((t) => `${t.id}:${t.containerId}`).sort());
    const steady = (await containersOf(first.engine)).filter((c) => c.Labels[LABEL.serviceName] === "steady");
    expect(steady).toHaveLength(before.filter((t) => t.nodeId === first.nodeId).length);
  }, 120_000);

  it("ok/`rampart agent join` killed with SIGKILL and started again adopts its containers: same tasks, same containers, no more", async () => {
    const engine = await startEngine("dk-gamma");
    const state = mkdtempSync("/tmp/rampart-test-agent-state-");
    const secretsRoot = mkdtempSync("/dev/shm/rampart-test-secrets-");
    const token = await manager().cluster.revealToken("worker", system, null);
    const spawnAgent = () =>
      spawn(
        process.execPath,
        [CLI, "agent", "join", "--token", token, "--state-dir", state, "--secrets-root", secretsRoot, "--docker-host", engine.host, s.server.nodeAddress],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
    let agentProcess = spawnAgent();
    try {
      await waitFor(() => manager().nodes.constraintNodes().some((n) => n.hostname === "dk-gamma" && n.state === "ready"), "dk-gamma Ready");
      await manager().services.create(
        spec("killed", { replicas: 2, maxReplicasPerNode: 0, constraints: ["node.hostname == dk-gamma"], container: defaultContainerSpec({ command: ["sleep", "600"], stopGracePeriodNs: 1e9 }) }),
        system,
        null,
      );
      await untilRunning("killed", 2);
      const before = (await running("killed")).map((t) => `${t.id}:${t.containerId}`).sort();
      agentProcess.kill("SIGKILL");
      await new Promise((r) => agentProcess.once("exit", r));
      agentProcess = spawnAgent();
      // The restarted agent polls, finds both containers by their labels, and starts nothing.
      let output = "";
      agentProcess.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => output.includes("runtime: Docker Engine"), "the agent to start again");
      await new Promise((r) => setTimeout(r, 3000));
      expect((await running("killed")).map((t) => `${t.id}:${t.containerId}`).sort()).toEqual(before);
      const containers = await engine.docker.listContainers({ all: true, filters: { label: [`${LABEL.serviceName}=killed`] } });
      expect(containers.map((c) => `${c.Labels[LABEL.task]}:${c.Id}`).sort()).toEqual(before);
      await manager().services.remove("killed", system, null);
      await waitFor(async () => (await engine.docker.listContainers({ all: true, filters: { label: [LABEL.task] } })).length === 0, "killed's containers to go");
    } finally {
      agentProcess.kill("SIGTERM");
      await new Promise((r) => (agentProcess.exitCode === null ? agentProcess.once("exit", r) : r(null)));
      await engine.stop();
      rmSync(state, { recursive: true, force: true });
      rmSync(secretsRoot, { recursive: true, force: true });
    }
  }, 180_000);

  it("fail/a container removed behind the agent's back is reported failed; one that belongs to no task is removed", async () => {
    const [victim] = (await running("steady")).filter((t) => t.nodeId === nodes[1]!.nodeId);
    const engine = nodes[1]!.engine;
    engine.cli("rm", "-f", victim!.containerId!);
    await waitFor(async () => (await manager().services.get("steady")).tasks.find((t) => t.id === victim!.id)?.state === "failed", "the removed container's task to fail");
    const failed = (await manager().services.get("steady")).tasks.find((t) => t.id === victim!.id)!;
    expect(failed.err).toMatch(/^No such container: /);
    // A stray container carrying this node's label but no task of it.
    const stray = engine.cli("run", "-d", "--label", `${LABEL.node}=${nodes[1]!.nodeId}`, "--label", `${LABEL.task}=zzzzzzzzzzzzzzzzzzzzzzzzz`, TEST_IMAGE, "sleep", "600");
    expect(stray.status, stray.stderr).toBe(0);
    const strayId = stray.stdout.trim();
    // The next picture from the manager (the replacement task) makes the agent look.
    await untilRunning("steady", 2);
    await waitFor(async () => !(await containersOf(engine)).some((c) => c.Id === strayId), "the stray container to be removed");
    await manager().services.remove("steady", system, null);
  }, 120_000);
});
