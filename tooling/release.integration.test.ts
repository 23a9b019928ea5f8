import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, TEST_IMAGE, type TestEngine } from "../apps/cli/src/test-support/engines.js";

/**
 * The release artefact end to end. tooling/release.mjs packs the current build; npm
 * installs the tarball into an empty prefix, offline and with an empty cache, so a
 * dependency missing from the tarball fails the install. The installed files must be
 * the build's, byte for byte, and the installed `rampart`, run from outside the
 * checkout with a bare environment, must serve the UI and the API and take a node in.
 *
 * Run through turbo (`turbo run test --filter=@rampart/tooling`), which builds the CLI
 * and the UI first; run alone, it packs whatever the last build left.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const version = (JSON.parse(readFileSync(join(root, "apps", "cli", "package.json"), "utf8")) as { version: string }).version;
const exec = promisify(execFile);

const tmp = mkdtempSync(join(tmpdir(), "rampart-release-test-"));
const prefix = join(tmp, "prefix");
const rampart = join(prefix, "bin", "rampart");
const installed = join(prefix, "lib", "node_modules", "rampart");
const dataDir = join(tmp, "data");
// The agent's secrets go on tmpfs; a folder of the test's own, so it goes however the agent ends.
const secretsRoot = mkdtempSync("/dev/shm/rampart-release-test-");

/**
 * All the children see: node on PATH, a home and an npm cache of their own, and a
 * registry that does not exist. Nothing from the shell or from pnpm leaks in (no
 * npm_config_*, DATABASE_URL or RAMPART_*: RAMPART_WEB_DIR would point the server at
 * the checkout's UI instead of the installed one).
 */
const env = {
  PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
  HOME: join(tmp, "home"),
  NEXT_TELEMETRY_DISABLED: "1",
  npm_config_cache: join(tmp, "npm-cache"),
  npm_config_registry: "http://127.0.0.1:9/",
  npm_config_update_notifier: "false",
};

const children: ChildProcess[] = [];
/** Engines and secrets roots the node tests start, stopped and removed at the end. */
const engines: TestEngine[] = [];
const extraRoots: string[] = [];

/** A long-running child in tmp, with everything it prints kept for assertions and failure messages. */
function start(...args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(rampart, args, { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

/** `rampart ARGS` from the installed package, to completion. */
async function cli(...args: string[]): Promise<string> {
  const { stdout } = await exec(rampart, args, { cwd: tmp, env });
  return stdout;
}

async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: () => string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** SHA-256 of each file under dir that is packed (source maps, declarations, trace files and test helpers are not), by relative path. */
function digests(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path);
    // server/route-cache is what a running server cached (servers of other tests write it meanwhile), not the build.
    if (!entry.isFile() || /\.(map|d\.ts|nft\.json)$/.test(rel) || rel.split(sep)[0] === "testing" || rel.split(sep).includes("route-cache")) continue;
    found[rel] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return found;
}

let tarball = "";

beforeAll(async () => {
  mkdirSync(env.HOME);
  const out = join(tmp, "out");
  // Generous limits: in CI this runs beside the other packages' tests (two or more workers
  // each) on two cores, where packing 9,000 files, 22 s alone, once took over 240 s. Each
  // child is killed at its limit, so none is left writing into the directory afterAll removes.
  await step(process.execPath, [join(root, "tooling", "release.mjs"), "--out", out], root, 480_000);
  expect(readdirSync(out)).toEqual([`rampart-${version}.tgz`]);
  tarball = join(out, `rampart-${version}.tgz`);
  // --offline with an empty cache: npm may take nothing from anywhere but the tarball.
  await step("npm", ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], tmp, 300_000);
}, 900_000);

/** One step of the setup; a failure says whether the limit killed it, with what it wrote to stderr. */
async function step(file: string, args: string[], cwd: string, timeout: number): Promise<void> {
  try {
    await exec(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024, timeout });
  } catch (error) {
    const { killed, stderr } = error as { killed?: boolean; stderr?: string };
    throw new Error(`${[file, ...args].join(" ")} ${killed ? `was killed at its ${timeout / 1000} s limit` : "failed"}: ${stderr?.slice(-4000) ?? String(error)}`, { cause: error });
  }
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child, 5_000);
    }
  }
  rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  rmSync(secretsRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  for (const dir of extraRoots) rmSync(dir, { recursive: true, force: true });
  for (const engine of engines) await engine.stop();
});

describe("the release tarball, installed with npm from nothing else", () => {
  it("ok/is one file of reasonable size, holding this build's CLI, packages, migrations and web UI, byte for byte", () => {
    expect(statSync(tarball).size).toBeLessThan(60 * 1024 * 1024);
    const pairs: [string, string][] = [
      [join(root, "apps", "cli", "dist"), join(installed, "apps", "cli", "dist")],
      ...["core", "db", "manager", "api"].map((p): [string, string] => [
        join(root, "packages", p, "dist"),
        join(installed, "node_modules", "@rampart", p, "packages", p, "dist"),
      ]),
      [join(root, "prisma", "migrations"), join(installed, "node_modules", "@rampart", "db", "prisma", "migrations")],
      [join(root, "apps", "web", ".next", "server"), join(installed, "apps", "web", ".next", "server")],
      [join(root, "apps", "web", ".next", "static"), join(installed, "apps", "web", ".next", "static")],
    ];
    for (const p of ["core", "db", "manager", "api"]) {
      expect(lstatSync(join(installed, "node_modules", "@rampart", p)).isDirectory(), `@rampart/${p} is a real folder`).toBe(true);
    }
    for (const [built, copy] of pairs) {
      const expected = digests(built);
      expect(Object.keys(expected).length, built).toBeGreaterThan(0);
      expect(digests(copy), copy).toEqual(expected);
    }
    const buildId = (web: string) => readFileSync(join(web, ".next", "BUILD_ID"), "utf8");
    expect(buildId(join(installed, "apps", "web"))).toBe(buildId(join(root, "apps", "web")));
  });

  it("ok/`rampart version` names apps/cli's version", async () => {
    expect(await cli("version")).toBe(`Rampart version ${version}\n`);
  });

  let server: ReturnType<typeof start>;
  let url = "";

  it("ok/`rampart server` starts on a fresh data directory and serves the web UI and /healthz", async () => {
    server = start("server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0", "--log-level", "warn");
    url = await waitFor(
      () => /Rampart is ready at (\S+)/.exec(server.output())?.[1] ?? (server.child.exitCode === null ? undefined : "exited"),
      () => `the server to be ready; it printed:\n${server.output()}`,
      90_000,
    );
    expect(url, server.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", version, store: { kind: "pglite", migrated: true } });

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    const script = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
    expect(script, "a script of the page").toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
  }, 120_000);

  let agent: ReturnType<typeof start>;
  let join_: { tokenFile: string; address: string } | undefined;

  it("ok/a worker joins with a token from the admin socket and `rampart node ls` shows it Ready", async () => {
    const text = await cli("swarm", "join-token", "worker", "--data-dir", dataDir);
    const [, token, address] = /rampart agent join --token (SWMTKN-\S+) (\S+)$/m.exec(text) ?? [];
    expect(token, text).toBeDefined();
    const tokenFile = join(tmp, "worker-token");
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

    join_ = { tokenFile, address: address! };
    agent = start("agent", "join", "--token-file", tokenFile, "--state-dir", join(tmp, "agent"), "--secrets-root", secretsRoot, "--hostname", "release-check", address!);
    await waitFor(
      () => (agent.output().includes("This node joined a swarm as a worker.") ? true : agent.child.exitCode === null ? undefined : false),
      () => `the agent to join; it printed:\n${agent.output()}`,
      30_000,
    );
    expect(agent.child.exitCode, agent.output()).toBeNull();
    // No engine at /var/run/docker.sock here: the node joins, says so, and gets no task.
    expect(agent.output()).toContain("warning: no container runtime on this node: cannot reach the Docker Engine at unix:///var/run/docker.sock");
    let list = "";
    await waitFor(
      async () => ((list = await cli("node", "ls", "--data-dir", dataDir)), /^\w{25} +release-check +Ready \(no runtime\) +Active /m.test(list) || undefined),
      () => `the node to be Ready; node ls printed:\n${list}`,
      30_000,
    );
  }, 90_000);

  it("ok/a node with a Docker Engine runs a service's task as a container from the installed artefact, and its logs come back", async () => {
    const engine = await startEngine("release-engine");
    engines.push(engine);
    const engineSecrets = mkdtempSync("/dev/shm/rampart-release-test-");
    extraRoots.push(engineSecrets);
    const node = start(
      "agent", "join", "--token-file", join_!.tokenFile, "--state-dir", join(tmp, "agent-engine"), "--secrets-root", engineSecrets,
      "--runtime", "docker", "--docker-host", engine.host, "--hostname", "release-engine", join_!.address,
    );
    await waitFor(
      () => (node.output().includes("This node joined a swarm as a worker.") ? true : node.child.exitCode === null ? undefined : false),
      () => `the engine's agent to join; it printed:\n${node.output()}`,
      30_000,
    );
    expect(node.output()).toContain(`runtime: Docker Engine `);
    // Flags end at the image: what follows is the container's command.
    await cli(
      "service", "create", "--data-dir", dataDir, "--name", "hello", "--constraint", "node.hostname == release-engine", "--read-only", "--cap-drop", "ALL",
      TEST_IMAGE, "sh", "-c", "echo hello from the release; exec sleep 600",
    );
    let ps = "";
    await waitFor(
      async () => ((ps = await cli("service", "ps", "hello", "--data-dir", dataDir)), /hello\.1 .* release-engine +Running +Running/.test(ps) || undefined),
      () => `the task to run; service ps printed:\n${ps}\nthe agent printed:\n${node.output()}`,
      60_000,
    );
    const running = await engine.docker.listContainers({ filters: { label: ["com.rampart.service.name=hello"] } });
    expect(running).toHaveLength(1);
    let logs = "";
    await waitFor(
      async () => ((logs = await cli("service", "logs", "hello", "--data-dir", dataDir)), logs.includes("hello from the release") || undefined),
      () => `the task's log line; service logs printed:\n${logs}`,
      30_000,
    );
    expect(logs).toMatch(/^hello\.1\.[0-9a-z]{12}@release-engine {4}\| hello from the release$/m);
    await cli("service", "rm", "hello", "--data-dir", dataDir);
    await waitFor(async () => ((await engine.docker.listContainers({ all: true, filters: { label: ["com.rampart.service.name=hello"] } })).length === 0 ? true : undefined), () => "the container to go", 30_000);
    node.child.kill("SIGTERM");
    expect(await exited(node.child, 20_000), node.output()).toBe(0);
  }, 180_000);

  it("ok/the agent, then the server, stop on SIGTERM with status 0", async () => {
    agent.child.kill("SIGTERM");
    expect(await exited(agent.child, 20_000), agent.output()).toBe(0);
    server.child.kill("SIGTERM");
    expect(await exited(server.child, 20_000), server.output()).toBe(0);
  }, 60_000);
});
