/**
 * unlock.ms: milliseconds from giving a locked `rampart server` its unlock key (the
 * unlock page's POST) until /healthz answers 200: the KEK unwrapped, the keyring opened,
 * the services built and the rest of the start finished, in the same process (ADR 0022).
 * Also unlock.lockedStart.ms: from spawning the server on an autolocked PGlite directory
 * until /healthz says locked. The median of five runs each, the slowest beside it.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const env = { ...process.env, DATABASE_URL: "", DOCKER_HOST: "unix:///nonexistent/rampart-bench.sock" };

function spawnServer(dataDir: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [main, "server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0", "--log-level", "warn"], {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  const url = new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const match = /Rampart is (?:ready|locked) at (http:\/\/[0-9.]+:\d+)/.exec(err);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function healthIs(url: string, status: number): Promise<void> {
  for (;;) {
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    if (response?.status === status) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A directory where a server ran once and autolock was turned on; its unlock key. */
async function template(): Promise<{ dir: string; key: string }> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-unlock-"));
  const { child, url } = spawnServer(dir);
  await healthIs(await url, 200);
  const out = execFileSync(process.execPath, [main, "swarm", "update", "--autolock=true", "--data-dir", dir], { env, encoding: "utf8" });
  const key = /SWMKEY-1-[A-Za-z0-9+/]{43}/.exec(out)![0];
  await stop(child);
  return { dir, key };
}

async function run(dir: string, key: string): Promise<{ lockedStart: number; unlock: number }> {
  const started = performance.now();
  const { child, url: whenUrl } = spawnServer(dir);
  try {
    const url = await whenUrl;
    await healthIs(url, 503);
    const lockedStart = performance.now() - started;
    const asked = performance.now();
    const response = await fetch(`${url}/api/trpc/autolock.unlock`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ json: { unlockKey: key } }),
    });
    if (response.status !== 200) throw new Error(`unlock answered ${response.status}: ${await response.text()}`);
    await healthIs(url, 200);
    return { lockedStart, unlock: performance.now() - asked };
  } finally {
    await stop(child);
  }
}

const { dir, key } = await template();
try {
  const runs: Array<{ lockedStart: number; unlock: number }> = [];
  for (let i = 0; i < 5; i++) {
    const copy = mkdtempSync(join(tmpdir(), "rampart-bench-unlock-run-"));
    cpSync(dir, copy, { recursive: true });
    runs.push(await run(copy, key));
    rmSync(copy, { recursive: true, force: true });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[2]!;
  const max = (values: number[]) => Math.max(...values);
  const unlock = runs.map((r) => r.unlock);
  const lockedStart = runs.map((r) => r.lockedStart);
  console.log(`unlock.ms: ${median(unlock).toFixed(0)} ms`);
  console.log(`unlock.ms.max: ${max(unlock).toFixed(0)} ms`);
  console.log(`unlock.lockedStart.ms: ${median(lockedStart).toFixed(0)} ms`);
  console.log(`unlock.lockedStart.ms.max: ${max(lockedStart).toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
