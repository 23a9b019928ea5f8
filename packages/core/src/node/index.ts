import { invalidArgument } from "../errors/index.js";
import { checkSafeText } from "../text/index.js";
import { HEARTBEAT_MISSES_FOR_DOWN } from "../cluster/index.js";
import { genericKindProblem } from "../service/index.js";

export * from "./authorize.js";
export * from "./table.js";

export const NODE_ROLES = ["manager", "worker"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
export const AVAILABILITIES = ["active", "pause", "drain"] as const;
export type Availability = (typeof AVAILABILITIES)[number];
export type NodeState = "unknown" | "ready" | "down";
export type ManagerStatus = "leader" | "reachable" | "unreachable" | null;

export function roleOU(role: NodeRole): "swarm-manager" | "swarm-worker" {
  return role === "manager" ? "swarm-manager" : "swarm-worker";
}

/**
 * Ready or Down from heartbeats: Unknown until the first one, Down after three periods
 * without one (manager/dispatcher: `heartbeat failure`).
 */
export function nodeState(lastHeartbeatAt: Date | null, heartbeatPeriodMs: number, now: Date): NodeState {
  if (!lastHeartbeatAt) return "unknown";
  return now.getTime() - lastHeartbeatAt.getTime() <= heartbeatPeriodMs * HEARTBEAT_MISSES_FOR_DOWN ? "ready" : "down";
}

/** `Ready`, `Active`, `Leader`: the docker CLI capitalises the first letter only. */
export function capitalise(value: string): string {
  return value.length === 0 ? value : value[0]!.toUpperCase() + value.slice(1).toLowerCase();
}

/**
 * Node and engine labels: `key=value` as the docker CLI takes them. Keys follow
 * Docker's label rules loosely: non-empty, no whitespace or `=`, at most 128 characters.
 */
/** The longest label key and value taken, here, in the API's schema and in the UI's inputs. */
export const LABEL_KEY_MAX_LENGTH = 128;
export const LABEL_VALUE_MAX_LENGTH = 1024;
export const LABEL_KEY_PATTERN = new RegExp(`^[^\\s=]{1,${LABEL_KEY_MAX_LENGTH}}$`);

export function checkLabelKey(key: string, field = "labels"): string {
  checkSafeText(key, field, "label key");
  if (!LABEL_KEY_PATTERN.test(key)) {
    throw invalidArgument(field, `invalid label key "${key.slice(0, LABEL_KEY_MAX_LENGTH + 2)}": use 1 to ${LABEL_KEY_MAX_LENGTH} characters, no spaces or '='`);
  }
  return key;
}

export function checkLabelValue(value: string, field = "labels"): string {
  if (value.length > LABEL_VALUE_MAX_LENGTH) throw invalidArgument(field, `a label value must be at most ${LABEL_VALUE_MAX_LENGTH} characters`);
  checkSafeText(value, field, "label value");
  return value;
}

/** Parses `--label-add k=v` (a bare `k` means an empty value, as in docker). */
export function parseLabel(text: string, field = "labels"): [string, string] {
  const eq = text.indexOf("=");
  const key = eq === -1 ? text : text.slice(0, eq);
  const value = eq === -1 ? "" : text.slice(eq + 1);
  return [checkLabelKey(key, field), checkLabelValue(value, field)];
}

/**
 * A node's discrete generic resources by kind (`gpu: 2`), as its agent advertises them
 * (`rampart agent join --generic-resource gpu=2`, dockerd's `--node-generic-resource`).
 * The scheduler hands them out to tasks that reserve them; named resources (a list of
 * IDs per kind) are Swarm's too, but no Rampart agent advertises them.
 */
export type NodeGenericResources = Record<string, number>;

/** More kinds than any machine has; it bounds what a node may make the manager store. */
export const MAX_NODE_GENERIC_KINDS = 64;

/** The kinds a node advertises: kinds a flag can write, each a positive count. */
export function checkNodeGenericResources(generic: Readonly<Record<string, number>>, field = "genericResources"): NodeGenericResources {
  const kinds = Object.keys(generic);
  if (kinds.length > MAX_NODE_GENERIC_KINDS) throw invalidArgument(field, `a node advertises at most ${MAX_NODE_GENERIC_KINDS} generic resource kinds`);
  for (const kind of kinds) {
    const problem = genericKindProblem(kind);
    if (problem !== undefined) throw invalidArgument(field, problem);
    const value = generic[kind]!;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw invalidArgument(field, `generic resource ${kind} must be a positive whole number, got ${String(value)}`);
    }
  }
  return { ...generic };
}

/** One `--generic-resource KIND=N` of an agent: a kind and a positive count. */
export function parseNodeGenericResource(text: string, field = "genericResources"): [string, number] {
  const eq = text.indexOf("=");
  if (eq === -1) throw invalidArgument(field, "expected KIND=N, e.g. gpu=2");
  const kind = text.slice(0, eq).trim();
  const count = text.slice(eq + 1).trim();
  if (!/^[+-]?\d+$/.test(count)) {
    throw invalidArgument(field, `${count === "" ? "no count" : "named resources are not supported"}: give a count, e.g. ${kind || "gpu"}=2`);
  }
  const generic = checkNodeGenericResources({ [kind]: Number(count) }, field);
  return [kind, generic[kind]!];
}

export const HOSTNAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}[A-Za-z0-9])?$/;

export function checkHostname(hostname: string): string {
  checkSafeText(hostname, "hostname");
  if (!HOSTNAME_PATTERN.test(hostname)) {
    throw invalidArgument("hostname", "hostname must be 1 to 254 letters, digits, '.', '_' or '-'");
  }
  return hostname;
}

export interface NodeCertificateInfo {
  serial: string;
  pem: string;
  role: "swarm-manager" | "swarm-worker";
  notBefore: Date;
  notAfter: Date;
}

/**
 * Node.Certificate.Status.State (swarm-semantics §4.4): `issued` once signed; `renew`
 * while a renewal waits to be signed; `pending` while an external CA has not signed
 * (recoverable failures); `rotate` when a root rotation asks the node to renew now;
 * `failed` when signing failed for good.
 */
export const CERT_ISSUANCE_STATES = ["issued", "renew", "pending", "rotate", "failed"] as const;
export type CertIssuanceState = (typeof CERT_ISSUANCE_STATES)[number];

/**
 * What the node's mutual-TLS identity looked like when it last called (Swarm's
 * Description.TLSInfo): the authority key ID and serial of the certificate it presented
 * (read from the verified connection, not from what it says), and the digest of the
 * trust root it says it holds.
 */
export interface NodeTlsInfo {
  issuerKeyId: string | null;
  serial: string | null;
  trustRootDigest: string | null;
  seenAt: Date;
}

/** A node as the store holds it. `state` is not stored: it comes from heartbeats. */
export interface NodeRecord {
  id: string;
  hostname: string;
  role: NodeRole;
  availability: Availability;
  labels: Record<string, string>;
  engineLabels: Record<string, string>;
  platform: { os: string; arch: string };
  /** `generic`: what the node advertised, {} for none. */
  resources: { nanoCpus: number; memoryBytes: number; generic: NodeGenericResources };
  engineVersion: string;
  /** What runs the node's tasks (ADR 0019). */
  runtime: NodeRuntime;
  addr: string | null;
  isLeader: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  lastHeartbeatAt: Date | null;
  certificate: NodeCertificateInfo | null;
  certStatus: { state: CertIssuanceState; reason: string | null };
  /** Null until the node has called with a certificate. */
  tlsInfo: NodeTlsInfo | null;
}

/** What a node says about itself when it joins and in heartbeats. */
export interface NodeDescription {
  hostname: string;
  os: string;
  arch: string;
  nanoCpus: number;
  memoryBytes: number;
  engineVersion: string;
  engineLabels: Record<string, string>;
  /** Absent: none (agents before generic resources). */
  genericResources?: NodeGenericResources;
  /** What runs this node's tasks. Absent: an agent from before containers ran, which simulated them. */
  runtime?: NodeRuntime;
}

/**
 * What runs a node's tasks (ADR 0019). `docker`: containers through the node's engine
 * (Docker, or Podman's compatible socket); `simulated`: nothing runs, tasks are only
 * reported (benches and demos); `none`: no engine could be reached, so the node takes no tasks.
 */
export type RuntimeKind = "docker" | "simulated" | "none";

export const RUNTIME_KINDS: readonly RuntimeKind[] = ["docker", "simulated", "none"];

export interface NodeRuntime {
  kind: RuntimeKind;
  /** docker: the engine's address; none: why no engine could be used (`cannot reach …`). */
  detail: string;
  /** The engine's security options (`seccomp`, `apparmor`, `selinux`, `rootless`, `userns`). */
  securityOptions: string[];
}

/** What a node that never described its runtime is taken to have: agents from before ADR 0019 only reported tasks. */
export const LEGACY_RUNTIME: Readonly<NodeRuntime> = Object.freeze({ kind: "simulated", detail: "", securityOptions: [] });

/** Why a node cannot run tasks, or undefined when it can (a simulated node "runs" them). */
export function runtimeProblem(runtime: NodeRuntime | undefined): string | undefined {
  if (runtime?.kind !== "none") return undefined;
  return `no container runtime on this node: ${runtime.detail}`;
}

/**
 * The hostnames more than one node reports, lower-cased (a `node.hostname` constraint
 * matches without regard to case). A hostname is the node's own claim, as in Swarm: a
 * second node may take a real node's name and, with it, tasks constrained to that name.
 * Lists flag such nodes rather than refuse them, since Swarm schedules on them the same.
 */
export function duplicateHostnames(nodes: Iterable<{ hostname: string }>): Set<string> {
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const { hostname } of nodes) {
    const key = hostname.toLowerCase();
    if (seen.has(key)) duplicated.add(key);
    else seen.add(key);
  }
  return duplicated;
}

/** The mark after a shared hostname in node lists, and the footnote that explains it. */
export const DUPLICATE_HOSTNAME_MARK = "(!)";
export const DUPLICATE_HOSTNAME_NOTE =
  "(!) more than one node reports this hostname. Hostnames are what nodes say about themselves; tell the nodes apart by ID, and place tasks with node.id or node.labels.*";
