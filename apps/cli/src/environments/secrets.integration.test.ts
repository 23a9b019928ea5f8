import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countCanary, newCanary } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectedEnvironment } from "@rampart/manager";
import type Docker from "dockerode";
import { createAdminClient, type AdminClient } from "../client/index.js";
import { runCli, type CliRun } from "../test-support/cli.js";
import { TEST_IMAGE, type TestEngine } from "../test-support/engines.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { startSwarm, type TestSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

/**
 * Secrets on a real Docker Swarm (one manager, one worker) connected to a real server,
 * through the built CLI with `--env` and the admin API where the CLI has no command:
 * what a container reads at /run/secrets is checked inside the container, on the engine
 * that runs it; the value is looked for in every output, the server's log, the audit
 * log and the engines' own logs, beside a control that proves each search finds.
 */
const ENV = "sw";
const actor = { type: "system" as const, id: null, name: "test" };
const patiently = { timeoutMs: 120_000, intervalMs: 250 };

describe("secrets on a connected Docker Swarm", () => {
  let swarm: TestSwarm;
  let s: TestServer;
  let api: AdminClient;
  let dir: string;
  const outputs: string[] = [];
  const values: string[] = [];

  beforeAll(async () => {
    swarm = await startSwarm(["sec-manager", "sec-worker"]);
    s = await startTestServer("pglite");
    api = createAdminClient({ socketPath: s.server.socketPath, env: ENV });
    dir = mkdtempSync(join(tmpdir(), "rampart-docker-secrets-"));
    const added = await rampart("env", "add", ENV, "--docker-host", swarm.leader.host);
    expect(added.code, added.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await s?.dispose();
    await swarm?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function rampart(...args: string[]): Promise<CliRun> {
    const run = await runCli(s.dataDir, ...args);
    outputs.push(run.stdout, run.stderr);
    return run;
  }

  /** The API's answer, kept for the leak search. */
  async function kept<T>(answer: Promise<T>): Promise<T> {
    const value = await answer;
    outputs.push(JSON.stringify(value));
    return value;
  }

  function valueFile(name: string): { path: string; value: string } {
    const value = newCanary(`docker-${name}`);
    values.push(value);
    const path = join(dir, name);
    writeFileSync(path, value);
    return { path, value };
  }

  function docker(engine: TestEngine, ...args: string[]): string {
    const result = engine.cli(...args);
    if (result.status !== 0) throw new Error(`docker ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
  }

  /** What each running container of `service` reads at /run/secrets/`target`, with the file's owner and mode. */
  function readings(service: string, target: string): Array<{ engine: string; value: string; stat: string }> {
    const found = [];
    for (const engine of swarm.engines) {
      const ids = docker(engine, "ps", "-q", "--filter", `label=com.docker.swarm.service.name=${service}`).split("\n").filter(Boolean);
      for (const id of ids) {
        const read = engine.cli("exec", id, "cat", `/run/secrets/${target}`);
        const stat = engine.cli("exec", id, "stat", "-L", "-c", "%u %g %a", `/run/secrets/${target}`);
        if (read.status === 0 && stat.status === 0) found.push({ engine: engine.name, value: read.stdout, stat: stat.stdout.trim() });
      }
    }
    return found;
  }

  /** A service made directly with the docker CLI, reading `secret` at `target` with this owner and mode. */
  function serviceWith(name: string, secret: string, file: { target: string; uid: string; gid: string; mode: string }): void {
    docker(
      swarm.leader,
      "service", "create", "--detach", "--no-resolve-image", "--name", name, "--stop-grace-period", "1s",
      "--secret", `source=${secret},target=${file.target},uid=${file.uid},gid=${file.gid},mode=${file.mode}`,
      TEST_IMAGE, "sleep", "600",
    );
  }

  const first = () => values[0]!;
  let secretId: string;

  it("ok/create: the value goes to Docker, Rampart prints the ID and shows no size (Docker reports none)", async () => {
    const { path } = valueFile("app_key");
    const created = await rampart("secret", "create", "--env", ENV, "--label", "team=payments", "app_key", path);
    expect(created.code, created.stderr).toBe(0);
    secretId = created.stdout.trim();
    expect(docker(swarm.leader, "secret", "inspect", "--format", "{{.ID}} {{.Spec.Name}} {{index .Spec.Labels \"team\"}}", "app_key")).toBe(`${secretId} app_key payments`);

    const ls = await rampart("secret", "ls", "--env", ENV);
    expect(ls.stdout).toMatch(new RegExp(`\\n${secretId} +app_key `));
    const inspected = JSON.parse((await rampart("secret", "inspect", "--env", ENV, "app_key")).stdout) as Array<Record<string, unknown>>;
    expect(inspected).toHaveLength(1);
    expect(inspected[0]).toMatchObject({ id: secretId, name: "app_key", size: null, labels: { team: "payments" }, services: [], nodes: [], docker: { driver: null } });
    const pretty = await rampart("secret", "inspect", "--env", ENV, "--pretty", "app_key");
    expect(pretty.stdout).toContain("Size:              not reported by Docker");
  });

  it("fail/Docker's refusals as Docker words them: a name taken, a bad name", async () => {
    const { path } = valueFile("dup");
    const taken = await rampart("secret", "create", "--env", ENV, "app_key", path);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toMatch(/already exists/);
    const bad = await rampart("secret", "create", "--env", ENV, "bad name!", path);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("invalid name, only 64 [a-zA-Z0-9-_.] characters allowed");
    expect(docker(swarm.leader, "secret", "ls", "--format", "{{.Name}}").split("\n")).toEqual(["app_key"]);
  });

  it("ok/a container reads it at its target with its owner and mode; inspect lists the service and the node", async () => {
    serviceWith("reader", "app_key", { target: "app", uid: "1000", gid: "1001", mode: "0440" });
    await waitFor(() => readings("reader", "app").length === 1, "reader's container to read its secret", patiently);
    const [reading] = readings("reader", "app");
    expect(reading).toMatchObject({ value: first(), stat: "1000 1001 440" });

    const view = await kept(api.secret.get.query({ ref: "app_key" }));
    expect(view.services).toEqual([{ id: expect.any(String), name: "reader", references: [{ target: "app", uid: "1000", gid: "1001", mode: 0o440 }] }]);
    expect(view.nodes).toEqual([{ nodeId: swarm.nodeIds.get(reading!.engine), hostname: reading!.engine, tasks: 1 }]);
  });

  it("ok/labels change at Docker's version; a stale version is refused with Docker's words", async () => {
    const before = await kept(api.secret.get.query({ ref: "app_key" }));
    const after = await kept(api.secret.update.mutate({ ref: "app_key", version: before.version, labels: { team: "payments", tier: "gold" } }));
    expect(after.labels).toEqual({ team: "payments", tier: "gold" });
    expect(after.version).toBeGreaterThan(before.version);
    await expect(api.secret.update.mutate({ ref: "app_key", version: before.version, labels: {} })).rejects.toMatchObject({
      message: expect.stringMatching(/update out of sequence$/),
      data: { httpStatus: 409 },
    });
    await expect(api.secret.update.mutate({ ref: "app_key", version: after.version, labels: {}, name: "renamed" })).rejects.toMatchObject({
      message: expect.stringMatching(/only updates to Labels are allowed$/),
      data: { httpStatus: 400 },
    });
  });

  it("fail/rm is refused while a service uses it, with Docker's text", async () => {
    const rm = await rampart("secret", "rm", "--env", ENV, "app_key");
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toMatch(/secret 'app_key' is in use by the following service: reader/);
    await expect(api.secret.remove.mutate({ ref: "app_key" })).rejects.toMatchObject({ data: { httpStatus: 400 } });
    expect(docker(swarm.leader, "secret", "ls", "--format", "{{.Name}}")).toContain("app_key");
  });

  it("ok/rotation: three services move to the new version, every container reads it with the same owner and mode, the old one is removed", async () => {
    serviceWith("reader-2", "app_key", { target: "nested.key", uid: "0", gid: "1000", mode: "0400" });
    serviceWith("reader-3", "app_key", { target: "k3", uid: "65534", gid: "65534", mode: "0404" });
    await waitFor(() => readings("reader-2", "nested.key").length === 1 && readings("reader-3", "k3").length === 1, "the other readers to start", patiently);
    const { path, value } = valueFile("app_key_v2");

    const rotated = await rampart("secret", "rotate", "--env", ENV, "app_key", path);
    expect(rotated.code, rotated.stderr).toBe(0);
    const lines = rotated.stdout.trim().split("\n");
    const newId = lines[0]!;
    expect(lines[1]).toBe("Created app_key_v2 to replace app_key; 3 services moved to it: reader, reader-2, reader-3");
    expect(lines.at(-2)).toBe("Rollout complete: no service references app_key and no task holds it.");
    expect(lines.at(-1)).toBe("Removed app_key");

    for (const [service, target, stat] of [
      ["reader", "app", "1000 1001 440"],
      ["reader-2", "nested.key", "0 1000 400"],
      ["reader-3", "k3", "65534 65534 404"],
    ] as const) {
      await waitFor(() => readings(service, target).every((r) => r.value === value) && readings(service, target).length === 1, `${service} to read the new value`, patiently);
      expect(readings(service, target)).toEqual([expect.objectContaining({ value, stat })]);
    }
    expect(docker(swarm.leader, "secret", "ls", "--format", "{{.ID}} {{.Name}}")).toBe(`${newId} app_key_v2`);

    const progress = await kept(api.secret.rotation.query({ from: "app_key", to: "app_key_v2" }));
    expect(progress).toMatchObject({ done: true, canRemoveOld: true, tasksOnOld: 0, tasksOnNew: 3, docker: { phase: "complete", why: null, oldRemoved: true } });
    expect(progress.docker?.services.map((x) => [x.name, x.updated, x.tasksOnOld, x.tasksOnNew])).toEqual([
      ["reader", true, 0, 1],
      ["reader-2", true, 0, 1],
      ["reader-3", true, 0, 1],
    ]);
    // Each service the rotation moved is checked against Swarm's placement, as any service change Rampart makes.
    for (const service of ["reader", "reader-2", "reader-3"]) {
      const checked = async () => api.service.fidelity.query({ ref: service });
      await waitFor(async () => ((await checked())?.state ?? "checking") !== "checking", `the fidelity check of ${service} after the rotation`, patiently);
      const result = await checked();
      expect(result, JSON.stringify({ differences: result?.differences, placement: result?.placement })).toMatchObject({ serviceName: service, change: "update", state: "matched" });
    }
    expect(s.logs.join("")).not.toContain("planner fidelity defect");

    const audit = await s.server.runtime.manager.audit.list({ env: (await kept(createAdminClient({ socketPath: s.server.socketPath }).environment.get.query({ name: ENV }))).id, limit: 500 });
    const mine = audit.filter((e) => e.action !== "env.use" && e.action !== "env.observed").map((e) => `${e.action} ${e.targetName} ${e.outcome}`).reverse();
    expect(mine).toEqual([
      "env.connect sw success",
      "secret.create app_key success",
      "secret.update app_key success",
      "secret.create app_key_v2 success",
      "service.update reader success",
      "service.update reader-2 success",
      "service.update reader-3 success",
      "secret.rotate app_key success",
      "secret.remove app_key success",
    ]);
    expect(audit.every((e) => e.envName === ENV)).toBe(true);
  });

  /**
   * The environment as the manager opens it, with `before` (a real change, made with the
   * docker CLI) run once just before Rampart's first update of the service `serviceId`:
   * a race provoked on the real engine, not a stand-in for it. `updates` counts Rampart's
   * updates of that service.
   */
  async function racing(serviceId: string, before: () => void): Promise<{ env: ConnectedEnvironment; updates: () => number }> {
    const env = await s.server.runtime.manager.environments.open(ENV, actor, null);
    let updates = 0;
    const bind = (target: object, p: string | symbol) => {
      const v = Reflect.get(target, p) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    };
    const wrap = (d: Docker): Docker =>
      new Proxy(d, {
        get: (target, p) =>
          p !== "getService"
            ? bind(target, p)
            : (id: string) =>
                new Proxy(target.getService(id), {
                  get: (svc, q) =>
                    q === "update" && id === serviceId
                      ? (options: object) => {
                          if (updates++ === 0) before();
                          return svc.update(options);
                        }
                      : bind(svc, q),
                }),
      });
    return { env: { ...env, call: (fn) => env.call((d) => fn(wrap(d))) }, updates: () => updates };
  }

  const serviceId = (name: string) => docker(swarm.leader, "service", "inspect", "--format", "{{.ID}}", name);

  it("ok/a service changed during the rotation (Docker's 'update out of sequence') is moved at its fresh version, the change kept", async () => {
    const { value } = valueFile("app_key_v3");
    const { env, updates } = await racing(serviceId("reader-2"), () => docker(swarm.leader, "service", "update", "--detach", "--label-add", "raced=yes", "reader-2"));
    const rotation = s.server.runtime.manager.dockerRotations;
    const rotated = await kept(rotation.rotate(env, { ref: "app_key_v2", data: new TextEncoder().encode(value) }, actor, null));
    expect(rotated.services.map((x) => x.name)).toEqual(["reader", "reader-2", "reader-3"]);
    // The first update lost the race; the second, at the fresh version, moved it.
    expect(updates()).toBe(2);
    expect(docker(swarm.leader, "service", "inspect", "--format", '{{index .Spec.Labels "raced"}} {{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}}:{{.File.Name}}:{{.File.UID}}:{{.File.GID}}:{{printf "%o" .File.Mode}}{{end}}', "reader-2")).toBe(
      "yes app_key_v3:nested.key:0:1000:400",
    );
    await waitFor(async () => (await rotation.progress(env, "app_key_v2", "app_key_v3")).docker.oldRemoved, "the rotation to complete", patiently);
    await waitFor(() => readings("reader-2", "nested.key").every((r) => r.value === value) && readings("reader-2", "nested.key").length === 1, "reader-2 to read the new value", patiently);
  });

  it("fail/a refusal stops the rotation where it happened, with Docker's words; the old version stays, in use", async () => {
    const { value } = valueFile("app_key_v4");
    // The new version removed (by someone else) before the first service is moved to it.
    const { env } = await racing(serviceId("reader"), () => docker(swarm.leader, "secret", "rm", "app_key_v4"));
    const rotation = s.server.runtime.manager.dockerRotations;
    const refused = await rotation.rotate(env, { ref: "app_key_v3", data: new TextEncoder().encode(value) }, actor, null).then(
      () => undefined,
      (error: unknown) => error as { code: string; message: string },
    );
    expect(refused?.code).toBe("invalid_argument");
    expect(refused?.message).toMatch(/^the rotation of secret app_key_v3 stopped at service reader \(0 of 3 moved to app_key_v4\): Docker says: .*secret not found: app_key_v4.*\. app_key_v3 stays while anything uses it$/);
    const progress = await kept(api.secret.rotation.query({ from: "app_key_v3", to: "app_key_v4" }));
    expect(progress).toMatchObject({ done: false, canRemoveOld: false, tasksOnOld: 3, docker: { phase: "stopped", oldRemoved: false, why: expect.stringMatching(/^service reader: .*secret not found: app_key_v4/) } });
    expect(docker(swarm.leader, "secret", "ls", "--format", "{{.Name}}")).toBe("app_key_v3");
    expect((await kept(api.secret.get.query({ ref: "app_key_v3" }))).services.map((x) => x.name)).toEqual(["reader", "reader-2", "reader-3"]);
  });

  it("fail/an engine that stops answering once the new version exists stops the rotation there, said and audited; the new version's creation is audited all the same", async () => {
    const { value } = valueFile("app_key_v5");
    const open = await s.server.runtime.manager.environments.open(ENV, actor, null);
    // The leader's dockerd frozen as soon as it has created the new version: every call after times out.
    const freezing = (d: Docker): Docker =>
      new Proxy(d, {
        get: (target, p) =>
          p === "createSecret"
            ? async (options: object) => {
                const created: unknown = await target.createSecret(options);
                process.kill(swarm.leader.pid, "SIGSTOP");
                return created;
              }
            : (Reflect.get(target, p) as unknown),
      });
    const env: ConnectedEnvironment = { ...open, call: (fn) => open.call((d) => fn(freezing(d))) };
    let refused: { code: string; message: string } | undefined;
    try {
      refused = await s.server.runtime.manager.dockerRotations.rotate(env, { ref: "app_key_v3", name: "app_key_v5", data: new TextEncoder().encode(value) }, actor, null).then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string },
      );
    } finally {
      process.kill(swarm.leader.pid, "SIGCONT");
    }
    expect(refused?.code).toBe("unavailable");
    expect(refused?.message).toMatch(/^the rotation of secret app_key_v3 stopped before moving any service \(app_key_v5 was created\): Docker says: cannot reach the Docker Engine at .*\. app_key_v3 stays while anything uses it$/);
    const progress = await kept(api.secret.rotation.query({ from: "app_key_v3", to: "app_key_v5" }));
    expect(progress).toMatchObject({ tasksOnNew: 0, docker: { phase: "stopped", oldRemoved: false, why: expect.stringMatching(/^cannot reach the Docker Engine at /) } });
    // Every task still reads the old version. Woken after the freeze, the leader may find its
    // workers' heartbeats late and start a replacement before the first one has stopped, so
    // for a moment a fourth task can be counted on it.
    expect(progress.tasksOnOld).toBeGreaterThanOrEqual(3);
    const audit = await s.server.runtime.manager.audit.list({ actions: ["secret.create", "secret.rotate"], limit: 2 });
    expect(audit.map((e) => [e.action, e.targetName, e.outcome, e.reason])).toEqual([
      ["secret.rotate", "app_key_v3", "failure", expect.stringMatching(/^stopped before moving any service \(app_key_v5 was created\): cannot reach the Docker Engine at /)],
      ["secret.create", "app_key_v5", "success", null],
    ]);
    docker(swarm.leader, "secret", "rm", "app_key_v5");
  }, 120_000);

  it("ok/no value anywhere: outputs, API answers, the server's log, the audit log, the engines' logs (each search proven by a control)", async () => {
    const audit = JSON.stringify(await s.server.runtime.manager.audit.list({ limit: 1000 }), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    // Each with a control it must hold (a name, or the rotation's audit line), so a search that finds nothing is a real absence.
    const haystacks = {
      output: [Buffer.from(outputs.join("\n")), "app_key_v2"],
      "server log": [Buffer.from(s.logs.join("")), "secret.rotate"],
      audit: [Buffer.from(audit), "app_key_v2"],
      "engine log": [Buffer.from(swarm.engines.map((e) => e.daemonLog()).join("\n")), "app_key_v2"],
    } as const;
    for (const [where, [haystack, control]] of Object.entries(haystacks)) expect(countCanary(haystack, control).get("raw"), `control in ${where}`).toBeGreaterThan(0);
    expect(values.length).toBe(6);
    for (const value of values) {
      for (const [where, [haystack]] of Object.entries(haystacks)) {
        for (const [form, n] of countCanary(haystack, value)) expect(n, `${where} holds a value as ${form}`).toBe(0);
      }
    }
  });
});
