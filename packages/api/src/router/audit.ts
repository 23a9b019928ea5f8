import { auditListInput, auditListOutput } from "../schema/audit.schema.js";
import { permissionProcedure, router } from "../trpc.js";

export const auditRouter = router({
  list: permissionProcedure("audit:read")
    .input(auditListInput)
    .output(auditListOutput)
    .query(async ({ ctx, input }) => {
      const events = await ctx.manager.audit.list({
        action: input.action,
        outcome: input.outcome,
        targetId: input.targetId,
        search: input.search,
        before: input.cursor === undefined ? undefined : BigInt(input.cursor),
        limit: input.limit + 1,
      });
      const page = events.slice(0, input.limit);
      return { events: page, nextCursor: events.length > input.limit ? page.at(-1)!.id : null };
    }),
});
