import { z } from "zod";
import { clientOf } from "../context.js";
import {
  createSecretInput,
  listSecretsInput,
  removedSecretSchema,
  rotateSecretInput,
  rotationProgressInput,
  rotationProgressSchema,
  secretRefInput,
  secretRotationSchema,
  secretViewSchema,
  updateSecretInput,
} from "../schema/secret.schema.js";
import { permissionProcedure, router } from "../trpc.js";

const admin = permissionProcedure("cluster:admin");

/**
 * Secrets. Reads show metadata to anyone who may read the cluster: no procedure returns
 * a payload, so none needs more (a rotation's progress included). Creating, relabelling,
 * rotating and removing are administrative.
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
      const { ref, version, labels, name } = input;
      return ctx.manager.secrets.update(ref, version, { labels, name }, ctx.principal.actor, clientOf(ctx).ip);
    }),

  remove: admin
    .input(secretRefInput)
    .output(removedSecretSchema)
    .mutation(async ({ ctx, input }) => {
      const { id, name } = await ctx.manager.secrets.remove(input.ref, ctx.principal.actor, clientOf(ctx).ip);
      return { id, name };
    }),

  /** A new version, and every service that used the old one moved to it, in one step. */
  rotate: admin
    .input(rotateSecretInput)
    .output(secretRotationSchema)
    .mutation(({ ctx, input }) => ctx.manager.rotations.rotate(input, ctx.principal.actor, clientOf(ctx).ip)),

  /** A rotation's rollout: which services moved, which tasks and nodes still hold the old version. */
  rotation: permissionProcedure("cluster:read")
    .input(rotationProgressInput)
    .output(rotationProgressSchema)
    .query(({ ctx, input }) => ctx.manager.rotations.progress(input.from, input.to)),
});
