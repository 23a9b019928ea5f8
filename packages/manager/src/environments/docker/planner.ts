import { planPlacement, type Actor, type PlannerCluster, type PlanResult, type Sandbox, type WhyNotRow } from "@rampart/core";
import type { AuditService } from "../../audit/index.js";
import { describeSandbox } from "../../planner/index.js";
import type { ConnectedEnvironment } from "../index.js";
import type { DockerServiceService, DockerServiceWrite, DockerServiceWriteResult } from "./services.js";
import { readSwarmSnapshot } from "./snapshot.js";

/**
 * The placement planner on a connected Docker Swarm (ADR 0020): the swarm as the planner
 * reads it (snapshot.ts: three Engine API calls), what-ifs with core's planner, audited
 * as on the native cluster, and Apply through Docker's service create and update at the
 * version index the planner read, so a plan made on a swarm that changed since is
 * Docker's 409. The explanation of a service's waiting tasks is here too, for both kinds
 * of cluster: core's why-not matrix over a snapshot, with the service's spec as it is.
 */

/** Why a service's tasks wait for a node, node by node. */
export interface PendingExplanation {
  serviceId: string;
  /** Tasks meant to run that wait for a node now. */
  pending: number;
  /** Their errors as the scheduler gave them (Docker's `no suitable node (…)` on a swarm), each once. */
  errors: string[];
  /** Every node against the service's constraints and the scheduler's filters: the first filter that refuses one more task, and why. */
  matrix: WhyNotRow[];
  /** The planner's own summary for the tasks it leaves waiting; null when it would place them all. */
  plannerReason: string | null;
  /** Tasks the planner leaves waiting on this snapshot. */
  plannerPending: number;
  /** The planner could not read the spec (core's problems); the matrix is then empty. */
  problems: string[];
}

/**
 * The why-not matrix for a service as it is (pure: any snapshot, native or Docker). The
 * service is planned with its own spec, which changes nothing, so each row says why that
 * node would not take one more of its tasks now. Null when the snapshot does not hold
 * the service (a Docker job service, which the planner does not plan).
 */
export function explainPending(cluster: PlannerCluster, serviceId: string, tasks: ReadonlyArray<{ state: string; desiredState: string; err: string | null }>): PendingExplanation | null {
  const service = cluster.services.find((s) => s.id === serviceId);
  if (!service) return null;
  const waiting = tasks.filter((t) => t.desiredState === "running" && t.state === "pending");
  const focus = planPlacement(cluster, { service: { serviceId, spec: service.spec } }).focus;
  return {
    serviceId,
    pending: waiting.length,
    errors: [...new Set(waiting.flatMap((t) => (t.err ? [t.err] : [])))],
    matrix: focus?.matrix ?? [],
    plannerReason: focus?.diff.pendingReason ?? null,
    plannerPending: focus?.diff.pending ?? 0,
    problems: focus?.problems.map((p) => p.message) ?? [],
  };
}

export function createDockerPlannerService(audit: AuditService, services: DockerServiceService) {
  return {
    snapshot: (env: ConnectedEnvironment): Promise<PlannerCluster> => readSwarmSnapshot(env),

    /** One what-if on the swarm as it is now; the service may be named by ID, ID prefix or name (Docker resolves it). Audited. */
    async whatIf(env: ConnectedEnvironment, sandbox: Sandbox, actor: Actor, ip: string | null): Promise<PlanResult> {
      const ref = sandbox.service?.serviceId;
      const planned = ref === undefined ? sandbox : { ...sandbox, service: { ...sandbox.service!, serviceId: (await services.inspect(env, ref)).ID } };
      const result = planPlacement(await readSwarmSnapshot(env), planned);
      await audit.record({
        actor,
        action: "planner.whatif",
        target: { type: "service", id: planned.service?.serviceId ?? null, name: sandbox.service?.spec.name ?? null },
        outcome: "success",
        reason: describeSandbox(sandbox),
        ip,
        env: env.auditEnv,
      });
      return result;
    },

    /**
     * Creates the draft, or updates the service at the version the planner read (Docker's
     * index). Audited as the service's write and as `planner.apply` once Docker has taken
     * it, and checked against Swarm's placement.
     */
    async apply(
      env: ConnectedEnvironment,
      target: { serviceId: string; version: number } | { serviceId?: undefined },
      write: DockerServiceWrite,
      actor: Actor,
      ip: string | null,
    ): Promise<DockerServiceWriteResult> {
      return target.serviceId === undefined
        ? services.create(env, write, actor, ip, "apply")
        : services.update(env, target.serviceId, target.version, write, actor, ip, "apply");
    },
  };
}

export type DockerPlannerService = ReturnType<typeof createDockerPlannerService>;
