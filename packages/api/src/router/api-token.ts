import { z } from "zod";
import { apiTokenIdInput, apiTokenInfo, createApiTokenInput, createApiTokenOutput } from "../schema/api-token.schema.js";
import { permissionProcedure, requireUser, router } from "../trpc.js";

const own = permissionProcedure("apitokens:own");

export const apiTokenRouter = router({
  list: own
    .output(z.array(apiTokenInfo))
    .query(({ ctx }) => ctx.manager.apiTokens.list(requireUser(ctx.principal, "an API token"))),

  create: own
    .input(createApiTokenInput)
    .output(createApiTokenOutput)
    .mutation(({ ctx, input }) =>
      ctx.manager.apiTokens.create(requireUser(ctx.principal, "an API token"), input, ctx.request.ip),
    ),

  revoke: own
    .input(apiTokenIdInput)
    .output(apiTokenInfo)
    .mutation(({ ctx, input }) =>
      ctx.manager.apiTokens.revoke(requireUser(ctx.principal, "an API token"), input.id, ctx.request.ip),
    ),
});
