import {
  DEFAULT_STOP_GRACE_PERIOD_NS,
  containerOf,
  defaultContainerSpec,
  invalidArgument,
  type ContainerSpec,
  type MountSpec,
  type PortConfig,
  type RestartPolicy,
  type SecretReference,
  type ServiceSpec,
} from "@rampart/core";
import {
  type DockerContainerSpec,
  type DockerMount,
  type DockerNetworkAttachment,
  type DockerPort,
  type DockerSecretRef,
  type DockerServiceSpec,
  type DockerTaskTemplate,
} from "./schema.js";

/**
 * Core's ServiceSpec and the Docker Engine API's ServiceSpec, both ways, for a Docker
 * Swarm that Rampart reaches through a manager's engine.
 *
 * Core owns a subset of Docker's spec. Reading (`coreSpecOf`) takes that subset and
 * names everything else the service uses (`dockerOnly`). Writing (`dockerSpecOf`) starts
 * from the service's current Docker spec, when there is one, and overwrites only what
 * core owns, so the rest (service labels, networks, health checks, update and rollback
 * settings, log drivers, platforms, named mounts' options, configs…) survives an update
 * made through Rampart exactly as Docker holds it. Lists core owns are matched to the
 * previous entries by identity (mounts and secrets by target, ports by published port
 * and protocol, networks by target), so what Docker adds to an entry is kept too.
 *
 * Docker's answers are untyped JSON: they are read through schema.ts's schemas, which
 * check the fields read here and keep every other field as it came.
 */

/** The network that gives a task the host's network namespace, by name. */
const HOST_NETWORK = "host";
/** Swarm's default restart delay (api/defaults), which an absent Delay means. */
const DEFAULT_RESTART_DELAY_NS = 5_000_000_000;
const CORE_MOUNT_TYPES: readonly string[] = ["bind", "volume", "tmpfs"];

export interface SpecReadOptions {
  /**
   * The host network's ID on this swarm. Docker records a service's networks by ID, so
   * without it only a network written as `host` reads as host networking.
   */
  hostNetworkId?: string;
}

export interface SpecWriteOptions extends SpecReadOptions {
  /** Stored seccomp profiles' JSON by name, for a spec with `seccomp: custom` (Docker takes the profile itself). */
  seccompProfiles?: Readonly<Record<string, string>>;
}

/** A Docker service read into core's terms. */
export interface CoreSpecReading {
  spec: ServiceSpec;
  /**
   * The Docker fields this service sets that core cannot hold, as dotted paths
   * (`TaskTemplate.ContainerSpec.Healthcheck`). `dockerSpecOf(spec, previous)` keeps each.
   */
  dockerOnly: string[];
}

/** A Docker service (as listed or inspected, read through its schema) in core's terms. */
export function coreSpecOf(service: { Spec: DockerServiceSpec }, options: SpecReadOptions = {}): CoreSpecReading {
  const d = service.Spec;
  const task = d.TaskTemplate ?? {};
  const c = task.ContainerSpec ?? {};
  const placement = task.Placement ?? {};
  const reservations = task.Resources?.Reservations ?? {};
  const limits = task.Resources?.Limits ?? {};
  const generic: Record<string, number> = {};
  for (const r of reservations.GenericResources ?? []) if (r.DiscreteResourceSpec) generic[r.DiscreteResourceSpec.Kind] = r.DiscreteResourceSpec.Value;

  const mode = d.Mode ?? {};
  const global = mode.Global != null || mode.GlobalJob != null;
  const replicas = mode.Replicated ? (mode.Replicated.Replicas ?? 1) : mode.ReplicatedJob ? (mode.ReplicatedJob.MaxConcurrent ?? 1) : global ? 0 : 1;
  const restart = task.RestartPolicy;
  const limitCpu = limits.NanoCPUs ?? 0;
  const limitMemory = limits.MemoryBytes ?? 0;

  const spec: ServiceSpec = {
    name: d.Name ?? "",
    image: c.Image ?? "",
    mode: global ? "global" : "replicated",
    replicas,
    constraints: [...(placement.Constraints ?? [])],
    preferences: (placement.Preferences ?? []).flatMap((p) => (p.Spread ? [p.Spread.SpreadDescriptor] : [])),
    maxReplicasPerNode: placement.MaxReplicas ?? 0,
    reservations: {
      nanoCpus: reservations.NanoCPUs ?? 0,
      memoryBytes: reservations.MemoryBytes ?? 0,
      ...(Object.keys(generic).length > 0 ? { generic } : {}),
    },
    ...(limitCpu !== 0 || limitMemory !== 0 ? { limits: { nanoCpus: limitCpu, memoryBytes: limitMemory } } : {}),
    container: readContainer(c, [...(task.Networks ?? []), ...(d.Networks ?? [])], options),
    ...(restart
      ? {
          restartPolicy: {
            condition: (restart.Condition ?? "any") as RestartPolicy["condition"],
            delayNs: restart.Delay ?? DEFAULT_RESTART_DELAY_NS,
            maxAttempts: restart.MaxAttempts ?? 0,
            windowNs: restart.Window ?? 0,
          },
        }
      : {}),
  };
  const ports = (d.EndpointSpec?.Ports ?? []).map(readPort);
  if (ports.length > 0) spec.ports = ports;
  const secrets = (c.Secrets ?? []).flatMap(secretReferenceOf);
  if (secrets.length > 0) spec.secrets = secrets;
  return { spec, dockerOnly: dockerOnlyFields(d, options) };
}

function readContainer(c: DockerContainerSpec, networks: readonly DockerNetworkAttachment[], options: SpecReadOptions): ContainerSpec {
  const seccomp = c.Privileges?.Seccomp?.Mode;
  return defaultContainerSpec({
    command: [...(c.Command ?? [])],
    args: [...(c.Args ?? [])],
    env: [...(c.Env ?? [])],
    workdir: c.Dir ?? "",
    user: c.User ?? "",
    hostname: c.Hostname ?? "",
    labels: { ...(c.Labels ?? {}) },
    stopSignal: c.StopSignal ?? "",
    stopGracePeriodNs: c.StopGracePeriod ?? DEFAULT_STOP_GRACE_PERIOD_NS,
    init: c.Init ?? false,
    readOnly: c.ReadOnly ?? false,
    capAdd: [...(c.CapabilityAdd ?? [])],
    capDrop: [...(c.CapabilityDrop ?? [])],
    mounts: (c.Mounts ?? []).flatMap(readMount),
    // A custom profile's name is Rampart's; Docker holds only its content, which an update keeps.
    seccomp: { mode: seccomp === "unconfined" ? "unconfined" : seccomp === "custom" ? "custom" : "default" },
    apparmor: c.Privileges?.AppArmor?.Mode === "disabled" ? "unconfined" : "",
    // Docker's default is off; core's is on: a Docker service without it reads as weakened, as it is.
    noNewPrivileges: c.Privileges?.NoNewPrivileges ?? false,
    privileged: false,
    hostNetwork: networks.some((n) => isHostNetwork(n, options)),
  });
}

function isHostNetwork(network: DockerNetworkAttachment, options: SpecReadOptions): boolean {
  return network.Target === HOST_NETWORK || (options.hostNetworkId !== undefined && network.Target === options.hostNetworkId);
}

function readMount(m: DockerMount): MountSpec[] {
  const type = m.Type ?? "volume";
  if (!CORE_MOUNT_TYPES.includes(type)) return [];
  const mount: MountSpec = { type: type as MountSpec["type"], source: type === "tmpfs" ? "" : (m.Source ?? ""), target: m.Target ?? "", readOnly: m.ReadOnly ?? false };
  if (type === "tmpfs") {
    if (m.TmpfsOptions?.SizeBytes) mount.tmpfsSizeBytes = m.TmpfsOptions.SizeBytes;
    if (m.TmpfsOptions?.Mode !== undefined) mount.tmpfsMode = m.TmpfsOptions.Mode;
  }
  return [mount];
}

/** A Docker secret reference in core's terms; none for one without a file (Windows' runtime target), which core cannot hold. */
export function secretReferenceOf(s: DockerSecretRef): SecretReference[] {
  if (!s.File) return [];
  return [{ secretId: s.SecretID ?? "", secretName: s.SecretName ?? "", target: s.File.Name ?? "", uid: s.File.UID ?? "0", gid: s.File.GID ?? "0", mode: s.File.Mode ?? 0 }];
}

function readPort(p: DockerPort): PortConfig {
  return {
    protocol: (p.Protocol ?? "tcp") as PortConfig["protocol"],
    targetPort: p.TargetPort ?? 0,
    publishedPort: p.PublishedPort ?? 0,
    publishMode: (p.PublishMode ?? "ingress") as PortConfig["publishMode"],
  };
}

// ---- what core cannot hold ------------------------------------------------------------

/** Keys core reads at each level; a set key outside these is Docker's alone. */
const OWNED = {
  spec: ["Name", "TaskTemplate", "Mode", "EndpointSpec", "Networks"],
  task: ["ContainerSpec", "Resources", "RestartPolicy", "Placement", "Networks"],
  container: [
    "Image", "Labels", "Command", "Args", "Hostname", "Env", "Dir", "User", "Privileges", "Init", "StopSignal", "ReadOnly", "Mounts",
    "StopGracePeriod", "Secrets", "CapabilityAdd", "CapabilityDrop",
  ],
  privileges: ["Seccomp", "AppArmor", "NoNewPrivileges"],
  placement: ["Constraints", "Preferences", "MaxReplicas"],
  resources: ["Limits", "Reservations"],
  limits: ["NanoCPUs", "MemoryBytes"],
  reservations: ["NanoCPUs", "MemoryBytes", "GenericResources"],
  restart: ["Condition", "Delay", "MaxAttempts", "Window"],
  endpoint: ["Ports", "Mode"],
  port: ["Protocol", "TargetPort", "PublishedPort", "PublishMode"],
  mount: ["Type", "Source", "Target", "ReadOnly", "TmpfsOptions"],
  tmpfs: ["SizeBytes", "Mode"],
  secret: ["File", "SecretID", "SecretName"],
  mode: ["Replicated", "Global"],
} as const;

/** A value that says something: not absent, empty, zero or false. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Values Docker writes for what nobody asked for; they are not a use of the field. */
const DOCKER_DEFAULTS: Readonly<Record<string, unknown>> = { Isolation: "default", Runtime: "container" };

function extraKeys(object: object | null | undefined, owned: readonly string[], path: string, out: Set<string>): void {
  if (!object) return;
  for (const [key, value] of Object.entries(object)) {
    if (!owned.includes(key) && isSet(value) && !(Object.hasOwn(DOCKER_DEFAULTS, key) && DOCKER_DEFAULTS[key] === value)) out.add(`${path}${key}`);
  }
}

/** The fields of a Docker spec that core cannot hold, as dotted paths, sorted. */
export function dockerOnlyFields(d: DockerServiceSpec, options: SpecReadOptions = {}): string[] {
  const out = new Set<string>();
  extraKeys(d, OWNED.spec, "", out);
  extraKeys(d.Mode, OWNED.mode, "Mode.", out);
  const task = d.TaskTemplate;
  extraKeys(task, OWNED.task, "TaskTemplate.", out);
  const c = task?.ContainerSpec;
  extraKeys(c, OWNED.container, "TaskTemplate.ContainerSpec.", out);
  extraKeys(c?.Privileges, OWNED.privileges, "TaskTemplate.ContainerSpec.Privileges.", out);
  if (c?.Privileges?.Seccomp?.Mode === "custom" && c.Privileges.Seccomp.Profile) out.add("TaskTemplate.ContainerSpec.Privileges.Seccomp.Profile");
  for (const m of c?.Mounts ?? []) {
    if (!CORE_MOUNT_TYPES.includes(m.Type ?? "volume")) out.add("TaskTemplate.ContainerSpec.Mounts");
    extraKeys(m, OWNED.mount, "TaskTemplate.ContainerSpec.Mounts.", out);
    extraKeys(m.TmpfsOptions, OWNED.tmpfs, "TaskTemplate.ContainerSpec.Mounts.TmpfsOptions.", out);
  }
  for (const s of c?.Secrets ?? []) {
    if (!s.File) out.add("TaskTemplate.ContainerSpec.Secrets");
    extraKeys(s, OWNED.secret, "TaskTemplate.ContainerSpec.Secrets.", out);
  }
  extraKeys(task?.Placement, OWNED.placement, "TaskTemplate.Placement.", out);
  extraKeys(task?.Resources, OWNED.resources, "TaskTemplate.Resources.", out);
  extraKeys(task?.Resources?.Limits, OWNED.limits, "TaskTemplate.Resources.Limits.", out);
  extraKeys(task?.Resources?.Reservations, OWNED.reservations, "TaskTemplate.Resources.Reservations.", out);
  if ((task?.Resources?.Reservations?.GenericResources ?? []).some((r) => r.NamedResourceSpec)) out.add("TaskTemplate.Resources.Reservations.GenericResources");
  extraKeys(task?.RestartPolicy, OWNED.restart, "TaskTemplate.RestartPolicy.", out);
  for (const [path, networks] of [["TaskTemplate.Networks", task?.Networks], ["Networks", d.Networks]] as const) {
    if ((networks ?? []).some((n) => !isHostNetwork(n, options))) out.add(path);
  }
  extraKeys(d.EndpointSpec, OWNED.endpoint, "EndpointSpec.", out);
  if (d.EndpointSpec?.Mode && d.EndpointSpec.Mode !== "vip") out.add("EndpointSpec.Mode");
  for (const p of d.EndpointSpec?.Ports ?? []) extraKeys(p, OWNED.port, "EndpointSpec.Ports.", out);
  return [...out].sort();
}

// ---- writing -------------------------------------------------------------------------

/**
 * The Docker ServiceSpec for `spec`, to create a service or, given the service's
 * current Docker spec as `previous`, to update it: `previous` is copied and only the
 * fields core owns are overwritten (see the file's comment), so nothing Docker holds
 * that core cannot is lost. What core holds that Docker services cannot run is refused:
 * privileged containers, a named AppArmor profile, a custom seccomp profile whose
 * content is not given.
 */
export function dockerSpecOf(spec: ServiceSpec, previous?: DockerServiceSpec, options: SpecWriteOptions = {}): DockerServiceSpec {
  const d: DockerServiceSpec = previous === undefined ? {} : structuredClone(previous);
  d.Name = spec.name;
  d.Mode = writeMode(spec, d.Mode);
  const task: DockerTaskTemplate = d.TaskTemplate ?? {};
  d.TaskTemplate = task;
  task.ContainerSpec = writeContainer(spec, task.ContainerSpec ?? {}, options);

  // Zero and empty are Docker's absence: owned fields that hold nothing are left out, and so are objects left empty.
  const generic = Object.entries(spec.reservations.generic ?? {}).map(([Kind, Value]) => ({ DiscreteResourceSpec: { Kind, Value } }));
  const resources = task.Resources;
  task.Resources = owned(resources, {
    Reservations: owned(resources?.Reservations, { NanoCPUs: spec.reservations.nanoCpus, MemoryBytes: spec.reservations.memoryBytes, GenericResources: generic }),
    Limits: owned(resources?.Limits, { NanoCPUs: spec.limits?.nanoCpus ?? 0, MemoryBytes: spec.limits?.memoryBytes ?? 0 }),
  });

  const r = spec.restartPolicy;
  task.RestartPolicy = r ? { ...(task.RestartPolicy ?? {}), Condition: r.condition, Delay: r.delayNs, MaxAttempts: r.maxAttempts, Window: r.windowNs } : undefined;

  task.Placement = owned(task.Placement, {
    Constraints: [...spec.constraints],
    Preferences: spec.preferences.map((SpreadDescriptor) => ({ Spread: { SpreadDescriptor } })),
    MaxReplicas: spec.maxReplicasPerNode,
  });

  task.Networks = writeNetworks(task.Networks, containerOf(spec).hostNetwork, options);
  if (d.Networks) d.Networks = writeNetworks(d.Networks, false, options);
  d.EndpointSpec = owned(d.EndpointSpec, { Ports: (spec.ports ?? []).map((p) => writePort(p, d.EndpointSpec?.Ports ?? [])) });
  return dropUnset(d);
}

/** `previous` with core's values over it; values that say nothing remove the key, and an object left empty is undefined. */
function owned<T extends object>(previous: T | null | undefined, values: Partial<T>): T | undefined {
  const out: Record<string, unknown> = { ...(previous ?? {}) };
  for (const [key, value] of Object.entries(values)) {
    // An object (even empty) is one `owned` kept; anything else that says nothing goes.
    if (isSet(value) || (value !== null && typeof value === "object" && !Array.isArray(value))) out[key] = value;
    else delete out[key];
  }
  for (const [key, value] of Object.entries(out)) if (value === undefined) delete out[key];
  // An object Docker already had stays, even empty, so a spec read and written back is the same JSON.
  return Object.keys(out).length > 0 || previous != null ? (out as T) : undefined;
}

/** Removes keys left undefined or empty on the top two levels, which JSON would write as nothing anyway. */
function dropUnset(d: DockerServiceSpec): DockerServiceSpec {
  const clean = (o: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(o)) if (value === undefined || (Array.isArray(value) && value.length === 0)) delete o[key];
  };
  if (d.TaskTemplate) clean(d.TaskTemplate);
  clean(d);
  return d;
}

/**
 * Replicated or global; a job service read as one keeps its job mode (core cannot hold
 * jobs), with a replicated job's concurrency following the replicas. Docker itself
 * refuses an update that changes a service's mode.
 */
function writeMode(spec: ServiceSpec, previous: DockerServiceSpec["Mode"]): NonNullable<DockerServiceSpec["Mode"]> {
  if (spec.mode === "replicated" && previous?.ReplicatedJob) return { ...previous, ReplicatedJob: { ...previous.ReplicatedJob, MaxConcurrent: spec.replicas } };
  if (spec.mode === "global" && previous?.GlobalJob) return previous;
  return spec.mode === "global" ? { Global: {} } : { Replicated: { Replicas: spec.replicas } };
}

function writeContainer(spec: ServiceSpec, previous: DockerContainerSpec, options: SpecWriteOptions): DockerContainerSpec {
  const c = containerOf(spec);
  const out: DockerContainerSpec = { ...previous, Image: spec.image };
  const list = (key: "Command" | "Args" | "Env" | "CapabilityAdd" | "CapabilityDrop", value: readonly string[]) => {
    if (value.length > 0) out[key] = [...value];
    else delete out[key];
  };
  const text = (key: "Dir" | "User" | "Hostname" | "StopSignal", value: string) => {
    if (value !== "") out[key] = value;
    else delete out[key];
  };
  list("Command", c.command);
  list("Args", c.args);
  list("Env", c.env);
  list("CapabilityAdd", c.capAdd);
  list("CapabilityDrop", c.capDrop);
  text("Dir", c.workdir);
  text("User", c.user);
  text("Hostname", c.hostname);
  text("StopSignal", c.stopSignal);
  if (Object.keys(c.labels).length > 0) out.Labels = { ...c.labels };
  else delete out.Labels;
  // Absent is Swarm's default grace period: kept absent while the spec asks for that.
  if (c.stopGracePeriodNs !== DEFAULT_STOP_GRACE_PERIOD_NS || previous.StopGracePeriod != null) out.StopGracePeriod = c.stopGracePeriodNs;
  // Absent is the engine's default, which core reads as off: keep it absent unless asked for.
  if (c.init || previous.Init != null) out.Init = c.init;
  if (c.readOnly) out.ReadOnly = true;
  else delete out.ReadOnly;
  const privileges = writePrivileges(c, previous.Privileges, options);
  if (Object.keys(privileges).length > 0) out.Privileges = privileges;
  else delete out.Privileges;
  const mounts = writeMounts(c.mounts, previous.Mounts ?? []);
  if (mounts.length > 0) out.Mounts = mounts;
  else delete out.Mounts;
  const secrets = (spec.secrets ?? []).map((s) => writeSecret(s, previous.Secrets ?? []));
  if (secrets.length > 0) out.Secrets = secrets;
  else delete out.Secrets;
  return out;
}

function writePrivileges(c: ContainerSpec, previous: DockerContainerSpec["Privileges"], options: SpecWriteOptions): NonNullable<DockerContainerSpec["Privileges"]> {
  if (c.privileged) throw invalidArgument("container.privileged", "Docker services cannot run privileged containers");
  const out: NonNullable<DockerContainerSpec["Privileges"]> = { ...(previous ?? {}) };
  if (c.noNewPrivileges || out.NoNewPrivileges !== undefined) out.NoNewPrivileges = c.noNewPrivileges;
  switch (c.seccomp.mode) {
    case "default":
      if (out.Seccomp) out.Seccomp = { Mode: "default" };
      break;
    case "unconfined":
      out.Seccomp = { Mode: "unconfined" };
      break;
    case "custom": {
      const name = c.seccomp.profile;
      const content = name === undefined ? undefined : options.seccompProfiles?.[name];
      if (content !== undefined) out.Seccomp = { Mode: "custom", Profile: Buffer.from(content, "utf8").toString("base64") };
      else if (name !== undefined || previous?.Seccomp?.Mode !== "custom") {
        throw invalidArgument("container.seccomp.profile", `the seccomp profile ${name === undefined ? "" : `${JSON.stringify(name)} `}must be given with its content to run on Docker`);
      }
      break;
    }
  }
  if (c.apparmor === "unconfined") out.AppArmor = { Mode: "disabled" };
  else if (c.apparmor === "") {
    if (out.AppArmor) out.AppArmor = { Mode: "default" };
  } else throw invalidArgument("container.apparmor", "Docker services take AppArmor's default profile or none, not a named profile");
  return out;
}

/** Core's mounts, each over the previous mount at its target; mounts of kinds core cannot hold stay. */
function writeMounts(mounts: readonly MountSpec[], previous: readonly DockerMount[]): DockerMount[] {
  const byTarget = new Map(previous.map((m) => [m.Target ?? "", m]));
  const out: DockerMount[] = mounts.map((m) => {
    const before = byTarget.get(m.target);
    const mount: DockerMount = { ...(before?.Type === m.type ? before : {}), Type: m.type, Target: m.target };
    if (m.type === "tmpfs") delete mount.Source;
    else mount.Source = m.source;
    if (m.readOnly) mount.ReadOnly = true;
    else delete mount.ReadOnly;
    if (m.type === "tmpfs") {
      const tmpfs = { ...(mount.TmpfsOptions ?? {}) };
      if (m.tmpfsSizeBytes) tmpfs.SizeBytes = m.tmpfsSizeBytes;
      else delete tmpfs.SizeBytes;
      if (m.tmpfsMode !== undefined) tmpfs.Mode = m.tmpfsMode;
      else delete tmpfs.Mode;
      if (Object.keys(tmpfs).length > 0) mount.TmpfsOptions = tmpfs;
      else delete mount.TmpfsOptions;
    }
    return mount;
  });
  return [...out, ...previous.filter((m) => !CORE_MOUNT_TYPES.includes(m.Type ?? "volume"))];
}

function writeSecret(s: SecretReference, previous: readonly DockerSecretRef[]): DockerSecretRef {
  const before = previous.find((p) => p.File?.Name === s.target);
  return { ...(before ?? {}), File: { ...(before?.File ?? {}), Name: s.target, UID: s.uid, GID: s.gid, Mode: s.mode }, SecretID: s.secretId, SecretName: s.secretName };
}

function writePort(p: PortConfig, previous: readonly DockerPort[]): DockerPort {
  const before = previous.find(
    (q) => (q.Protocol ?? "tcp") === p.protocol && (q.PublishedPort ?? 0) === p.publishedPort && (q.TargetPort ?? 0) === p.targetPort,
  );
  return { ...(before ?? {}), Protocol: p.protocol, TargetPort: p.targetPort, PublishedPort: p.publishedPort, PublishMode: p.publishMode };
}

/** The previous networks without the host network, and with it when the container asks for it. */
function writeNetworks(previous: readonly DockerNetworkAttachment[] | null | undefined, hostNetwork: boolean, options: SpecReadOptions): DockerNetworkAttachment[] {
  const kept = (previous ?? []).filter((n) => !isHostNetwork(n, options));
  if (!hostNetwork) return kept;
  const host = (previous ?? []).find((n) => isHostNetwork(n, options));
  return [...kept, host ?? { Target: HOST_NETWORK }];
}
