import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultContainerSpec } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClient } from "../client/index.js";
import { csrFor } from "../server/identity.js";
import { runCli, type CliRun } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";

const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

/**
 * The container flags, the runtime policy and seccomp profiles as a user runs them: the
 * built CLI in its own process, over the admin socket of a real server in this one. The
 * server's own node has no engine here, so nothing runs; what is checked is what the
 * server stores and refuses, and what the CLI prints.
 */
describe.each(testStoreKinds())("rampart service containers, runtime policy and seccomp against a server on %s", (kind) => {
  let s: TestServer;
  let client: AdminClient;
  let scratch: string;

  beforeAll(async () => {
    s = await startTestServer(kind);
    client = createAdminClient({ socketPath: s.server.socketPath });
    scratch = mkdtempSync(join(tmpdir(), "rampart-seccomp-test-"));
  });
  afterAll(async () => {
    await s?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const rampart = (...args: string[]) => runCli(s.dataDir, ...args);

  /**
   * `rampart NOUN VERB --data-dir DIR ARGS…`: `service create` takes no flags after its
   * image (they are the container's), so the data directory goes before them.
   */
  function rampartFirst(noun: string, verb: string, ...args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [MAIN, noun, verb, "--data-dir", s.dataDir, ...args],
        { env: { ...process.env, DATABASE_URL: "", RAMPART_HOST: undefined, RAMPART_TOKEN: undefined } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ).stdin?.end();
    });
  }

  const names = async () => (await client.service.list.query()).map((x) => x.name).sort();

  it("ok/create: IMAGE COMMAND ARG… as docker takes them, flags after the image the container's own, every flag stored", async () => {
    const r = await rampartFirst(
      "service", "create", "--name", "app", "--entrypoint", "/bin/sh -c", "-e", "GREETING=hello", "--env", "MODE=a b",
      "-w", "/srv", "-u", "65534:65534", "--hostname", "app-1", "--container-label", "team=web", "--stop-signal", "SIGQUIT",
      "--stop-grace-period", "30s", "--init", "--read-only", "--cap-drop", "ALL", "--cap-add", "net_bind_service",
      "--limit-cpu", "0.5", "--limit-memory", "64m", "--mount", "type=tmpfs,target=/tmp,tmpfs-size=16m,tmpfs-mode=1770",
      "--mount", "type=volume,source=appdata,target=/data,readonly", "--security-opt", "apparmor=unconfined",
      "busybox:stable", "echo $GREETING; exec sleep 3600", "--data-dir", "not-a-flag",
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const { spec } = await client.service.get.query({ ref: "app" });
    expect(spec.limits).toEqual({ nanoCpus: 5e8, memoryBytes: 64 * 1024 ** 2 });
    expect(spec.container).toEqual(
      defaultContainerSpec({
        command: ["/bin/sh", "-c"],
        args: ["echo $GREETING; exec sleep 3600", "--data-dir", "not-a-flag"],
        env: ["GREETING=hello", "MODE=a b"],
        workdir: "/srv",
        user: "65534:65534",
        hostname: "app-1",
        labels: { team: "web" },
        stopSignal: "SIGQUIT",
        stopGracePeriodNs: 30e9,
        init: true,
        readOnly: true,
        capAdd: ["CAP_NET_BIND_SERVICE"],
        capDrop: ["ALL"],
        mounts: [
          { type: "tmpfs", source: "", target: "/tmp", readOnly: false, tmpfsSizeBytes: 16 * 1024 ** 2, tmpfsMode: 0o1770 },
          { type: "volume", source: "appdata", target: "/data", readOnly: true },
        ],
        apparmor: "unconfined",
      }),
    );
    const pretty = (await rampart("service", "inspect", "--pretty", "app")).stdout;
    expect(pretty).toContain(" Command:\t/bin/sh -c\n Args:\t\techo $GREETING; exec sleep 3600 --data-dir not-a-flag\n");
    expect(pretty).toContain("Security:\n Seccomp:\t\tdefault\n AppArmor:\t\tunconfined\n No New Privileges:\ttrue\n Privileged:\t\tfalse\n Weakened:\n  - AppArmor unconfined\n");
    expect(pretty).toContain(" Limits:\n  CPU:\t\t0.5\n  Memory:\t64MiB\n");
  });

  it("ok/update changes only what its flags name, and keeps the rest", async () => {
    const before = (await client.service.get.query({ ref: "app" })).spec;
    const r = await rampart(
      "service", "update", "--env-add", "GREETING=hi", "--env-rm", "MODE", "--read-only=false", "--mount-rm", "/data",
      "--container-label-add", "tier=1", "--args", "'sleep 60'", "--security-opt", "apparmor=", "app",
    );
    // `apparmor=` has no value: a usage error, and nothing changed.
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rampart: invalid argument "apparmor=" for "--security-opt" flag: invalid --security-opt: "apparmor="');
    expect((await client.service.get.query({ ref: "app" })).spec).toEqual(before);

    const ok = await rampart("service", "update", "--env-add", "GREETING=hi", "--env-rm", "MODE", "--read-only=false", "--mount-rm", "/data", "--container-label-add", "tier=1", "--args", "'sleep 60'", "app");
    expect(ok).toMatchObject({ code: 0, stdout: "app\n", stderr: "" });
    const after = (await client.service.get.query({ ref: "app" })).spec;
    expect(after.container).toEqual({
      ...before.container,
      args: ["sleep 60"],
      env: ["GREETING=hi"],
      readOnly: false,
      labels: { team: "web", tier: "1" },
      mounts: [before.container!.mounts[0]],
    });
    expect(after.limits).toEqual(before.limits);
    expect(await rampart("service", "rm", "app")).toMatchObject({ code: 0 });
  });

  it("fail/a bad container flag is a usage error naming the flag and the value, before any request", async () => {
    for (const [flags, message] of [
      [["--security-opt", "seccomp=/etc/seccomp.json"], 'invalid argument "seccomp=/etc/seccomp.json" for "--security-opt" flag: seccomp takes default, unconfined or the name of a profile'],
      [["--mount", "type=bind,src=/h"], ""],
      [["-e", "HOME"], 'invalid argument "HOME" for "-e, --env" flag: give NAME=VALUE'],
      [["--cap-add", "SYS_WIZARD"], 'invalid argument "SYS_WIZARD" for "--cap-add" flag: unknown capability: "CAP_SYS_WIZARD"'],
      [["--limit-memory", "12x"], `invalid argument "12x" for "--limit-memory" flag: invalid suffix: 'x'`],
    ] as const) {
      const r = await rampartFirst("service", "create", "--name", "bad", ...flags, "busybox");
      if (message === "") {
        // A bind mount without a target passes the flag's syntax; the server refuses it with its field.
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^Error: .*target is required/);
      } else {
        expect(r.code, flags.join(" ")).toBe(2);
        expect(r.stderr).toContain(`rampart: ${message}`);
      }
    }
    expect(await names()).not.toContain("bad");
  });

  it("fail/an overlay network is refused by Rampart's own cluster, which has none; nothing is stored", async () => {
    const r = await rampartFirst("service", "create", "--name", "bad", "--network", "backend", "busybox");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Rampart's own cluster has no overlay networks to join \("backend"\)/);
    expect(await names()).not.toContain("bad");
  });

  it.each([
    [
      "the engine's socket",
      ["--mount", "type=bind,source=/var/run/docker.sock,target=/s"],
      "Error: mounting the container engine's socket /var/run/docker.sock gives the task root on its node; an administrator can allow it under Swarm settings → Runtime policy\nFrom the command line: rampart swarm update --allow-host-path /var/run/docker.sock\n",
    ],
    [
      "privileged",
      ["--privileged"],
      "Error: privileged containers are not allowed by the runtime policy; an administrator can allow them under Swarm settings → Runtime policy\nFrom the command line: rampart swarm update --allow-privileged\n",
    ],
    [
      "host networking",
      ["--network", "host"],
      "Error: host networking is not allowed by the runtime policy; an administrator can allow it under Swarm settings → Runtime policy\nFrom the command line: rampart swarm update --allow-host-network\n",
    ],
  ])("fail/%s is refused by the runtime policy, with the command that allows it, and nothing is stored", async (_what, flags, stderr) => {
    const r = await rampartFirst("service", "create", "--name", "risky", ...flags, "busybox");
    expect(r).toEqual({ code: 1, stdout: "", stderr });
    expect(await names()).not.toContain("risky");
    expect(await s.server.runtime.manager.audit.list({ action: "service.create", limit: 100 })).not.toContainEqual(expect.objectContaining({ target: expect.objectContaining({ name: "risky" }) }));
  });

  it("ok/once the policy allows them, the same specs are taken, and info shows the policy", async () => {
    expect((await rampart("info")).stdout).toContain("  Runtime Policy:\n   Allowed Host Paths: none\n   Host Network: refused\n   Privileged: refused\n");
    const allowed = await rampart("swarm", "update", "--allow-host-path", "/var/run/docker.sock", "--allow-host-path", "/srv/data/", "--allow-host-network", "--allow-privileged", "--task-history-limit", "3");
    expect(allowed).toEqual({ code: 0, stdout: "Swarm updated.\n", stderr: "" });
    expect(s.server.runtime.manager.cluster.current().record).toMatchObject({
      taskHistoryLimit: 3,
      runtimePolicy: { allowedHostPaths: ["/var/run/docker.sock", "/srv/data"], allowHostNetwork: true, allowPrivileged: true },
    });
    expect((await rampart("info")).stdout).toContain("   Allowed Host Paths: /var/run/docker.sock, /srv/data\n   Host Network: allowed\n   Privileged: allowed\n");

    const r = await rampartFirst(
      "service", "create", "--name", "risky", "--mount", "type=bind,source=/var/run/docker.sock,target=/s", "--mount", "type=bind,source=/srv/data/www,target=/www,ro",
      "--privileged", "--network", "host", "busybox", "sleep", "3600",
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const { container } = (await client.service.get.query({ ref: "risky" })).spec;
    expect(container).toMatchObject({ privileged: true, hostNetwork: true, args: ["sleep", "3600"] });
    const pretty = (await rampart("service", "inspect", "--pretty", "risky")).stdout;
    expect(pretty).toContain(" Weakened:\n  - privileged: every capability and every device of the host\n  - host networking: the host's network namespace\n  - host path mounted: /var/run/docker.sock\n");
    expect(pretty).toContain("Networks: host\n");
  });

  it("ok/the policy's flags change only what they name; an update is held to the policy for what it adds, and keeps what the service had", async () => {
    expect(await rampart("swarm", "update", "--allow-privileged=false", "--disallow-host-path", "/srv/data")).toMatchObject({ code: 0, stdout: "Swarm updated.\n" });
    expect(s.server.runtime.manager.cluster.current().record.runtimePolicy).toEqual({ allowedHostPaths: ["/var/run/docker.sock"], allowHostNetwork: true, allowPrivileged: false });
    const missing = await rampart("swarm", "update", "--disallow-host-path", "/srv/other");
    expect(missing).toMatchObject({ code: 1, stderr: "Error: host path /srv/other is not in the runtime policy's allowed host paths (/var/run/docker.sock)\n" });

    // What the service already has stays; an update that changes something else is taken.
    expect(await rampart("service", "update", "--env-add", "A=1", "risky")).toMatchObject({ code: 0, stdout: "risky\n", stderr: "" });
    const before = (await client.service.get.query({ ref: "risky" })).version;
    const newPath = await rampart("service", "update", "--mount-add", "type=bind,source=/srv/data/logs,target=/logs", "risky");
    expect(newPath).toMatchObject({
      code: 1,
      stderr:
        "Error: host path /srv/data/logs is not in the runtime policy's allowed host paths; an administrator can allow it under Swarm settings → Runtime policy\n" +
        "From the command line: rampart swarm update --allow-host-path /srv/data/logs\n",
    });
    expect((await client.service.get.query({ ref: "risky" })).version).toBe(before);

    // Given up, privileged is not taken back without the policy's leave.
    expect(await rampart("service", "update", "--privileged=false", "--mount-rm", "/www", "risky")).toMatchObject({ code: 0, stdout: "risky\n", stderr: "" });
    expect((await client.service.get.query({ ref: "risky" })).spec.container).toMatchObject({ privileged: false, hostNetwork: true, mounts: [{ source: "/var/run/docker.sock" }] });
    const again = await rampart("service", "update", "--privileged", "risky");
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: privileged containers are not allowed by the runtime policy.*\nFrom the command line: rampart swarm update --allow-privileged\n$/) });
    expect(await rampart("service", "rm", "risky")).toMatchObject({ code: 0 });
  });

  let profileId: string;

  it("ok/seccomp profiles: created from a file and listed; a file that is not a profile is refused", async () => {
    const file = join(scratch, "strict.json");
    writeFileSync(file, JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read", "write", "exit_group"], action: "SCMP_ACT_ALLOW" }] }));
    const created = await rampart("seccomp", "create", "strict-v1", file);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    profileId = id;

    const bad = join(scratch, "bad.json");
    writeFileSync(bad, "{ not json");
    const refused = await rampart("seccomp", "create", "broken", bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: the seccomp profile is not valid JSON/);
    expect((await rampart("seccomp", "create", "gone", join(scratch, "nope.json"))).stderr).toBe(`Error: Error reading content from "${join(scratch, "nope.json")}": open ${join(scratch, "nope.json")}: no such file or directory\n`);

    const ls = await rampart("seccomp", "ls");
    expect(ls.stdout.split("\n")[0]).toMatch(/^ID +NAME +DIGEST +SIZE +CREATED$/);
    expect(ls.stdout.split("\n")[1]).toMatch(new RegExp(`^${id} +strict-v1 +sha256:[0-9a-f]{12} +\\d+B +.* ago$`));
    expect((await rampart("seccomp", "ls", "-q")).stdout).toBe("strict-v1\n");
  });

  it("ok/seccomp profiles: named by a service, inspected with it, kept while it is, then removed", async () => {
    const id = profileId;
    const missing = await rampartFirst("service", "create", "--name", "jail", "--security-opt", "seccomp=strict-v9", "busybox");
    expect(missing).toMatchObject({ code: 1, stderr: "Error: seccomp profile strict-v9 not found; add it under Swarm settings → Seccomp profiles\n" });
    const jail = await rampartFirst("service", "create", "--name", "jail", "--security-opt", "seccomp=strict-v1", "--security-opt", "no-new-privileges=true", "busybox");
    expect(jail).toMatchObject({ code: 0, stderr: "" });
    expect((await client.service.get.query({ ref: "jail" })).spec.container?.seccomp).toEqual({ mode: "custom", profile: "strict-v1" });

    const inspected = JSON.parse((await rampart("seccomp", "inspect", "strict-v1")).stdout) as [{ name: string; content: string; usedBy: string[] }];
    expect(inspected[0]).toMatchObject({ name: "strict-v1", usedBy: ["jail"] });
    expect(JSON.parse(inspected[0].content)).toMatchObject({ defaultAction: "SCMP_ACT_ERRNO" });
    const pretty = await rampart("seccomp", "inspect", "--pretty", "strict-v1", "nope");
    expect(pretty.code).toBe(1);
    expect(pretty.stdout).toMatch(new RegExp(`^ID:\\t\\t${id}\\nName:\\t\\tstrict-v1\\nDigest:\\t\\tsha256:[0-9a-f]{64}\\n.*\\nUsed by:\\tjail\\n$`, "s"));
    expect(pretty.stderr).toBe("Error: seccomp profile nope not found\n");

    const inUse = await rampart("seccomp", "rm", "strict-v1");
    expect(inUse).toMatchObject({ code: 1, stdout: "", stderr: "Error: seccomp profile strict-v1 is in use by service jail\n" });
    await rampart("service", "rm", "jail");
    expect(await rampart("seccomp", "rm", "strict-v1")).toMatchObject({ code: 0, stdout: "strict-v1\n" });
    expect((await rampart("seccomp", "ls", "-q")).stdout).toBe("");
  });

  it("ok/node ls marks the nodes that run no containers, with footnotes; node inspect shows the runtime", async () => {
    const manager = s.server.runtime.manager;
    const token = await manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
    const description = { hostname: "sim-1", os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} };
    const sim = await manager.nodes.join({ token, csrPem: csrFor(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey), description }, null);

    const r = await rampart("node", "ls");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +HOSTNAME +STATUS +AVAILABILITY +MANAGER STATUS +ENGINE VERSION +TLS STATUS +CERT EXPIRY$/);
    expect(lines.find((l) => l.startsWith(sim.nodeId))).toMatch(/ sim-1 +\w+ \(simulated\) +Active /);
    const leader = lines.find((l) => l.includes(" * "))!;
    expect(leader).toMatch(/ Ready \(no runtime\) +Active +Leader /);
    expect(lines.slice(-2)).toEqual([
      "(simulated) the node runs nothing: its tasks are only reported as running (agent simulate)",
      "(no runtime) no container engine could be reached on the node, so it gets no tasks; 'rampart node inspect NODE' says why",
    ]);

    const leaderId = leader.split(" ")[0]!;
    const [json] = JSON.parse((await rampart("node", "inspect", leaderId)).stdout) as [{ runtime: { kind: string; detail: string; securityOptions: string[] } }];
    expect(json.runtime.kind).toBe("none");
    expect(json.runtime.detail).not.toBe("");
    const pretty = (await rampart("node", "inspect", "--pretty", leaderId)).stdout;
    expect(pretty).toContain(`Runtime:\n Kind:\t\t\tnone (the node gets no tasks)\n Problem:\t\t${json.runtime.detail}\n`);
    expect((await rampart("node", "inspect", "--pretty", sim.nodeId)).stdout).toContain("Runtime:\n Kind:\t\t\tsimulated (nothing runs)\n");
    await manager.nodes.remove(sim.nodeId, true, { type: "system", id: null, name: "test" }, null);
  });
});
