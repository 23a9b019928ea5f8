import { expect } from "@playwright/test";
import { type Agents, type JoinTarget } from "./agents.js";
import { type Trpc } from "./trpc.js";

/** The worker join token and the manager's node address, through the audited reveal (sign in first). */
export async function workerJoin(trpc: Trpc): Promise<JoinTarget> {
  const { token, command } = await trpc.mutation<{ token: string; command: string }>("swarm.revealToken", { role: "worker" });
  return { token, address: command.trim().split(/\s+/).at(-1)! };
}

/**
 * Starts one agent per hostname with the worker token, and waits until each has joined
 * and its node is Ready. Returns each node's hostname by its ID.
 */
export async function joinWorkers(trpc: Trpc, agents: Agents, hostnames: readonly string[], labels: Record<string, string> = {}): Promise<Map<string, string>> {
  const swarm = await workerJoin(trpc);
  const started = hostnames.map((hostname) => agents.start(swarm, hostname, labels));
  for (const agent of started) {
    await expect.poll(() => agent.output, { timeout: 30_000 }).toContain("This node joined a swarm as a worker.");
    // The token is a credential: the agent never echoes it, nor any long part of it.
    expect(agent.output).not.toContain(swarm.token.split("-").at(-1));
  }
  const hostOf = new Map<string, string>();
  for (const hostname of hostnames) {
    await expect.poll(async () => (await trpc.query<{ state: string }>("node.get", { ref: hostname })).state, { timeout: 30_000 }).toBe("ready");
    hostOf.set((await trpc.query<{ id: string }>("node.get", { ref: hostname })).id, hostname);
  }
  return hostOf;
}
