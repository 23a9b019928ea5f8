import { checkTaskHistoryLimit, goQuote, parseGoUint } from "@rampart/core";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import { badFlag } from "./task-flags.js";

export type Out = (line: string) => void;

/** `rampart swarm init`: the swarm was made on the server's first start; this prints it as docker does. */
export async function swarmInit(client: AdminClient, out: Out): Promise<number> {
  const info = await client.swarm.info.query();
  const { command } = await client.swarm.revealToken.mutate({ role: "worker" });
  out(`Swarm initialized: current node (${info.nodeId}) is now a manager.\n`);
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

/** `rampart swarm ca`: the trust root, as `docker swarm ca` prints it. */
export async function swarmCa(client: AdminClient, out: Out): Promise<number> {
  const { pem } = await client.swarm.ca.query();
  out(pem.trim());
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
}

/** `rampart swarm update [--cert-expiry 720h] [--dispatcher-heartbeat 5s] [--task-history-limit N]`. */
export async function swarmUpdate(client: AdminClient, out: Out, flags: SwarmUpdateFlags): Promise<number> {
  const certExpiry = flags["cert-expiry"];
  const heartbeat = flags["dispatcher-heartbeat"];
  const limitText = flags["task-history-limit"];
  if (certExpiry === undefined && heartbeat === undefined && limitText === undefined) {
    throw new UsageError("nothing to update: give --cert-expiry, --dispatcher-heartbeat or --task-history-limit");
  }
  const taskHistoryLimit = limitText === undefined ? undefined : parseTaskHistoryLimit(limitText);
  const { version } = await client.swarm.info.query();
  await client.swarm.update.mutate({
    version,
    ...(certExpiry !== undefined ? { certExpiry } : {}),
    ...(heartbeat !== undefined ? { heartbeatPeriod: heartbeat } : {}),
    ...(taskHistoryLimit !== undefined ? { taskHistoryLimit } : {}),
  });
  out("Swarm updated.");
  return 0;
}

