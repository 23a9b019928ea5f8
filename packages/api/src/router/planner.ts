import { constraintWarnings } from "@rampart/core";
import { z } from "zod";
import { clientOf } from "../context.js";
import { applyPlanInput, planResultSchema, plannerClusterSchema, sandboxInput } from "../schema/planner.schema.js";
import { serviceWriteResultSchema } from "../schema/service.schema.js";
import { permissionProcedure, router } from "../trpc.js";
import { toSpec } from "./service.js";

/**
 * The placement planner: the cluster as the planner reads it (the browser plans on
 * it locally), an audited what-if on the server with the same code, and Apply
 * (`applyPlan`: tRPC reserves the name `apply`).
 */
export const plannerRouter = router({
  snapshot: permissionProcedure("cluster:read")
    .output(plannerClusterSchema)
    .query(({ ctx }) => ctx.manager.planner.snapshot()),

  whatIf: permissionProcedure("cluster:read")
    .input(sandboxInput)
    .output(planResultSchema)
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.manager.planner.whatIf(
        { ...(input.nodes ? { nodes: input.nodes } : {}), ...(input.service ? { service: { ...input.service, spec: toSpec(input.service.spec) } } : {}) },
        ctx.principal.actor,
        clientOf(ctx).ip,
      );
      return { ...result, warnings: constraintWarnings(input.service?.spec.constraints ?? []) };
    }),

  applyPlan: permissionProcedure("cluster:admin")
    .input(applyPlanInput)
    .output(serviceWriteResultSchema.extend({ created: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const target = input.serviceId !== undefined && input.version !== undefined ? { serviceId: input.serviceId, version: input.version } : {};
      const applied = await ctx.manager.planner.apply(target, toSpec(input.spec), ctx.principal.actor, clientOf(ctx).ip);
      const warnings = constraintWarnings(input.spec.constraints);
      return { ...(await ctx.manager.services.get(applied.id)), warnings, created: input.serviceId === undefined };
    }),
});
