import { spawn, type ChildProcess } from "node:child_process";

/** The built CLI, as CI runs it after `pnpm build`. */
export const CLI = new URL("../../../apps/cli/dist/main.js", import.meta.url).pathname;

const running = new Set<ChildProcess>();
// A fixture that times out in its setup never reaches its teardown, and the worker then
// exits: whatever this worker started and is still running goes with it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Runs the CLI with `args` as a child of this worker, stdout and stderr piped. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** A child's stdout and stderr together, as they arrive. */
export interface Output {
  text(): string;
  /** Resolves with the first match of `pattern` in the output, now or once it appears. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

export function collectOutput(child: ChildProcess): Output {
  let text = "";
  const waiting = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const check of waiting) check();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return {
    text: () => text,
    waitFor: (pattern) =>
      new Promise((resolve) => {
        const check = () => {
          const match = pattern.exec(text);
          if (!match) return;
          waiting.delete(check);
          resolve(match);
        };
        waiting.add(check);
        check();
      }),
  };
}

/** Resolves with the child's exit code (or signal) once it has exited, also if it already has. */
export function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
}

/** A promise that rejects with `error()` after `ms`, unless cleared first. */
export function timeout(ms: number, error: () => Error): { promise: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)));
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * Stops one process this worker started: SIGTERM, which Rampart's server and agent handle
 * by finishing their work and exiting; SIGKILL if it is still there after `graceMs`.
 */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const late = timeout(graceMs, () => new Error("still running"));
  await Promise.race([exited, late.promise]).catch(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  late.clear();
}
