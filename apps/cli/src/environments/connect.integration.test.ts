import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type TestEngine } from "../test-support/engines.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { startSwarm, type TestSwarm } from "../test-support/swarm.js";

/**
 * Connecting Docker Swarms (ADR 0020) through `rampart env`, against real engines: a
 * swarm of a manager and a worker, and an engine in no swarm. Each check refuses with its
 * own sentence, Docker's own words after Rampart's; a swarm is connected once; every
 * connect, refusal and removal is audited, and `--env` picks the environment.
 */
describe("rampart env against real Docker engines", () => {
  let s: TestServer;
  let swarm: TestSwarm;
  let lone: TestEngine;
  const rampart = (...args: string[]) => runCli(s.dataDir, ...args);

  beforeAll(async () => {
    // Each is kept as soon as it is up, so that one failing to start leaves none of the others behind.
    await Promise.all([
      startTestServer("pglite").then((started) => (s = started)),
      startSwarm(["env-mgr", "env-wrk"]).then((started) => (swarm = started)),
      startEngine("env-lone", { image: false }).then((started) => (lone = started)),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([s?.dispose(), swarm?.stop(), lone?.stop()]);
  }, 120_000);

  const audit = async () => s.server.runtime.manager.audit.list({ action: "env.connect", limit: 50 });

  it("ok/a manager's socket connects: the swarm's ID is printed, ls and inspect show it, and the connect is audited", async () => {
    const added = await rampart("env", "add", "prod", "--docker-host", swarm.leader.host);
    expect(added).toMatchObject({ code: 0, stderr: "" });
    expect(added.stdout.trim()).toBe(swarm.clusterId);

    const ls = await rampart("env", "ls");
    expect(ls.code).toBe(0);
    const lines = ls.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME +KIND +DOCKER HOST +SECURITY +SWARM ID +STATE$/);
    expect(lines[1]).toMatch(/^native +rampart +mTLS +Connected$/);
    expect(lines[2]).toMatch(new RegExp(`^prod +docker +${swarm.leader.host} +socket +${swarm.clusterId} +Connected$`));

    const inspect = await rampart("env", "inspect", "prod");
    const [view] = JSON.parse(inspect.stdout) as { name: string; clusterId: string; hasTlsKey: boolean; connection: { state: string; apiVersion: string } }[];
    expect(view).toMatchObject({ name: "prod", clusterId: swarm.clusterId, hasTlsKey: false, connection: { state: "connected", apiVersion: "1.41" } });
    expect((await rampart("env", "inspect", "--pretty", "prod")).stdout).toMatch(/Kind:\s+Docker Swarm\n[\s\S]*Engine version:\s+20\.10/);

    const [event] = await audit();
    expect(event).toMatchObject({ action: "env.connect", outcome: "success", targetName: "prod", envName: "prod", actorName: "local-admin" });
    expect(event!.reason).toContain(swarm.clusterId);
  });

  it("fail/the same swarm is refused a second time, by its ID, under any name and through any manager address", async () => {
    const again = await rampart("env", "add", "prod-again", "--docker-host", swarm.leader.host);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`Error: swarm ${swarm.clusterId} is already connected, as environment "prod"\n`);
    const [refused] = await audit();
    expect(refused).toMatchObject({ outcome: "failure", targetName: "prod-again" });
  });

  it("fail/a worker is refused: workers cannot list nodes; Docker's own sentence follows", async () => {
    const worker = swarm.engines[1]!;
    const r = await rampart("env", "add", "wrk", "--docker-host", worker.host);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: the engine at ${worker.socket} is a swarm worker, and workers cannot list nodes: connect a manager. Docker says: This node is not a swarm manager.`);
  });

  it("fail/an engine in no swarm is refused with Docker's text", async () => {
    const r = await rampart("env", "add", "lone", "--docker-host", lone.host);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: the engine at ${lone.socket} is not in a swarm. Docker says: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join"`);
  });

  it.each([
    [["--docker-host", "unix:///nowhere/docker.sock"], "Error: cannot reach the Docker Engine at /nowhere/docker.sock: no such socket"],
    [["--docker-host", "tcp://127.0.0.1:1"], "Error: tcp://127.0.0.1:1 is TCP without TLS: give the engine's CA, a client certificate and its key, or --insecure to send everything in clear"],
    [["--docker-host", "tcp://127.0.0.1:1", "--insecure"], "Error: cannot reach the Docker Engine at 127.0.0.1:1: connection refused"],
    [["--docker-host", "http://x"], 'Error: docker host "http://x" must start with unix:// or tcp://'],
    [["--docker-host", "unix://relative.sock"], 'Error: docker host "unix://relative.sock" must name an absolute socket path: unix:///var/run/docker.sock'],
  ])("fail/env add %j names what is wrong", async (flags, message) => {
    const r = await rampart("env", "add", "bad", ...flags);
    expect(r).toMatchObject({ code: 1, stderr: `${message}\n` });
  });

  it.each([
    ["native", '"native" is the name of Rampart\'s own cluster'],
    ["Prod", 'environment name "Prod" must be lower-case letters, digits'],
    ["a/b", 'environment name "a/b" must be lower-case letters, digits'],
  ])("fail/the name %j is refused", async (name, message) => {
    const r = await rampart("env", "add", name, "--docker-host", swarm.leader.host);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it("fail/flags are checked before anything is sent", async () => {
    expect(await rampart("env", "add", "x")).toMatchObject({ code: 2, stderr: expect.stringContaining("--docker-host is required") });
    expect(await rampart("env", "add", "x", "--docker-host", "tcp://h:2376", "--tlscacert", "/nowhere/ca.pem")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--tlscacert: cannot read /nowhere/ca.pem: no such file"),
    });
  });

  it("fail/an unknown environment is a clear 404, whichever command names it", async () => {
    expect(await rampart("node", "ls", "--env", "nope")).toMatchObject({ code: 1, stderr: 'Error: environment "nope" not found\n' });
    expect(await rampart("--env", "nope", "service", "ls")).toMatchObject({ code: 1, stderr: 'Error: environment "nope" not found\n' });
    expect(await rampart("env", "inspect", "nope")).toMatchObject({ code: 1, stderr: 'Error: environment "nope" not found\n' });
  });

  it("ok/--env native is Rampart's own cluster", async () => {
    const native = await rampart("node", "ls", "-q", "--env", "native");
    expect(native.code).toBe(0);
    expect(native.stdout.trim()).toBe((await rampart("node", "ls", "-q")).stdout.trim());
  });

  it("ok/the swarm's Overview: core's counts and the warnings Docker's facts allow, none of those it cannot", async () => {
    const leader = swarm.leader;
    const made = leader.cli("service", "create", "--detach", "--name", "nowhere", "--constraint", "node.labels.zone==mars", "local/busybox:1", "sleep", "600");
    expect(made.status).toBe(0);
    try {
      const manager = s.server.runtime.manager;
      const env = await manager.environments.open("prod", { type: "system", id: null, name: "test" }, null);
      const { dockerOverview } = await import("@rampart/manager");
      let summary = await dockerOverview(env, manager.audit, manager.dockerSecrets, new Date());
      for (let i = 0; i < 50 && summary.counts.tasks.pending === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        summary = await dockerOverview(env, manager.audit, manager.dockerSecrets, new Date());
      }
      expect(summary.counts.nodes).toMatchObject({ total: 2, ready: 2, down: 0 });
      expect(summary.counts.services.total).toBe(1);
      expect(summary.counts.tasks.pending).toBe(1);
      expect(summary.warnings.map((w) => w.kind)).toEqual(expect.arrayContaining(["cluster.autolock-off"]));
      const checks = summary.checks.map((c) => c.kind);
      expect(checks).not.toContain("certificates.expiring");
      expect(checks).not.toContain("tokens.never-rotated");
      expect(checks).not.toContain("logins.failed-burst");
    } finally {
      leader.cli("service", "rm", "nowhere");
    }
  });

  it("ok/an engine that stops answering shows as unreachable with the reason, and recovers by itself", async () => {
    const environments = s.server.runtime.manager.environments;
    expect((await environments.check("prod")).state).toBe("connected");
    // A hung daemon: the process is stopped, its socket stays, calls go unanswered.
    process.kill(swarm.leader.pid, "SIGSTOP");
    try {
      const lost = await environments.check("prod");
      expect(lost).toMatchObject({ state: "unreachable", detail: `the Docker Engine at ${swarm.leader.socket} did not answer within 5 s` });
      expect((await rampart("env", "ls")).stdout).toMatch(/prod .* Unreachable for /);
    } finally {
      process.kill(swarm.leader.pid, "SIGCONT");
    }
    expect((await environments.check("prod")).state).toBe("connected");
  });

  it("ok/rm forgets the connection, leaves the swarm as it was, and is audited", async () => {
    expect(await rampart("env", "rm", "prod")).toMatchObject({ code: 0, stdout: "prod\n" });
    expect((await rampart("env", "ls", "-q")).stdout).toBe("native\n");
    expect(swarm.leader.cli("node", "ls", "-q").stdout.trim().split("\n")).toHaveLength(2);
    const [removed] = await s.server.runtime.manager.audit.list({ action: "env.remove", limit: 1 });
    expect(removed).toMatchObject({ outcome: "success", targetName: "prod", envName: "prod" });
    // Connected again afterwards, as if new.
    expect((await rampart("env", "add", "prod", "--docker-host", swarm.leader.host)).code).toBe(0);
  });
});
