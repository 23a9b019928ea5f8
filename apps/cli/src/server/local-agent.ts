import { createPrivateKey } from "node:crypto";
import { join } from "node:path";
import type { Logger } from "pino";
import type { NodeDescription, NodeRuntime } from "@rampart/core";
import { NodeAgent, type AgentIdentity, type AgentStore } from "../agent/agent.js";
import { dockerExecutor } from "../agent/runtime/docker.js";
import { describeFromEngine, engineAddress, EngineAddressError, probeEngine, type EngineEnv } from "../agent/runtime/engine.js";
import { freshSecretsRoot, tmpfsSecretStore, type SecretStore } from "../agent/secrets.js";
import type Docker from "dockerode";
import type { LocalNode } from "./runtime.js";

/** The tmpfs the server's own node keeps its tasks' secrets under, as an agent does by default. */
const SECRETS_PARENT = "/dev/shm";

/**
 * The server's own node runs its tasks as any node does, or gets none (ADR 0019). When
 * this machine has a reachable engine, the node describes itself from the engine's info
 * and an agent in this process runs its tasks, over the node endpoint with the node's
 * own certificate, under the same rules as every agent. When it has none, the node says
 * why, and the scheduler places nothing on it.
 */
export interface LocalEngine {
  /** Engine labels and platform from the engine, or this machine's own with runtime `none`. */
  describe(base: NodeDescription): NodeDescription;
  /** Starts the in-process agent for the server's node (nothing when there is no engine), describing it as `description`. */
  start(address: string, local: LocalNode, description: NodeDescription): void;
  /** The server's node certificate was renewed. */
  renewed(local: LocalNode): void;
  stop(): Promise<void>;
}

export async function openLocalEngine(options: { dockerHost: string | undefined; env: EngineEnv; dataDir: string; log: Logger }): Promise<LocalEngine> {
  let engine: { docker: Docker; info: Parameters<typeof describeFromEngine>[0]; address: string } | undefined;
  let secrets: SecretStore | undefined;
  let problem: string;
  try {
    const address = engineAddress(options.dockerHost, options.env);
    const probe = await probeEngine(address);
    if ("problem" in probe) {
      problem = probe.problem;
    } else {
      secrets = tmpfsSecretStore(await freshSecretsRoot(SECRETS_PARENT, join(options.dataDir, "secrets-root")), { removeRoot: true });
      await secrets.open();
      engine = { docker: probe.docker, info: probe.info, address: address.text };
      problem = "";
    }
  } catch (error) {
    // A bad --docker-host, or no tmpfs for secrets: this node runs nothing, and says why.
    problem = error instanceof EngineAddressError ? error.message : `cannot keep task secrets on this machine: ${error instanceof Error ? error.message : String(error)}`;
    await secrets?.close().catch(() => undefined);
    secrets = undefined;
  }
  if (engine) options.log.info({ engine: engine.address }, "this server's node runs its tasks through the local engine");
  else options.log.warn({ reason: problem }, "this server's node has no container runtime: no task is placed on it");
  let agent: NodeAgent | undefined;
  let identity: AgentIdentity | undefined;

  const toIdentity = (local: LocalNode): AgentIdentity => ({
    nodeId: local.nodeId,
    role: "manager",
    key: createPrivateKey(local.keyPem),
    certPem: local.certPem,
    rootPem: local.rootPem,
  });

  return {
    describe(base) {
      if (!engine) {
        const runtime: NodeRuntime = { kind: "none", detail: problem, securityOptions: [] };
        return { ...base, runtime };
      }
      return { ...describeFromEngine(engine.info, engine.address, { hostname: base.hostname, labels: {} }), genericResources: base.genericResources ?? {} };
    },

    start(address, local, description) {
      if (!engine || !secrets) return;
      identity = toIdentity(local);
      // The server keeps this identity current (timers.ts); the agent only uses it.
      const store: AgentStore = {
        load: () => identity,
        save: () => undefined,
        newKey: () => identity!.key,
      };
      agent = new NodeAgent({
        address,
        token: undefined,
        description,
        store,
        secrets,
        renews: false,
        executor: (host) => dockerExecutor(engine!.docker, host),
        events: { error: (message) => options.log.warn({ message }, "local node") },
      });
      agent.start();
    },

    renewed(local) {
      identity = toIdentity(local);
      agent?.useIdentity(identity);
    },

    async stop() {
      if (agent) await agent.shutdown();
      else await secrets?.close();
    },
  };
}
