import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../apps/cli/dist/main.js", import.meta.url));

/**
 * Starts `rampart server` on a fresh data directory and a free port, and hands the URL
 * and the one-time setup code it printed to the tests through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "rampart-e2e-"));
  const child = spawn(process.execPath, [main, "server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0"], {
    env: { ...process.env, DATABASE_URL: "", RAMPART_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stdout!.resume();
  const { url, code } = await new Promise<{ url: string; code: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${stderr}`)), 60_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const ready = /Rampart is ready at (\S+)/.exec(stderr);
      const setup = /one-time setup code:\s+(\S+)/.exec(stderr);
      if (ready && setup) {
        clearTimeout(timer);
        resolve({ url: ready[1]!, code: setup[1]! });
      }
    });
    child.once("exit", (status) => reject(new Error(`server exited with ${status}:\n${stderr}`)));
  });
  process.env.RAMPART_E2E_URL = url;
  process.env.RAMPART_E2E_SETUP_CODE = code;
  process.env.RAMPART_E2E_DATA_DIR = dataDir;
  writeFileSync(join(dataDir, "e2e-server.pid"), String(child.pid));
  child.unref();
}
