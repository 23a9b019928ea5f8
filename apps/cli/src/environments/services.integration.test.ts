import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClient } from "../client/index.js";
import { runCli, type CliRun } from "../test-support/cli.js";
import { TEST_IMAGE } from "../test-support/engines.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { dockerOutput, startSwarm, type TestSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

/**
 * A connected Docker Swarm's services and tasks, and the planner on it (ADR 0020),
 * through the real CLI with `--env` and the API, against a real swarm of three engines
 * (a manager and two workers labelled zone=a and zone=b), each checked against what the
 * leader's docker CLI says: specs as Docker holds them, Docker's task states and errors,
 * Docker's 409 for a stale version index, the pending tasks explained node by node, the
 * planner's prediction compared with Swarm's placement after each change, and every
 * change audited with the environment.
 */
/** The built CLI, as a user runs it. */
const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

describe("a connected swarm's services, tasks and planner, through rampart --env", () => {
  let s: TestServer;
  let swarm: TestSwarm;
  let api: AdminClient;
  let native: AdminClient;
  let envId: string;
  let secretFile: string;
  /**
   * `rampart --env prod NOUN [VERB] --data-dir DIR ARGS…`: the environment before the noun,
   * as `service create` needs it (its own `--env` is a container's variable, docker's
   * flag), and the data directory before the image, after which create's words are the
   * container's command.
   */
  const rampart = (...words: string[]) =>
    new Promise<CliRun>((resolve) => {
      const verbs = words[0] === "plan" ? 1 : 2;
      execFile(
        process.execPath,
        [MAIN, "--env", "prod", ...words.slice(0, verbs), "--data-dir", s.dataDir, ...words.slice(verbs)],
        { env: { ...process.env, DATABASE_URL: "", RAMPART_HOST: undefined, RAMPART_TOKEN: undefined, RAMPART_ENV: undefined } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  /** The leader's docker CLI: what Docker itself says. */
  const docker = (...args: string[]) => dockerOutput(swarm.leader, ...args);
  const dockerService = (ref: string) => (JSON.parse(docker("service", "inspect", ref)) as DockerServiceJson[])[0]!;
  const idOf = (name: string) => swarm.nodeIds.get(name)!;
  const auditOf = async (action: string) => (await s.server.runtime.manager.audit.list({ env: envId, limit: 500 })).filter((e) => e.action === action);

  /** The fidelity check of the service's latest change, once it has a verdict. */
  async function fidelityOf(ref: string, change: string) {
    let result: Awaited<ReturnType<AdminClient["service"]["fidelity"]["query"]>> = null;
    await waitFor(
      async () => {
        result = await api.service.fidelity.query({ ref });
        return result !== null && result.change === change && result.state !== "checking";
      },
      `the fidelity check of ${ref} after its ${change}`,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    return result!;
  }

  beforeAll(async () => {
    await Promise.all([startTestServer("pglite").then((started) => (s = started)), startSwarm(["sv-lead", "sv-w1", "sv-w2"], { managers: 1 }).then((started) => (swarm = started))]);
    docker("node", "update", "--label-add", "zone=a", "sv-w1");
    docker("node", "update", "--label-add", "zone=b", "sv-w2");
    secretFile = join(mkdtempSync(join(tmpdir(), "rampart-svc-")), "db_pw");
    writeFileSync(secretFile, "not-a-real-password");
    docker("secret", "create", "db_pw", secretFile);
    docker("network", "create", "--driver", "overlay", "backend");
    const added = await runCli(s.dataDir, "env", "add", "prod", "--docker-host", swarm.leader.host);
    expect(added).toMatchObject({ code: 0, stderr: "" });
    api = createAdminClient({ socketPath: join(s.dataDir, "rampart.sock"), env: "prod" });
    native = createAdminClient({ socketPath: join(s.dataDir, "rampart.sock") });
    envId = (await s.server.runtime.manager.environments.get("prod")).id;
  }, 240_000);
  afterAll(async () => {
    await Promise.all([s?.dispose(), swarm?.stop()]);
    if (secretFile) rmSync(join(secretFile, ".."), { recursive: true, force: true });
  }, 120_000);

  it("ok/service create sets constraints, a spread, max replicas, reservations, a limit, a secret grant and the restart policy; inspect shows them as Docker holds them", async () => {
    const r = await rampart(
      "service", "create", "--name", "web", "--replicas", "2",
      "--constraint", "node.role==worker", "--placement-pref", "spread=node.labels.zone", "--replicas-max-per-node", "1",
      "--reserve-memory", "16m", "--reserve-cpu", "0.01", "--limit-memory", "64m",
      "--secret", "source=db_pw,target=db,uid=1000,mode=0400",
      "--restart-condition", "on-failure", "--restart-delay", "1s", "--restart-max-attempts", "3",
      "--stop-signal", "SIGKILL", TEST_IMAGE, "sleep", "3600",
    );
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[a-z0-9]{25}$/);
    // dockerd 20.10 speaks Engine API 1.41: the default no-new-privileges cannot be carried, and the warning says so.
    expect(r.stderr).toBe(
      "WARNING: not applied: no-new-privileges. This swarm's manager speaks Engine API 1.41, and engines before 1.44 (Docker 25) drop a service's seccomp, AppArmor " +
        "and no-new-privileges settings: its tasks run with the engine's defaults (default seccomp and AppArmor profiles, no-new-privileges off).\n",
    );

    const theirs = dockerService("web");
    const secretId = docker("secret", "inspect", "--format", "{{.ID}}", "db_pw").trim();
    expect(theirs.ID).toBe(id);
    expect(theirs.Spec.TaskTemplate).toMatchObject({
      ContainerSpec: { Args: ["sleep", "3600"], StopSignal: "SIGKILL", Secrets: [{ File: { Name: "db", UID: "1000", GID: "0", Mode: 0o400 }, SecretID: secretId, SecretName: "db_pw" }] },
      Resources: { Reservations: { NanoCPUs: 10_000_000, MemoryBytes: 16 * 2 ** 20 }, Limits: { MemoryBytes: 64 * 2 ** 20 } },
      RestartPolicy: { Condition: "on-failure", Delay: 1e9, MaxAttempts: 3 },
      Placement: { Constraints: ["node.role==worker"], Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }], MaxReplicas: 1 },
    });
    expect(theirs.Spec.TaskTemplate.ContainerSpec.Privileges).toBeUndefined();

    const inspected = (JSON.parse((await rampart("service", "inspect", "web")).stdout) as InspectedJson[])[0]!;
    expect(inspected).toMatchObject({
      id,
      name: "web",
      version: theirs.Version.Index,
      spec: {
        replicas: 2,
        constraints: ["node.role==worker"],
        preferences: ["node.labels.zone"],
        maxReplicasPerNode: 1,
        reservations: { nanoCpus: 10_000_000, memoryBytes: 16 * 2 ** 20 },
        limits: { memoryBytes: 64 * 2 ** 20 },
        restartPolicy: { condition: "on-failure", delayNs: 1e9, maxAttempts: 3 },
        secrets: [{ secretId, secretName: "db_pw", target: "db", uid: "1000", gid: "0", mode: 0o400 }],
        container: { noNewPrivileges: false, stopSignal: "SIGKILL" },
      },
      docker: { hardening: { apiVersion: "1.41", carried: false }, endpoint: { mode: "vip" }, networks: [] },
    });
    const pretty = (await rampart("service", "inspect", "--pretty", "web")).stdout;
    expect(pretty).toContain(" Constraints:\t[node.role==worker]\n Preferences:   [spread=node.labels.zone]\n Max Replicas Per Node:   1\n");
    expect(pretty).toMatch(/ Engine:\t\tThis swarm's manager speaks Engine API 1\.41; engines before 1\.44/);
    expect(pretty).toContain("Endpoint Mode:\tvip\n");

    // Running on the two workers, one per zone, as `service ls` and `service ps` show it.
    await waitFor(async () => (await api.service.get.query({ ref: "web" })).running === 2, "web's two tasks to run", { timeoutMs: 60_000, intervalMs: 250 });
    const ls = await rampart("service", "ls");
    expect(ls.stdout).toMatch(new RegExp(`^${id.slice(0, 12)} +web +replicated +2/2 \\(max 1 per node\\) +${TEST_IMAGE}$`, "m"));
    const ps = await rampart("service", "ps", "web");
    const rows = ps.stdout.trimEnd().split("\n").slice(1);
    expect(rows.map((row) => row.split(/ {2,}/)[3]).sort()).toEqual(["sv-w1", "sv-w2"]);
    for (const row of rows) expect(row).toMatch(/ +Running +Running \S.* ago/);

    const created = await auditOf("service.create");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ targetId: id, targetName: "web", envName: "prod", actorName: "local-admin", outcome: "success" });
    expect(created[0]!.reason).toContain("not applied by the engine (Engine API 1.41 before 1.44): no-new-privileges");
    expect(await auditOf("secret.grant")).toEqual([expect.objectContaining({ targetId: secretId, targetName: "db_pw", contextId: id, contextName: "web", envName: "prod" })]);

    const fidelity = await fidelityOf("web", "create");
    expect(fidelity).toMatchObject({ state: "matched", differences: [], placement: { placed: { [idOf("sv-w1")]: 1, [idOf("sv-w2")]: 1 }, pendingErrors: [] } });
  });

  it("ok/an impossible constraint leaves the task pending with Docker's own error, and the pending explanation names the refusing filter on every node", async () => {
    const r = await rampart("service", "create", "--name", "stuck", "--constraint", "node.labels.zone==nowhere", "--stop-signal", "SIGKILL", TEST_IMAGE, "sleep", "3600");
    expect(r.code).toBe(0);
    const error = "no suitable node (scheduling constraints not satisfied on 3 nodes)";
    await waitFor(async () => (await api.service.get.query({ ref: "stuck" })).tasks.some((t) => t.err === error), "the task to wait with Docker's error", { timeoutMs: 30_000, intervalMs: 250 });
    const detail = await api.service.get.query({ ref: "stuck" });
    expect(detail).toMatchObject({ running: 0, pending: 1, desired: 1 });
    expect(detail.tasks[0]).toMatchObject({ state: "pending", desiredState: "running", err: error, message: "pending task scheduling", nodeId: null });
    // docker service ps cuts the error short; --no-trunc shows it whole.
    const ps = await rampart("service", "ps", "--no-trunc", "stuck");
    expect(ps.stdout).toMatch(new RegExp(`stuck\\.1 +${TEST_IMAGE} +Running +Pending \\S.* ago +"${error.replace(/[()]/g, "\\$&")}"`));

    const explained = (await api.service.pending.query({ ref: "stuck" }))!;
    expect(explained).toMatchObject({ pending: 1, errors: [error], plannerPending: 1, plannerReason: error, problems: [] });
    expect(explained.matrix.map((row) => [row.hostname, row.filter.passed ? "ok" : row.filter.failedFilter]).sort()).toEqual([
      ["sv-lead", "constraints"],
      ["sv-w1", "constraints"],
      ["sv-w2", "constraints"],
    ]);
    const w1 = explained.matrix.find((row) => row.hostname === "sv-w1")!;
    expect(w1.constraints).toEqual([expect.objectContaining({ matched: false, actual: "a" })]);
    expect(w1.filter).toMatchObject({ reason: expect.stringContaining("node.labels.zone") });

    expect(await fidelityOf("stuck", "create")).toMatchObject({ state: "matched", differences: [], placement: { placed: {}, pendingErrors: [error] } });
  });

  it("ok/the native cluster's waiting tasks are explained the same way; it has no prediction to check", async () => {
    const created = await native.service.create.mutate({ name: "nat-stuck", image: TEST_IMAGE, constraints: ["node.labels.zone==nowhere"] });
    await waitFor(async () => (await native.service.get.query({ ref: created.id })).tasks.some((t) => t.err?.startsWith("no suitable node")), "the native task to wait", {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const explained = (await native.service.pending.query({ ref: created.id }))!;
    expect(explained).toMatchObject({ pending: 1, plannerPending: 1, problems: [] });
    expect(explained.errors).toEqual([explained.plannerReason]);
    expect(explained.matrix).toHaveLength(1);
    expect(explained.matrix[0]!.filter.passed).toBe(false);
    expect(await native.service.fidelity.query({ ref: created.id })).toBeNull();
    await native.service.remove.mutate({ ref: created.id });
  });

  it("fail/an update at a stale version index is Docker's 409, in its words; the CLI's update is at the version it read, and its prediction matches", async () => {
    const current = await api.service.get.query({ ref: "web" });
    const stale = api.service.update.mutate({ ref: "web", version: current.version - 1, spec: { ...current.spec, replicas: 3 } });
    await expect(stale).rejects.toThrow(/update out of sequence/);
    expect((await refusal(stale)).data).toMatchObject({ code: "CONFLICT", httpStatus: 409 });
    expect(dockerService("web").Version.Index).toBe(current.version);

    // A container label changes every task's spec: Docker rolls the update out, task by task.
    const r = await rampart("service", "update", "--replicas", "3", "--replicas-max-per-node", "2", "--container-label-add", "rev=2", "web");
    expect(r).toMatchObject({ code: 0, stdout: "web\n" });
    expect(dockerService("web").Spec.TaskTemplate.Placement.MaxReplicas).toBe(2);
    const fidelity = await fidelityOf("web", "update");
    expect(fidelity).toMatchObject({ state: "matched", differences: [] });
    // Spread over the two zones: one of them gets the third task, which Swarm leaves to chance.
    expect(Object.values(fidelity.placement!.placed).sort()).toEqual([1, 2]);
    expect((await auditOf("service.update")).length).toBeGreaterThanOrEqual(1);
  });

  it("ok/rampart plan reads the swarm; Apply updates it at the version read (stale: 409) and its prediction matches Swarm", async () => {
    const plan = await rampart("plan", "web", "--replicas", "2");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Why \(not\), node by node:$/m);
    expect(plan.stdout).toMatch(/^sv-lead +manager +Active +✗ .*constraints: /m);

    const current = await api.service.get.query({ ref: "web" });
    const spec = { ...current.spec, replicas: 2 };
    await expect(api.planner.applyPlan.mutate({ serviceId: current.id, version: current.version - 1, spec })).rejects.toThrow(/update out of sequence/);
    const applied = await api.planner.applyPlan.mutate({ serviceId: current.id, version: current.version, spec });
    expect(applied).toMatchObject({ id: current.id, created: false, spec: { replicas: 2 } });
    expect(await fidelityOf("web", "apply")).toMatchObject({ state: "matched", differences: [] });
    expect(await auditOf("planner.apply")).toEqual([expect.objectContaining({ targetId: current.id, envName: "prod" })]);
    expect((await auditOf("planner.whatif")).length).toBeGreaterThanOrEqual(1);
  });

  it("ok/networks: --network on create, --network-rm and --network-add on update, written as the network's ID; the native cluster refuses one", async () => {
    const backend = docker("network", "inspect", "--format", "{{.ID}}", "backend").trim();
    // No tasks: on this machine's shared kernel, several engines cannot each make an overlay's VXLAN interface.
    const r = await rampart("service", "create", "--name", "netted", "--replicas", "0", "--network", "backend", TEST_IMAGE, "sleep", "3600");
    expect(r.code).toBe(0);
    expect(dockerService("netted").Spec.TaskTemplate.Networks).toEqual([{ Target: backend }]);
    const inspected = (JSON.parse((await rampart("service", "inspect", "netted")).stdout) as InspectedJson[])[0]!;
    expect(inspected.docker.networks).toEqual([{ id: backend, name: "backend", aliases: [] }]);
    expect((await rampart("service", "inspect", "--pretty", "netted")).stdout).toContain("Networks: backend\n");

    expect((await rampart("service", "update", "--network-rm", "backend", "netted")).code).toBe(0);
    expect(dockerService("netted").Spec.TaskTemplate.Networks).toBeUndefined();
    expect((await rampart("service", "update", "--network-add", "backend", "netted")).code).toBe(0);
    expect(dockerService("netted").Spec.TaskTemplate.Networks).toEqual([{ Target: backend }]);
    expect(await rampart("service", "update", "--network-add", "backend", "netted")).toMatchObject({ code: 2, stderr: expect.stringContaining("service is already attached to network backend") });
    expect(await rampart("service", "update", "--network-add", "nowhere", "netted")).toMatchObject({ code: 1, stderr: "Error: network nowhere not found\n" });

    const refused = native.service.create.mutate({ name: "nat", image: TEST_IMAGE, networks: ["backend"] });
    await expect(refused).rejects.toThrow(`Rampart's own cluster has no overlay networks to join ("backend")`);
    expect((await refusal(refused)).data).toMatchObject({ httpStatus: 412 });
  });

  it("ok/scale and rm act on the swarm; removal is audited with the secret's revocation, in the environment", async () => {
    expect(await rampart("service", "scale", "web=1")).toMatchObject({ code: 0, stdout: "web scaled to 1\n" });
    expect(dockerService("web").Spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(await fidelityOf("web", "scale")).toMatchObject({ state: "matched" });

    const id = dockerService("web").ID;
    expect(await rampart("service", "rm", "web", "stuck", "netted")).toMatchObject({ code: 0, stdout: "web\nstuck\nnetted\n" });
    expect(docker("service", "ls", "-q").trim()).toBe("");
    expect((await auditOf("service.remove")).map((e) => e.targetName).sort()).toEqual(["netted", "stuck", "web"]);
    expect(await auditOf("secret.revoke")).toEqual([expect.objectContaining({ targetName: "db_pw", contextId: id, envName: "prod" })]);
    expect(await rampart("service", "inspect", "web")).toMatchObject({ code: 1, stderr: "Error: service web not found\n" });
  });

  it("ok/the server logged no fidelity defect: every prediction agreed with Swarm", () => {
    const logged = s.logs.join("");
    // Control: the search reads the server's log, where a line it surely wrote is found
    // (the defect's own line is the one fidelity-tracker.test.ts has the tracker write).
    expect(logged).toContain('"msg":"rampart server ready"');
    expect(logged).not.toContain("planner fidelity defect");
  });
});

/** The server's refusal of a call that must fail. */
async function refusal(call: Promise<unknown>): Promise<TRPCClientError<never>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<never>;
    throw error;
  }
  throw new Error("the call was expected to be refused");
}

interface DockerServiceJson {
  ID: string;
  Version: { Index: number };
  Spec: {
    Mode: Record<string, unknown>;
    TaskTemplate: {
      ContainerSpec: { Privileges?: unknown };
      Placement: { MaxReplicas?: number };
      Networks?: Array<{ Target: string }>;
    };
  };
}

interface InspectedJson {
  id: string;
  docker: { networks: Array<{ id: string; name: string | null; aliases: string[] }> };
}
