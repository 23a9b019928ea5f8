import { roleHasPermission } from "@rampart/core";
import { overviewEventsInput, overviewEventsOutput, overviewSummaryOutput } from "../schema/overview.schema.js";
import { permissionProcedure, router } from "../trpc.js";

export const overviewRouter = router({
  /** Counts and warnings. Failed sign-ins come from the audit log, so they are checked only for callers who may read it. */
  summary: permissionProcedure("cluster:read")
    .output(overviewSummaryOutput)
    .query(({ ctx }) => ctx.manager.overview.summary({ audit: roleHasPermission(ctx.principal.role, "audit:read") })),

  /** The newest security-relevant audit events. */
  events: permissionProcedure("audit:read")
    .input(overviewEventsInput)
    .output(overviewEventsOutput)
    .query(async ({ ctx, input }) => ({ events: await ctx.manager.overview.securityEvents(input.limit) })),
});
