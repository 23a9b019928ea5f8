import { constraintWarnings, invalidArgument, parseGoDuration, parsePlacementPreference, RampartError, type ServiceSpec } from "@rampart/core";
import { explainPending, type DockerServiceWrite } from "@rampart/manager";
import { z } from "zod";
import { clientOf } from "../context.js";
import { dockerEnvOf } from "../env.js";
import { fidelityResultSchema, pendingExplanationSchema } from "../schema/planner.schema.js";
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
import { clusterProcedure, router } from "../trpc.js";

const LOGS_NOT_ON_DOCKER = {
  refused:
    "a Docker Swarm's service logs are not read through Rampart: Docker keeps them on each node's engine, readable with `docker service logs` against the swarm's manager",
};

/** The spec in core's terms: `spread=node.labels.zone` and `node.labels.zone` name the same preference; networks are Docker's alone. */
export function toSpec(input: ServiceSpecInput): ServiceSpec {
  const { networks: _networks, ...spec } = input;
  return {
    ...spec,
    replicas: input.mode === "global" ? 0 : input.replicas,
    preferences: input.preferences.map((p) => (p.includes("=") ? parsePlacementPreference(p) : p)),
  };
}

/** A spec for Rampart's own cluster, which has no overlay networks: naming one is refused, saying so. */
export function nativeSpec(input: ServiceSpecInput): ServiceSpec {
  const networks = input.networks ?? [];
  if (networks.length > 0) {
    throw new RampartError(
      "failed_precondition",
      `Rampart's own cluster has no overlay networks to join (${networks.map((n) => JSON.stringify(n)).join(", ")}): its tasks use their engine's default bridge, or the host's network (container.hostNetwork)`,
      { field: "networks" },
    );
  }
  return toSpec(input);
}

/** A write to a connected Docker Swarm: core's spec and the overlay networks named, if any. */
export function dockerWrite(input: ServiceSpecInput): DockerServiceWrite {
  return { spec: toSpec(input), networks: input.networks };
}

const admin = clusterProcedure("cluster:admin", "docker");
const reader = clusterProcedure("cluster:read", "docker");

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

/**
 * Services and their tasks, on Rampart's own cluster or on a connected Docker Swarm
 * (ADR 0020): the same views, with Docker's own facts in a `docker` part. On Docker,
 * references are resolved by Docker, an update carries Docker's version index, and the
 * planner's prediction is checked against Swarm's placement after every change.
 */
export const serviceRouter = router({
  list: reader.output(z.array(serviceViewSchema)).query(async ({ ctx }) => {
    const docker = await dockerEnvOf(ctx);
    return docker ? ctx.manager.dockerServices.list(docker) : ctx.manager.services.list();
  }),

  get: reader
    .input(serviceRefInput)
    .output(serviceDetailSchema)
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      return docker ? ctx.manager.dockerServices.get(docker, input.ref) : ctx.manager.services.get(input.ref);
    }),

  create: admin
    .input(createServiceInput)
    .output(serviceWriteResultSchema)
    .mutation(async ({ ctx, input }) => {
      const warnings = constraintWarnings(input.constraints);
      const docker = await dockerEnvOf(ctx);
      if (docker) {
        const written = await ctx.manager.dockerServices.create(docker, dockerWrite(input), ctx.principal.actor, clientOf(ctx).ip);
        return { ...written.view, warnings: [...warnings, ...written.warnings] };
      }
      const created = await ctx.manager.services.create(nativeSpec(input), ctx.principal.actor, clientOf(ctx).ip);
      return { ...(await ctx.manager.services.get(created.id)), warnings };
    }),

  update: admin
    .input(updateServiceInput)
    .output(serviceWriteResultSchema)
    .mutation(async ({ ctx, input }) => {
      const warnings = constraintWarnings(input.spec.constraints);
      const docker = await dockerEnvOf(ctx);
      if (docker) {
        const written = await ctx.manager.dockerServices.update(docker, input.ref, input.version, dockerWrite(input.spec), ctx.principal.actor, clientOf(ctx).ip);
        return { ...written.view, warnings: [...warnings, ...written.warnings] };
      }
      const updated = await ctx.manager.services.update(input.ref, input.version, nativeSpec(input.spec), ctx.principal.actor, clientOf(ctx).ip);
      return { ...(await ctx.manager.services.get(updated.id)), warnings };
    }),

  scale: admin
    .input(scaleServiceInput)
    .output(serviceViewSchema)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return ctx.manager.dockerServices.scale(docker, input.ref, input.replicas, ctx.principal.actor, clientOf(ctx).ip);
      const updated = await ctx.manager.services.scale(input.ref, input.replicas, ctx.principal.actor, clientOf(ctx).ip);
      return ctx.manager.services.get(updated.id);
    }),

  remove: admin
    .input(serviceRefInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return ctx.manager.dockerServices.remove(docker, input.ref, ctx.principal.actor, clientOf(ctx).ip);
      const { id } = await ctx.manager.services.get(input.ref);
      await ctx.manager.services.remove(id, ctx.principal.actor, clientOf(ctx).ip);
      return { id };
    }),

  /**
   * Why the service's tasks wait for a node: their errors as the scheduler gave them
   * (Docker's `no suitable node (…)`, which counts refusals but names no node) and core's
   * why-not matrix over the cluster as it is now, node by node. Null for a service the
   * planner does not plan (a Docker job).
   */
  pending: reader
    .input(serviceRefInput)
    .output(pendingExplanationSchema.nullable())
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) {
        const service = await ctx.manager.dockerServices.inspect(docker, input.ref);
        const [cluster, tasks] = await Promise.all([ctx.manager.dockerPlanner.snapshot(docker), ctx.manager.dockerServices.tasks(docker, service.ID)]);
        return explainPending(cluster, service.ID, tasks);
      }
      const service = await ctx.manager.services.get(input.ref);
      return explainPending(await ctx.manager.planner.snapshot(), service.id, service.tasks);
    }),

  /**
   * The planner's prediction against Swarm's placement after the latest change Rampart
   * made to the service on a connected swarm, kept by this server since it started. Null
   * when there is none, and on the native cluster, whose scheduler is the planner's own.
   */
  fidelity: reader
    .input(serviceRefInput)
    .output(fidelityResultSchema.nullable())
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (!docker) {
        await ctx.manager.services.resolve(input.ref);
        return null;
      }
      const service = await ctx.manager.dockerServices.inspect(docker, input.ref);
      return ctx.manager.dockerFidelity.latest(docker, service.ID);
    }),

  /**
   * Opens a log session for a service or a task: the agents running its tasks send their
   * containers' logs. Audited; read with `readLogs`.
   */
  openLogs: clusterProcedure("cluster:read", LOGS_NOT_ON_DOCKER)
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
  readLogs: clusterProcedure("cluster:read", LOGS_NOT_ON_DOCKER)
    .input(readLogsInput)
    .output(logPageSchema)
    .mutation(({ ctx, input }) => ctx.manager.logs.read(input.cursor, ctx.principal.actor)),

  /** The reader is done: the agents stop sending. */
  closeLogs: clusterProcedure("cluster:read", LOGS_NOT_ON_DOCKER)
    .input(readLogsInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) => {
      ctx.manager.logs.cancel(input.cursor, ctx.principal.actor);
      return { ok: true as const };
    }),
});
