import { z } from "zod";
import { loginInput, sessionOutput, setupInput, setupStatusOutput } from "../schema/auth.schema.js";
import { userSchema } from "../schema/common.schema.js";
import { clientOf } from "../context.js";
import { authenticatedProcedure, publicProcedure, router } from "../trpc.js";
import { clearSessionCookie, sessionCookie } from "../http/cookie.js";

export const authRouter = router({
  setupStatus: publicProcedure
    .output(setupStatusOutput)
    .query(async ({ ctx }) => ({ setupNeeded: await ctx.manager.auth.setupNeeded() })),

  /** Creates the first administrator and signs them in (the session cookie is set, as by login). */
  setup: publicProcedure
    .input(setupInput)
    .output(z.object({ user: userSchema, expiresAt: z.date() }))
    .mutation(async ({ ctx, input }) => {
      const { token, user, expiresAt } = await ctx.manager.auth.completeSetup(input, clientOf(ctx));
      ctx.request.setCookie(sessionCookie(token));
      return { user, expiresAt };
    }),

  login: publicProcedure
    .input(loginInput)
    .output(z.object({ user: userSchema, expiresAt: z.date() }))
    .mutation(async ({ ctx, input }) => {
      const { token, user, expiresAt } = await ctx.manager.auth.login(input, clientOf(ctx));
      ctx.request.setCookie(sessionCookie(token));
      return { user, expiresAt };
    }),

  logout: authenticatedProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    if (ctx.principal.via === "session") {
      await ctx.manager.auth.logout(ctx.principal.sessionId, ctx.principal.actor, clientOf(ctx));
    }
    ctx.request.setCookie(clearSessionCookie());
    return { ok: true as const };
  }),

  me: authenticatedProcedure.output(sessionOutput.nullable()).query(({ ctx }) => {
    const p = ctx.principal;
    if (p.via === "local") return null;
    return { user: p.user, via: p.via, expiresAt: p.via === "session" ? p.expiresAt : null };
  }),
});
