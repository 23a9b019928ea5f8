import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../client/index.js";
import { runCli } from "../test-support/cli.js";
import { TEST_IMAGE } from "../test-support/engines.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { dockerOutput, startSwarm, type TestSwarm } from "../test-support/swarm.js";

/**
 * A connected swarm's overlay networks (ADR 0020) through `rampart network --env`,
 * against a real one-engine swarm, checked with the engine's own docker CLI: list with
 * the security flags and the services on each, create (encrypted unless asked
 * otherwise), inspect, rm; Docker's refusals in its words; creations and removals audited
 * with the environment. Rampart's own cluster has no overlay networks and says so.
 * (Tasks on an encrypted network cannot run here, TOOLCHAIN.md: the services below have
 * no replicas, which is all an attachment needs.)
 */
describe("a connected swarm's networks, through rampart network --env", () => {
  let s: TestServer;
  let swarm: TestSwarm;
  let envId: string;
  const rampart = (...args: string[]) => runCli(s.dataDir, ...args, "--env", "prod");
  const docker = (...args: string[]) => dockerOutput(swarm.leader, ...args);
  const dockerNetwork = (ref: string) => (JSON.parse(docker("network", "inspect", ref)) as DockerNetworkJson[])[0]!;
  const auditOf = async (action: string) => (await s.server.runtime.manager.audit.list({ env: envId, limit: 100 })).filter((e) => e.action === action);

  beforeAll(async () => {
    await Promise.all([startTestServer("pglite").then((started) => (s = started)), startSwarm(["nt-lead"]).then((started) => (swarm = started))]);
    expect(await runCli(s.dataDir, "env", "add", "prod", "--docker-host", swarm.leader.host)).toMatchObject({ code: 0, stderr: "" });
    envId = (await s.server.runtime.manager.environments.get("prod")).id;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([s?.dispose(), swarm?.stop()]);
  }, 120_000);

  it("fail/Rampart's own cluster has no overlay networks, and says so", async () => {
    const r = await runCli(s.dataDir, "network", "ls");
    expect(r).toMatchObject({
      code: 1,
      stderr: "Error: Rampart's own cluster has no overlay networks: networks are served on a connected Docker Swarm (choose one with --env NAME, or its environment in the UI)\n",
    });
  });

  it("ok/create makes an encrypted overlay network by default; Docker holds it so", async () => {
    const r = await rampart("network", "create", "backend");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const theirs = dockerNetwork("backend");
    expect(r.stdout).toBe(`${theirs.Id}\n`);
    expect(theirs).toMatchObject({ Driver: "overlay", Scope: "swarm", Internal: false, Attachable: false, Options: { encrypted: "" } });
  });

  it("ok/--encrypted=false, --internal, --attachable, --subnet and --label reach Docker", async () => {
    const r = await rampart("network", "create", "--encrypted=false", "--internal", "--attachable", "--subnet", "10.77.0.0/24", "--label", "tier=db", "db");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const theirs = dockerNetwork("db");
    expect(theirs).toMatchObject({ Internal: true, Attachable: true, Labels: { tier: "db" }, IPAM: { Config: [{ Subnet: "10.77.0.0/24" }] } });
    expect(theirs.Options).not.toHaveProperty("encrypted");
  });

  it("ok/the API answers a creation with the network as Docker holds it once allocated: encrypted, with its subnet", async () => {
    const api = createAdminClient({ socketPath: join(s.dataDir, "rampart.sock"), env: "prod" });
    const created = await api.network.create.mutate({ name: "frontend" });
    expect(created).toMatchObject({ name: "frontend", driver: "overlay", scope: "swarm", encrypted: true, internal: false, services: [] });
    expect(created.subnets).toEqual([{ subnet: dockerNetwork("frontend").IPAM.Config[0]!.Subnet, gateway: expect.any(String) }]);
    expect((await api.network.remove.mutate({ ref: "frontend" })).name).toBe("frontend");
  });

  it.each([
    [["backend"], "Error: network with name backend already exists"],
    [["bad_name!"], "Error: rpc error: code = InvalidArgument desc = name must be valid as a DNS name component"],
    [["--subnet", "10.0.0.0/33", "wide"], "Error: Invalid subnet 10.0.0.0/33 : invalid CIDR address: 10.0.0.0/33"],
  ])("fail/create %j is Docker's refusal, in its words", async (args, message) => {
    const r = await rampart("network", "create", ...args);
    expect(r).toMatchObject({ code: 1, stderr: `${message}\n` });
  });

  it.each([
    [["--driver", "bridge", "x"], "driver bridge is not supported: Rampart creates overlay networks, the ones a swarm's services attach to"],
    [["--opt", "encrypted", "--encrypted=false", "x"], "--opt encrypted and --encrypted=false contradict each other"],
    [["--opt", "com.docker.network.driver.mtu=1400", "x"], "option com.docker.network.driver.mtu is not supported: the one driver option Rampart sets is encrypted"],
  ])("fail/create %j is a usage error before any request", async (args, message) => {
    const r = await rampart("network", "create", ...args);
    expect(r).toMatchObject({ code: 2, stderr: `rampart: ${message}\nSee 'rampart network --help'\n` });
  });

  it("ok/ls shows docker's columns for the swarm's networks, then ENCRYPTED", async () => {
    const r = await rampart("network", "ls");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const [header, ...rows] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^NETWORK ID +NAME +DRIVER +SCOPE +ENCRYPTED$/);
    const theirs = docker("network", "ls", "--filter", "scope=swarm", "--format", "{{.ID}} {{.Name}} {{.Driver}} {{.Scope}}").trim().split("\n").sort();
    expect(rows.map((l) => l.split(/ +/).slice(0, 4).join(" ")).sort()).toEqual(theirs);
    const encrypted = Object.fromEntries(rows.map((l) => [l.split(/ +/)[1], l.split(/ +/)[4]]));
    expect(encrypted).toEqual({ backend: "yes", db: "no", ingress: "no" });
    const quiet = await rampart("network", "ls", "-q");
    expect(quiet.stdout.trim().split("\n").sort()).toEqual(docker("network", "ls", "--filter", "scope=swarm", "-q").trim().split("\n").sort());
  });

  it("ok/inspect names the services attached to a network; rm is refused while one uses it, in Docker's words", async () => {
    const web = docker("service", "create", "-d", "--replicas", "0", "--name", "web", "--network", "backend", "--network", "db", TEST_IMAGE, "sleep", "600").trim();
    const [backend] = JSON.parse((await rampart("network", "inspect", "backend")).stdout) as Array<{ id: string; encrypted: boolean; services: Array<{ id: string; name: string }> }>;
    expect(backend).toMatchObject({ id: dockerNetwork("backend").Id, encrypted: true, services: [{ id: web, name: "web" }] });
    const pretty = await rampart("network", "inspect", "--pretty", "db");
    expect(pretty.stdout).toMatch(/Encrypted:\tNo\nInternal:\tYes\nAttachable:\tYes\nIngress:\tNo\nSubnets:\n 10\.77\.0\.0\/24 \(gateway 10\.77\.0\.1\)\nLabels:\n - tier=db\nServices:\n web \(\w+\)\n/);

    const inUse = await rampart("network", "rm", "backend");
    expect(inUse).toMatchObject({ code: 1, stderr: `Error: rpc error: code = FailedPrecondition desc = network ${backend!.id} is in use by service ${web}\n` });
    expect(dockerNetwork("backend").Id).toBe(backend!.id);

    docker("service", "rm", "web");
    const removed = await rampart("network", "rm", "backend", "db");
    expect(removed).toMatchObject({ code: 0, stdout: "backend\ndb\n", stderr: "" });
    expect(docker("network", "ls", "--filter", "scope=swarm", "--format", "{{.Name}}").trim()).toBe("ingress");
  });

  it("fail/a network Docker does not know is its 404", async () => {
    const r = await rampart("network", "inspect", "nowhere");
    expect(r).toMatchObject({ code: 1, stderr: "Error: network nowhere not found\n" });
  });

  it("ok/creations and removals are audited with the environment, with the flags that matter", async () => {
    const created = await auditOf("network.create");
    expect(created.map((e) => [e.targetName, e.reason, e.envName, e.outcome]).sort()).toEqual([
      ["backend", "overlay, encrypted", "prod", "success"],
      ["db", "overlay, not encrypted, internal, attachable", "prod", "success"],
      ["frontend", "overlay, encrypted", "prod", "success"],
    ]);
    expect((await auditOf("network.remove")).map((e) => e.targetName).sort()).toEqual(["backend", "db", "frontend"]);
  });
});

interface DockerNetworkJson {
  Id: string;
  Driver: string;
  Scope: string;
  Internal: boolean;
  Attachable: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  IPAM: { Config: Array<{ Subnet: string }> };
}
