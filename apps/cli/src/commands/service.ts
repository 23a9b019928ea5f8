import { randomInt } from "node:crypto";
import {
  capitalise,
  containerOf,
  defaultContainerSpec,
  defaultServiceSpec,
  formatTable,
  goG,
  humanDuration,
  naturalCompare,
  parseGoUint,
  parseSecretFlag,
  safeJson,
  secretTargetEscape,
  type SecretFlag,
  type SecretReference,
  type ServiceSpec,
} from "@rampart/core";
import { decodeNodeList } from "@rampart/api/schema";
import type { AppRouter } from "@rampart/api";
import { TRPCClientError } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import {
  applyContainerChanges,
  capabilityAndMountLines,
  containerSpecLines,
  hasContainerChanges,
  parseContainerChanges,
  securityLines,
  updateNetworkList,
  type ContainerChanges,
  type ContainerFlagValues,
} from "./container-flags.js";
import type { Out } from "./swarm.js";
import {
  applyTaskChanges,
  badFlag,
  genericReservationLines,
  hasTaskChanges,
  parseTaskChanges,
  portLines,
  restartPolicyLines,
  type TaskChanges,
  type TaskFlagValues,
} from "./task-flags.js";
import { bytesSize, parseMemoryBytes, parseNanoCpus } from "./units.js";

/**
 * `rampart service …`: docker's service commands, flag for flag where Rampart has the
 * field, with the docker CLI's parsing rules and messages (cli/command/service,
 * opts/opts.go, go-units) so that scripts written for docker behave the same.
 */

type Outputs = inferRouterOutputs<AppRouter>;
export type ServiceView = Outputs["service"]["list"][number];
export type ServiceDetail = Outputs["service"]["get"];
export type TaskView = ServiceDetail["tasks"][number];

// ---------------------------------------------------------------------------
// Flag values, parsed as the docker CLI parses them
// ---------------------------------------------------------------------------

export { badFlag };
export { bytesSize, parseMemoryBytes, parseNanoCpus, ramInBytes } from "./units.js";

/** Go's strconv.ParseUint(text, base, 64): how docker reads uint flags and replica counts. */
export function goParseUint(text: string, base: 0 | 10): bigint {
  return parseGoUint(text, base, 64);
}

/** A uint flag (`--replicas`, `--replicas-max-per-node`): docker reads them with ParseUint(s, 0, 64). */
export function parseUintFlag(value: string, flag: string): number {
  try {
    return Number(goParseUint(value, 0));
  } catch (error) {
    throw badFlag(flag, value, (error as Error).message);
  }
}

/** `--placement-pref spread=node.labels.zone` → the descriptor, as docker's placementPrefOpts.Set. */
export function parsePlacementPref(value: string, flag = "placement-pref"): string {
  const eq = value.indexOf("=");
  if (eq <= 0) throw badFlag(flag, value, 'placement preference must be of the format "<strategy>=<arg>"');
  const strategy = value.slice(0, eq);
  if (strategy !== "spread") throw badFlag(flag, value, `unsupported placement preference ${strategy} (only spread is supported)`);
  return value.slice(eq + 1);
}

// ---------------------------------------------------------------------------
// Specs from flags
// ---------------------------------------------------------------------------

/** The spec flags of create, update and plan, as node:util's parseArgs hands them over. */
export interface SpecFlagValues extends TaskFlagValues, ContainerFlagValues {
  name?: string | undefined;
  image?: string | undefined;
  mode?: string | undefined;
  replicas?: string | undefined;
  "replicas-max-per-node"?: string | undefined;
  "reserve-cpu"?: string | undefined;
  "reserve-memory"?: string | undefined;
  "limit-cpu"?: string | undefined;
  "limit-memory"?: string | undefined;
  constraint?: string[] | undefined;
  "constraint-add"?: string[] | undefined;
  "constraint-rm"?: string[] | undefined;
  "placement-pref"?: string[] | undefined;
  "placement-pref-add"?: string[] | undefined;
  "placement-pref-rm"?: string[] | undefined;
}

/** What the flags ask for, checked, before any request is made. */
export interface SpecChanges {
  name?: string;
  image?: string;
  mode?: "replicated" | "global";
  replicas?: number;
  maxReplicasPerNode?: number;
  nanoCpus?: number;
  memoryBytes?: number;
  limitNanoCpus?: number;
  limitMemoryBytes?: number;
  constraintAdd: string[];
  constraintRm: string[];
  /** Spread descriptors. */
  prefAdd: string[];
  prefRm: string[];
  /** Restart policy, published ports, generic resources. */
  task: TaskChanges;
  /** The container: command, environment, mounts, hardening. */
  container: ContainerChanges;
}

export function parseSpecChanges(values: SpecFlagValues): SpecChanges {
  const changes: SpecChanges = {
    constraintAdd: [],
    constraintRm: [],
    prefAdd: [],
    prefRm: [],
    task: parseTaskChanges(values),
    container: parseContainerChanges(values),
  };
  if (values.name !== undefined) changes.name = values.name;
  if (values.image !== undefined) changes.image = values.image;
  if (values.mode !== undefined) {
    if (values.mode !== "replicated" && values.mode !== "global") {
      throw new UsageError(`Unknown mode: ${values.mode}, only replicated and global supported`);
    }
    changes.mode = values.mode;
  }
  if (values.replicas !== undefined) changes.replicas = parseUintFlag(values.replicas, "replicas");
  if (values["replicas-max-per-node"] !== undefined) {
    changes.maxReplicasPerNode = parseUintFlag(values["replicas-max-per-node"], "replicas-max-per-node");
  }
  if (values["reserve-cpu"] !== undefined) changes.nanoCpus = parseNanoCpus(values["reserve-cpu"]);
  if (values["reserve-memory"] !== undefined) changes.memoryBytes = parseMemoryBytes(values["reserve-memory"]);
  if (values["limit-cpu"] !== undefined) changes.limitNanoCpus = parseNanoCpus(values["limit-cpu"], "limit-cpu");
  if (values["limit-memory"] !== undefined) changes.limitMemoryBytes = parseMemoryBytes(values["limit-memory"], "limit-memory");
  changes.constraintAdd = [...(values.constraint ?? []), ...(values["constraint-add"] ?? [])];
  changes.constraintRm = values["constraint-rm"] ?? [];
  changes.prefAdd = [
    ...(values["placement-pref"] ?? []).map((p) => parsePlacementPref(p, "placement-pref")),
    ...(values["placement-pref-add"] ?? []).map((p) => parsePlacementPref(p, "placement-pref-add")),
  ];
  changes.prefRm = (values["placement-pref-rm"] ?? []).map((p) => parsePlacementPref(p, "placement-pref-rm"));
  return changes;
}

/** Whether any flag touches the spec (a plan without one plans node changes only). */
export function hasSpecChanges(c: SpecChanges): boolean {
  return (
    [c.name, c.image, c.mode, c.replicas, c.maxReplicasPerNode, c.nanoCpus, c.memoryBytes, c.limitNanoCpus, c.limitMemoryBytes].some((v) => v !== undefined) ||
    c.constraintAdd.length + c.constraintRm.length + c.prefAdd.length + c.prefRm.length > 0 ||
    hasTaskChanges(c.task) ||
    hasContainerChanges(c.container)
  );
}

/**
 * `--limit-cpu`, `--limit-memory` on the current limits (none: no limit), each flag
 * changing its own field, as docker's update changes `Resources.Limits`; none given
 * leaves them as they are.
 */
function applyLimits(current: ServiceSpec["limits"], c: SpecChanges): ServiceSpec["limits"] {
  if (c.limitNanoCpus === undefined && c.limitMemoryBytes === undefined) return current;
  return {
    nanoCpus: c.limitNanoCpus ?? current?.nanoCpus ?? 0,
    memoryBytes: c.limitMemoryBytes ?? current?.memoryBytes ?? 0,
  };
}

/**
 * A new service's spec, as `docker service create` builds it: core's defaults (replicated,
 * one replica) unless told otherwise, constraints and preferences in the order given.
 */
export function draftSpec(changes: SpecChanges, name: string, image: string): ServiceSpec {
  const mode = changes.mode ?? "replicated";
  // The docker CLI's texts for `service create` (opts.go); `update` keeps the older wording.
  if (mode === "global" && changes.replicas !== undefined) throw new UsageError("replicas can only be used with replicated or replicated-job mode");
  if (mode === "global" && (changes.maxReplicasPerNode ?? 0) > 0) {
    throw new UsageError("replicas-max-per-node can only be used with replicated or replicated-job mode");
  }
  const spec = defaultServiceSpec({
    name,
    image,
    mode,
    constraints: changes.constraintAdd.filter((c) => !changes.constraintRm.includes(c)),
    preferences: changes.prefAdd.filter((p) => !changes.prefRm.includes(p)),
  });
  if (mode === "global") spec.replicas = 0;
  else if (changes.replicas !== undefined) spec.replicas = changes.replicas;
  if (changes.maxReplicasPerNode !== undefined) spec.maxReplicasPerNode = changes.maxReplicasPerNode;
  if (changes.nanoCpus !== undefined) spec.reservations.nanoCpus = changes.nanoCpus;
  if (changes.memoryBytes !== undefined) spec.reservations.memoryBytes = changes.memoryBytes;
  const limits = applyLimits(undefined, changes);
  if (limits !== undefined) spec.limits = limits;
  // No container flag: the spec leaves the container out, and the server stores the defaults.
  if (hasContainerChanges(changes.container)) spec.container = applyContainerChanges(defaultContainerSpec(), changes.container, true);
  return applyTaskChanges(spec, changes.task, true);
}

/**
 * An existing spec with the flags applied, as `docker service update` does it:
 * constraints are appended, the removed ones dropped and the list sorted (docker sorts
 * "so that the result is predictable"); preferences are removed by descriptor, then
 * appended; a reservation or limit flag changes only its own field; restart, port and
 * generic resource flags merge as task-flags.ts describes, container flags as
 * container-flags.ts does.
 */
export function applySpecChanges(spec: ServiceSpec, changes: SpecChanges, options: { sortConstraints: boolean } = { sortConstraints: true }): ServiceSpec {
  const next: ServiceSpec = { ...spec, constraints: [...spec.constraints], preferences: [...spec.preferences], reservations: { ...spec.reservations } };
  if (changes.name !== undefined) next.name = changes.name;
  if (changes.image !== undefined) next.image = changes.image;
  if (changes.mode !== undefined && changes.mode !== spec.mode) {
    next.mode = changes.mode;
    next.replicas = changes.mode === "global" ? 0 : 1;
    if (changes.mode === "global") next.maxReplicasPerNode = 0;
  }
  if (changes.nanoCpus !== undefined) next.reservations.nanoCpus = changes.nanoCpus;
  if (changes.memoryBytes !== undefined) next.reservations.memoryBytes = changes.memoryBytes;
  if (changes.constraintAdd.length > 0 || changes.constraintRm.length > 0) {
    const rm = new Set(changes.constraintRm);
    next.constraints = [...next.constraints, ...changes.constraintAdd].filter((c) => !rm.has(c));
    if (options.sortConstraints) next.constraints.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (changes.prefAdd.length > 0 || changes.prefRm.length > 0) {
    const rm = new Set(changes.prefRm);
    next.preferences = [...next.preferences.filter((p) => !rm.has(p)), ...changes.prefAdd];
  }
  if (changes.replicas !== undefined) {
    if (next.mode !== "replicated") throw new UsageError("replicas can only be used with replicated mode");
    next.replicas = changes.replicas;
  }
  if (changes.maxReplicasPerNode !== undefined) next.maxReplicasPerNode = changes.maxReplicasPerNode;
  const limits = applyLimits(spec.limits, changes);
  if (limits !== undefined) next.limits = limits;
  if (hasContainerChanges(changes.container)) next.container = applyContainerChanges(containerOf(spec), changes.container, false);
  return applyTaskChanges(next, changes.task, false);
}

// Docker's daemon names a service that was given none (pkg/namesgenerator); a sample of its words.
const LEFT = [
  "admiring", "adoring", "affectionate", "amazing", "awesome", "blissful", "bold", "boring", "brave", "charming", "clever",
  "compassionate", "confident", "cool", "dazzling", "determined", "dreamy", "eager", "ecstatic", "elegant", "epic", "festive",
  "focused", "friendly", "gallant", "gifted", "goofy", "happy", "hopeful", "inspiring", "jolly", "jovial", "keen", "kind",
  "loving", "lucid", "magical", "modest", "nifty", "nostalgic", "optimistic", "peaceful", "practical", "quirky", "relaxed",
  "serene", "sharp", "stoic", "sweet", "tender", "upbeat", "vibrant", "vigilant", "wizardly", "wonderful", "youthful", "zealous", "zen",
] as const;
const RIGHT = [
  "albattani", "babbage", "banach", "bardeen", "bartik", "bell", "bohr", "booth", "cannon", "cerf", "curie", "darwin", "dijkstra",
  "einstein", "elion", "euclid", "euler", "fermat", "fermi", "feynman", "franklin", "galileo", "goldberg", "goodall", "hamilton",
  "hawking", "hopper", "hypatia", "jennings", "johnson", "kepler", "knuth", "lamarr", "leavitt", "lovelace", "mcclintock",
  "meitner", "mirzakhani", "newton", "noether", "pasteur", "payne", "poincare", "ramanujan", "ride", "ritchie", "shannon",
  "sinoussi", "tesla", "torvalds", "turing", "wescoff", "wilson", "wing", "wozniak", "yalow", "yonath",
] as const;

/** `adjective_scientist`, as docker names an unnamed service (never boring_wozniak). */
export function randomServiceName(pick: (n: number) => number = randomInt): string {
  for (;;) {
    const name = `${LEFT[pick(LEFT.length)]}_${RIGHT[pick(RIGHT.length)]}`;
    if (name !== "boring_wozniak") return name;
  }
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/** stringid.TruncateID: the first 12 characters. */
export function truncateId(id: string): string {
  return id.slice(0, 12);
}

/**
 * An image as docker's lists print it: a tagged reference loses its digest, and the
 * default registry and `library/` are left out (reference.FamiliarString).
 */
export function displayImage(image: string): string {
  let ref = image;
  const at = ref.indexOf("@");
  const name = at === -1 ? ref : ref.slice(0, at);
  const lastSlash = name.lastIndexOf("/");
  const tagged = name.lastIndexOf(":") > lastSlash;
  if (at !== -1 && tagged) ref = name;
  for (const prefix of ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"]) {
    if (ref.startsWith(prefix) && ref.length > prefix.length) return ref.slice(prefix.length);
  }
  return ref;
}

/** The REPLICAS column: `running/desired`, with the per-node limit when there is one. */
export function replicasColumn(s: Pick<ServiceView, "running" | "desired" | "spec">): string {
  const max = s.spec.mode === "replicated" ? s.spec.maxReplicasPerNode : 0;
  return max > 0 ? `${s.running}/${s.desired} (max ${max} per node)` : `${s.running}/${s.desired}`;
}

export function formatServiceList(services: readonly ServiceView[]): string {
  const rows = [["ID", "NAME", "MODE", "REPLICAS", "IMAGE"]];
  for (const s of [...services].sort((a, b) => naturalCompare(a.name, b.name))) {
    rows.push([truncateId(s.id), s.name, s.spec.mode, replicasColumn(s), displayImage(s.spec.image)]);
  }
  return formatTable(rows);
}

/** formatter.Ellipsis: at most `max` characters, the last one `…` when cut. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

const MAX_ERR_LENGTH = 30;

export interface TaskListOptions {
  noTrunc: boolean;
  now: Date;
  /** Node ID → hostname, for the NODE column. */
  hostnames: ReadonlyMap<string, string>;
}

interface NamedTask {
  task: TaskView;
  service: Pick<ServiceDetail, "name" | "spec">;
  name: string;
}

/** Tasks in docker's order: by name (natural), a slot's newest task first. */
function namedTasks(services: readonly Pick<ServiceDetail, "name" | "spec" | "tasks">[]): NamedTask[] {
  const all = services.flatMap((service) =>
    service.tasks.map((task) => ({ task, service, name: `${service.name}.${task.slot !== null && task.slot !== 0 ? task.slot : (task.nodeId ?? "")}` })),
  );
  return all.sort((a, b) => naturalCompare(a.name, b.name) || b.task.createdAt.getTime() - a.task.createdAt.getTime());
}

/**
 * `service ps` rows (cli/command/task): older tasks of a slot indented under the newest
 * with ` \_ `, the current state with how long ago it was entered, the error quoted and
 * cut at 30 characters unless `--no-trunc`. Docker's columns, then Rampart's CONTAINER:
 * the task's container on its node, 12 characters unless `--no-trunc` as `docker ps`
 * shows it (docker's `service ps` has no column for it, and Rampart has no PORTS).
 */
export function formatTaskList(services: readonly Pick<ServiceDetail, "name" | "spec" | "tasks">[], options: TaskListOptions): string {
  const rows = [["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "CONTAINER"]];
  let previous = "";
  for (const { task, service, name } of namedTasks(services)) {
    const ago = humanDuration(Math.max(0, options.now.getTime() - task.updatedAt.getTime())).toLowerCase();
    const err = task.err ?? "";
    const shownErr = options.noTrunc ? err : ellipsis(err, MAX_ERR_LENGTH);
    rows.push([
      options.noTrunc ? task.id : truncateId(task.id),
      name === previous ? ` \\_ ${name}` : name,
      options.noTrunc ? service.spec.image : displayImage(service.spec.image),
      task.nodeId ? (options.hostnames.get(task.nodeId) ?? task.nodeId) : "",
      capitalise(task.desiredState),
      `${capitalise(task.state)} ${ago} ago`,
      shownErr === "" ? "" : `"${shownErr}"`,
      task.containerId === null ? "" : options.noTrunc ? task.containerId : truncateId(task.containerId),
    ]);
    previous = name;
  }
  // A task without a container leaves CONTAINER empty: no blanks after its last word.
  return formatTable(rows)
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/**
 * Docker's `service inspect --pretty` template, for the fields a Rampart service has;
 * the restart policy, generic reservations, the container's command, hostname, labels,
 * stop settings and read-only root, and its `Security:` section, which docker's
 * template leaves out, in its style (ADR 0005).
 */
export function formatServicePretty(s: Pick<ServiceView, "id" | "name" | "spec" | "docker">, now: Date = new Date()): string[] {
  const lines = ["", `ID:\t\t${s.id}`, `Name:\t\t${s.name}`];
  if (s.spec.mode === "global") lines.push("Service Mode:\tGlobal");
  else lines.push("Service Mode:\tReplicated", ` Replicas:\t${s.spec.replicas}`);
  lines.push(...updateStatusLines(s.docker?.updateStatus ?? null, now));
  lines.push("Placement:");
  if (s.spec.constraints.length > 0) lines.push(` Constraints:\t[${s.spec.constraints.join(" ")}]`);
  if (s.spec.preferences.length > 0) lines.push(` Preferences:   [${s.spec.preferences.map((p) => `spread=${p}`).join(" ")}]`);
  if (s.spec.maxReplicasPerNode > 0) lines.push(` Max Replicas Per Node:   ${s.spec.maxReplicasPerNode}`);
  lines.push(...restartPolicyLines(s.spec.restartPolicy));
  const container = containerOf(s.spec);
  lines.push("ContainerSpec:", ` Image:\t\t${s.spec.image}`, ...containerSpecLines(container));
  lines.push(...capabilityAndMountLines(container), ...securityLines(container));
  if (s.docker && !s.docker.hardening.carried && s.docker.hardening.note) lines.push(` Engine:\t\t${s.docker.hardening.note}`);
  const { nanoCpus, memoryBytes, generic } = s.spec.reservations;
  const genericLines = genericReservationLines(generic);
  const limits = s.spec.limits ?? { nanoCpus: 0, memoryBytes: 0 };
  const hasReservations = nanoCpus > 0 || memoryBytes > 0 || genericLines.length > 0;
  const hasLimits = limits.nanoCpus > 0 || limits.memoryBytes > 0;
  if (hasReservations || hasLimits) lines.push("Resources:");
  if (hasReservations) {
    lines.push(" Reservations:");
    if (nanoCpus > 0) lines.push(`  CPU:\t\t${goG(nanoCpus / 1e9)}`);
    if (memoryBytes > 0) lines.push(`  Memory:\t${bytesSize(memoryBytes)}`);
    lines.push(...genericLines);
  }
  if (hasLimits) {
    lines.push(" Limits:");
    if (limits.nanoCpus > 0) lines.push(`  CPU:\t\t${goG(limits.nanoCpus / 1e9)}`);
    if (limits.memoryBytes > 0) lines.push(`  Memory:\t${bytesSize(limits.memoryBytes)}`);
  }
  const overlay = (s.docker?.networks ?? []).filter((n) => n.name !== "host").map((n) => n.name ?? n.id);
  const networks = [...(container.hostNetwork ? ["host"] : []), ...overlay];
  if (networks.length > 0) lines.push(`Networks: ${networks.join(" ")}`);
  if (s.docker) lines.push(`Endpoint Mode:\t${s.docker.endpoint.mode}`);
  lines.push(...portLines(s.docker ? s.docker.endpoint.ports : s.spec.ports));
  return lines;
}

/** docker's `UpdateStatus:` section, for a swarm's service whose last update Docker reports. */
function updateStatusLines(status: NonNullable<ServiceView["docker"]>["updateStatus"], now: Date): string[] {
  if (!status) return [];
  const ago = (at: Date) => `${humanDuration(Math.max(0, now.getTime() - at.getTime()))} ago`;
  const lines = ["UpdateStatus:", ` State:\t\t${status.state}`];
  if (status.startedAt) lines.push(` Started:\t${ago(status.startedAt)}`);
  if (status.completedAt && status.state === "completed") lines.push(` Completed:\t${ago(status.completedAt)}`);
  lines.push(` Message:\t${status.message ?? ""}`);
  return lines;
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/** The secret flags, as node:util's parseArgs hands them over. */
export interface SecretFlagValues {
  secret?: string[] | undefined;
  "secret-add"?: string[] | undefined;
  "secret-rm"?: string[] | undefined;
}

/**
 * `--secret NAME` or `--secret source=NAME,target=FILE,uid=U,gid=G,mode=M`, parsed by
 * core's copy of the docker CLI's parser; its errors are docker's flag errors. A target
 * that would leave /run/secrets is refused here too, as a flag error, before any request
 * (the docker CLI passes it on, and only the node refuses it).
 */
export function parseSecretFlags(values: readonly string[] | undefined, flag: string): SecretFlag[] {
  return (values ?? []).map((value) => {
    let parsed: SecretFlag;
    try {
      parsed = parseSecretFlag(value);
    } catch (error) {
      throw badFlag(flag, value, (error as Error).message);
    }
    const escape = secretTargetEscape(parsed.target);
    if (escape !== null) throw badFlag(flag, value, escape);
    return parsed;
  });
}

/**
 * docker's ParseSecrets: two flags with one target are refused before any request
 * (`duplicate secret target for NAME not allowed`), then each secret is looked up by its
 * exact name (an ID or a prefix is not a name) to get the ID the spec needs.
 */
export async function resolveSecretFlags(
  client: { secret: { get: { query(input: { ref: string }): Promise<{ id: string; name: string }> } } },
  flags: readonly SecretFlag[],
): Promise<SecretReference[]> {
  const targets = new Set<string>();
  for (const f of flags) {
    if (targets.has(f.target)) throw new UsageError(`duplicate secret target for ${f.secretName} not allowed`);
    targets.add(f.target);
  }
  const refs: SecretReference[] = [];
  for (const f of flags) {
    let found: { id: string; name: string } | undefined;
    try {
      found = await client.secret.get.query({ ref: f.secretName });
    } catch (error) {
      if (!(error instanceof TRPCClientError) || error.data?.code !== "NOT_FOUND") throw error;
    }
    if (!found || found.name !== f.secretName) throw new Error(`secret not found: ${f.secretName}`);
    refs.push({ ...f, secretId: found.id });
  }
  return refs;
}

/**
 * docker's getUpdatedSecrets: `--secret-rm NAME` drops every reference to that secret
 * name, then the `--secret-add` references are appended.
 */
export function updatedSecrets(current: readonly SecretReference[], remove: readonly string[], add: readonly SecretReference[]): SecretReference[] {
  const rm = new Set(remove);
  return [...current.filter((r) => !rm.has(r.secretName)), ...add];
}

/**
 * The server's answer to one item of a multi-item command (rm, scale): docker reports
 * each and goes on. Anything else (the server cannot be reached) stops the command.
 */
export function answerOf(error: unknown): string {
  if (error instanceof TRPCClientError && error.data) return error.message;
  throw error;
}

/** The server's warnings on a spec, on stderr as the docker CLI prints its own: one `WARNING:` line each. */
export function printWarnings(err: Out, warnings: readonly string[] | undefined): void {
  for (const warning of warnings ?? []) err(`WARNING: ${warning}`);
}

/** A word as a shell reads it back: as is when plain, else single-quoted. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The server refuses a host path, host networking or a privileged container the runtime
 * policy does not allow, naming the field and the setting in Swarm settings; here the
 * command that changes the setting is added. Anything else is returned as it is.
 */
export function withPolicyHint(error: unknown, spec: ServiceSpec): unknown {
  if (!(error instanceof TRPCClientError) || error.data?.code !== "FORBIDDEN") return error;
  const field = String(error.data?.field ?? "");
  const mount = /^container\.mounts\[(\d+)\]\.source$/.exec(field);
  const source = mount ? spec.container?.mounts[Number(mount[1])]?.source : undefined;
  const command =
    source !== undefined
      ? `rampart swarm update --allow-host-path ${shellQuote(source)}`
      : field === "container.hostNetwork"
        ? "rampart swarm update --allow-host-network"
        : field === "container.privileged"
          ? "rampart swarm update --allow-privileged"
          : undefined;
  if (command === undefined) return error;
  return new Error(`${error.message}\nFrom the command line: ${command}`, { cause: error });
}

/** The spec written, or the server's refusal with the command that would allow it. */
async function written<T>(spec: ServiceSpec, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw withPolicyHint(error, spec);
  }
}

/**
 * `rampart service create [flags] IMAGE [COMMAND] [ARG...]`: what follows the image is
 * the container's command (its arguments, replacing the image's CMD), as docker has it.
 * Prints the new service's ID.
 */
export async function serviceCreate(
  client: AdminClient,
  out: Out,
  positionals: string[],
  values: SpecFlagValues & SecretFlagValues,
  err: Out = () => undefined,
): Promise<number> {
  if (positionals.length < 1) throw new UsageError('"rampart service create" requires at least 1 argument: IMAGE [COMMAND] [ARG...]');
  const changes = parseSpecChanges(values);
  if (positionals.length > 1) changes.container.args = positionals.slice(1);
  const secretFlags = parseSecretFlags(values.secret, "secret");
  const spec = draftSpec(changes, changes.name ?? randomServiceName(), positionals[0]!);
  if (secretFlags.length > 0) spec.secrets = await resolveSecretFlags(client, secretFlags);
  const networks = changes.container.networkAdd;
  const created = await written(spec, () => client.service.create.mutate({ ...spec, ...(networks.length > 0 ? { networks } : {}) }));
  printWarnings(err, created.warnings);
  out(created.id);
  return 0;
}

/** `rampart service ls [-q]`. */
export async function serviceLs(client: AdminClient, out: Out, quiet: boolean): Promise<number> {
  const services = await client.service.list.query();
  if (quiet) {
    for (const s of [...services].sort((a, b) => naturalCompare(a.name, b.name))) out(truncateId(s.id));
    return 0;
  }
  out(formatServiceList(services));
  return 0;
}

/** `rampart service ps [-q] [--no-trunc] SERVICE...`. */
export async function servicePs(
  client: AdminClient,
  out: Out,
  refs: string[],
  options: { quiet: boolean; noTrunc: boolean },
): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart service ps" requires at least 1 argument');
  const services: ServiceDetail[] = [];
  for (const ref of refs) services.push(await client.service.get.query({ ref }));
  if (options.quiet) {
    for (const { task } of namedTasks(services)) out(options.noTrunc ? task.id : truncateId(task.id));
    return 0;
  }
  const nodes = decodeNodeList(await client.node.list.query());
  const hostnames = new Map(nodes.map((n) => [n.id, n.hostname]));
  out(formatTaskList(services, { noTrunc: options.noTrunc, now: new Date(), hostnames }));
  return 0;
}

/** `rampart service inspect [--pretty] SERVICE...`: a JSON array by default, as docker prints. */
export async function serviceInspect(client: AdminClient, out: Out, refs: string[], pretty: boolean): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart service inspect" requires at least 1 argument');
  const found = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      const { tasks: _tasks, ...service } = await client.service.get.query({ ref });
      found.push(service);
    } catch (error) {
      errors.push(answerOf(error));
    }
  }
  if (pretty) for (const s of found) for (const line of formatServicePretty(s)) out(line);
  else if (found.length > 0 || errors.length === 0) out(safeJson(found));
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}

/**
 * `rampart service update [flags] SERVICE`: reads the service, applies the flags to its
 * spec and writes it back at the version it read, so a change made in between is
 * refused by the server instead of overwritten. Prints SERVICE, as docker does.
 */
export async function serviceUpdate(client: AdminClient, out: Out, refs: string[], values: SpecFlagValues & SecretFlagValues, err: Out = () => undefined): Promise<number> {
  if (refs.length !== 1) throw new UsageError('"rampart service update" requires exactly 1 argument');
  const changes = parseSpecChanges(values);
  const secretAdd = parseSecretFlags(values["secret-add"], "secret-add");
  const secretRm = values["secret-rm"] ?? [];
  const ref = refs[0]!;
  const added = secretAdd.length > 0 ? await resolveSecretFlags(client, secretAdd) : [];
  const current = await client.service.get.query({ ref });
  const spec = applySpecChanges(current.spec, changes);
  if (secretAdd.length > 0 || secretRm.length > 0) spec.secrets = updatedSecrets(current.spec.secrets ?? [], secretRm, added);
  const { networkAdd, networkRm } = changes.container;
  // Overlay networks are a swarm's (the docker part); the host network is the container's.
  const networks =
    networkAdd.length + networkRm.length > 0
      ? updateNetworkList((current.docker?.networks ?? []).filter((n) => n.name !== "host"), networkAdd, networkRm)
      : undefined;
  const updated = await written(spec, () =>
    client.service.update.mutate({ ref: current.id, version: current.version, spec: { ...spec, ...(networks !== undefined ? { networks } : {}) } }),
  );
  printWarnings(err, updated.warnings);
  out(ref);
  return 0;
}

/** `rampart service scale SERVICE=REPLICAS...`: each one reported, as docker goes on past failures. */
export async function serviceScale(client: AdminClient, out: Out, args: string[]): Promise<number> {
  if (args.length === 0) throw new UsageError('"rampart service scale" requires at least 1 argument');
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0 || eq === arg.length - 1) throw new UsageError(`invalid scale specifier '${arg}'`);
  }
  const errors: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const ref = arg.slice(0, eq);
    const text = arg.slice(eq + 1);
    let replicas: bigint;
    try {
      replicas = goParseUint(text, 10);
    } catch (error) {
      errors.push(`${ref}: invalid replicas value ${text}: ${(error as Error).message}`);
      continue;
    }
    try {
      const service = await client.service.get.query({ ref });
      if (service.spec.mode !== "replicated") {
        errors.push(`${ref}: scale can only be used with replicated or replicated-job mode`);
        continue;
      }
      await client.service.scale.mutate({ ref: service.id, replicas: Number(replicas) });
      out(`${ref} scaled to ${replicas}`);
    } catch (error) {
      errors.push(`${ref}: ${answerOf(error)}`);
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}

/** `rampart service rm SERVICE...`: prints each one removed; the others' errors come last. */
export async function serviceRm(client: AdminClient, out: Out, refs: string[]): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart service rm" requires at least 1 argument');
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await client.service.remove.mutate({ ref });
      out(ref);
    } catch (error) {
      errors.push(answerOf(error));
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}
