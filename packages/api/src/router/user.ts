import { clientOf } from "../context.js";
import { resetPasswordInput, resetPasswordOutput, unlockOutput, userNameInput } from "../schema/user.schema.js";
import { permissionProcedure, router } from "../trpc.js";

const ONLY_ON_THE_SOCKET = "account recovery runs only on the server's admin socket: use 'rampart user' on the server";

/**
 * Account recovery. Whoever can open the admin socket is root on the server already;
 * nobody else, however signed in, may lift locks or set another's password (ADR 0014).
 */
const recovery = permissionProcedure("users:admin", { session: ONLY_ON_THE_SOCKET, apitoken: ONLY_ON_THE_SOCKET });

export const userRouter = router({
  unlock: recovery
    .input(userNameInput)
    .output(unlockOutput)
    .mutation(({ ctx, input }) => ctx.manager.auth.unlock(input.username, ctx.principal.actor, clientOf(ctx))),

  resetPassword: recovery
    .input(resetPasswordInput)
    .output(resetPasswordOutput)
    .mutation(({ ctx, input }) => ctx.manager.auth.resetPassword(input, ctx.principal.actor, clientOf(ctx))),
});
