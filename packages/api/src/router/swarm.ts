import { parseGoDuration } from "@rampart/core";
import { clientOf } from "../context.js";
import {
  caOutput,
  joinInfoOutput,
  joinTokenInput,
  joinTokenOutput,
  swarmInfoOutput,
  updateSwarmInput,
} from "../schema/cluster.schema.js";
import { permissionProcedure, router } from "../trpc.js";

export const swarmRouter = router({
  info: permissionProcedure("cluster:read")
    .output(swarmInfoOutput)
    .query(({ ctx }) => ctx.manager.nodes.swarmInfo()),

  ca: permissionProcedure("cluster:read")
    .output(caOutput)
    .query(({ ctx }) => {
      const { ca } = ctx.manager.cluster.current();
      return { pem: ca.rootPem, digest: `sha256:${ca.rootDigestHex}` };
    }),

  joinInfo: permissionProcedure("cluster:read")
    .output(joinInfoOutput)
    .query(({ ctx }) => {
      const { ca } = ctx.manager.cluster.current();
      return {
        nodeAddress: ctx.manager.deps.nodeAddress,
        rootCaDigest: `sha256:${ca.rootDigestHex}`,
        commandTemplate: ctx.manager.nodes.joinCommand("<token>"),
      };
    }),

  update: permissionProcedure("cluster:admin")
    .input(updateSwarmInput)
    .output(swarmInfoOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.manager.cluster.update(
        {
          version: input.version,
          certExpiryMs: input.certExpiry === undefined ? undefined : parseGoDuration(input.certExpiry, "certExpiry"),
          heartbeatPeriodMs: input.heartbeatPeriod === undefined ? undefined : parseGoDuration(input.heartbeatPeriod, "heartbeatPeriod"),
          taskHistoryLimit: input.taskHistoryLimit,
        },
        ctx.principal.actor,
        clientOf(ctx).ip,
      );
      return ctx.manager.nodes.swarmInfo();
    }),

  /** The one path that returns a join token. Audited. */
  revealToken: permissionProcedure("tokens:reveal")
    .input(joinTokenInput)
    .output(joinTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const token = await ctx.manager.cluster.revealToken(input.role, ctx.principal.actor, clientOf(ctx).ip);
      return { role: input.role, token, command: ctx.manager.nodes.joinCommand(token) };
    }),

  rotateToken: permissionProcedure("cluster:admin")
    .input(joinTokenInput)
    .output(joinTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const token = await ctx.manager.cluster.rotateToken(input.role, ctx.principal.actor, clientOf(ctx).ip);
      return { role: input.role, token, command: ctx.manager.nodes.joinCommand(token) };
    }),
});
