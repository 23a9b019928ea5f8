import { z } from "zod";
import { clientOf } from "../context.js";
import { nodeDetailSchema, nodeRefInput, nodeViewSchema, removeNodeInput, updateNodeInput } from "../schema/node.schema.js";
import { encodeNodeList, type NodeListPayload } from "../schema/node-list.js";
import { plainJson, plainJsonOutput } from "../transformer.js";
import { permissionProcedure, router } from "../trpc.js";

const admin = permissionProcedure("cluster:admin");

export const nodeRouter = router({
  list: permissionProcedure("cluster:read")
    .output(plainJsonOutput<NodeListPayload>())
    .query(async ({ ctx }) => plainJson(encodeNodeList(await ctx.manager.nodes.list()))),

  get: permissionProcedure("cluster:read")
    .input(nodeRefInput)
    .output(nodeDetailSchema)
    .query(({ ctx, input }) => ctx.manager.nodes.get(input.ref)),

  update: admin
    .input(updateNodeInput)
    .output(nodeViewSchema)
    .mutation(({ ctx, input }) => {
      const { ref, ...change } = input;
      return ctx.manager.nodes.update(ref, change, ctx.principal.actor, clientOf(ctx).ip);
    }),

  promote: admin
    .input(nodeRefInput)
    .output(nodeViewSchema)
    .mutation(({ ctx, input }) => ctx.manager.nodes.promote(input.ref, ctx.principal.actor, clientOf(ctx).ip)),

  demote: admin
    .input(nodeRefInput)
    .output(nodeViewSchema)
    .mutation(({ ctx, input }) => ctx.manager.nodes.demote(input.ref, ctx.principal.actor, clientOf(ctx).ip)),

  remove: admin
    .input(removeNodeInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { id } = await ctx.manager.nodes.get(input.ref);
      await ctx.manager.nodes.remove(id, input.force, ctx.principal.actor, clientOf(ctx).ip);
      return { id };
    }),
});
