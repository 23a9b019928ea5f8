import {
  containerOf,
  RampartError,
  TASK_STATES,
  weakenedProtections,
  type Actor,
  type ContainerSpec,
  type PlannerCluster,
  type PortConfig,
  type SecretReference,
  type ServiceSpec,
} from "@rampart/core";
import type Docker from "dockerode";
import { z } from "zod";
import type { AuditService } from "../../audit/index.js";
import { auditSecretGrants } from "../../secrets/grants.js";
import type { ServiceView } from "../../services/index.js";
import type { ConnectedEnvironment, EnvironmentService } from "../index.js";
import type { FidelityChange, FidelityTracker } from "./fidelity-tracker.js";
import { compareVersions } from "./client.js";
import { inspectNetworkInSwarm, objectRefPath } from "./paths.js";
import {
  dockerIdSchema,
  dockerNetworkSchema,
  dockerServiceSchema,
  dockerTaskSchema,
  dockerUpdateAnswerSchema,
  readDocker,
  type DockerNetworkAttachment,
  type DockerService,
  type DockerServiceSpec,
  type DockerTask,
} from "./schema.js";
import { listDockerSecrets } from "./secrets.js";
import { readSwarmSnapshot, specKey, taskStateOf } from "./snapshot.js";
import { coreSpecOf, dockerSpecOf } from "./spec.js";

/**
 * Services and their tasks on a connected Docker Swarm (ADR 0020), in the native views'
 * shapes: the service's spec in core's terms (spec.ts), its task counts, and its tasks
 * with Docker's own states, messages and errors as Docker gives them (`no suitable node
 * (…)` included). What only Docker has is in the `docker` part: its update status, the
 * fields core cannot hold, the endpoint's ports and virtual IPs, and the networks.
 *
 * Writes go to Docker at its version index (a lost race is Docker's `update out of
 * sequence`, a 409), over the service's own Docker spec so nothing core cannot hold is
 * lost, and are audited with the environment under the native actions' names, with the
 * secrets a change grants or revokes. Every change is handed to the fidelity tracker,
 * which checks the planner's prediction against the placement Swarm then makes.
 *
 * Engines before Engine API 1.44 (Docker 25) have no field for a service's seccomp,
 * AppArmor or no-new-privileges setting and drop them without a word. Rampart does not
 * send them there, says so in the write's warnings and its audit reason, and the view's
 * `docker.hardening` says it for every service of such a swarm.
 */

/** A task as the native view shows one. */
export interface DockerTaskView {
  id: string;
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  /** The service's version when the task runs its current spec, else 0: Docker does not say which older spec (notReported). */
  specVersion: number;
  /** Docker's own words: `pending`, `running`, `rejected`… */
  desiredState: string;
  state: string;
  message: string | null;
  err: string | null;
  containerId: string | null;
  exitCode: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Whether the engine keeps a service's seccomp, AppArmor and no-new-privileges settings. */
export interface HardeningSupport {
  /** The Engine API version spoken with the swarm's manager; null when not known yet. */
  apiVersion: string | null;
  carried: boolean;
  /** Why not, in a sentence; null when carried. */
  note: string | null;
}

/** What only Docker says of a service. */
export interface DockerServicePart {
  /** Docker's account of the last rolling update (`updating`, `completed`, `paused`, `rollback_*`); null when it has none. */
  updateStatus: { state: string; message: string | null; startedAt: Date | null; completedAt: Date | null } | null;
  /** The fields of the Docker spec core cannot hold (kept as they are by every update made through Rampart). */
  dockerOnly: string[];
  /** The endpoint as Swarm allocated it: published ports (an ingress port Swarm picked included) and a virtual IP per network. */
  endpoint: { mode: string; ports: PortConfig[]; virtualIps: Array<{ networkId: string; networkName: string | null; addr: string | null }> };
  /** The networks the tasks join (`TaskTemplate.Networks`), by ID with their names. */
  networks: Array<{ id: string; name: string | null; aliases: string[] }>;
  hardening: HardeningSupport;
  notReported: readonly string[];
}

export type DockerServiceView = ServiceView & { docker: DockerServicePart };
export type DockerServiceDetail = DockerServiceView & { tasks: DockerTaskView[] };

/** A service written through Rampart: the view, with what the write earned as warnings. */
export interface DockerServiceWriteResult {
  view: DockerServiceView;
  warnings: string[];
}

/** What the native view holds and Docker's API does not give, said on every Docker service. */
export const SERVICE_FIELDS_NOT_REPORTED = [
  "a spec version of its own: Docker counts one version index for every change to the service, so specVersion is that index",
  "which older spec a task was made with: Docker gives a task its spec, not its version, so a task that runs an older spec has specVersion 0",
] as const;

/** The first Engine API version whose services keep seccomp, AppArmor and no-new-privileges (Docker 25). */
export const HARDENING_API_VERSION = "1.44";

/** Whether an engine speaking `apiVersion` keeps a service's hardening; an unknown version is taken as one that does not. */
export function hardeningSupport(apiVersion: string | null): HardeningSupport {
  if (apiVersion !== null && compareVersions(apiVersion, HARDENING_API_VERSION) >= 0) return { apiVersion, carried: true, note: null };
  const speaks = apiVersion === null ? "an Engine API version not known yet" : `Engine API ${apiVersion}`;
  return {
    apiVersion,
    carried: false,
    note:
      `This swarm's manager speaks ${speaks}; engines before ${HARDENING_API_VERSION} (Docker 25) have no field for a service's seccomp, AppArmor or no-new-privileges setting ` +
      "and drop them, so its tasks run with the engine's defaults: the default seccomp and AppArmor profiles, and no-new-privileges off.",
  };
}

/** The hardening a container asks for beyond what an engine does by itself, by name: what an old engine would drop. */
export function hardeningAskedFor(c: ContainerSpec): string[] {
  const out: string[] = [];
  if (c.seccomp.mode !== "default") out.push(c.seccomp.mode === "custom" ? `seccomp profile ${c.seccomp.profile ?? "(custom)"}` : "seccomp unconfined");
  if (c.apparmor !== "") out.push(`AppArmor ${c.apparmor}`);
  if (c.noNewPrivileges) out.push("no-new-privileges");
  return out;
}

/**
 * The spec as an engine that cannot carry hardening will hold it: the container's
 * seccomp, AppArmor and no-new-privileges set to what such an engine does anyway, so
 * nothing is sent that would be dropped, and the names of what was asked for and lost.
 */
export function fitToEngine(spec: ServiceSpec, support: HardeningSupport): { spec: ServiceSpec; notCarried: string[] } {
  if (support.carried) return { spec, notCarried: [] };
  const container = containerOf(spec);
  const notCarried = hardeningAskedFor(container);
  return { spec: { ...spec, container: { ...container, seccomp: { mode: "default" }, apparmor: "", noNewPrivileges: false } }, notCarried };
}

/** The write's warning for hardening the engine drops; null when nothing asked for is lost. */
export function hardeningWarning(notCarried: readonly string[], support: HardeningSupport): string | null {
  if (notCarried.length === 0) return null;
  const speaks = support.apiVersion === null ? "an Engine API version not known yet" : `Engine API ${support.apiVersion}`;
  return (
    `not applied: ${notCarried.join(", ")}. This swarm's manager speaks ${speaks}, and engines before ${HARDENING_API_VERSION} (Docker 25) drop a service's ` +
    "seccomp, AppArmor and no-new-privileges settings: its tasks run with the engine's defaults (default seccomp and AppArmor profiles, no-new-privileges off)."
  );
}

/** The networks a service's tasks join, as its spec holds them (by ID once Docker has resolved them). */
function attachedNetworks(s: DockerService): DockerNetworkAttachment[] {
  return [...(s.Spec.TaskTemplate?.Networks ?? []), ...(s.Spec.Networks ?? [])];
}

/** The swarm's ID for the `host` network in this service's spec, once its name is known. */
function hostNetworkIdIn(s: DockerService, names: ReadonlyMap<string, string>): string | undefined {
  return attachedNetworks(s).find((n) => n.Target !== undefined && names.get(n.Target) === "host")?.Target;
}

const ABOVE_RUNNING = (state: string) => TASK_STATES[taskStateOf(state)] > TASK_STATES.running;

/** A Docker task in the native task view's shape. */
export function taskViewOf(t: DockerTask, service: DockerService): DockerTaskView {
  const template = service.Spec.TaskTemplate ?? {};
  const current = specKey(t.Spec) === specKey(template) || specKey(t.Spec) === specKey(template, t.Spec?.Placement);
  const container = t.Status.ContainerStatus;
  const containerId = container?.ContainerID ? container.ContainerID : null;
  return {
    id: t.ID,
    serviceId: t.ServiceID,
    slot: t.Slot !== undefined && t.Slot > 0 ? t.Slot : null,
    nodeId: t.NodeID ? t.NodeID : null,
    specVersion: current ? service.Version.Index : 0,
    desiredState: t.DesiredState,
    state: t.Status.State,
    message: t.Status.Message ? t.Status.Message : null,
    err: t.Status.Err ? t.Status.Err : null,
    containerId,
    // Docker reports 0 for a container still running: an exit code is one only once it ended.
    exitCode: containerId !== null && ABOVE_RUNNING(t.Status.State) ? (container?.ExitCode ?? null) : null,
    createdAt: new Date(t.CreatedAt),
    // The time of the task's current state, which docker service ps counts from.
    updatedAt: new Date(t.Status.Timestamp ?? t.UpdatedAt),
  };
}

const NETWORK_PATHS = new Set(["Networks", "TaskTemplate.Networks"]);

/** A Docker service in the native view's shape, with its tasks' counts (pure: the tests feed it Docker's own JSON). */
export function serviceViewOf(s: DockerService, tasks: readonly DockerTask[], names: ReadonlyMap<string, string>, hardening: HardeningSupport): DockerServiceView {
  const hostId = hostNetworkIdIn(s, names);
  const reading = coreSpecOf(s, hostId ? { hostNetworkId: hostId } : {});
  let running = 0;
  let pending = 0;
  let wanted = 0;
  for (const t of tasks) {
    if (t.ServiceID !== s.ID || t.DesiredState !== "running") continue;
    wanted++;
    if (t.Status.State === "running") running++;
    else if (t.Status.State === "pending") pending++;
  }
  const endpoint = s.Endpoint ?? {};
  const attached = attachedNetworks(s);
  const status = s.UpdateStatus;
  return {
    id: s.ID,
    name: reading.spec.name,
    version: s.Version.Index,
    specVersion: s.Version.Index,
    spec: reading.spec,
    createdAt: new Date(s.CreatedAt),
    updatedAt: new Date(s.UpdatedAt),
    running,
    desired: reading.spec.mode === "replicated" ? reading.spec.replicas : wanted,
    pending,
    docker: {
      updateStatus: status?.State
        ? {
            state: status.State,
            message: status.Message ? status.Message : null,
            startedAt: status.StartedAt ? new Date(status.StartedAt) : null,
            completedAt: status.CompletedAt ? new Date(status.CompletedAt) : null,
          }
        : null,
      // The networks are shown and edited as `networks`: they are no longer Docker's alone.
      dockerOnly: reading.dockerOnly.filter((path) => !NETWORK_PATHS.has(path)),
      endpoint: {
        mode: endpoint.Spec?.Mode ?? s.Spec.EndpointSpec?.Mode ?? "vip",
        ports: (endpoint.Ports ?? []).map((p) => ({
          protocol: (p.Protocol ?? "tcp") as PortConfig["protocol"],
          targetPort: p.TargetPort ?? 0,
          publishedPort: p.PublishedPort ?? 0,
          publishMode: (p.PublishMode ?? "ingress") as PortConfig["publishMode"],
        })),
        virtualIps: (endpoint.VirtualIPs ?? []).flatMap((v) => (v.NetworkID ? [{ networkId: v.NetworkID, networkName: names.get(v.NetworkID) ?? null, addr: v.Addr ? v.Addr : null }] : [])),
      },
      networks: attached.flatMap((n) =>
        n.Target ? [{ id: n.Target, name: names.get(n.Target) ?? (n.Target === "host" ? "host" : null), aliases: [...(n.Aliases ?? [])] }] : [],
      ),
      hardening,
      notReported: SERVICE_FIELDS_NOT_REPORTED,
    },
  };
}

/**
 * The Docker spec's networks: the ones named (already IDs), each over its previous entry
 * (aliases and driver options kept), and the host network when the container asks for
 * it. The deprecated top-level `Networks` is folded in, as the docker CLI does on update.
 */
export function withNetworks(d: DockerServiceSpec, ids: readonly string[], hostTargets: ReadonlySet<string>): DockerServiceSpec {
  const previous = [...(d.TaskTemplate?.Networks ?? []), ...(d.Networks ?? [])];
  const host = previous.filter((n) => n.Target !== undefined && hostTargets.has(n.Target));
  const byTarget = new Map(previous.map((n) => [n.Target, n]));
  const networks = [...ids.map((id) => byTarget.get(id) ?? { Target: id }), ...host];
  const { Networks: _deprecated, ...rest } = d;
  const task = { ...(rest.TaskTemplate ?? {}) };
  if (networks.length > 0) task.Networks = networks;
  else delete task.Networks;
  return { ...rest, TaskTemplate: task };
}

/** A service write: core's spec, and for Docker the overlay networks by name or ID (absent on update: kept as they are). */
export interface DockerServiceWrite {
  spec: ServiceSpec;
  networks?: readonly string[] | undefined;
}

/** The audit reason of a write: what the spec gives up (as natively), and what the engine cannot carry. */
function writeReason(spec: ServiceSpec, notCarried: readonly string[], support: HardeningSupport): string | null {
  const parts: string[] = [];
  const weakenings = weakenedProtections(containerOf(spec));
  if (weakenings.length > 0) parts.push(`weakens: ${weakenings.map((w) => w.text).join("; ")}`);
  if (notCarried.length > 0) parts.push(`not applied by the engine (Engine API ${support.apiVersion ?? "unknown"} before ${HARDENING_API_VERSION}): ${notCarried.join(", ")}`);
  return parts.length > 0 ? parts.join("; ").slice(0, 1000) : null;
}

/**
 * A connected swarm's services: views, writes at Docker's version index, audited with
 * the environment, each change followed by the fidelity tracker.
 */
export function createDockerServiceService(audit: AuditService, environments: Pick<EnvironmentService, "get">, fidelity: FidelityTracker) {
  async function inspect(env: ConnectedEnvironment, ref: string): Promise<DockerService> {
    const path = objectRefPath(ref, "service");
    return readDocker(dockerServiceSchema, await env.call((d) => d.getService(path).inspect()), `service ${ref}`);
  }

  async function tasksOf(env: ConnectedEnvironment, serviceId?: string): Promise<DockerTask[]> {
    const listed = await env.call((d) => d.listTasks(serviceId ? { filters: { service: [serviceId] } } : {}));
    return readDocker(z.array(dockerTaskSchema), listed, "the swarm's tasks").filter((t) => serviceId === undefined || t.ServiceID === serviceId);
  }

  /**
   * Names for the networks these services join: the swarm's list gives its overlay
   * networks; the predefined ones (the swarm's own `host`) answer only by ID, so those
   * are looked up one by one, and one that does not answer keeps no name.
   */
  async function networkNames(env: ConnectedEnvironment, services: readonly DockerService[]): Promise<Map<string, string>> {
    const listed = readDocker(z.array(dockerNetworkSchema), await env.call((d) => d.listNetworks()), "the swarm's networks");
    const names = new Map(listed.map((n) => [n.Id, n.Name]));
    const unknown = new Set(services.flatMap((s) => attachedNetworks(s).flatMap((n) => (n.Target && !names.has(n.Target) ? [n.Target] : []))));
    for (const id of unknown) {
      const found = dockerNetworkSchema.safeParse(await env.call((d) => inspectNetworkInSwarm(d, id)).catch(() => null));
      if (found.success) names.set(id, found.data.Name);
    }
    return names;
  }

  async function support(env: ConnectedEnvironment): Promise<HardeningSupport> {
    return hardeningSupport((await environments.get(env.record.name)).connection.apiVersion);
  }

  async function detail(env: ConnectedEnvironment, ref: string): Promise<DockerServiceDetail> {
    const service = await inspect(env, ref);
    const [tasks, names, hardening] = await Promise.all([tasksOf(env, service.ID), networkNames(env, [service]), support(env)]);
    const view = serviceViewOf(service, tasks, names, hardening);
    return { ...view, tasks: tasks.map((t) => taskViewOf(t, service)) };
  }

  /**
   * References with an ID as given; one given by name alone (an empty ID) gets the ID of
   * the swarm's secret of that exact name. Docker checks the rest: that each ID exists
   * and has that name, and that targets do not clash, in its own words.
   */
  async function resolveSecrets(env: ConnectedEnvironment, refs: readonly SecretReference[] | undefined): Promise<SecretReference[] | undefined> {
    if (refs === undefined || refs.every((r) => r.secretId !== "")) return refs?.slice();
    const byName = new Map((await listDockerSecrets(env)).map((s) => [s.Spec.Name, s.ID]));
    return refs.map((r) => {
      if (r.secretId !== "") return r;
      const id = byName.get(r.secretName);
      if (id === undefined) throw new RampartError("invalid_argument", `secret not found: ${r.secretName}`, { field: "secrets" });
      return { ...r, secretId: id };
    });
  }

  /**
   * Overlay networks by name or ID, as IDs. Only the swarm's own networks answer
   * (`?scope=swarm`); Docker's 404 names one that does not exist. The host network is the
   * container's `hostNetwork`, not a network to name here.
   */
  async function resolveNetworks(env: ConnectedEnvironment, refs: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      if (ref === "host") {
        throw new RampartError("invalid_argument", "networks: the host's network is the container's hostNetwork (--network host), not an overlay network", { field: "networks" });
      }
      const found = readDocker(dockerNetworkSchema, await env.call((d) => inspectNetworkInSwarm(d, ref)), `network ${ref}`);
      if (ids.includes(found.Id)) throw new RampartError("invalid_argument", `networks: ${ref} is named twice`, { field: "networks" });
      ids.push(found.Id);
    }
    return ids;
  }

  /**
   * What follows a write Docker accepted: its audit at once, with what is known then (the
   * service's ID and name, the planner's Apply, the secrets it grants or revokes), so a
   * read that fails after leaves the write audited; then the service read back, and the
   * change handed to the fidelity tracker with the snapshot read before it.
   */
  async function written(
    env: ConnectedEnvironment,
    write: { id: string; name: string; action: "service.create" | "service.update"; change: FidelityChange; reason: string | null; before: readonly SecretReference[]; after: readonly SecretReference[] },
    prior: PlannerCluster,
    actor: Actor,
    ip: string | null,
  ): Promise<DockerServiceDetail> {
    const target = { type: "service", id: write.id, name: write.name };
    await audit.record({ actor, action: write.action, target, outcome: "success", reason: write.reason, ip, env: env.auditEnv });
    await auditSecretGrants(audit, undefined, { actor, ip, service: target, before: write.before, after: write.after, env: env.auditEnv });
    if (write.change === "apply") await audit.record({ actor, action: "planner.apply", target, outcome: "success", ip, env: env.auditEnv });
    const view = await detail(env, write.id);
    fidelity.track(env, { serviceId: view.id, serviceName: view.name, change: write.change, before: prior, spec: view.spec, draft: write.action === "service.create" });
    return view;
  }

  return {
    inspect,

    async list(env: ConnectedEnvironment): Promise<DockerServiceView[]> {
      const [services, tasks, hardening] = await Promise.all([
        env.call((d) => d.listServices()).then((list) => readDocker(z.array(dockerServiceSchema), list, "the swarm's services")),
        tasksOf(env),
        support(env),
      ]);
      const names = await networkNames(env, services);
      const byService = new Map<string, DockerTask[]>();
      for (const t of tasks) (byService.get(t.ServiceID) ?? byService.set(t.ServiceID, []).get(t.ServiceID)!).push(t);
      return services.map((s) => serviceViewOf(s, byService.get(s.ID) ?? [], names, hardening));
    },

    get: detail,

    /**
     * Creates the service (`change` is `apply` when the planner does, audited as its
     * Apply too). A spec without a container gets core's defaults, as on the native
     * cluster; what the engine cannot carry is left out and named in the warnings.
     */
    async create(env: ConnectedEnvironment, write: DockerServiceWrite, actor: Actor, ip: string | null, change: FidelityChange = "create"): Promise<DockerServiceWriteResult> {
      const hardening = await support(env);
      const { spec, notCarried } = fitToEngine({ ...write.spec, secrets: await resolveSecrets(env, write.spec.secrets) }, hardening);
      let body = dockerSpecOf(spec);
      if (write.networks !== undefined) body = withNetworks(body, await resolveNetworks(env, write.networks), new Set(["host"]));
      const prior = await readSwarmSnapshot(env);
      // dockerode answers with its handle on the new service, named by the ID Docker gave.
      const created: { id?: unknown } = await env.call((d) => d.createService(body as Docker.CreateServiceOptions));
      const id = readDocker(dockerIdSchema, created.id, "the new service's ID");
      const reason = writeReason(spec, notCarried, hardening);
      const view = await written(env, { id, name: spec.name, action: "service.create", change, reason, before: [], after: spec.secrets ?? [] }, prior, actor, ip);
      return { view, warnings: [hardeningWarning(notCarried, hardening)].filter((w): w is string => w !== null) };
    },

    /**
     * Replaces the spec at `version`, Docker's version index the caller read: Docker
     * refuses a stale one (`update out of sequence`, 409). A spec without a container or
     * secrets keeps the service's own, as on the native cluster; networks left out are
     * kept as they are.
     */
    async update(env: ConnectedEnvironment, ref: string, version: number, write: DockerServiceWrite, actor: Actor, ip: string | null, change: FidelityChange = "update"): Promise<DockerServiceWriteResult> {
      const current = await inspect(env, ref);
      const [names, hardening] = await Promise.all([networkNames(env, [current]), support(env)]);
      const hostId = hostNetworkIdIn(current, names);
      const options = hostId ? { hostNetworkId: hostId } : {};
      const was = coreSpecOf(current, options).spec;
      const asked: ServiceSpec = {
        ...write.spec,
        container: write.spec.container ?? was.container,
        secrets: (await resolveSecrets(env, write.spec.secrets)) ?? was.secrets,
      };
      const { spec, notCarried } = fitToEngine(asked, hardening);
      let body = dockerSpecOf(spec, current.Spec, options);
      if (write.networks !== undefined) body = withNetworks(body, await resolveNetworks(env, write.networks), new Set(["host", ...(hostId ? [hostId] : [])]));
      const prior = await readSwarmSnapshot(env);
      const answer = await env.call((d) => d.getService(current.ID).update({ _query: { version }, _body: body }) as Promise<unknown>);
      const reason = writeReason(spec, notCarried, hardening);
      const view = await written(env, { id: current.ID, name: spec.name, action: "service.update", change, reason, before: was.secrets ?? [], after: spec.secrets ?? [] }, prior, actor, ip);
      return { view, warnings: [hardeningWarning(notCarried, hardening), ...dockerWarnings(answer)].filter((w): w is string => w !== null) };
    },

    /** `service scale`: the replica count at the version just read, through Docker's update; audited as an update, as natively. */
    async scale(env: ConnectedEnvironment, ref: string, replicas: number, actor: Actor, ip: string | null): Promise<DockerServiceView> {
      const current = await inspect(env, ref);
      const mode = current.Spec.Mode ?? {};
      if (!mode.Replicated && !mode.ReplicatedJob) throw new RampartError("invalid_argument", "scale can only be used with replicated or replicated-job mode", { field: "replicas" });
      const body: DockerServiceSpec = {
        ...current.Spec,
        Mode: mode.Replicated ? { ...mode, Replicated: { ...mode.Replicated, Replicas: replicas } } : { ...mode, ReplicatedJob: { ...mode.ReplicatedJob, TotalCompletions: replicas } },
      };
      const prior = await readSwarmSnapshot(env);
      await env.call((d) => d.getService(current.ID).update({ _query: { version: current.Version.Index }, _body: body }) as Promise<unknown>);
      const secrets = coreSpecOf(current).spec.secrets ?? [];
      const name = current.Spec.Name ?? "";
      const { tasks: _tasks, ...view } = await written(env, { id: current.ID, name, action: "service.update", change: "scale", reason: null, before: secrets, after: secrets }, prior, actor, ip);
      return view;
    },

    /** Removes the service; Docker stops its tasks. Audited, with every secret it referenced revoked. */
    async remove(env: ConnectedEnvironment, ref: string, actor: Actor, ip: string | null): Promise<{ id: string }> {
      const current = await inspect(env, ref);
      await env.call((d) => d.getService(current.ID).remove());
      fidelity.forget(env, current.ID);
      const service = { id: current.ID, name: current.Spec.Name ?? "" };
      await audit.record({ actor, action: "service.remove", target: { type: "service", ...service }, outcome: "success", ip, env: env.auditEnv });
      await auditSecretGrants(audit, undefined, { actor, ip, service, before: coreSpecOf(current).spec.secrets ?? [], env: env.auditEnv });
      return { id: current.ID };
    },

    /** The tasks of one service as Docker lists them (for the pending explanation). */
    tasks: (env: ConnectedEnvironment, serviceId: string) => tasksOf(env, serviceId).then((list) => list.map((t) => ({ state: t.Status.State, desiredState: t.DesiredState, err: t.Status.Err ?? null }))),
  };
}

export type DockerServiceService = ReturnType<typeof createDockerServiceService>;

/** Docker's own warnings in an update's answer; an answer without them (the write stands) has none. */
function dockerWarnings(answer: unknown): string[] {
  const parsed = dockerUpdateAnswerSchema.safeParse(answer);
  return parsed.success ? (parsed.data.Warnings ?? []) : [];
}
