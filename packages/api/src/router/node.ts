import { dockerNodes, type NodeDetail } from "@rampart/manager";
import { z } from "zod";
import { clientOf } from "../context.js";
import { dockerEnvOf } from "../env.js";
import { nodeDetailSchema, nodeRefInput, nodeViewSchema, removeNodeInput, updateNodeInput } from "../schema/node.schema.js";
import { encodeNodeList, type NodeListPayload } from "../schema/node-list.js";
import { plainJson, plainJsonOutput } from "../transformer.js";
import { clusterProcedure, router } from "../trpc.js";

const admin = clusterProcedure("cluster:admin", "docker");

/**
 * Nodes, of Rampart's own cluster or of a connected Docker Swarm (ADR 0020): the same
 * views, with a Docker node's own facts in its `docker` part. On Docker, references are
 * resolved by Docker and writes carry its version index.
 */
export const nodeRouter = router({
  list: clusterProcedure("cluster:read", "docker")
    .output(plainJsonOutput<NodeListPayload>())
    .query(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      return plainJson(encodeNodeList(docker ? await dockerNodes(docker, ctx.manager.audit).list() : await ctx.manager.nodes.list()));
    }),

  get: clusterProcedure("cluster:read", "docker")
    .input(nodeRefInput)
    .output(nodeDetailSchema)
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerNodes(docker, ctx.manager.audit).get(input.ref);
      const node: NodeDetail = await ctx.manager.nodes.get(input.ref);
      node.chain = ctx.manager.pki.chainOf(node.id, node.certificate?.pem ?? null);
      return node;
    }),

  update: admin
    .input(updateNodeInput)
    .output(nodeViewSchema)
    .mutation(async ({ ctx, input }) => {
      const { ref, ...change } = input;
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerNodes(docker, ctx.manager.audit).update(ref, change, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.nodes.update(ref, change, ctx.principal.actor, clientOf(ctx).ip);
    }),

  promote: admin
    .input(nodeRefInput)
    .output(nodeViewSchema)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerNodes(docker, ctx.manager.audit).promote(input.ref, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.nodes.promote(input.ref, ctx.principal.actor, clientOf(ctx).ip);
    }),

  demote: admin
    .input(nodeRefInput)
    .output(nodeViewSchema)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerNodes(docker, ctx.manager.audit).demote(input.ref, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.nodes.demote(input.ref, ctx.principal.actor, clientOf(ctx).ip);
    }),

  remove: admin
    .input(removeNodeInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerNodes(docker, ctx.manager.audit).remove(input.ref, input.force, ctx.principal.actor, clientOf(ctx).ip);
      const { id } = await ctx.manager.nodes.get(input.ref);
      await ctx.manager.nodes.remove(id, input.force, ctx.principal.actor, clientOf(ctx).ip);
      return { id };
    }),
});
