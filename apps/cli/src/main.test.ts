import { execFile } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VERSION } from "./version.js";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

function rampart(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { env: { ...process.env, DATABASE_URL: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("rampart CLI", () => {
  it("ok/--help lists the commands", async () => {
    const r = await rampart("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage:  rampart COMMAND");
    expect(r.stdout).toMatch(/server +Run the Rampart server/);
  });

  it("fail/an unknown command is named, docker-style", async () => {
    const r = await rampart("frobnicate");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("rampart: 'frobnicate' is not a rampart command.");
  });

  it("fail/an unknown flag is a usage error", async () => {
    const r = await rampart("status", "--colour");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--colour");
  });

  it("fail/status with no server says so and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-cli-"));
    const r = await rampart("status", "--data-dir", dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot connect to the Rampart server at unix://${dir}/rampart.sock. Is the server running?`);
  });

  it("fail/--host without a token is refused before any request", async () => {
    const r = await rampart("status", "--host", "https://example.invalid");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--host needs an API token");
  });

  it("fail/--host over plain HTTP to another machine is refused", async () => {
    const r = await rampart("status", "--host", "http://rampart.example:8080", "--token", "x");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--host must use https://");
  });

  it("ok/service and plan are listed, and each has its own help", async () => {
    expect((await rampart("--help")).stdout).toMatch(/service +Manage services: create, ls, ps, inspect, update, scale, rm\n +plan +Dry-run the scheduler/);
    expect((await rampart("service", "--help")).stdout).toContain("Usage:  rampart service COMMAND");
    expect((await rampart("service", "create", "--help")).stdout).toContain("Usage:  rampart service create [OPTIONS] IMAGE");
    expect((await rampart("service", "update", "-h")).stdout).toContain("--constraint-rm EXPR");
    expect((await rampart("plan", "--help")).stdout).toContain("--label-add NODE:KEY=VALUE");
  });

  it("fail/an unknown service command, and a bad scale specifier, are usage errors", async () => {
    const unknown = await rampart("service", "frob");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("rampart: 'frob' is not a rampart service command\nSee 'rampart service --help'");
    const dir = mkdtempSync(join(tmpdir(), "rampart-cli-"));
    const scale = await rampart("service", "scale", "web", "--data-dir", dir);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toContain("rampart: invalid scale specifier 'web'");
  });

  it("ok/plan --scenario pci-dss needs no server", async () => {
    const r = await rampart("plan", "--scenario", "pci-dss", "--replicas", "4", "--data-dir", mkdtempSync(join(tmpdir(), "rampart-cli-")));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Service web-fe (new): replicated, 4 replicas; constraints node.labels.pcidss == yes");
    expect(r.stdout).toMatch(/^node-5 +worker +Active +✗ node\.labels\.pcidss is "no", not "yes" +constraints: /m);
    expect(r.stdout).toMatch(/Pending: none|Pending: \d+ tasks? would wait/);
  });

  it("ok/conformance runs the project's vectors and ends with the count", async () => {
    const r = await rampart("conformance", "--vectors", fileURLToPath(new URL("../../../reference/vectors", import.meta.url)));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  });

  it("fail/plain HTTP off loopback is refused before the store is opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-cli-"));
    const r = await rampart("server", "--data-dir", dir, "--listen", "0.0.0.0:0");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("refusing to serve plain HTTP on 0.0.0.0:0");
  });

  it("ok/SIGTERM stops the server cleanly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-cli-"));
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [main, "server", "--data-dir", dir, "--listen", "127.0.0.1:0"], {
      env: { ...process.env, DATABASE_URL: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes("Rampart is ready at")) resolve();
      });
      child.once("exit", () => reject(new Error(stderr)));
    });
    expect(stderr).toMatch(/one-time setup code:\n\n {4}[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    expect(stderr).toMatch(/Swarm initialized: current node \([0-9a-z]{25}\) is now a manager\./);
    // Tokens are revealed only through the audited path, never in the server's output.
    expect(stderr + stdout).not.toContain("SWMTKN-");
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    expect(stdout).toContain('"msg":"rampart server stopped"');
    // Logs are JSON lines, and the setup code is not in them.
    const setupCode = /([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(stderr)![1]!;
    expect(stdout).not.toContain(setupCode);
  }, 60_000);

  it("ok/the first line names the data directory and whether it holds a cluster; the notices follow the start-up logs; a restart opens the same cluster", async () => {
    const { spawn } = await import("node:child_process");
    const dir = join(mkdtempSync(join(tmpdir(), "rampart-cli-")), "data");
    /** One start and stop, with stdout and stderr in one file in the order they were written, as on a terminal. */
    async function start(format: "json" | "pretty"): Promise<string> {
      const file = join(mkdtempSync(join(tmpdir(), "rampart-cli-out-")), "out");
      const fd = openSync(file, "w");
      const child = spawn(process.execPath, [main, "server", "--data-dir", dir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0", "--log-format", format], {
        env: { ...process.env, DATABASE_URL: "" },
        stdio: ["ignore", fd, fd],
      });
      closeSync(fd);
      const deadline = Date.now() + 50_000;
      while (!readFileSync(file, "utf8").includes("Rampart is ready at")) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(readFileSync(file, "utf8"));
        await new Promise((r) => setTimeout(r, 100));
      }
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      return readFileSync(file, "utf8");
    }

    const first = await start("json");
    const lines = first.split("\n");
    expect(lines[0]).toBe(`Rampart ${VERSION}: data directory ${dir}, no cluster there yet: creating a new one`);
    const clusterId = /Created a new cluster \(([0-9a-z]{25})\) in (\S+)\./.exec(first);
    expect(clusterId?.[2]).toBe(dir);
    // Every log line written while starting comes before the notices: none is lost under them.
    const notice = lines.findIndex((l) => l.startsWith("Swarm initialized"));
    const ready = lines.findIndex((l) => l.includes('"msg":"rampart server ready"'));
    expect(ready).toBeGreaterThan(0);
    expect(notice).toBeGreaterThan(ready);
    expect(lines.slice(notice).filter((l) => l.startsWith("{")).every((l) => !l.includes('"msg":"store migrated"'))).toBe(true);
    const setupCode = /one-time setup code:\n\n {4}(\S+)/.exec(first)![1]!;
    expect(lines.filter((l) => l.startsWith("{")).join("\n")).not.toContain(setupCode);

    // Pretty logs, for a person; the same directory now holds the cluster, and it is opened, not made again.
    const second = await start("pretty");
    const again = second.split("\n");
    expect(again[0]).toBe(`Rampart ${VERSION}: data directory ${dir}, opening the cluster stored there`);
    expect(second).toContain(`Opened the existing cluster ${clusterId![1]} in ${dir}.`);
    expect(again.some((l) => /^\d\d:\d\d:\d\d INFO {2}rampart server ready url=http:\/\/127\.0\.0\.1:\d+ /.test(l))).toBe(true);
    expect(again.filter((l) => l.startsWith("{"))).toEqual([]);
    // No administrator yet, so the setup code is printed again (a new one), never into the logs.
    expect(second).toMatch(/one-time setup code:/);
  }, 120_000);
});
