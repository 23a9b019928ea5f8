import { createServer } from "node:net";
import { startEngine, type TestEngine } from "./engines.js";
import { waitFor } from "./wait.js";

/**
 * A real Docker Swarm on this machine (../shared/TOOLCHAIN.md): one private engine per
 * name (each with its own hostname, roots, socket and swarm port), the first initialised
 * as the leader, the next `managers - 1` joined as managers and the rest as workers. Every
 * engine has the test image. Stopping stops only these engines, by their own processes.
 */
export interface TestSwarm {
  engines: TestEngine[];
  /** The first engine: the leader, whose socket a connection uses. */
  leader: TestEngine;
  /** The swarm's ID (`docker info`'s `Swarm.Cluster.ID`). */
  clusterId: string;
  /** Each engine's swarm node ID, by engine name. */
  nodeIds: Map<string, string>;
  /** The swarm's current join tokens. */
  tokens(): { worker: string; manager: string };
  /** The leader's swarm address, for `docker swarm join`. */
  address: string;
  /** Starts another engine (not joined): for tests of joining with a token. */
  spareEngine(name: string): Promise<TestEngine>;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** What the docker CLI prints for `args` on `engine`; a failure throws with Docker's words. */
export function dockerOutput(engine: TestEngine, ...args: string[]): string {
  const result = engine.cli(...args);
  if (result.status !== 0) throw new Error(`docker ${args.join(" ")} on ${engine.name}: ${result.stderr.trim()}`);
  return result.stdout;
}

const must = (engine: TestEngine, ...args: string[]): string => dockerOutput(engine, ...args).trim();

/** Joins `engine` to the swarm at `address` with `token`, on a port of its own. */
export async function joinSwarm(engine: TestEngine, token: string, address: string): Promise<{ status: number; stderr: string }> {
  const port = await freePort();
  const result = engine.cli("swarm", "join", "--token", token, "--advertise-addr", `127.0.0.1:${port}`, "--listen-addr", `127.0.0.1:${port}`, address);
  return { status: result.status, stderr: result.stderr.trim() };
}

export async function startSwarm(names: readonly string[], { managers = 1 }: { managers?: number } = {}): Promise<TestSwarm> {
  if (names.length === 0) throw new Error("a swarm needs at least one engine");
  const started: TestEngine[] = [];
  const spares: TestEngine[] = [];
  const stopAll = async () => {
    for (const engine of [...spares, ...started].reverse()) await engine.stop().catch(() => undefined);
  };
  try {
    const engines = await Promise.all(names.map((name) => startEngine(name).then((engine) => (started.push(engine), engine))));
    const leader = engines[0]!;
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    must(leader, "swarm", "init", "--advertise-addr", address, "--listen-addr", address);
    const tokens = () => ({ worker: must(leader, "swarm", "join-token", "-q", "worker"), manager: must(leader, "swarm", "join-token", "-q", "manager") });
    const { worker, manager } = tokens();
    // Managers join one at a time: raft adds one member per configuration change.
    for (const [i, engine] of engines.slice(1).entries()) {
      const joined = await joinSwarm(engine, i + 1 < managers ? manager : worker, address);
      if (joined.status !== 0) throw new Error(`docker swarm join on ${engine.name}: ${joined.stderr}`);
    }
    await waitFor(
      () => must(leader, "node", "ls", "--format", "{{.Status}}").split("\n").filter((s) => s === "Ready").length === engines.length,
      `${engines.length} swarm nodes to be Ready`,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const clusterId = must(leader, "info", "--format", "{{.Swarm.Cluster.ID}}");
    const nodeIds = new Map(engines.map((engine) => [engine.name, must(engine, "info", "--format", "{{.Swarm.NodeID}}")]));
    return {
      engines,
      leader,
      clusterId,
      nodeIds,
      tokens,
      address,
      async spareEngine(name) {
        const engine = await startEngine(name);
        spares.push(engine);
        return engine;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
