import { z } from "zod";
import { apiTokenIdInput, apiTokenInfo, createApiTokenInput, createApiTokenOutput } from "../schema/api-token.schema.js";
import { permissionProcedure, router } from "../trpc.js";

const own = permissionProcedure("apitokens:own");

/**
 * Only a signed-in browser session mints tokens (ADR 0014): a token that could mint
 * tokens would let a stolen one outlive its revocation, and the admin socket has no
 * user account for a token to belong to.
 */
const mint = permissionProcedure("apitokens:own", {
  apitoken: "an API token cannot create API tokens: sign in to the web UI to create one",
  local: "API tokens belong to a user account: sign in to the web UI to create one",
});

export const apiTokenRouter = router({
  list: own
    .output(z.array(apiTokenInfo))
    .query(({ ctx }) => ctx.manager.apiTokens.list(ctx.principal.user)),

  create: mint
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
