import type { ConnectedEnvironment } from "@rampart/manager";
import { clientOf, type Context } from "./context.js";

/**
 * The connected swarm a cluster procedure acts on (ADR 0020), opened for this caller
 * (its use audited, throttled), or null for Rampart's own cluster. `clusterProcedure`
 * puts the input's `env` in `ctx.env`. Procedures branch on the answer: the same input
 * and output, served by the native manager or by Docker.
 */
export async function dockerEnvOf(ctx: Context & { env?: string | undefined }): Promise<ConnectedEnvironment | null> {
  if (ctx.env === undefined) return null;
  const actor = ctx.principal?.actor;
  if (!actor) throw new Error("dockerEnvOf needs an authenticated caller");
  return ctx.manager.environments.open(ctx.env, actor, clientOf(ctx).ip);
}
