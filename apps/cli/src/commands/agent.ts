import { parseLabel, parseNodeGenericResource, type NodeGenericResources } from "@rampart/core";
import { join } from "node:path";
import { fileStore, NodeAgent } from "../agent/agent.js";
import { RUNTIME_CHOICES, setUpRuntime, type RuntimeChoice } from "../agent/runtime/index.js";
import { EngineAddressError, type EngineEnv } from "../agent/runtime/engine.js";
import { freshSecretsRoot, tmpfsSecretStore } from "../agent/secrets.js";
import { simulate } from "../agent/simulate.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";
import { badFlag } from "./task-flags.js";

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

/**
 * Where the default secrets root is made: the tmpfs every Linux system has. Each start
 * makes a new directory with an unpredictable name there (a fixed name could be taken
 * first by another local user), recorded in the state directory.
 */
export const DEFAULT_SECRETS_PARENT = "/dev/shm";

/**
 * `--generic-resource gpu=2` (repeatable): what the node advertises, each a kind and a
 * positive count, a kind once. Mistakes are flag errors, before anything is contacted.
 */
export function parseGenericResourceFlags(values: readonly string[]): NodeGenericResources {
  const generic: NodeGenericResources = {};
  for (const value of values) {
    let kind: string;
    let count: number;
    try {
      [kind, count] = parseNodeGenericResource(value);
    } catch (error) {
      throw badFlag("generic-resource", value, (error as Error).message);
    }
    if (kind in generic) throw badFlag("generic-resource", value, `${kind} is given twice`);
    generic[kind] = count;
  }
  return generic;
}

/** `rampart agent join --token T [--state-dir DIR] [--hostname H] [--label k=v]... [--generic-resource k=n]... HOST:PORT`. */
export async function agentJoin(
  options: {
    token: string | undefined;
    stateDir: string;
    secretsRoot: string | undefined;
    allowSecretsOnDisk: boolean;
    hostname: string | undefined;
    labels: string[];
    genericResources: string[];
    address: string | undefined;
    version: string;
    runtime: string | undefined;
    dockerHost: string | undefined;
    env: EngineEnv;
  },
  out: Out,
  err: Out,
): Promise<number> {
  if (!options.address) throw new UsageError('"rampart agent join" requires exactly 1 argument: the manager address HOST:PORT');
  const runtimeKind = (options.runtime ?? "docker") as RuntimeChoice;
  if (!RUNTIME_CHOICES.includes(runtimeKind)) {
    throw new UsageError(`--runtime must be ${RUNTIME_CHOICES.join(" or ")}, not ${JSON.stringify(options.runtime)}`);
  }
  if (options.dockerHost !== undefined && runtimeKind !== "docker") throw new UsageError("--docker-host applies only to --runtime docker");
  const labels = Object.fromEntries(options.labels.map((l) => parseLabel(l, "label")));
  const generic = parseGenericResourceFlags(options.genericResources);
  // The default root is this agent's own: close() leaves nothing of it behind, however it ends.
  const secrets = tmpfsSecretStore(options.secretsRoot ?? (await freshSecretsRoot(DEFAULT_SECRETS_PARENT, join(options.stateDir, "secrets-root"))), {
    allowDisk: options.allowSecretsOnDisk,
    removeRoot: options.secretsRoot === undefined,
  });
  // Refuse before joining: a node that cannot keep secrets in memory should not take tasks.
  await secrets.open();
  let setup;
  try {
    setup = await setUpRuntime(runtimeKind, { dockerHost: options.dockerHost, env: options.env, version: options.version, hostname: options.hostname, labels, generic });
  } catch (error) {
    await secrets.close();
    if (error instanceof EngineAddressError) throw new UsageError(`--docker-host: ${error.message}`);
    throw error;
  }
  if (setup.problem) err(`warning: ${setup.problem}; this node will refuse every task`);
  else if (setup.description.runtime) err(`runtime: ${setup.description.runtime.kind === "docker" ? setup.description.runtime.detail : "simulated (no container runs)"}`);
  let refused: string | undefined;
  let stopRun: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (stopRun = resolve));
  const agent = new NodeAgent({
    address: options.address,
    token: options.token,
    description: setup.description,
    store: fileStore(options.stateDir),
    secrets,
    ...(setup.executor ? { executor: setup.executor } : {}),
    events: {
      renewed: (identity, reason) => err(`renewed this node's certificate (${reason}); role: ${identity.role}`),
      refused(message) {
        refused = message;
        stopRun();
      },
      error: (message) => err(`warning: ${message}`),
      task: (task, state) => err(`task ${task.id} (${task.serviceName}${task.slot === null ? "" : `.${task.slot}`}): ${state}`),
    },
  });
  const alreadyJoined = agent.current !== undefined;
  let identity;
  try {
    identity = await agent.join();
  } catch (error) {
    await agent.shutdown();
    throw error;
  }
  out(alreadyJoined ? `This node is already part of the swarm as a ${identity.role} (${identity.nodeId}).` : `This node joined a swarm as a ${identity.role}.`);
  agent.start();
  const signal = await Promise.race([waitForSignal(), finished.then(() => "refused")]);
  await agent.shutdown();
  if (signal === "refused") {
    err(`Error: the manager refused this node: ${refused}`);
    return 1;
  }
  return 0;
}

/** `rampart agent simulate --nodes N --token T [--prefix P] [--exit-after-join] HOST:PORT`. */
export async function agentSimulate(
  options: { token: string | undefined; nodes: string | undefined; prefix: string; address: string | undefined; exitAfterJoin: boolean; version: string },
  out: Out,
  err: Out,
): Promise<number> {
  if (!options.address) throw new UsageError('"rampart agent simulate" requires exactly 1 argument: the manager address HOST:PORT');
  if (!options.token) throw new UsageError("a join token is needed: pass --token");
  const count = Number(options.nodes ?? "");
  if (!Number.isInteger(count) || count < 1 || count > 20_000) throw new UsageError("--nodes must be a whole number from 1 to 20000");
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(options.prefix)) throw new UsageError("--prefix must be lower-case letters, digits and '-'");
  let last = 0;
  const sim = await simulate({
    address: options.address,
    token: options.token,
    nodes: count,
    prefix: options.prefix,
    version: options.version,
    onProgress(joined, failed) {
      const now = Date.now();
      if (now - last > 1000 || joined + failed === count) {
        last = now;
        err(`joined ${joined}/${count}${failed ? `, ${failed} failed` : ""}`);
      }
    },
  });
  out(`${sim.agents.length} nodes joined in ${(sim.joinMs / 1000).toFixed(2)} s${sim.failed.length ? `; ${sim.failed.length} failed: ${sim.failed[0]}` : ""}`);
  if (options.exitAfterJoin || sim.agents.length === 0) {
    sim.stop();
    return sim.failed.length === 0 ? 0 : 1;
  }
  for (const agent of sim.agents) agent.start();
  err("heartbeating; press Ctrl-C to stop");
  await waitForSignal();
  sim.stop();
  return 0;
}
