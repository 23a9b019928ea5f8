import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCliWith } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";

/**
 * `rampart server` refusing to start, as the built CLI in a process of its own: one line
 * naming what is wrong, exit status 1, and no stack. And what a start leaves on disk.
 */

/** `uid` and `gid` of nobody, the unprivileged user the tests plant files as. */
const NOBODY = 65534;
/** Starting the server loads Next and opens the store: give it time, but not for ever. */
const START_LIMIT_MS = 60_000;

const dirs: string[] = [];
function tempDir(mode = 0o700): string {
  const dir = mkdtempSync(join(tmpdir(), "rampart-startup-"));
  chmodSync(dir, mode);
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Another process holding a TCP port, as a Docker Swarm manager holds 2377. */
function holdPort(port: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["-e", `const s = require("node:net").createServer().listen(${port}, "127.0.0.1", () => console.log(s.address().port)); s.on("error", (e) => { console.log(e.code); });`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => {
      const text = chunk.toString().trim();
      // Something else already holds it: that is just as good.
      resolve({ port: text === "EADDRINUSE" ? port : Number(text), child });
    });
    child.once("error", reject);
  });
}

/** The lines a failed start wrote to standard error that are not the banner or Next's chatter. */
const errorLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("Error") || /^\s+at /.test(l));

describe("rampart server refuses a busy port in one line naming the flag", () => {
  const held: ChildProcess[] = [];
  afterEach(() => {
    for (const child of held.splice(0)) child.kill();
  });

  it("fail/--listen on a port another process holds", async () => {
    const { port, child } = await holdPort(0);
    held.push(child);
    const run = await runCliWith({ timeoutMs: START_LIMIT_MS }, tempDir(), "server", "--listen", `127.0.0.1:${port}`, "--node-listen", "127.0.0.1:0");
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([`Error: --listen: 127.0.0.1:${port} is already in use by another program; choose another address with --listen`]);
  });

  it("fail/--node-listen on a port another process holds", async () => {
    const { port, child } = await holdPort(0);
    held.push(child);
    const run = await runCliWith({ timeoutMs: START_LIMIT_MS }, tempDir(), "server", "--listen", "127.0.0.1:0", "--node-listen", `127.0.0.1:${port}`);
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([`Error: --node-listen: 127.0.0.1:${port} is already in use by another program; choose another address with --node-listen`]);
  });

  it("fail/--node-listen on 2377 held by another process names Docker Swarm", async () => {
    const { child } = await holdPort(2377);
    held.push(child);
    const run = await runCliWith({ timeoutMs: START_LIMIT_MS }, tempDir(), "server", "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:2377");
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([
      "Error: --node-listen: 127.0.0.1:2377 is already in use; a Docker Swarm manager on this host listens on 2377: leave that swarm, or choose another address with --node-listen",
    ]);
  });
});

describe("rampart server refuses a data directory others could write to", () => {
  it.each([
    ["writable by all users", 0o777, undefined, /is writable by its group and all users \(mode 0777\): run chmod go-w /],
    ["writable by its group", 0o770, undefined, /is writable by its group \(mode 0770\): run chmod go-w /],
    ["writable by all users, sticky", 0o1703, undefined, /is writable by all users \(mode 1703\): run chmod go-w /],
    ["owned by another user", 0o700, NOBODY, /belongs to uid 65534, not to this user \(uid 0\): run rampart as its owner/],
  ])("fail/a data directory %s", async (_label, mode, owner, message) => {
    const dir = tempDir(mode);
    if (owner !== undefined) chownSync(dir, owner, owner);
    const run = await runCliWith({ timeoutMs: START_LIMIT_MS }, dir, "server", "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0");
    expect(run.code).toBe(1);
    const lines = errorLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Error: the data directory ${dir} `));
    expect(lines[0]).toMatch(message);
    // Refused before anything was made in it.
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("what a server start leaves on disk", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer("pglite");
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it("ok/nothing under the data directory is open to the group or other users", () => {
    const entries = readdirSync(s.dataDir, { recursive: true, withFileTypes: true });
    const names = entries.map((e) => join(e.parentPath, e.name));
    // The store's pages, the key-encryption key, the certificates and the socket are all there.
    for (const expected of ["pgdata/PG_VERSION", "kek", "certificates/swarm-node.crt", "certificates/swarm-root-ca.crt", "certificates/swarm-node.key", "rampart.sock"]) {
      expect(names).toContain(join(s.dataDir, expected));
    }
    const open = names.filter((path) => (lstatSync(path).mode & 0o077) !== 0).map((path) => `${(lstatSync(path).mode & 0o777).toString(8)} ${path}`);
    expect(open).toEqual([]);
    expect(lstatSync(s.dataDir).mode & 0o077).toBe(0);
  });
});
