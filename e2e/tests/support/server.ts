import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectOutput, exitOf, spawnCli, stopProcess, timeout, type Output } from "./process.js";

/** A real `rampart server` process on its own data directory and its own free ports. */
export interface RampartServer {
  /** Where the UI and the API answer, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The one-time setup code it printed: no administrator exists yet. */
  setupCode: string;
  dataDir: string;
  /** What it wrote to stdout and stderr so far. */
  output: Output;
  /** SIGTERM, and waits until it has exited; its data directory stays. */
  stop(): Promise<void>;
}

/**
 * Starts `rampart server` on `dataDir` with free ports, on PGlite whatever DATABASE_URL
 * says, and resolves once it has printed its URL and its setup code. If that takes more
 * than `startTimeoutMs`, the server is stopped and the start fails. `env` adds to the
 * worker's environment (DOCKER_HOST, say).
 */
export async function startServer(dataDir: string, startTimeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<RampartServer> {
  const child = spawnCli(["server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0"], {
    ...process.env,
    ...env,
    DATABASE_URL: "",
    RAMPART_LOG_LEVEL: "info",
  });
  const output = collectOutput(child);
  const stop = () => stopProcess(child);
  const ready = Promise.all([output.waitFor(/Rampart is ready at (\S+)/), output.waitFor(/one-time setup code:\s+(\S+)/)]);
  const exited = exitOf(child).then((status) => Promise.reject(new Error(`rampart server exited (${status}) before it was ready:\n${output.text()}`)));
  const late = timeout(startTimeoutMs, () => new Error(`rampart server was not ready in ${startTimeoutMs} ms:\n${output.text()}`));
  try {
    const [[, url], [, setupCode]] = await Promise.race([ready, exited, late.promise]);
    return { url: url!, setupCode: setupCode!, dataDir, output, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    late.clear();
  }
}

/**
 * A data directory in which a server has run once and stopped. PGlite's first open runs
 * initdb, so a first start takes 8-11 s; a start on a copy takes 3-6 s. It holds a swarm
 * (cluster ID, root CA, key-encryption key, the manager's own node) and no administrator,
 * so a server on a copy is a new install that prints its own setup code.
 */
export async function createServerTemplate(startTimeoutMs: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-e2e-template-"));
  try {
    await (await startServer(dir, startTimeoutMs)).stop();
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A fresh copy of the template, for one server. */
export function copyServerTemplate(template: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rampart-e2e-server-"));
  cpSync(template, dir, { recursive: true });
  return dir;
}
