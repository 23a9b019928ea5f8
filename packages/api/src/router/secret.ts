import { z } from "zod";
import { clientOf } from "../context.js";
import {
  createSecretInput,
  listSecretsInput,
  removedSecretSchema,
  rotateSecretInput,
  rotationProgressInput,
  rotationProgressSchema,
  secretRefInput,
  secretRotationSchema,
  secretViewSchema,
  updateSecretInput,
} from "../schema/secret.schema.js";
import { dockerEnvOf } from "../env.js";
import { clusterProcedure, router } from "../trpc.js";

const admin = clusterProcedure("cluster:admin", "docker");
const reader = clusterProcedure("cluster:read", "docker");

/** The swarm a write acts on; a payload already decoded is wiped if the swarm cannot be opened. */
async function dockerEnvWiping(ctx: Parameters<typeof dockerEnvOf>[0], data: Uint8Array) {
  try {
    return await dockerEnvOf(ctx);
  } catch (error) {
    data.fill(0);
    throw error;
  }
}

/**
 * Secrets. Reads show metadata to anyone who may read the cluster: no procedure returns
 * a payload, so none needs more (a rotation's progress included). Creating, relabelling,
 * rotating and removing are administrative. On a connected Docker Swarm each is served
 * by Docker (ADR 0020) with the same input and output.
 */
export const secretRouter = router({
  list: reader
    .input(listSecretsInput)
    .output(z.array(secretViewSchema))
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return ctx.manager.dockerSecrets.list(docker, { search: input?.search });
      return ctx.manager.secrets.list({ search: input?.search });
    }),

  get: reader
    .input(secretRefInput)
    .output(secretViewSchema)
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return ctx.manager.dockerSecrets.get(docker, input.ref);
      return ctx.manager.secrets.get(input.ref);
    }),

  /** On a Docker Swarm the value goes to Docker once, and its name rules and refusals are Docker's. */
  create: admin
    .input(createSecretInput)
    .output(secretViewSchema)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvWiping(ctx, input.data);
      if (docker) return ctx.manager.dockerSecrets.create(docker, input, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.secrets.create(input, ctx.principal.actor, clientOf(ctx).ip);
    }),

  /** Labels only; on a Docker Swarm `version` is Docker's version index, and a stale one is Docker's 409. */
  update: admin
    .input(updateSecretInput)
    .output(secretViewSchema)
    .mutation(async ({ ctx, input }) => {
      const { ref, version, labels, name } = input;
      const docker = await dockerEnvOf(ctx);
      if (docker) return ctx.manager.dockerSecrets.update(docker, ref, version, { labels, name }, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.secrets.update(ref, version, { labels, name }, ctx.principal.actor, clientOf(ctx).ip);
    }),

  remove: admin
    .input(secretRefInput)
    .output(removedSecretSchema)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      const { id, name } = docker
        ? await ctx.manager.dockerSecrets.remove(docker, input.ref, ctx.principal.actor, clientOf(ctx).ip)
        : await ctx.manager.secrets.remove(input.ref, ctx.principal.actor, clientOf(ctx).ip);
      return { id, name };
    }),

  /**
   * A new version, and every service that used the old one moved to it: in one step on
   * the native cluster; on a Docker Swarm one service update each, then the rollout is
   * followed and the old version removed once nothing uses it.
   */
  rotate: admin
    .input(rotateSecretInput)
    .output(secretRotationSchema)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvWiping(ctx, input.data);
      if (docker) return ctx.manager.dockerRotations.rotate(docker, input, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.rotations.rotate(input, ctx.principal.actor, clientOf(ctx).ip);
    }),

  /** A rotation's rollout: which services moved, which tasks and nodes still hold the old version. */
  rotation: reader
    .input(rotationProgressInput)
    .output(rotationProgressSchema)
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return ctx.manager.dockerRotations.progress(docker, input.from, input.to);
      return ctx.manager.rotations.progress(input.from, input.to);
    }),
});
