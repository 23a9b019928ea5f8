import { parseGoDuration } from "@rampart/core";
import { z } from "zod";
import { clientOf } from "../context.js";
import {
  caOutput,
  createSeccompProfileInput,
  joinInfoOutput,
  joinTokenInput,
  joinTokenOutput,
  runtimePolicyOutput,
  seccompProfileDetailOutput,
  seccompProfileNameInput,
  seccompProfileOutput,
  setRuntimePolicyInput,
  swarmInfoOutput,
  updateSwarmInput,
} from "../schema/cluster.schema.js";
import { permissionProcedure, router } from "../trpc.js";

const policyView = (record: { version: number; runtimePolicy: { allowedHostPaths: string[]; allowHostNetwork: boolean; allowPrivileged: boolean } }) => ({
  version: record.version,
  ...record.runtimePolicy,
});

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

  /** What services may reach of their nodes: host paths, host network, privileged (ADR 0019). */
  runtimePolicy: permissionProcedure("cluster:read")
    .output(runtimePolicyOutput)
    .query(({ ctx }) => policyView(ctx.manager.cluster.current().record)),

  /** Audited, with what it now allows. */
  setRuntimePolicy: permissionProcedure("cluster:admin")
    .input(setRuntimePolicyInput)
    .output(runtimePolicyOutput)
    .mutation(async ({ ctx, input }) => {
      const { version, ...policy } = input;
      return policyView(await ctx.manager.cluster.setRuntimePolicy({ version, policy }, ctx.principal.actor, clientOf(ctx).ip));
    }),

  seccompProfiles: permissionProcedure("cluster:read")
    .output(z.array(seccompProfileOutput))
    .query(({ ctx }) => ctx.manager.runtime.listProfiles()),

  seccompProfile: permissionProcedure("cluster:read")
    .input(seccompProfileNameInput)
    .output(seccompProfileDetailOutput)
    .query(({ ctx, input }) => ctx.manager.runtime.getProfile(input.name)),

  /** Profiles never change once stored: a new version is a new name. Audited. */
  createSeccompProfile: permissionProcedure("cluster:admin")
    .input(createSeccompProfileInput)
    .output(seccompProfileOutput)
    .mutation(({ ctx, input }) => ctx.manager.runtime.createProfile(input, ctx.principal.actor, clientOf(ctx).ip)),

  /** Refused while a service names the profile. Audited. */
  removeSeccompProfile: permissionProcedure("cluster:admin")
    .input(seccompProfileNameInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.manager.runtime.removeProfile(input.name, ctx.principal.actor, clientOf(ctx).ip);
      return { ok: true as const };
    }),
});
