import { RampartError } from "@rampart/core";
import { dockerNetworks, type ConnectedEnvironment } from "@rampart/manager";
import { clientOf, type Context } from "../context.js";
import { dockerEnvOf } from "../env.js";
import { createNetworkInput, networkRefInput, networkSchema } from "../schema/network.schema.js";
import { clusterProcedure, router } from "../trpc.js";
import { z } from "zod";

/**
 * Networks: a connected Docker Swarm's overlay networks (ADR 0020). Rampart's own
 * cluster has no overlay networks, so on it each procedure is refused with a sentence
 * that says so (412).
 */
async function swarmOf(ctx: Context & { env?: string | undefined }): Promise<ConnectedEnvironment> {
  const docker = await dockerEnvOf(ctx);
  if (docker) return docker;
  throw new RampartError(
    "failed_precondition",
    "Rampart's own cluster has no overlay networks: networks are served on a connected Docker Swarm (choose one with --env NAME, or its environment in the UI)",
  );
}

export const networkRouter = router({
  /** The swarm-scoped networks, with their security flags and the services on each. */
  list: clusterProcedure("cluster:read", "docker")
    .output(z.array(networkSchema))
    .query(async ({ ctx }) => dockerNetworks(await swarmOf(ctx), ctx.manager.audit).list()),

  get: clusterProcedure("cluster:read", "docker")
    .input(networkRefInput)
    .output(networkSchema)
    .query(async ({ ctx, input }) => dockerNetworks(await swarmOf(ctx), ctx.manager.audit).get(input.ref)),

  /** An overlay network, encrypted unless asked otherwise. Audited. */
  create: clusterProcedure("cluster:admin", "docker")
    .input(createNetworkInput)
    .output(networkSchema)
    .mutation(async ({ ctx, input }) => {
      const { driver: _overlay, ...network } = input;
      return dockerNetworks(await swarmOf(ctx), ctx.manager.audit).create(network, ctx.principal.actor, clientOf(ctx).ip);
    }),

  /** Refused by Docker while a service uses it. Audited. */
  remove: clusterProcedure("cluster:admin", "docker")
    .input(networkRefInput)
    .output(z.object({ id: z.string(), name: z.string() }))
    .mutation(async ({ ctx, input }) => dockerNetworks(await swarmOf(ctx), ctx.manager.audit).remove(input.ref, ctx.principal.actor, clientOf(ctx).ip)),
});
