import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";

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

/** `rampart swarm update --cert-expiry 720h [--dispatcher-heartbeat 5s]`. */
export async function swarmUpdate(client: AdminClient, out: Out, certExpiry: string | undefined, heartbeat: string | undefined): Promise<number> {
  if (certExpiry === undefined && heartbeat === undefined) {
    throw new UsageError("nothing to update: give --cert-expiry or --dispatcher-heartbeat");
  }
  const { version } = await client.swarm.info.query();
  await client.swarm.update.mutate({
    version,
    ...(certExpiry !== undefined ? { certExpiry } : {}),
    ...(heartbeat !== undefined ? { heartbeatPeriod: heartbeat } : {}),
  });
  out("Swarm updated.");
  return 0;
}

