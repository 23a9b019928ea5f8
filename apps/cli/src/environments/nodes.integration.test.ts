import { join } from "node:path";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClient } from "../client/index.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { dockerOutput, joinSwarm, startSwarm, type TestSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

/**
 * A connected Docker Swarm's nodes, swarm settings and join tokens (ADR 0020), driven
 * through the real CLI with `--env` against a real swarm of two managers and a worker,
 * and checked against what the leader's own docker CLI says. Docker's refusals come back
 * in its words; every change is audited with the environment; no token reaches the
 * server's log.
 */
describe("a connected swarm's nodes, settings and join tokens, through rampart --env", () => {
  let s: TestServer;
  let swarm: TestSwarm;
  let api: AdminClient;
  let envId: string;
  const rampart = (...args: string[]) => runCli(s.dataDir, ...args, "--env", "prod");
  /** The leader's docker CLI: what Docker itself says. */
  const docker = (...args: string[]) => dockerOutput(swarm.leader, ...args);
  const dockerNode = (ref: string) => (JSON.parse(docker("node", "inspect", ref)) as DockerNodeJson[])[0]!;
  const idOf = (name: string) => swarm.nodeIds.get(name)!;
  /** Every token this test saw, to look for in the server's log. */
  const tokensSeen = new Set<string>();

  beforeAll(async () => {
    await Promise.all([startTestServer("pglite").then((started) => (s = started)), startSwarm(["nd-lead", "nd-mgr", "nd-wrk"], { managers: 2 }).then((started) => (swarm = started))]);
    const added = await runCli(s.dataDir, "env", "add", "prod", "--docker-host", swarm.leader.host);
    expect(added).toMatchObject({ code: 0, stderr: "" });
    api = createAdminClient({ socketPath: join(s.dataDir, "rampart.sock"), env: "prod" });
    envId = (await s.server.runtime.manager.environments.get("prod")).id;
  }, 240_000);
  afterAll(async () => {
    await Promise.all([s?.dispose(), swarm?.stop()]);
  }, 120_000);

  const auditOf = async (action: string) => (await s.server.runtime.manager.audit.list({ env: envId, limit: 200 })).filter((e) => e.action === action);

  it("ok/node ls shows what docker node ls shows, row for row, TLS status included", async () => {
    const r = await rampart("node", "ls");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const [header, ...rows] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID +HOSTNAME +STATUS +AVAILABILITY +MANAGER STATUS +ENGINE VERSION +TLS STATUS$/);
    const ours = rows.map((l) => l.replace(/ \* /, " ").split(/ {2,}/).join("|")).sort();
    const theirs = docker("node", "ls", "--format", "{{.ID}}|{{.Hostname}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}|{{.EngineVersion}}|{{.TLSStatus}}")
      .trim()
      .split("\n")
      .map((l) => l.replace("||", "|"))
      .sort();
    expect(ours).toEqual(theirs);
    expect(rows.find((l) => l.includes("nd-lead"))).toMatch(new RegExp(`^${idOf("nd-lead")} \\* +nd-lead +Ready +Active +Leader +20\\.10\\.\\S+ +Ready$`));
    expect(rows.find((l) => l.includes("nd-mgr"))).toMatch(/ +Reachable +/);

    const quiet = await rampart("node", "ls", "-q");
    expect(quiet.stdout.trim().split("\n").sort()).toEqual(docker("node", "ls", "-q").trim().split("\n").sort());
  });

  it("ok/node inspect gives Docker's values, its TLS info decoded, and names what Docker does not report", async () => {
    const r = await rampart("node", "inspect", "nd-mgr");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const ours = (JSON.parse(r.stdout) as InspectedJson[])[0]!;
    const theirs = dockerNode("nd-mgr");
    expect(ours).toMatchObject({
      id: theirs.ID,
      hostname: theirs.Description.Hostname,
      role: theirs.Spec.Role,
      availability: theirs.Spec.Availability,
      version: theirs.Version.Index,
      engineVersion: theirs.Description.Engine.EngineVersion,
      resources: { nanoCpus: theirs.Description.Resources.NanoCPUs, memoryBytes: theirs.Description.Resources.MemoryBytes },
      platform: { os: theirs.Description.Platform.OS, arch: theirs.Description.Platform.Architecture },
      addr: theirs.Status.Addr,
      state: "ready",
      managerStatus: "reachable",
      isLeader: false,
      lastHeartbeatAt: null,
      certificate: null,
      tls: { status: "ready", serial: null, notAfter: null },
      docker: {
        state: theirs.Status.State,
        managerAddr: theirs.ManagerStatus!.Addr,
        reachability: "reachable",
        chainsToCurrentRoot: true,
        tlsInfo: {
          trustRoot: theirs.Description.TLSInfo.TrustRoot,
          certIssuerSubject: theirs.Description.TLSInfo.CertIssuerSubject,
          certIssuerPublicKey: theirs.Description.TLSInfo.CertIssuerPublicKey,
          issuerSubject: "CN=swarm-ca",
        },
      },
    });
    expect(ours.docker.notReported.join("\n")).toMatch(/heartbeat times[\s\S]*the node's certificate/);

    // By ID and by a unique ID prefix, as docker accepts.
    for (const ref of [idOf("nd-wrk"), idOf("nd-wrk").slice(0, 5)]) {
      const byRef = JSON.parse((await rampart("node", "inspect", ref)).stdout) as InspectedJson[];
      expect(byRef[0]!.hostname).toBe("nd-wrk");
    }

    const pretty = await rampart("node", "inspect", "--pretty", "nd-lead");
    expect(pretty.stdout).toContain(`ID:\t\t\t${idOf("nd-lead")}\n`);
    expect(pretty.stdout).toMatch(/Manager Status:\n Address:\t\t127\.0\.0\.1:\d+\n Raft Status:\t\tReachable\n Leader:\t\tYes\n/);
    expect(pretty.stdout).toMatch(/TLS Info:\n TrustRoot:\n-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n\n Issuer Subject:\tMBMxETAPBgNVBAMTCHN3YXJtLWNh\n/);
    expect(pretty.stdout).toContain(" Issuer:\t\tCN=swarm-ca\n");
    expect(pretty.stdout).toContain(" Current Root:\t\tYes (the certificate chains to the swarm's current root)\n");
  });

  it("fail/a node Docker does not know is its 404, in its words", async () => {
    const r = await rampart("node", "inspect", "no-such-node");
    expect(r).toMatchObject({ code: 1, stderr: "Error: node no-such-node not found\n" });
    const slash = await rampart("node", "update", "--availability", "drain", "../swarm");
    expect(slash.code).toBe(1);
    expect(slash.stderr).toBe('Error: node "../swarm" not found: a node is named by its ID, an ID prefix or its name, none of which holds "/"\n');
  });

  it("ok/labels and availability change on the swarm (docker node inspect shows them), audited with the environment", async () => {
    const r = await rampart("node", "update", "--label-add", "zone=a", "--label-add", "rack=r1", "--availability", "drain", "nd-wrk");
    expect(r).toMatchObject({ code: 0, stdout: `${idOf("nd-wrk")}\n`, stderr: "" });
    expect(dockerNode("nd-wrk").Spec).toMatchObject({ Labels: { zone: "a", rack: "r1" }, Availability: "drain" });

    expect((await rampart("node", "update", "--label-rm", "rack", "--availability", "active", "nd-wrk")).code).toBe(0);
    expect(dockerNode("nd-wrk").Spec).toMatchObject({ Labels: { zone: "a" }, Availability: "active" });

    const missing = await rampart("node", "update", "--label-rm", "nope", "nd-wrk");
    expect(missing).toMatchObject({ code: 1, stderr: "Error: label nope does not exist on node nd-wrk\n" });

    const events = await auditOf("node.update");
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ targetId: idOf("nd-wrk"), targetName: "nd-wrk", envId, envName: "prod", actorName: "local-admin", outcome: "success" });
  });

  it("fail/an update at a stale version is Docker's 409, with its text, and changes nothing", async () => {
    const { version } = await api.node.get.query({ ref: "nd-wrk" });
    expect((await rampart("node", "update", "--label-add", "moved=yes", "nd-wrk")).code).toBe(0);
    const stale = await api.node.update.mutate({ ref: "nd-wrk", version, labelAdd: { late: "yes" } }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(TRPCClientError);
    expect((stale as TRPCClientError<never>).data).toMatchObject({ httpStatus: 409 });
    expect((stale as Error).message).toBe("rpc error: code = Unknown desc = update out of sequence");
    expect(dockerNode("nd-wrk").Spec.Labels).not.toHaveProperty("late");
  });

  it("ok/promote and demote set Docker's role, and the raft follows; demoting the last manager is Docker's refusal", async () => {
    const promoted = await rampart("node", "promote", "nd-wrk");
    expect(promoted).toMatchObject({ code: 0, stdout: "Node nd-wrk promoted to a manager in the swarm.\n", stderr: "" });
    expect(dockerNode("nd-wrk").Spec.Role).toBe("manager");
    await waitFor(() => dockerNode("nd-wrk").ManagerStatus?.Reachability === "reachable", "nd-wrk to join the raft", { timeoutMs: 90_000, intervalMs: 500 });
    expect((await rampart("node", "ls")).stdout).toMatch(/ nd-wrk +Ready +Active +Reachable /);

    for (const name of ["nd-wrk", "nd-mgr"]) {
      const demoted = await rampart("node", "demote", name);
      expect(demoted).toMatchObject({ code: 0, stdout: `Manager ${name} demoted in the swarm.\n` });
      await waitFor(() => dockerNode(name).ManagerStatus === undefined, `${name} to leave the raft`, { timeoutMs: 90_000, intervalMs: 500 });
    }
    expect(dockerNode("nd-mgr").Spec.Role).toBe("worker");

    const last = await rampart("node", "demote", "nd-lead");
    expect(last).toMatchObject({ code: 1, stderr: "Error: rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm\n" });
    expect(dockerNode("nd-lead").Spec.Role).toBe("manager");

    expect((await auditOf("node.promote")).map((e) => e.targetName)).toEqual(["nd-wrk"]);
    expect((await auditOf("node.demote")).map((e) => e.targetName).sort()).toEqual(["nd-mgr", "nd-wrk"]);
  });

  it("ok/rm: Docker refuses a manager and a Ready node without --force, in its words; --force removes the node", async () => {
    const manager = await rampart("node", "rm", "nd-lead");
    expect(manager.code).toBe(1);
    expect(manager.stderr).toBe(
      `Error: rpc error: code = FailedPrecondition desc = node ${idOf("nd-lead")} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal\n`,
    );
    const ready = await rampart("node", "rm", "nd-mgr");
    expect(ready).toMatchObject({ code: 1, stderr: `Error: rpc error: code = FailedPrecondition desc = node ${idOf("nd-mgr")} is not down and can't be removed\n` });

    const forced = await rampart("node", "rm", "--force", "nd-mgr");
    expect(forced).toMatchObject({ code: 0, stdout: "nd-mgr\n", stderr: "" });
    expect(docker("node", "ls", "--format", "{{.Hostname}}").trim().split("\n").sort()).toEqual(["nd-lead", "nd-wrk"]);
    const [removed] = await auditOf("node.remove");
    expect(removed).toMatchObject({ targetId: idOf("nd-mgr"), targetName: "nd-mgr", reason: "forced", envName: "prod" });
  });

  it("ok/info prints docker info's own Swarm section, line for line, then the trust root", async () => {
    const r = await rampart("info");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const theirs = docker("info");
    const block = theirs.slice(theirs.indexOf(" Swarm: "), theirs.search(/\n {2}Manager Addresses:\n(?: {3}\S+\n)+/) + theirs.match(/\n {2}Manager Addresses:\n(?: {3}\S+\n)+/)![0].length);
    expect(block).toMatch(/^ Swarm: active\n {2}NodeID: [\s\S]+ {2}Raft:\n[\s\S]+ {2}Manager Addresses:\n/);
    expect(r.stdout).toContain(`Environment: prod (Docker Swarm)\n Server Version: 20.10`);
    expect(r.stdout).toContain(block);
    expect(r.stdout).toMatch(/ {2}Trust Root:\n {3}Subject: CN=swarm-ca\n {3}SHA-256 Fingerprint: [0-9A-F:]{95}\n {3}Not After: \d{4}-/);
    expect(r.stdout).not.toContain("Runtime Policy");
  });

  it("ok/swarm update changes Docker's settings at its version; Docker's own checks and a stale version come back as it says them", async () => {
    const r = await rampart("swarm", "update", "--task-history-limit", "3", "--cert-expiry", "48h", "--dispatcher-heartbeat", "7s");
    expect(r).toMatchObject({ code: 0, stdout: "Swarm updated.\n", stderr: "" });
    expect(docker("info")).toMatch(/Task History Retention Limit: 3\n[\s\S]* Heartbeat Period: 7 seconds\n[\s\S]* Expiry Duration: 2 days\n/);
    const [event] = await auditOf("cluster.update");
    expect(event).toMatchObject({ targetId: swarm.clusterId, envName: "prod", outcome: "success" });

    const tooShort = await rampart("swarm", "update", "--cert-expiry", "30m");
    expect(tooShort).toMatchObject({ code: 1, stderr: "Error: rpc error: code = InvalidArgument desc = minimum certificate expiry time is: 1h0m0s\n" });

    const { version } = await api.swarm.info.query();
    expect((await rampart("swarm", "update", "--task-history-limit", "4")).code).toBe(0);
    const stale = await api.swarm.update.mutate({ version, taskHistoryLimit: 9 }).catch((e: unknown) => e);
    expect((stale as TRPCClientError<never>).data).toMatchObject({ httpStatus: 409 });
    expect((stale as Error).message).toBe("rpc error: code = Unknown desc = update out of sequence");
    expect(docker("info")).toContain("Task History Retention Limit: 4\n");
  });

  it("fail/settings Docker Swarm has no such thing as are refused with a sentence that says so", async () => {
    const r = await rampart("swarm", "update", "--allow-privileged");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "Error: Docker Swarm has no runtime policy setting: the limits on the host paths, host network and privileged mode services may use are a setting of Rampart's own cluster (ADR 0019), which Docker's engines do not have (environment \"prod\" is a Docker Swarm)\n",
    );
    const seccomp = await api.swarm.seccompProfiles.query().catch((e: unknown) => e);
    expect((seccomp as TRPCClientError<never>).data).toMatchObject({ httpStatus: 412 });
    expect((seccomp as Error).message).toMatch(/^Docker Swarm has no seccomp profile store: /);
  });

  it("ok/swarm ca is docker swarm ca's trust root", async () => {
    const r = await rampart("swarm", "ca");
    expect(r.stdout.trim()).toBe(docker("swarm", "ca").trim());
    const { digest } = await api.swarm.ca.query();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("ok/join tokens: revealed as docker's, rotated through Docker; a real engine is refused the old token and joins with the new one", async () => {
    const reveal = await rampart("swarm", "join-token", "worker");
    const old = docker("swarm", "join-token", "-q", "worker").trim();
    tokensSeen.add(old);
    expect(reveal).toMatchObject({ code: 0, stdout: `To add a worker to this swarm, run the following command:\n\n    docker swarm join --token ${old} ${swarm.address}\n\n` });
    const manager = await rampart("swarm", "join-token", "-q", "manager");
    expect(manager.stdout.trim()).toBe(docker("swarm", "join-token", "-q", "manager").trim());
    tokensSeen.add(manager.stdout.trim());
    const joinInfo = await api.swarm.joinInfo.query();
    expect(joinInfo).toMatchObject({ nodeAddress: swarm.address, commandTemplate: `docker swarm join --token <token> ${swarm.address}` });

    const rotated = await rampart("swarm", "join-token", "--rotate", "worker");
    expect(rotated.code).toBe(0);
    const fresh = docker("swarm", "join-token", "-q", "worker").trim();
    tokensSeen.add(fresh);
    expect(fresh).not.toBe(old);
    expect(rotated.stdout).toBe(`Successfully rotated worker join token.\n\nTo add a worker to this swarm, run the following command:\n\n    docker swarm join --token ${fresh} ${swarm.address}\n\n`);

    // A new engine with a hostname the swarm already has: a claim, as every hostname is.
    const spare = await swarm.spareEngine("nd-wrk");
    const refused = await joinSwarm(spare, old, swarm.address);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster");
    const joined = await joinSwarm(spare, fresh, swarm.address);
    expect(joined).toMatchObject({ status: 0 });
    const readyAs = (hostname: string) => docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}").split("\n").filter((l) => l === `${hostname} Ready`).length;
    await waitFor(() => readyAs("nd-wrk") === 2, "the new engine to be Ready", { timeoutMs: 60_000, intervalMs: 500 });

    expect((await auditOf("token.rotate")).map((e) => [e.targetName, e.envName])).toEqual([["worker", "prod"]]);
    expect((await auditOf("token.reveal")).map((e) => e.targetName).sort()).toEqual(["manager", "worker", "worker"]);
  }, 120_000);

  it("ok/two nodes claiming one hostname: node ls marks them, and the hostname alone is Docker's ambiguity, a 400", async () => {
    const ls = await rampart("node", "ls");
    expect(ls.stdout.split("\n").filter((l) => / nd-wrk \(!\) /.test(l))).toHaveLength(2);
    const ambiguous = await rampart("node", "inspect", "nd-wrk");
    expect(ambiguous).toMatchObject({ code: 1, stderr: "Error: node nd-wrk is ambiguous (2 matches found)\n" });
    const detail = await api.node.get.query({ ref: idOf("nd-wrk") });
    expect(detail.sharesHostname).toBe(true);
  });

  it("ok/no join token is in the server's log; the search finds the calls that returned them (control)", () => {
    const log = s.logs.join("");
    expect(tokensSeen.size).toBe(3);
    for (const token of tokensSeen) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split("-")[3]);
    }
    expect(log).toContain('"path":"/api/trpc/swarm.rotateToken"');
  });
});

interface DockerNodeJson {
  ID: string;
  Version: { Index: number };
  Spec: { Role: string; Availability: string; Labels: Record<string, string> };
  Description: {
    Hostname: string;
    Platform: { OS: string; Architecture: string };
    Resources: { NanoCPUs: number; MemoryBytes: number };
    Engine: { EngineVersion: string };
    TLSInfo: { TrustRoot: string; CertIssuerSubject: string; CertIssuerPublicKey: string };
  };
  Status: { State: string; Addr: string };
  ManagerStatus?: { Addr: string; Reachability: string; Leader?: boolean };
}

interface InspectedJson {
  hostname: string;
  docker: { notReported: string[] };
}
