import {
  RampartError,
  checkServiceSpec,
  newId,
  taskSpecChange,
  type Actor,
  type Constraint,
  type ServiceSpec,
} from "@rampart/core";
import {
  createService,
  createTasks,
  deleteService,
  findServiceIds,
  getService,
  listServices,
  listTasks,
  updateServiceSpec,
  updateTasks,
  type Db,
  type ServiceRecord,
  type TaskRecord,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import type { NodeService } from "../nodes/index.js";
import { auditSecretGrants, checkServiceSecrets } from "../secrets/index.js";
import { planGlobal, planReplicated, type OrchestratorNode, type Plan } from "./orchestrate.js";

export type { OrchestratorNode, Plan } from "./orchestrate.js";

export interface ServiceView extends ServiceRecord {
  /** Tasks that are running (or assigned and on their way) / the tasks the spec asks for. */
  running: number;
  desired: number;
  pending: number;
}

/**
 * Services: create, update (with optimistic versions), scale, remove, and the
 * orchestrators that keep each service's tasks matching its spec. Placement itself is
 * the scheduler's (scheduler-loop.ts).
 */
export function createServiceService(deps: ManagerDeps, audit: AuditService, nodes: NodeService, onChange: () => void) {
  const db = deps.store.prisma;

  async function resolve(ref: string, tx: Db = db): Promise<ServiceRecord> {
    const ids = await findServiceIds(tx, ref);
    if (ids.length === 0) throw new RampartError("not_found", `service ${ref} not found`, { field: "service" });
    if (ids.length > 1) throw new RampartError("invalid_argument", `service ${ref} is ambiguous (2 matches found)`, { field: "service" });
    return (await getService(tx, ids[0]!))!;
  }

  function orchestratorNodes(): Map<string, OrchestratorNode> {
    return new Map(nodes.constraintNodes().map((n) => [n.id, n]));
  }

  /** Writes a plan; new tasks carry the service's secret references as they are now. */
  async function applyPlan(tx: Db, plan: Plan, spec: ServiceSpec): Promise<void> {
    const now = deps.now();
    await createTasks(
      tx,
      plan.create.map((t) => ({ ...t, id: newId(deps.random(17)), at: now, secrets: spec.secrets ?? [] })),
    );
    await updateTasks(tx, plan.update, now);
  }

  /** Brings one service's tasks in line with its spec. */
  async function reconcile(tx: Db, service: ServiceRecord, previous?: ServiceSpec): Promise<void> {
    const tasks = await listTasks(tx, { serviceId: service.id });
    const constraints: Constraint[] = checkServiceSpec(service.spec);
    // Without the spec before, a task of an older version is taken as running an outdated spec.
    const change = previous ? taskSpecChange(previous, service.spec) : "task";
    const plan =
      service.spec.mode === "global"
        ? planGlobal(service, tasks, change, constraints, orchestratorNodes())
        : planReplicated(service, tasks, change, constraints, orchestratorNodes());
    await applyPlan(tx, plan, service.spec);
  }

  function view(service: ServiceRecord, tasks: readonly TaskRecord[]): ServiceView {
    let running = 0;
    let pending = 0;
    for (const t of tasks) {
      if (t.desiredState !== "running") continue;
      if (t.state === "running") running++;
      else if (t.state === "pending") pending++;
    }
    const desired = service.spec.mode === "replicated" ? service.spec.replicas : tasks.filter((t) => t.desiredState === "running").length;
    return { ...service, running, desired, pending };
  }

  const target = (s: ServiceRecord) => ({ type: "service", id: s.id, name: s.name });

  /** An update inside the given transaction; the caller tells the scheduler once it commits. */
  async function updateIn(tx: Db, ref: string, version: number, spec: ServiceSpec, actor: Actor, ip: string | null): Promise<ServiceRecord> {
    checkServiceSpec(spec);
    const current = await resolve(ref, tx);
    if (current.version !== version) {
      throw new RampartError("conflict", `service ${current.name} changed since version ${version}; reload and try again`, { field: "version" });
    }
    // A spec without `secrets` keeps the service's references (see checkServiceSecrets).
    const checked = await checkServiceSecrets(tx, spec, current.spec);
    if (spec.mode !== current.spec.mode) throw new RampartError("invalid_argument", "service mode change is not allowed", { field: "mode" });
    if (spec.name !== current.name && (await getServiceByName(tx, spec.name))) {
      throw new RampartError("already_exists", "name conflicts with an existing object", { field: "name" });
    }
    const next = await updateServiceSpec(tx, current.id, version, checked, deps.now());
    if (!next) throw new RampartError("conflict", `service ${current.name} changed at the same time; reload and try again`, { field: "version" });
    await reconcile(tx, next, current.spec);
    await audit.record({ actor, action: "service.update", target: target(next), outcome: "success", ip }, tx);
    await auditSecretGrants(audit, tx, { actor, ip, service: next, before: current.spec.secrets, after: checked.secrets });
    return next;
  }

  return {
    resolve,

    async list(): Promise<ServiceView[]> {
      const [services, tasks] = await Promise.all([listServices(db), listTasks(db)]);
      const byService = new Map<string, TaskRecord[]>();
      for (const t of tasks) {
        const list = byService.get(t.serviceId);
        if (list) list.push(t);
        else byService.set(t.serviceId, [t]);
      }
      return services.map((s) => view(s, byService.get(s.id) ?? []));
    },

    async get(ref: string): Promise<ServiceView & { tasks: TaskRecord[] }> {
      const service = await resolve(ref);
      const tasks = await listTasks(db, { serviceId: service.id });
      return { ...view(service, tasks), tasks };
    },

    async create(spec: ServiceSpec, actor: Actor, ip: string | null): Promise<ServiceRecord> {
      checkServiceSpec(spec);
      const created = await deps.store.transaction(async (tx) => {
        // Swarm checks the secrets a spec references before the name (CreateService).
        const checked = await checkServiceSecrets(tx, spec);
        if (await getServiceByName(tx, spec.name)) {
          throw new RampartError("already_exists", `name conflicts with an existing object: service ${spec.name} already exists`, { field: "name" });
        }
        const service = await createService(tx, { id: newId(deps.random(17)), spec: checked, at: deps.now() });
        await reconcile(tx, service);
        await audit.record({ actor, action: "service.create", target: target(service), outcome: "success", ip }, tx);
        await auditSecretGrants(audit, tx, { actor, ip, service, after: checked.secrets });
        return service;
      });
      onChange();
      return created;
    },

    /** Replaces the spec; `version` must be the one the caller read. */
    async update(ref: string, version: number, spec: ServiceSpec, actor: Actor, ip: string | null): Promise<ServiceRecord> {
      const updated = await deps.store.transaction((tx) => updateIn(tx, ref, version, spec, actor, ip));
      onChange();
      return updated;
    },

    /**
     * The same update inside the caller's transaction, for a change that moves several
     * services at once (a secret's rotation). The caller calls `changed()` once it commits.
     */
    updateIn,

    /** Tells the scheduler and the nodes' long polls that services changed (after `updateIn` commits). */
    changed(): void {
      onChange();
    },

    /** `service scale`: a replicated service's replica count, through the same checked update. */
    async scale(ref: string, replicas: number, actor: Actor, ip: string | null): Promise<ServiceRecord> {
      const current = await resolve(ref);
      if (current.spec.mode !== "replicated") {
        throw new RampartError("invalid_argument", "scale can only be used with replicated or replicated-job mode", { field: "replicas" });
      }
      return this.update(current.id, current.version, { ...current.spec, replicas }, actor, ip);
    },

    async remove(ref: string, actor: Actor, ip: string | null): Promise<void> {
      await deps.store.transaction(async (tx) => {
        const service = await resolve(ref, tx);
        await deleteService(tx, service.id);
        await audit.record({ actor, action: "service.remove", target: target(service), outcome: "success", ip }, tx);
        await auditSecretGrants(audit, tx, { actor, ip, service, before: service.spec.secrets });
      });
      onChange();
    },

    /** Brings one service's tasks in line (after a task of it ended); nothing if it is gone. */
    async reconcileService(id: string): Promise<void> {
      await deps.store.transaction(async (tx) => {
        const service = await getService(tx, id);
        if (service) await reconcile(tx, service);
      });
    },

    /** Re-runs every orchestrator (after node changes, or at start). */
    async reconcileAll(): Promise<void> {
      for (const service of await listServices(db)) {
        await deps.store.transaction((tx) => reconcile(tx, service));
      }
    },
  };
}

async function getServiceByName(db: Db, name: string): Promise<boolean> {
  return (await db.service.count({ where: { name } })) > 0;
}

export type ServiceService = ReturnType<typeof createServiceService>;
