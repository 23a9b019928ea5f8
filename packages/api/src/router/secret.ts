import { z } from "zod";
import { clientOf } from "../context.js";
import {
  createSecretInput,
  listSecretsInput,
  removedSecretSchema,
  secretRefInput,
  secretViewSchema,
  updateSecretInput,
} from "../schema/secret.schema.js";
import { permissionProcedure, router } from "../trpc.js";

const admin = permissionProcedure("cluster:admin");

/**
 * Secrets. Reads show metadata to anyone who may read the cluster: no procedure returns
 * a payload, so none needs more. Creating, relabelling and removing are administrative.
 */
export const secretRouter = router({
  list: permissionProcedure("cluster:read")
    .input(listSecretsInput)
    .output(z.array(secretViewSchema))
    .query(({ ctx, input }) => ctx.manager.secrets.list({ search: input?.search })),

  get: permissionProcedure("cluster:read")
    .input(secretRefInput)
    .output(secretViewSchema)
    .query(({ ctx, input }) => ctx.manager.secrets.get(input.ref)),

  create: admin
    .input(createSecretInput)
    .output(secretViewSchema)
    .mutation(({ ctx, input }) => ctx.manager.secrets.create(input, ctx.principal.actor, clientOf(ctx).ip)),

  update: admin
    .input(updateSecretInput)
    .output(secretViewSchema)
    .mutation(({ ctx, input }) => {
      const { ref, version, ...change } = input;
      return ctx.manager.secrets.update(ref, version, change, ctx.principal.actor, clientOf(ctx).ip);
    }),

  remove: admin
    .input(secretRefInput)
    .output(removedSecretSchema)
    .mutation(async ({ ctx, input }) => {
      const { id, name } = await ctx.manager.secrets.remove(input.ref, ctx.principal.actor, clientOf(ctx).ip);
      return { id, name };
    }),
});
