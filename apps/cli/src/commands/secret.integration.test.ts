import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { countCanary, newCanary, testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClient } from "../client/index.js";
import { startTestServer, type TestServer } from "../test-support/server.js";

/**
 * `rampart secret` and the services' secret flags as a user runs them: the built CLI
 * in its own process, over the admin socket of a real server in this one. The server's
 * own node is the only node; with no agent, a task placed on it stays ASSIGNED, so it
 * keeps holding the secret it was made with.
 */
const main = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const SIZE_ERROR = "secret data must be larger than 0 and less than 512000 bytes";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.each(testStoreKinds())("rampart secret against a server on %s", (kind) => {
  let s: TestServer;
  let client: AdminClient;
  let dir: string;
  const runs: Run[] = [];
  const canaries: string[] = [];

  beforeAll(async () => {
    s = await startTestServer(kind);
    client = createAdminClient({ socketPath: s.server.socketPath });
    dir = mkdtempSync(join(tmpdir(), "rampart-secret-cli-"));
  });
  afterAll(async () => {
    await s?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function rampart(args: string[], input?: string | Buffer): Promise<Run> {
    return new Promise((resolve) => {
      // The data directory after the noun and verb: `service create` takes no flags after its image.
      const child = spawn(process.execPath, [main, ...args.slice(0, 2), "--data-dir", s.dataDir, ...args.slice(2)], {
        env: { ...process.env, DATABASE_URL: "", RAMPART_HOST: undefined, RAMPART_TOKEN: undefined },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.on("close", (code) => {
        const run = { code: code ?? 1, stdout, stderr };
        runs.push(run);
        resolve(run);
      });
      child.stdin.end(input ?? "");
    });
  }

  /** A file holding a fresh canary as its value. */
  function valueFile(name: string): string {
    const canary = newCanary("cli-secret");
    canaries.push(canary);
    const path = join(dir, name);
    writeFileSync(path, canary);
    return path;
  }

  let dbId: string;

  it("ok/secret is in the top-level help, and each command has its own", async () => {
    expect((await rampart(["--help"])).stdout).toMatch(/\n {2}secret +Manage secrets: create, ls, inspect, rm, rotate\n/);
    expect((await rampart(["secret", "--help"])).stdout).toContain("Usage:  rampart secret COMMAND");
    expect((await rampart(["secret", "create", "--help"])).stdout).toContain("Usage:  rampart secret create [OPTIONS] SECRET [FILE|-]");
    expect((await rampart(["secret", "rotate", "-h"])).stdout).toContain("--remove-old");
    expect((await rampart(["service", "create", "--help"])).stdout).toContain("--secret SECRET");
    expect((await rampart(["service", "update", "--help"])).stdout).toContain("--secret-rm NAME");
    const unknown = await rampart(["secret", "frob"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("rampart: 'frob' is not a rampart secret command");
  });

  it("ok/create from a file prints the ID, and only the ID", async () => {
    const r = await rampart(["secret", "create", "--label", "env=prod", "-l", "team=core", "db_password", valueFile("db")]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    dbId = r.stdout.trim();
    expect(r.stdout).toMatch(/^[0-9a-z]{25}\n$/);
    expect(await client.secret.get.query({ ref: dbId })).toMatchObject({ name: "db_password", labels: { env: "prod", team: "core" } });
  });

  it("ok/create from standard input", async () => {
    const canary = newCanary("cli-stdin");
    canaries.push(canary);
    const r = await rampart(["secret", "create", "tls_key", "-"], canary);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await client.secret.get.query({ ref: "tls_key" })).size).toBe(Buffer.byteLength(canary));
  });

  it("fail/a payload too big, an empty one, or a missing file is refused before anything is sent", async () => {
    const big = join(dir, "big");
    writeFileSync(big, Buffer.alloc(512_000, 1));
    const before = (await client.secret.list.query()).length;
    for (const args of [["big", big], ["empty", "-"], ["nofile"]]) {
      const r = await rampart(["secret", "create", ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`Error: ${SIZE_ERROR}`);
    }
    const missing = await rampart(["secret", "create", "x", join(dir, "nope")]);
    expect(missing.stderr.trim()).toBe(`Error: Error reading content from "${join(dir, "nope")}": open ${join(dir, "nope")}: no such file or directory`);
    expect((await client.secret.list.query()).length).toBe(before);
    // The server's own words for a name that is taken.
    const taken = await rampart(["secret", "create", "db_password", valueFile("again")]);
    expect(taken).toMatchObject({ code: 1, stderr: "Error: secret db_password already exists\n" });
  });

  it("ok/ls: docker's columns; -q and --filter", async () => {
    const r = await rampart(["secret", "ls"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID +NAME +DRIVER +CREATED +UPDATED$/);
    expect(lines[1]).toMatch(new RegExp(`^${dbId} +db_password +(Less than a second|\\d+ seconds?) ago +(Less than a second|\\d+ seconds?) ago$`));
    expect(lines[2]).toMatch(/^[0-9a-z]{25} +tls_key +/);
    expect((await rampart(["secret", "ls", "-q", "--filter", "name=db"])).stdout).toBe(`${dbId}\n`);
    expect((await rampart(["secret", "ls", "-q", "-f", "label=env=prod"])).stdout).toBe(`${dbId}\n`);
    const bad = await rampart(["secret", "ls", "--filter", "colour=red"]);
    expect(bad).toMatchObject({ code: 1, stderr: "Error: invalid filter 'colour'\n" });
  });

  it("ok/service create --secret, short and long forms; inspect shows who uses the secret, never its value", async () => {
    const api = await rampart(["service", "create", "--name", "api", "--secret", "source=db_password,target=db,uid=1000,gid=1000,mode=0400", "nginx"]);
    expect(api).toMatchObject({ code: 0, stderr: "" });
    const web = await rampart(["service", "create", "--name", "web", "--replicas", "0", "--secret", "tls_key", "nginx"]);
    expect(web.code).toBe(0);
    const missing = await rampart(["service", "create", "--name", "x", "--secret", "nope", "nginx"]);
    expect(missing).toMatchObject({ code: 1, stderr: "Error: secret not found: nope\n" });
    const badFlag = await rampart(["service", "create", "--name", "x", "--secret", "source=a,colour=red", "nginx"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('invalid argument "source=a,colour=red" for "--secret" flag: invalid field in secret request: colour');
    const escaping = await rampart(["service", "create", "--name", "x", "--secret", "source=db_password,target=../escape.txt", "nginx"]);
    expect(escaping.code).toBe(2);
    expect(escaping.stderr).toContain(
      `invalid argument "source=db_password,target=../escape.txt" for "--secret" flag: secret target '../escape.txt' leaves /run/secrets: '..' is not allowed in a target`,
    );
    const absolute = await rampart(["service", "update", "--secret-add", "source=db_password,target=/etc/passwd", "api"]);
    expect(absolute.code).toBe(2);
    expect(absolute.stderr).toContain("secret target '/etc/passwd' is an absolute path");

    const inspected = await rampart(["secret", "inspect", "db_password"]);
    expect(inspected.code).toBe(0);
    const [secret] = JSON.parse(inspected.stdout) as [Record<string, unknown>];
    expect(Object.keys(secret).sort()).toEqual(["createdAt", "id", "labels", "name", "nodes", "services", "size", "updatedAt", "version"]);
    expect(secret).toMatchObject({
      id: dbId,
      name: "db_password",
      services: [{ name: "api", references: [{ target: "db", uid: "1000", gid: "1000", mode: 0o400 }] }],
    });
    const pretty = await rampart(["secret", "inspect", "--pretty", "db_password"]);
    expect(pretty.stdout).toContain(`ID:              ${dbId}\nName:              db_password\nLabels:\n - env=prod\n - team=core\n`);
    expect(pretty.stdout).toContain(" - api: target db, uid 1000, gid 1000, mode 0400\n");
    const some = await rampart(["secret", "inspect", "tls_key", "nope"]);
    expect(some.code).toBe(1);
    expect((JSON.parse(some.stdout) as Array<{ name: string }>).map((x) => x.name)).toEqual(["tls_key"]);
    expect(some.stderr.trim()).toBe("Error: secret nope not found");
  });

  it("fail/rm of a secret in use is refused with Swarm's words", async () => {
    const r = await rampart(["secret", "rm", "db_password"]);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "Error: secret 'db_password' is in use by the following service: api\n" });
  });

  it("ok/rotate --detach moves the service under the same target; then the old version can go", async () => {
    const r = await rampart(["secret", "rotate", "--detach", "db_password", valueFile("db2")]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const [id, summary, ...rest] = r.stdout.trim().split("\n");
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    expect(summary).toBe("Created db_password_v2 to replace db_password; 1 service moved to it: api");
    expect(rest.at(-1)).toBe("Once no task holds it, remove the old version with: rampart secret rm db_password");
    const to = await client.secret.get.query({ ref: "db_password_v2" });
    expect(to).toMatchObject({ id, labels: { env: "prod", team: "core" } });
    expect((await client.service.get.query({ ref: "api" })).spec.secrets).toEqual([
      { secretId: id, secretName: "db_password_v2", target: "db", uid: "1000", gid: "1000", mode: 0o400 },
    ]);
    // No agent runs the old task, so it still holds the old version; Swarm lets it go anyway, as no service uses it.
    const rm = await rampart(["secret", "rm", "db_password"]);
    expect(rm).toMatchObject({ code: 0, stdout: "db_password\n", stderr: "" });
    expect((await rampart(["secret", "ls", "-q", "--filter", "name=db_password"])).stdout).toBe(`${id}\n`);
  });

  it("ok/rotate follows the rollout, here over at once, and --remove-old removes the old version", async () => {
    const r = await rampart(["secret", "rotate", "--name", "tls_key_2026", "--remove-old", "tls_key", "-"], "new tls key");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n").slice(1)).toEqual([
      "Created tls_key_2026 to replace tls_key; 1 service moved to it: web",
      "1/1 service moved; 0 tasks still with tls_key; 0 tasks with tls_key_2026",
      "Rollout complete: no service references tls_key and no task holds it.",
      "Removed tls_key",
      "",
    ]);
    await expect(client.secret.get.query({ ref: "tls_key" })).rejects.toThrow("secret tls_key not found");
    const oversized = join(dir, "big");
    const refused = await rampart(["secret", "rotate", "tls_key_2026", oversized]);
    expect(refused).toMatchObject({ code: 1, stdout: "", stderr: `Error: ${SIZE_ERROR}\n` });
  });

  it("ok/service update --secret-rm and --secret-add", async () => {
    const r = await rampart(["service", "update", "--secret-rm", "db_password_v2", "--secret-add", "source=tls_key_2026,target=db,mode=0440", "api"]);
    expect(r).toMatchObject({ code: 0, stdout: "api\n", stderr: "" });
    const { spec } = await client.service.get.query({ ref: "api" });
    expect(spec.secrets).toEqual([{ secretId: expect.any(String), secretName: "tls_key_2026", target: "db", uid: "0", gid: "0", mode: 0o440 }]);
    expect((await rampart(["secret", "rm", "db_password_v2"])).code).toBe(0);
  });

  it("ok/no output and no server log line holds a value", () => {
    expect(canaries.length).toBeGreaterThanOrEqual(4);
    const output = Buffer.from(JSON.stringify(runs));
    const logs = Buffer.from(s.logs.join(""));
    expect(logs.length).toBeGreaterThan(0);
    for (const canary of canaries) {
      for (const [form, n] of countCanary(output, canary)) expect(n, `CLI output holds a value as ${form}`).toBe(0);
      for (const [form, n] of countCanary(logs, canary)) expect(n, `a log line holds a value as ${form}`).toBe(0);
    }
  });
});
