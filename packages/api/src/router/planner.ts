import { constraintWarnings } from "@rampart/core";
import { z } from "zod";
import { clientOf } from "../context.js";
import { dockerEnvOf } from "../env.js";
import { applyPlanInput, planResultSchema, plannerClusterSchema, sandboxInput } from "../schema/planner.schema.js";
import { serviceWriteResultSchema } from "../schema/service.schema.js";
import { clusterProcedure, router } from "../trpc.js";
import { dockerWrite, nativeSpec, toSpec } from "./service.js";

/**
 * The placement planner, on Rampart's own cluster or on a connected Docker Swarm
 * (ADR 0020): the cluster as the planner reads it (the browser plans on it locally), an
 * audited what-if on the server with the same code, and Apply (`applyPlan`: tRPC
 * reserves the name `apply`), on Docker through its service create and update at the
 * version index the planner read.
 */
export const plannerRouter = router({
  snapshot: clusterProcedure("cluster:read", "docker")
    .output(plannerClusterSchema)
    .query(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      return docker ? ctx.manager.dockerPlanner.snapshot(docker) : ctx.manager.planner.snapshot();
    }),

  whatIf: clusterProcedure("cluster:read", "docker")
    .input(sandboxInput)
    .output(planResultSchema)
    .mutation(async ({ ctx, input }) => {
      const sandbox = { ...(input.nodes ? { nodes: input.nodes } : {}), ...(input.service ? { service: { ...input.service, spec: toSpec(input.service.spec) } } : {}) };
      const docker = await dockerEnvOf(ctx);
      const result = docker
        ? await ctx.manager.dockerPlanner.whatIf(docker, sandbox, ctx.principal.actor, clientOf(ctx).ip)
        : await ctx.manager.planner.whatIf(sandbox, ctx.principal.actor, clientOf(ctx).ip);
      return { ...result, warnings: constraintWarnings(input.service?.spec.constraints ?? []) };
    }),

  applyPlan: clusterProcedure("cluster:admin", "docker")
    .input(applyPlanInput)
    .output(serviceWriteResultSchema.extend({ created: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const target = input.serviceId !== undefined && input.version !== undefined ? { serviceId: input.serviceId, version: input.version } : {};
      const warnings = constraintWarnings(input.spec.constraints);
      const created = input.serviceId === undefined;
      const docker = await dockerEnvOf(ctx);
      if (docker) {
        const applied = await ctx.manager.dockerPlanner.apply(docker, target, dockerWrite(input.spec), ctx.principal.actor, clientOf(ctx).ip);
        return { ...applied.view, warnings: [...warnings, ...applied.warnings], created };
      }
      const applied = await ctx.manager.planner.apply(target, nativeSpec(input.spec), ctx.principal.actor, clientOf(ctx).ip);
      return { ...(await ctx.manager.services.get(applied.id)), warnings, created };
    }),
});
