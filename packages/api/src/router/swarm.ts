import { parseGoDuration } from "@rampart/core";
import { dockerSwarm } from "@rampart/manager";
import { z } from "zod";
import { clientOf } from "../context.js";
import { dockerEnvOf } from "../env.js";
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
import { clusterProcedure, router } from "../trpc.js";

/** Rampart's runtime policy and seccomp profiles (ADR 0019) are its own cluster's settings; Docker Swarm has neither. */
const NO_RUNTIME_POLICY = {
  refused: "Docker Swarm has no runtime policy setting: the limits on the host paths, host network and privileged mode services may use are a setting of Rampart's own cluster (ADR 0019), which Docker's engines do not have",
};
const NO_SECCOMP_STORE = {
  refused: "Docker Swarm has no seccomp profile store: Rampart's stored profiles serve its own cluster, and a Docker engine reads a profile from a file on its own host",
};

const policyView = (record: { version: number; runtimePolicy: { allowedHostPaths: string[]; allowHostNetwork: boolean; allowPrivileged: boolean } }) => ({
  version: record.version,
  ...record.runtimePolicy,
});

export const swarmRouter = router({
  /** `docker info`'s Swarm section; on a connected swarm, with Docker's own part (raft, external CAs, trust root). */
  info: clusterProcedure("cluster:read", "docker")
    .output(swarmInfoOutput)
    .query(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerSwarm(docker, ctx.manager.audit).info();
      return ctx.manager.nodes.swarmInfo();
    }),

  ca: clusterProcedure("cluster:read", "docker")
    .output(caOutput)
    .query(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerSwarm(docker, ctx.manager.audit).ca();
      const { ca } = ctx.manager.cluster.current();
      return { pem: ca.rootPem, digest: `sha256:${ca.rootDigestHex}` };
    }),

  /** Where new nodes join; on a connected swarm, the leader's advertised address. */
  joinInfo: clusterProcedure("cluster:read", "docker")
    .output(joinInfoOutput)
    .query(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerSwarm(docker, ctx.manager.audit).joinInfo();
      const { ca } = ctx.manager.cluster.current();
      return {
        nodeAddress: ctx.manager.deps.nodeAddress,
        rootCaDigest: `sha256:${ca.rootDigestHex}`,
        commandTemplate: ctx.manager.nodes.joinCommand("<token>"),
      };
    }),

  /** On a connected swarm through `/swarm/update` at Docker's version index: a lost race is Docker's 409. Audited. */
  update: clusterProcedure("cluster:admin", "docker")
    .input(updateSwarmInput)
    .output(swarmInfoOutput)
    .mutation(async ({ ctx, input }) => {
      const change = {
        version: input.version,
        certExpiryMs: input.certExpiry === undefined ? undefined : parseGoDuration(input.certExpiry, "certExpiry"),
        heartbeatPeriodMs: input.heartbeatPeriod === undefined ? undefined : parseGoDuration(input.heartbeatPeriod, "heartbeatPeriod"),
        taskHistoryLimit: input.taskHistoryLimit,
      };
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerSwarm(docker, ctx.manager.audit).update(change, ctx.principal.actor, clientOf(ctx).ip);
      await ctx.manager.cluster.update(change, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.nodes.swarmInfo();
    }),

  /** The one path that returns a join token. Audited; the token is in the answer only. */
  revealToken: clusterProcedure("tokens:reveal", "docker")
    .input(joinTokenInput)
    .output(joinTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return { role: input.role, ...(await dockerSwarm(docker, ctx.manager.audit).revealToken(input.role, ctx.principal.actor, clientOf(ctx).ip)) };
      const token = await ctx.manager.cluster.revealToken(input.role, ctx.principal.actor, clientOf(ctx).ip);
      return { role: input.role, token, command: ctx.manager.nodes.joinCommand(token) };
    }),

  /** A new token for the role; the old one is refused from then on. Audited. */
  rotateToken: clusterProcedure("cluster:admin", "docker")
    .input(joinTokenInput)
    .output(joinTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return { role: input.role, ...(await dockerSwarm(docker, ctx.manager.audit).rotateToken(input.role, ctx.principal.actor, clientOf(ctx).ip)) };
      const token = await ctx.manager.cluster.rotateToken(input.role, ctx.principal.actor, clientOf(ctx).ip);
      return { role: input.role, token, command: ctx.manager.nodes.joinCommand(token) };
    }),

  /** What services may reach of their nodes: host paths, host network, privileged (ADR 0019). */
  runtimePolicy: clusterProcedure("cluster:read", NO_RUNTIME_POLICY)
    .output(runtimePolicyOutput)
    .query(({ ctx }) => policyView(ctx.manager.cluster.current().record)),

  /** Audited, with what it now allows. */
  setRuntimePolicy: clusterProcedure("cluster:admin", NO_RUNTIME_POLICY)
    .input(setRuntimePolicyInput)
    .output(runtimePolicyOutput)
    .mutation(async ({ ctx, input }) => {
      const { version, ...policy } = input;
      return policyView(await ctx.manager.cluster.setRuntimePolicy({ version, policy }, ctx.principal.actor, clientOf(ctx).ip));
    }),

  seccompProfiles: clusterProcedure("cluster:read", NO_SECCOMP_STORE)
    .output(z.array(seccompProfileOutput))
    .query(({ ctx }) => ctx.manager.runtime.listProfiles()),

  seccompProfile: clusterProcedure("cluster:read", NO_SECCOMP_STORE)
    .input(seccompProfileNameInput)
    .output(seccompProfileDetailOutput)
    .query(({ ctx, input }) => ctx.manager.runtime.getProfile(input.name)),

  /** Profiles never change once stored: a new version is a new name. Audited. */
  createSeccompProfile: clusterProcedure("cluster:admin", NO_SECCOMP_STORE)
    .input(createSeccompProfileInput)
    .output(seccompProfileOutput)
    .mutation(({ ctx, input }) => ctx.manager.runtime.createProfile(input, ctx.principal.actor, clientOf(ctx).ip)),

  /** Refused while a service names the profile. Audited. */
  removeSeccompProfile: clusterProcedure("cluster:admin", NO_SECCOMP_STORE)
    .input(seccompProfileNameInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.manager.runtime.removeProfile(input.name, ctx.principal.actor, clientOf(ctx).ip);
      return { ok: true as const };
    }),
});
