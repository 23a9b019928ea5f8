import { execFile, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI, as a user runs it. */
const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `rampart ARGS --data-dir DIR` in a process of its own, over the admin socket of the
 * server in DIR; no store or remote server from this process's environment leaks in.
 */
export function runCli(dataDir: string, ...args: string[]): Promise<CliRun> {
  return runCliWith({}, dataDir, ...args);
}

/** `runCli` with standard input, and a time limit after which the process is killed. */
export function runCliWith(options: { input?: string | Buffer; timeoutMs?: number }, dataDir: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [MAIN, ...args, "--data-dir", dataDir],
      { env: { ...process.env, DATABASE_URL: "", RAMPART_HOST: undefined, RAMPART_TOKEN: undefined }, timeout: options.timeoutMs ?? 0 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? "");
  });
}

/**
 * The URL a `rampart server` started as a child process says it is ready at (its
 * stderr's `Rampart is ready at URL`); rejects with what it printed if it exits first.
 */
export function serverReadyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const match = /Rampart is ready at (\S+)/.exec(err);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}
