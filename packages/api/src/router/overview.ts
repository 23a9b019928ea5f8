import { roleHasPermission } from "@rampart/core";
import { dockerOverview } from "@rampart/manager";
import { dockerEnvOf } from "../env.js";
import { overviewEventsInput, overviewEventsOutput, overviewSummaryOutput } from "../schema/overview.schema.js";
import { clusterProcedure, permissionProcedure, router } from "../trpc.js";

export const overviewRouter = router({
  /**
   * Counts and warnings. Failed sign-ins come from the audit log, so they are checked only
   * for callers who may read it. On a connected swarm, the checks whose facts Docker
   * reports (ADR 0020).
   */
  summary: clusterProcedure("cluster:read", "docker")
    .output(overviewSummaryOutput)
    .query(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerOverview(docker, ctx.manager.audit, ctx.manager.dockerSecrets, ctx.manager.deps.now());
      return ctx.manager.overview.summary({ audit: roleHasPermission(ctx.principal.role, "audit:read") });
    }),

  /** The newest security-relevant audit events. */
  events: permissionProcedure("audit:read")
    .input(overviewEventsInput)
    .output(overviewEventsOutput)
    .query(async ({ ctx, input }) => ({ events: await ctx.manager.overview.securityEvents(input.limit) })),
});
