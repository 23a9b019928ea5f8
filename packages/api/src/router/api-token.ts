import { z } from "zod";
import { apiTokenIdInput, apiTokenInfo, createApiTokenInput, createApiTokenOutput } from "../schema/api-token.schema.js";
import { permissionProcedure, router } from "../trpc.js";

const own = permissionProcedure("apitokens:own");

export const apiTokenRouter = router({
  list: own
    .output(z.array(apiTokenInfo))
    .query(({ ctx }) => ctx.manager.apiTokens.list(ctx.principal.user)),

  create: own
    .input(createApiTokenInput)
    .output(createApiTokenOutput)
    .mutation(({ ctx, input }) =>
      ctx.manager.apiTokens.create(ctx.principal.user, input, ctx.request.ip),
    ),

  revoke: own
    .input(apiTokenIdInput)
    .output(apiTokenInfo)
    .mutation(({ ctx, input }) =>
      ctx.manager.apiTokens.revoke(ctx.principal.user, input.id, ctx.request.ip),
    ),
});
