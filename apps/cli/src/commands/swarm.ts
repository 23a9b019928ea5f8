import { checkRuntimePolicy, checkTaskHistoryLimit, cleanPath, goQuote, parseGoUint, type RuntimePolicy } from "@rampart/core";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import { updateAutolock } from "./swarm-autolock.js";
import { parseExternalCa } from "./swarm-ca.js";
import { badFlag } from "./task-flags.js";

export type Out = (line: string) => void;

/** `rampart swarm init`: the swarm was made on the server's first start; this prints it as docker does. */
export async function swarmInit(client: AdminClient, out: Out): Promise<number> {
  const info = await client.swarm.info.query();
  const { command } = await client.swarm.revealToken.mutate({ role: "worker" });
  // A connected swarm was made with docker's own `swarm init`; Rampart only shows how to join it.
  if (info.docker) out(`Swarm ${info.clusterId} (environment ${info.docker.environment}) was initialized with docker; its manager ${info.nodeId} answers here.\n`);
  else out(`Swarm initialized: current node (${info.nodeId}) is now a manager.\n`);
  out(`To add a worker to this swarm, run the following command:\n\n    ${command}\n`);
  out("To add a manager to this swarm, run 'rampart swarm join-token manager' and follow the instructions.");
  return 0;
}

/** `rampart swarm join-token [-q] [--rotate] worker|manager` (swarm-semantics.md §8.2). */
export async function swarmJoinToken(client: AdminClient, out: Out, role: string | undefined, quiet: boolean, rotate: boolean): Promise<number> {
  if (role !== "worker" && role !== "manager") {
    throw new UsageError(role === undefined ? '"rampart swarm join-token" requires exactly 1 argument: worker or manager' : `unknown role ${role}`);
  }
  const result = rotate ? await client.swarm.rotateToken.mutate({ role }) : await client.swarm.revealToken.mutate({ role });
  if (quiet) {
    out(result.token);
    return 0;
  }
  if (rotate) out(`Successfully rotated ${role} join token.\n`);
  out(`To add a ${role} to this swarm, run the following command:\n\n    ${result.command}\n`);
  return 0;
}

/**
 * `--task-history-limit N`: docker's int64 flag (strconv.ParseInt(s, 0, 64), its
 * texts), then the store's 32-bit bound, both before any request.
 */
export function parseTaskHistoryLimit(value: string): number {
  const negative = value.startsWith("-");
  let magnitude: bigint;
  try {
    magnitude = parseGoUint(value.replace(/^[+-]/, ""), 0, 64);
  } catch (error) {
    const reason = (error as Error).message.endsWith("value out of range") ? "value out of range" : "invalid syntax";
    throw badFlag("task-history-limit", value, `strconv.ParseInt: parsing ${goQuote(value)}: ${reason}`);
  }
  if (magnitude > (negative ? 2n ** 63n : 2n ** 63n - 1n)) {
    throw badFlag("task-history-limit", value, `strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  }
  const limit = Number(negative ? -magnitude : magnitude);
  try {
    checkTaskHistoryLimit(limit);
  } catch (error) {
    throw badFlag("task-history-limit", value, (error as Error).message);
  }
  return limit;
}

export interface SwarmUpdateFlags {
  "cert-expiry"?: string | undefined;
  "dispatcher-heartbeat"?: string | undefined;
  "task-history-limit"?: string | undefined;
  "allow-host-path"?: string[] | undefined;
  "disallow-host-path"?: string[] | undefined;
  "allow-host-network"?: boolean | undefined;
  "allow-privileged"?: boolean | undefined;
  /** `--autolock=true|false` (ADR 0022). */
  autolock?: boolean | undefined;
  /** `--external-ca protocol=cfssl,url=URL[,cacert=FILE]`, repeated: replaces the list (ADR 0021). */
  "external-ca"?: string[] | undefined;
}

/** What the runtime policy flags ask for, checked before any request. */
export interface PolicyChanges {
  allow: string[];
  disallow: string[];
  hostNetwork?: boolean;
  privileged?: boolean;
}

/** Each `--allow-host-path` held to the policy's own rules (absolute, not /), as flag errors. */
export function parsePolicyFlags(flags: SwarmUpdateFlags): PolicyChanges {
  const allow = flags["allow-host-path"] ?? [];
  for (const path of allow) {
    try {
      checkRuntimePolicy({ allowedHostPaths: [path], allowHostNetwork: false, allowPrivileged: false });
    } catch (error) {
      throw badFlag("allow-host-path", path, (error as Error).message);
    }
  }
  const changes: PolicyChanges = { allow, disallow: flags["disallow-host-path"] ?? [] };
  if (flags["allow-host-network"] !== undefined) changes.hostNetwork = flags["allow-host-network"];
  if (flags["allow-privileged"] !== undefined) changes.privileged = flags["allow-privileged"];
  return changes;
}

export function hasPolicyChanges(c: PolicyChanges): boolean {
  return c.allow.length + c.disallow.length > 0 || c.hostNetwork !== undefined || c.privileged !== undefined;
}

/**
 * The policy with the flags applied, each changing only what it names: paths are
 * compared cleaned (`/srv/data/` is `/srv/data`); removing one that is not allowed is
 * an error naming the ones that are, since a typo would otherwise leave a path open.
 */
export function applyPolicyChanges(current: RuntimePolicy, c: PolicyChanges): RuntimePolicy {
  const allowed = current.allowedHostPaths;
  for (const path of c.disallow) {
    if (!allowed.some((p) => cleanPath(p) === cleanPath(path))) {
      throw new Error(`host path ${path} is not in the runtime policy's allowed host paths (${allowed.length > 0 ? allowed.join(", ") : "none"})`);
    }
  }
  const removed = new Set(c.disallow.map(cleanPath));
  const kept = allowed.filter((p) => !removed.has(cleanPath(p)));
  const added = c.allow.filter((path, i) => !kept.some((p) => cleanPath(p) === cleanPath(path)) && c.allow.findIndex((q) => cleanPath(q) === cleanPath(path)) === i);
  return {
    allowedHostPaths: [...kept, ...added],
    allowHostNetwork: c.hostNetwork ?? current.allowHostNetwork,
    allowPrivileged: c.privileged ?? current.allowPrivileged,
  };
}

/**
 * `rampart swarm update [--cert-expiry 720h] [--dispatcher-heartbeat 5s] [--task-history-limit N]
 * [--allow-host-path PATH]... [--disallow-host-path PATH]... [--allow-host-network[=false]]
 * [--allow-privileged[=false]] [--autolock[=false]] [--external-ca …]`: the settings at the
 * version read, then the runtime policy and the external CAs at the version that left, then
 * autolock. Every flag is checked before
 * the first request.
 */
export async function swarmUpdate(client: AdminClient, out: Out, flags: SwarmUpdateFlags): Promise<number> {
  const certExpiry = flags["cert-expiry"];
  const heartbeat = flags["dispatcher-heartbeat"];
  const limitText = flags["task-history-limit"];
  const policy = parsePolicyFlags(flags);
  const settings = certExpiry !== undefined || heartbeat !== undefined || limitText !== undefined;
  const externalCas = flags["external-ca"]?.map((text) => parseExternalCa(text));
  if (!settings && !hasPolicyChanges(policy) && flags.autolock === undefined && externalCas === undefined) {
    throw new UsageError(
      "nothing to update: give --cert-expiry, --dispatcher-heartbeat, --task-history-limit, --external-ca, --allow-host-path, --disallow-host-path, --allow-host-network, --allow-privileged or --autolock",
    );
  }
  const taskHistoryLimit = limitText === undefined ? undefined : parseTaskHistoryLimit(limitText);
  if (settings) {
    const { version } = await client.swarm.info.query();
    await client.swarm.update.mutate({
      version,
      ...(certExpiry !== undefined ? { certExpiry } : {}),
      ...(heartbeat !== undefined ? { heartbeatPeriod: heartbeat } : {}),
      ...(taskHistoryLimit !== undefined ? { taskHistoryLimit } : {}),
    });
  }
  if (hasPolicyChanges(policy)) {
    const { version, ...current } = await client.swarm.runtimePolicy.query();
    await client.swarm.setRuntimePolicy.mutate({ version, ...applyPolicyChanges(current, policy) });
  }
  if (externalCas !== undefined) {
    // The CA configuration, checked as a CA change is (a CA that cannot be reached is refused).
    // An entry without cacert signs under the current root, as docker's update gives it.
    const { version } = await client.pki.status.query();
    await client.pki.update.mutate({ version, externalCas });
  }
  // Last, at the version the changes above left: docker prints the unlock text after its line.
  const unlock = flags.autolock === undefined ? undefined : await updateAutolock(client, flags.autolock);
  out("Swarm updated.");
  if (unlock) out(unlock);
  return 0;
}

/** The runtime policy's lines in `rampart info`, in the audit event's words: allowed or refused. */
export function runtimePolicyLines(policy: RuntimePolicy): string[] {
  const word = (on: boolean) => (on ? "allowed" : "refused");
  return [
    "  Runtime Policy:",
    `   Allowed Host Paths: ${policy.allowedHostPaths.length > 0 ? policy.allowedHostPaths.join(", ") : "none"}`,
    `   Host Network: ${word(policy.allowHostNetwork)}`,
    `   Privileged: ${word(policy.allowPrivileged)}`,
  ];
}
