import { clientOf } from "../context.js";
import { AUDIT_EXPORT_MAX_ROWS, auditExportInput, auditExportOutput, auditListInput, auditListOutput } from "../schema/audit.schema.js";
import { permissionProcedure, router } from "../trpc.js";

export const auditRouter = router({
  /** A page of events, newest first, each with what its actor, target and context are now. */
  list: permissionProcedure("audit:read")
    .input(auditListInput)
    .output(auditListOutput)
    .query(async ({ ctx, input }) => {
      const events = await ctx.manager.audit.listNamed({
        action: input.action,
        outcome: input.outcome,
        targetId: input.targetId,
        env: input.env,
        search: input.search,
        before: input.cursor === undefined ? undefined : BigInt(input.cursor),
        limit: input.limit + 1,
      });
      const page = events.slice(0, input.limit);
      return { events: page, nextCursor: events.length > input.limit ? page.at(-1)!.id : null };
    }),

  /**
   * Every event the list shows for these filters, not one page, up to the stated cap,
   * for the browser to save as CSV or JSON. A mutation: the export is itself audited.
   */
  export: permissionProcedure("audit:read")
    .input(auditExportInput)
    .output(auditExportOutput)
    .mutation(({ ctx, input }) => {
      const { format, ...query } = input;
      return ctx.manager.audit.export({ query, format, cap: AUDIT_EXPORT_MAX_ROWS, actor: ctx.principal.actor, ip: clientOf(ctx).ip });
    }),
});
