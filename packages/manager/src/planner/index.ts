import { planPlacement, taskStatesBetween, type Actor, type PlanResult, type PlannerCluster, type Sandbox, type ServiceSpec } from "@rampart/core";
import { listServices, listTasks, type ServiceRecord } from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import type { NodeService } from "../nodes/index.js";
import type { ServiceService } from "../services/index.js";

/** A task holds or waits for a place while it should run and has not ended. */
const PLACED = taskStatesBetween("pending", "running");
const WANTED = taskStatesBetween("new", "running");

/** What a what-if changed, in words without values (the audit's reason). */
export function describeSandbox(sandbox: Sandbox): string {
  const parts: string[] = [];
  const nodes = Object.keys(sandbox.nodes ?? {}).length;
  if (nodes > 0) parts.push(`${nodes} node change${nodes === 1 ? "" : "s"}`);
  if (sandbox.service) parts.push(sandbox.service.serviceId ? "service spec changed" : "draft service");
  return parts.length > 0 ? parts.join(", ") : "no changes";
}

/**
 * The placement planner's server side: the cluster as the planner reads it, what-if
 * runs (the same core code the browser runs, audited), and applying a planned spec.
 */
export function createPlannerService(deps: ManagerDeps, audit: AuditService, nodes: NodeService, services: ServiceService) {
  const db = deps.store.prisma;

  return {
    /** Nodes, services and their placed tasks, now. */
    async snapshot(): Promise<PlannerCluster> {
      const [serviceRows, tasks] = await Promise.all([listServices(db), listTasks(db, { states: PLACED, desiredStates: WANTED })]);
      return {
        nodes: nodes.schedulerNodes().map((n) => ({ ...n, hostname: n.hostname ?? "", role: n.role ?? "worker", labels: { ...n.labels } })),
        services: serviceRows.map((s) => ({ id: s.id, specVersion: s.specVersion, spec: s.spec })),
        tasks: tasks.map((t) => ({ id: t.id, serviceId: t.serviceId, slot: t.slot, nodeId: t.nodeId ?? "", specVersion: t.specVersion, state: t.state })),
      };
    },

    /** One what-if on today's cluster; recorded in the audit log, the sandbox is not. */
    async whatIf(sandbox: Sandbox, actor: Actor, ip: string | null): Promise<PlanResult> {
      // The planned service may be named as update names it: by ID, ID prefix or name.
      const ref = sandbox.service?.serviceId;
      const planned = ref === undefined ? sandbox : { ...sandbox, service: { ...sandbox.service!, serviceId: (await services.resolve(ref)).id } };
      const cluster = await this.snapshot();
      const result = planPlacement(cluster, planned);
      const focus = sandbox.service;
      await audit.record({
        actor,
        action: "planner.whatif",
        target: { type: "service", id: planned.service?.serviceId ?? null, name: focus?.spec.name ?? null },
        outcome: "success",
        reason: describeSandbox(sandbox),
        ip,
      });
      return result;
    },

    /**
     * Commits a planned spec: creates the draft, or updates the service at the version
     * the planner read (a stale version is refused, as any update).
     */
    async apply(target: { serviceId: string; version: number } | { serviceId?: undefined }, spec: ServiceSpec, actor: Actor, ip: string | null): Promise<ServiceRecord> {
      const record = (service: ServiceRecord) =>
        audit.record({ actor, action: "planner.apply", target: { type: "service", id: service.id, name: service.name }, outcome: "success", ip });
      if (target.serviceId === undefined) {
        const created = await services.create(spec, actor, ip);
        await record(created);
        return created;
      }
      const updated = await services.update(target.serviceId, target.version, spec, actor, ip);
      await record(updated);
      return updated;
    },
  };
}

export type Planner = ReturnType<typeof createPlannerService>;
