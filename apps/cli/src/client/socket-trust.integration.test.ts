import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runCliWith } from "../test-support/cli.js";
import { waitFor } from "../test-support/wait.js";

/**
 * A local user plants a socket where the CLI looks for the server's, and waits for a
 * secret piped into `rampart secret create`. The CLI runs as root here (as the tests
 * do); the impostor is nobody, through setpriv. The CLI must refuse before it sends a
 * single byte: the impostor's listener records every connection and byte it receives.
 */
const NOBODY = 65534;
const CANARY = "planted-socket-canary-7d1f0c";

/** A listener, as nobody, on `socketPath`, writing what it receives to `recordPath`. */
const IMPOSTOR = `
const { appendFileSync, chmodSync } = require("node:fs");
const [socketPath, recordPath] = process.argv.slice(1);
const server = require("node:net").createServer((c) => {
  appendFileSync(recordPath, "connection\\n");
  c.on("data", (d) => appendFileSync(recordPath, d));
});
server.listen(socketPath, () => { chmodSync(socketPath, 0o777); console.log("listening"); });
`;

const dirs: string[] = [];
const impostors: ChildProcess[] = [];
afterEach(() => {
  for (const child of impostors.splice(0)) child.kill();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(mode: number, owner = 0): string {
  const dir = mkdtempSync(join(tmpdir(), "rampart-planted-"));
  chmodSync(dir, mode);
  chownSync(dir, owner, owner);
  dirs.push(dir);
  return dir;
}

/** Starts nobody's listener on `socketPath`; returns the file its record goes to. */
async function plantImpostor(socketPath: string): Promise<string> {
  const recordDir = tempDir(0o777, NOBODY);
  const record = join(recordDir, "received");
  writeFileSync(record, "");
  chownSync(record, NOBODY, NOBODY);
  const child = spawn("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "-e", IMPOSTOR, socketPath, record], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  impostors.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the impostor exited with ${code}`)));
  });
  return record;
}

const createSecret = (dataDir: string) => runCliWith({ input: CANARY, timeoutMs: 30_000 }, dataDir, "secret", "create", "planted", "-");

describe("the CLI refuses an admin socket it cannot trust", () => {
  it("ok/control: the impostor records what reaches it", async () => {
    const dir = tempDir(0o700, NOBODY);
    const record = await plantImpostor(join(dir, "rampart.sock"));
    const client = connect(join(dir, "rampart.sock"));
    await new Promise<void>((resolve) => client.once("connect", resolve));
    client.end(CANARY);
    await waitFor(() => readFileSync(record, "utf8").includes(CANARY), "the impostor to record the canary");
    expect(readFileSync(record, "utf8")).toBe(`connection\n${CANARY}`);
  });

  it("fail/a socket another user bound in a directory that user owns", async () => {
    const dir = tempDir(0o700, NOBODY);
    const record = await plantImpostor(join(dir, "rampart.sock"));
    const run = await createSecret(dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `Error: refusing to use ${join(dir, "rampart.sock")}: it belongs to uid ${NOBODY}, not to this user (uid 0); run rampart as the user that runs rampart server`,
    );
    expect(readFileSync(record, "utf8")).toBe("");
  });

  it("fail/a socket another user planted in a world-writable directory of ours", async () => {
    const dir = tempDir(0o777);
    const record = await plantImpostor(join(dir, "rampart.sock"));
    const run = await createSecret(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`refusing to use ${join(dir, "rampart.sock")}: it belongs to uid ${NOBODY}`);
    expect(readFileSync(record, "utf8")).toBe("");
  });

  it("fail/a symbolic link to another user's socket", async () => {
    const theirs = tempDir(0o700, NOBODY);
    const record = await plantImpostor(join(theirs, "rampart.sock"));
    const dir = tempDir(0o700);
    symlinkSync(join(theirs, "rampart.sock"), join(dir, "rampart.sock"));
    const run = await createSecret(dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`Error: refusing to use ${join(dir, "rampart.sock")}: it is a symbolic link, not the server's socket`);
    expect(readFileSync(record, "utf8")).toBe("");
  });

  it("fail/our own socket in a directory others may write to (it could be swapped after the check)", async () => {
    const dir = tempDir(0o777);
    const socketPath = join(dir, "rampart.sock");
    const ours = (await import("node:net")).createServer();
    await new Promise<void>((resolve) => ours.listen(socketPath, resolve));
    try {
      const run = await createSecret(dir);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `Error: refusing to use ${socketPath}: its directory ${dir} is writable by its group and all users (mode 0777): run chmod go-w ${dir}`,
      );
    } finally {
      await new Promise<void>((resolve) => ours.close(() => resolve()));
    }
  });

  it("fail/a regular file where the socket should be", async () => {
    const dir = tempDir(0o700);
    writeFileSync(join(dir, "rampart.sock"), "");
    const run = await createSecret(dir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`Error: refusing to use ${join(dir, "rampart.sock")}: it is not a socket`);
  });

  it("ok/no socket at all still says the server is not running", async () => {
    const dir = tempDir(0o700);
    const run = await createSecret(dir);
    expect(run.code).toBe(1);
    expect(existsSync(join(dir, "rampart.sock"))).toBe(false);
    expect(run.stderr).toContain("Is the server running?");
  });
});
