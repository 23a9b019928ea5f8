import { constraintWarnings, invalidArgument, parseGoDuration, parsePlacementPreference, type ServiceSpec } from "@rampart/core";
import { z } from "zod";
import { clientOf } from "../context.js";
import {
  createServiceInput,
  logPageSchema,
  openLogsInput,
  readLogsInput,
  scaleServiceInput,
  serviceDetailSchema,
  serviceRefInput,
  serviceViewSchema,
  serviceWriteResultSchema,
  updateServiceInput,
  type ServiceSpecInput,
} from "../schema/service.schema.js";
import { permissionProcedure, router } from "../trpc.js";

/** `spread=node.labels.zone` and `node.labels.zone` both name the same preference. */
export function toSpec(input: ServiceSpecInput): ServiceSpec {
  return {
    ...input,
    replicas: input.mode === "global" ? 0 : input.replicas,
    preferences: input.preferences.map((p) => (p.includes("=") ? parsePlacementPreference(p) : p)),
  };
}

const admin = permissionProcedure("cluster:admin");

/** `--since`: a duration back from now (`10m`) or a time, as `docker service logs` takes it. */
export function parseSince(text: string, now: Date): Date {
  if (/^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)/.test(text)) return new Date(now.getTime() - parseGoDuration(text, "since"));
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return new Date(at);
  }
  if (/^\d{1,12}(\.\d{1,9})?$/.test(text)) return new Date(Number(text) * 1000);
  throw invalidArgument("since", `since must be a duration such as 10m, a time such as 2026-12-06T10:00:00Z, or Unix seconds; got ${JSON.stringify(text.slice(0, 64))}`);
}

export const serviceRouter = router({
  list: permissionProcedure("cluster:read")
    .output(z.array(serviceViewSchema))
    .query(({ ctx }) => ctx.manager.services.list()),

  get: permissionProcedure("cluster:read")
    .input(serviceRefInput)
    .output(serviceDetailSchema)
    .query(({ ctx, input }) => ctx.manager.services.get(input.ref)),

  create: admin
    .input(createServiceInput)
    .output(serviceWriteResultSchema)
    .mutation(async ({ ctx, input }) => {
      const created = await ctx.manager.services.create(toSpec(input), ctx.principal.actor, clientOf(ctx).ip);
      return { ...(await ctx.manager.services.get(created.id)), warnings: constraintWarnings(input.constraints) };
    }),

  update: admin
    .input(updateServiceInput)
    .output(serviceWriteResultSchema)
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.manager.services.update(input.ref, input.version, toSpec(input.spec), ctx.principal.actor, clientOf(ctx).ip);
      return { ...(await ctx.manager.services.get(updated.id)), warnings: constraintWarnings(input.spec.constraints) };
    }),

  scale: admin
    .input(scaleServiceInput)
    .output(serviceViewSchema)
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.manager.services.scale(input.ref, input.replicas, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.services.get(updated.id);
    }),

  remove: admin
    .input(serviceRefInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { id } = await ctx.manager.services.get(input.ref);
      await ctx.manager.services.remove(id, ctx.principal.actor, clientOf(ctx).ip);
      return { id };
    }),

  /**
   * Opens a log session for a service or a task: the agents running its tasks send their
   * containers' logs. Audited; read with `readLogs`.
   */
  openLogs: permissionProcedure("cluster:read")
    .input(openLogsInput)
    .output(z.object({ cursor: z.string() }))
    .mutation(async ({ ctx, input }) => ({
      cursor: await ctx.manager.logs.open(
        input.ref,
        { follow: input.follow, tail: input.tail ?? null, since: input.since === undefined ? null : parseSince(input.since, new Date()) },
        ctx.principal.actor,
        clientOf(ctx).ip,
      ),
    })),

  /** The lines after the cursor; waits up to 20 s for one while the agents are still sending. */
  readLogs: permissionProcedure("cluster:read")
    .input(readLogsInput)
    .output(logPageSchema)
    .mutation(({ ctx, input }) => ctx.manager.logs.read(input.cursor, ctx.principal.actor)),

  /** The reader is done: the agents stop sending. */
  closeLogs: permissionProcedure("cluster:read")
    .input(readLogsInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) => {
      ctx.manager.logs.cancel(input.cursor, ctx.principal.actor);
      return { ok: true as const };
    }),
});
