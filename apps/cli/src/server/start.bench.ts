/**
 * server.start.ready: milliseconds from spawning `rampart server` on an existing PGlite
 * directory until /healthz answers 200. Target (DESIGN.md §6): < 5000. The median of
 * five starts is reported, with the slowest beside it.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serverReadyUrl } from "../test-support/cli.js";

const main = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

async function startAndStop(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [main, "server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--log-level", "warn"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, DATABASE_URL: "" },
  });
  const url = await serverReadyUrl(child);
  for (;;) {
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    if (response?.status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ready = performance.now() - started;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  return ready;
}

const template = mkdtempSync(join(tmpdir(), "rampart-bench-start-"));
try {
  const first = await startAndStop(template);
  console.error(`first start, with initdb: ${first.toFixed(0)} ms`);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = mkdtempSync(join(tmpdir(), "rampart-bench-start-run-"));
    cpSync(template, dir, { recursive: true });
    times.push(await startAndStop(dir));
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  console.log(`server.start.firstInit: ${first.toFixed(0)} ms`);
  console.log(`server.start.ready: ${times[2]!.toFixed(0)} ms`);
  console.log(`server.start.ready.max: ${times[4]!.toFixed(0)} ms`);
} finally {
  rmSync(template, { recursive: true, force: true });
}
