import { constraintWarnings, parsePlacementPreference, type ServiceSpec } from "@rampart/core";
import { z } from "zod";
import { clientOf } from "../context.js";
import {
  createServiceInput,
  scaleServiceInput,
  serviceDetailSchema,
  serviceRefInput,
  serviceViewSchema,
  serviceWriteResultSchema,
  updateServiceInput,
  type ServiceSpecInput,
} from "../schema/service.schema.js";
import { permissionProcedure, router } from "../trpc.js";

/** `spread=node.labels.zone` and `node.labels.zone` both name the same preference. */
export function toSpec(input: ServiceSpecInput): ServiceSpec {
  return {
    ...input,
    replicas: input.mode === "global" ? 0 : input.replicas,
    preferences: input.preferences.map((p) => (p.includes("=") ? parsePlacementPreference(p) : p)),
  };
}

const admin = permissionProcedure("cluster:admin");

export const serviceRouter = router({
  list: permissionProcedure("cluster:read")
    .output(z.array(serviceViewSchema))
    .query(({ ctx }) => ctx.manager.services.list()),

  get: permissionProcedure("cluster:read")
    .input(serviceRefInput)
    .output(serviceDetailSchema)
    .query(({ ctx, input }) => ctx.manager.services.get(input.ref)),

  create: admin
    .input(createServiceInput)
    .output(serviceWriteResultSchema)
    .mutation(async ({ ctx, input }) => {
      const created = await ctx.manager.services.create(toSpec(input), ctx.principal.actor, clientOf(ctx).ip);
      return { ...(await ctx.manager.services.get(created.id)), warnings: constraintWarnings(input.constraints) };
    }),

  update: admin
    .input(updateServiceInput)
    .output(serviceWriteResultSchema)
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.manager.services.update(input.ref, input.version, toSpec(input.spec), ctx.principal.actor, clientOf(ctx).ip);
      return { ...(await ctx.manager.services.get(updated.id)), warnings: constraintWarnings(input.spec.constraints) };
    }),

  scale: admin
    .input(scaleServiceInput)
    .output(serviceViewSchema)
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.manager.services.scale(input.ref, input.replicas, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.services.get(updated.id);
    }),

  remove: admin
    .input(serviceRefInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { id } = await ctx.manager.services.get(input.ref);
      await ctx.manager.services.remove(id, ctx.principal.actor, clientOf(ctx).ip);
      return { id };
    }),
});
