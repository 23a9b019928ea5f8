import {
  RampartError,
  checkServiceSpec,
  containerOf,
  newId,
  planGlobal,
  planReplicated,
  taskSpecChange,
  TASK_STATES,
  type Actor,
  type OrchestratorNode,
  type Plan,
  type RestartDecider,
  type ServiceSpec,
  type Weakening,
} from "@rampart/core";
import {
  createService,
  createTasks,
  deleteService,
  deleteTasks,
  findServiceIds,
  getService,
  listServices,
  listTasks,
  lockServices,
  markServiceTasksRemoved,
  updateServiceSpec,
  updateTasks,
  type Db,
  type ServiceRecord,
  type TaskRecord,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import type { ManagerBus } from "../events.js";
import type { NodeService } from "../nodes/index.js";
import type { RuntimeService } from "../runtime/index.js";
import { auditSecretGrants, checkServiceSecrets } from "../secrets/grants.js";

export type { OrchestratorNode, Plan } from "@rampart/core";

export interface ServiceView extends ServiceRecord {
  /** Tasks that are running (or assigned and on their way) / the tasks the spec asks for. */
  running: number;
  desired: number;
  pending: number;
}

/** What the restart supervisor answers for the orchestrators: whether a stopped task of this service would come back. */
export type RestartDeciderFor = (service: ServiceRecord) => RestartDecider;

/** What a committed plan changed, to be announced once its transaction commits. */
interface Effects {
  created: Array<{ serviceId: string; slot: number | null; nodeId: string | null }>;
  stopping: boolean;
}

/**
 * Services: create, update (with optimistic versions), scale, remove, and the
 * orchestrators that keep each service's tasks matching its spec. Placement is the
 * scheduler's (scheduler-loop.ts); a task that stopped is the restart supervisor's
 * (restarts.ts). Every transaction that plans a service's tasks locks its row first, so
 * two of them never plan the same slot from the same read.
 */
export function createServiceService(
  deps: ManagerDeps,
  audit: AuditService,
  nodes: NodeService,
  bus: ManagerBus,
  restartsFor: RestartDeciderFor,
  runtime: RuntimeService,
) {
  const db = deps.store.prisma;

  /** The audit event's reason for a spec that gives up protections (ADR 0019), null when it gives up none. */
  const weakened = (list: readonly Weakening[]) => (list.length > 0 ? `weakens: ${list.map((w) => w.text).join("; ")}`.slice(0, 1000) : null);

  /** The spec as stored: its container written out in full, so what every task runs is on the record. */
  const stored = (spec: ServiceSpec): ServiceSpec => ({ ...spec, container: containerOf(spec) });

  async function resolve(ref: string, tx: Db = db): Promise<ServiceRecord> {
    const ids = await findServiceIds(tx, ref);
    if (ids.length === 0) throw new RampartError("not_found", `service ${ref} not found`, { field: "service" });
    if (ids.length > 1) throw new RampartError("invalid_argument", `service ${ref} is ambiguous (2 matches found)`, { field: "service" });
    return (await getService(tx, ids[0]!))!;
  }

  function orchestratorNodes(): Map<string, OrchestratorNode> {
    return new Map(nodes.constraintNodes().map((n) => [n.id, n]));
  }

  /** Writes a plan: new tasks carry the service's spec (with its secret references) as it is now. */
  async function applyPlan(tx: Db, plan: Plan, service: ServiceRecord, effects: Effects): Promise<void> {
    const now = deps.now();
    await createTasks(
      tx,
      plan.create.map((t) => ({ ...t, id: newId(deps.random(17)), serviceName: service.name, spec: service.spec, at: now })),
    );
    await updateTasks(tx, plan.update, now);
    await deleteTasks(tx, plan.remove);
    effects.created.push(...plan.create.map(({ serviceId, slot, nodeId }) => ({ serviceId, slot, nodeId })));
    if (plan.update.some((c) => c.desiredState !== undefined && TASK_STATES[c.desiredState] > TASK_STATES.running)) effects.stopping = true;
  }

  /** Brings one service's tasks in line with its spec; its row must be locked by the caller. */
  async function reconcile(tx: Db, service: ServiceRecord, effects: Effects, previous?: ServiceSpec): Promise<void> {
    const tasks = await listTasks(tx, { serviceId: service.id, withSpec: true });
    const constraints = checkServiceSpec(service.spec);
    // Without the spec before, a task of an older version that carries no spec of its own is taken as dirty.
    const change = previous ? taskSpecChange(previous, service.spec) : "task";
    const plan =
      service.spec.mode === "global"
        ? planGlobal(service, tasks, change, constraints, orchestratorNodes(), restartsFor(service))
        : planReplicated(service, tasks, change, constraints, orchestratorNodes(), restartsFor(service));
    await applyPlan(tx, plan, service, effects);
  }

  const noEffects = (): Effects => ({ created: [], stopping: false });

  /** Tells the other loops what a committed transaction did. */
  function announce(serviceIds: readonly string[], effects: Effects, removed = false): void {
    if (effects.created.length > 0) bus.emit("tasksCreated", { tasks: effects.created });
    if (effects.stopping) bus.emit("desiredStatesChanged", {});
    bus.emit("servicesChanged", { serviceIds, removed });
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

  /**
   * An update inside the given transaction. The caller calls `announce` once it commits
   * (a secret's rotation moves several services in one transaction).
   */
  async function updateIn(
    tx: Db,
    ref: string,
    version: number,
    spec: ServiceSpec,
    actor: Actor,
    ip: string | null,
  ): Promise<{ service: ServiceRecord; announce: () => void }> {
    checkServiceSpec(spec);
    const current = await resolve(ref, tx);
    if (current.version !== version) {
      throw new RampartError("conflict", `service ${current.name} changed since version ${version}; reload and try again`, { field: "version" });
    }
    // A spec without `secrets` keeps the service's references (see checkServiceSecrets).
    // A spec without `container` keeps the service's, as one without `secrets` keeps its references.
    const checked = stored(await checkServiceSecrets(tx, { ...spec, container: spec.container ?? current.spec.container }, current.spec));
    const weakenings = await runtime.checkSpec(tx, checked, current.spec);
    if (spec.mode !== current.spec.mode) throw new RampartError("invalid_argument", "service mode change is not allowed", { field: "mode" });
    if (spec.name !== current.name && (await getServiceByName(tx, spec.name))) {
      throw new RampartError("already_exists", "name conflicts with an existing object", { field: "name" });
    }
    // The conditional update takes the row's lock, as lockServices would.
    const next = await updateServiceSpec(tx, current.id, version, checked, deps.now());
    if (!next) throw new RampartError("conflict", `service ${current.name} changed at the same time; reload and try again`, { field: "version" });
    const effects = noEffects();
    await reconcile(tx, next, effects, current.spec);
    await audit.record({ actor, action: "service.update", target: target(next), outcome: "success", reason: weakened(weakenings), ip }, tx);
    await auditSecretGrants(audit, tx, { actor, ip, service: next, before: current.spec.secrets, after: checked.secrets });
    return { service: next, announce: () => announce([next.id], effects) };
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
      const effects = noEffects();
      const created = await deps.store.transaction(async (tx) => {
        // Swarm checks the secrets a spec references before the name (CreateService).
        const checked = stored(await checkServiceSecrets(tx, spec));
        const weakenings = await runtime.checkSpec(tx, checked);
        if (await getServiceByName(tx, spec.name)) {
          throw new RampartError("already_exists", `name conflicts with an existing object: service ${spec.name} already exists`, { field: "name" });
        }
        const service = await createService(tx, { id: newId(deps.random(17)), spec: checked, at: deps.now() });
        await reconcile(tx, service, effects);
        await audit.record({ actor, action: "service.create", target: target(service), outcome: "success", reason: weakened(weakenings), ip }, tx);
        await auditSecretGrants(audit, tx, { actor, ip, service, after: checked.secrets });
        return service;
      });
      announce([created.id], effects);
      return created;
    },

    /** Replaces the spec; `version` must be the one the caller read. */
    async update(ref: string, version: number, spec: ServiceSpec, actor: Actor, ip: string | null): Promise<ServiceRecord> {
      const { service, announce: done } = await deps.store.transaction((tx) => updateIn(tx, ref, version, spec, actor, ip));
      done();
      return service;
    },

    updateIn,

    /** `service scale`: a replicated service's replica count, through the same checked update. */
    async scale(ref: string, replicas: number, actor: Actor, ip: string | null): Promise<ServiceRecord> {
      const current = await resolve(ref);
      if (current.spec.mode !== "replicated") {
        throw new RampartError("invalid_argument", "scale can only be used with replicated or replicated-job mode", { field: "replicas" });
      }
      return this.update(current.id, current.version, { ...current.spec, replicas }, actor, ip);
    },

    /**
     * Removes the service. Its tasks are told to go (desired REMOVE): nodes stop them and
     * the task reaper deletes each once it has stopped, as Swarm does.
     */
    async remove(ref: string, actor: Actor, ip: string | null): Promise<void> {
      const removed = await deps.store.transaction(async (tx) => {
        const service = await resolve(ref, tx);
        await lockServices(tx, [service.id]);
        await deleteService(tx, service.id);
        await markServiceTasksRemoved(tx, service.id, deps.now());
        await audit.record({ actor, action: "service.remove", target: target(service), outcome: "success", ip }, tx);
        await auditSecretGrants(audit, tx, { actor, ip, service, before: service.spec.secrets });
        return service;
      });
      announce([removed.id], { created: [], stopping: true }, true);
    },

    /** Brings these services' tasks in line, each in its own transaction (after nodes changed, or at start). */
    async reconcileServices(filter: (service: ServiceRecord) => boolean = () => true): Promise<void> {
      for (const listed of (await listServices(db)).filter(filter)) {
        const effects = noEffects();
        const done = await deps.store.transaction(async (tx) => {
          await lockServices(tx, [listed.id]);
          const service = await getService(tx, listed.id);
          if (service) await reconcile(tx, service, effects);
          return service !== null;
        });
        if (done && (effects.created.length > 0 || effects.stopping)) announce([listed.id], effects);
      }
    },
  };
}

async function getServiceByName(db: Db, name: string): Promise<boolean> {
  return (await db.service.count({ where: { name } })) > 0;
}

export type ServiceService = ReturnType<typeof createServiceService>;
