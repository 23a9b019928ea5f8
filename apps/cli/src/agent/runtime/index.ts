import { runtimeProblem, type NodeDescription, type NodeGenericResources } from "@rampart/core";
import { describeThisMachine } from "../agent.js";
import { SIMULATED_RUNTIME } from "../simulate.js";
import { dockerExecutor } from "./docker.js";
import { describeFromEngine, engineAddress, probeEngine, type EngineEnv } from "./engine.js";
import { refusingExecutor, type TaskExecutor, type TaskHost } from "./executor.js";

export type RuntimeChoice = "docker" | "simulated";
export const RUNTIME_CHOICES: readonly RuntimeChoice[] = ["docker", "simulated"];

export interface NodeRuntimeSetup {
  description: NodeDescription;
  /** Absent for a simulated node. */
  executor?: (host: TaskHost) => TaskExecutor;
  /** Why this node runs nothing, when it has no engine. */
  problem?: string;
}

/**
 * What runs this node's tasks, and the description that says so (ADR 0019):
 * - `docker` (the default): the engine at `--docker-host`, `DOCKER_HOST` or
 *   /var/run/docker.sock describes the machine and runs every task as a container; with
 *   no engine there, the node joins as one with no container runtime and rejects every
 *   task it is given, saying why;
 * - `simulated`: tasks are acknowledged and reported running, and nothing runs. The
 *   node is marked simulated everywhere it is shown.
 */
export async function setUpRuntime(
  kind: RuntimeChoice,
  options: { dockerHost: string | undefined; env: EngineEnv; version: string; hostname: string | undefined; labels: Record<string, string>; generic: NodeGenericResources },
): Promise<NodeRuntimeSetup> {
  const machine = describeThisMachine(options.version, options.hostname, options.labels, options.generic);
  if (kind === "simulated") {
    return { description: { ...machine, runtime: SIMULATED_RUNTIME } };
  }
  const address = engineAddress(options.dockerHost, options.env);
  const probe = await probeEngine(address);
  if ("problem" in probe) {
    const runtime = { kind: "none" as const, detail: probe.problem, securityOptions: [] };
    const problem = runtimeProblem(runtime)!;
    return { description: { ...machine, runtime }, executor: (host) => refusingExecutor(host, problem), problem };
  }
  const description = { ...describeFromEngine(probe.info, address.text, { hostname: options.hostname, labels: options.labels }), genericResources: options.generic };
  return { description, executor: (host) => dockerExecutor(probe.docker, host) };
}
