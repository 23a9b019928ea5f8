import { type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectOutput, exitOf, spawnCli, stopProcess } from "./process.js";

/** What `rampart agent join` needs: a join token and the manager's node address (HOST:PORT). */
export interface JoinTarget {
  token: string;
  address: string;
}

export interface RunningAgent {
  hostname: string;
  /** What it wrote to stdout and stderr so far. */
  readonly output: string;
  /** Its exit code (or signal), once it has exited. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Where it writes its tasks' secrets: `<secretsRoot>/<task-id>/<target>`, on tmpfs. */
  secretsRoot: string;
}

export interface Agents {
  /**
   * Starts a real `rampart agent join` process with its own state directory and its own
   * secrets root on /dev/shm (tmpfs, as the agent requires).
   */
  start(swarm: JoinTarget, hostname: string, labels?: Record<string, string>, options?: AgentOptions): RunningAgent;
  /** Every agent started so far, in order. */
  readonly all: readonly RunningAgent[];
}

export interface AgentOptions {
  /**
   * The engine that runs the agent's tasks as containers (`--runtime docker
   * --docker-host`); without one the agent is simulated (`--runtime simulated`): its
   * tasks are reported running and nothing runs (ADR 0019).
   */
  dockerHost?: string;
}

interface Started {
  agent: RunningAgent;
  process: ChildProcess;
  tempDir: string;
}

/** Agents started through `start`; `stopAll` stops them and removes their directories. */
export function agentPool(): Agents & { stopAll(): Promise<void> } {
  const started: Started[] = [];
  return {
    start(swarm, hostname, labels = {}, options = {}) {
      const tempDir = mkdtempSync(join(tmpdir(), "rampart-e2e-agent-"));
      const secretsRoot = mkdtempSync("/dev/shm/rampart-e2e-secrets-");
      const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
      const runtime = options.dockerHost ? ["--runtime", "docker", "--docker-host", options.dockerHost] : ["--runtime", "simulated"];
      const child = spawnCli([
        "agent",
        "join",
        "--token",
        swarm.token,
        "--state-dir",
        join(tempDir, "state"),
        "--hostname",
        hostname,
        "--secrets-root",
        secretsRoot,
        ...runtime,
        ...labelArgs,
        swarm.address,
      ]);
      const output = collectOutput(child);
      const agent: RunningAgent = {
        hostname,
        get output() {
          return output.text();
        },
        exited: exitOf(child),
        secretsRoot,
      };
      started.push({ agent, process: child, tempDir });
      return agent;
    },
    get all() {
      return started.map((s) => s.agent);
    },
    async stopAll() {
      await Promise.all(started.map((s) => stopProcess(s.process)));
      for (const { agent, tempDir } of started) {
        rmSync(tempDir, { recursive: true, force: true });
        rmSync(agent.secretsRoot, { recursive: true, force: true });
      }
    },
  };
}
