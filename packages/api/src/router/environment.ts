import { z } from "zod";
import { clientOf } from "../context.js";
import { addEnvironmentInput, environmentSchema, envRefInput } from "../schema/environment.schema.js";
import { permissionProcedure, router } from "../trpc.js";

const admin = permissionProcedure("environments:admin");

/**
 * Environments (ADR 0020): the Docker Swarms this server administers. Everyone who may
 * read the cluster sees the list (the shell's switcher); only administrators connect
 * and remove them.
 */
export const environmentRouter = router({
  list: permissionProcedure("cluster:read")
    .output(z.array(environmentSchema))
    .query(({ ctx }) => ctx.manager.environments.list()),

  get: permissionProcedure("cluster:read")
    .input(envRefInput)
    .output(environmentSchema)
    .query(({ ctx, input }) => ctx.manager.environments.get(input.name)),

  /** Checks the connection now, rather than at the next few-second check. */
  check: permissionProcedure("cluster:read")
    .input(envRefInput)
    .output(environmentSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.manager.environments.check(input.name);
      return ctx.manager.environments.get(input.name);
    }),

  /** Connects a swarm after checking it answers as a manager. Audited, refusals included. */
  add: admin
    .input(addEnvironmentInput)
    .output(environmentSchema)
    .mutation(async ({ ctx, input }) => {
      const tls = input.tlsCa && input.tlsCert && input.tlsKey ? { ca: input.tlsCa, cert: input.tlsCert, key: input.tlsKey } : undefined;
      return ctx.manager.environments.add({ name: input.name, dockerHost: input.dockerHost, tls, insecure: input.insecure }, ctx.principal.actor, clientOf(ctx).ip);
    }),

  /** Forgets the connection; the swarm itself is untouched. Audited. */
  remove: admin
    .input(envRefInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.manager.environments.remove(input.name, ctx.principal.actor, clientOf(ctx).ip);
      return { ok: true as const };
    }),
});
