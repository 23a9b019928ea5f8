import type { NodeDescription } from "@rampart/core";
import { memoryStore, NodeAgent, type AgentEvents } from "./agent.js";

/**
 * `rampart agent simulate --nodes N`: N agents in one process, each with its own key,
 * certificate, hostname, platform and labels, over the real protocol. For demos, load
 * tests and benchmarks. Labels vary so the placement planner has something to work on.
 */
export interface SimulateOptions {
  address: string;
  token: string;
  nodes: number;
  /** Hostname prefix; nodes are `<prefix>-0001` and up. */
  prefix: string;
  version: string;
  /** Joins in flight at once. */
  concurrency?: number;
  onProgress?(joined: number, failed: number): void;
  /** Events for the agent of each index (benchmarks and tests watch tasks with these). */
  events?(index: number): AgentEvents;
}

const ZONES = 10;

/** What a simulated node says of itself: it runs nothing, and every view shows that. */
export const SIMULATED_RUNTIME = { kind: "simulated" as const, detail: "tasks are reported running; no container runs", securityOptions: [] };

export function simulatedDescription(prefix: string, index: number, width: number, version: string): NodeDescription {
  return {
    hostname: `${prefix}-${String(index + 1).padStart(width, "0")}`,
    os: "linux",
    arch: index % 5 === 4 ? "aarch64" : "x86_64",
    nanoCpus: (2 + (index % 4) * 2) * 1e9,
    memoryBytes: (4 + (index % 4) * 4) * 1024 ** 3,
    engineVersion: version,
    engineLabels: {
      zone: `zone-${(index % ZONES) + 1}`,
      disk: index % 3 === 0 ? "hdd" : "ssd",
      simulated: "true",
    },
    runtime: SIMULATED_RUNTIME,
  };
}

export interface Simulation {
  agents: NodeAgent[];
  joinMs: number;
  failed: string[];
  stop(): void;
}

/**
 * A loopback address of its own for the n-th simulated node (127.1.0.1 and up; the whole
 * of 127.0.0.0/8 reaches this machine on Linux), so each counts as a machine of its own.
 */
export function loopbackAddress(index: number): string {
  return `127.${1 + Math.floor(index / 65_025)}.${Math.floor(index / 255) % 255}.${(index % 255) + 1}`;
}

export async function simulate(options: SimulateOptions): Promise<Simulation> {
  // Only a manager on this machine can be reached from 127.x addresses.
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost):\d+$/.test(options.address);
  const width = Math.max(4, String(options.nodes).length);
  const agents: NodeAgent[] = [];
  const failed: string[] = [];
  let next = 0;
  let joined = 0;
  const started = performance.now();
  async function worker() {
    for (;;) {
      const index = next++;
      if (index >= options.nodes) return;
      const agent = new NodeAgent({
        address: options.address,
        token: options.token,
        description: simulatedDescription(options.prefix, index, width, options.version),
        store: memoryStore(),
        ...(loopback ? { localAddress: loopbackAddress(index) } : {}),
        ...(options.events ? { events: options.events(index) } : {}),
      });
      try {
        await agent.join();
        agents.push(agent);
        joined++;
      } catch (error) {
        failed.push(error instanceof Error ? error.message : String(error));
        agent.stop();
      }
      options.onProgress?.(joined, failed.length);
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, options.nodes) }, worker));
  const joinMs = performance.now() - started;
  return {
    agents,
    joinMs,
    failed,
    stop() {
      for (const agent of agents) agent.stop();
    },
  };
}
