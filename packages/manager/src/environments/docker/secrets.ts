import { type Actor } from "@rampart/core";
import type Docker from "dockerode";
import { z } from "zod";
import type { AuditService } from "../../audit/index.js";
import { checkLabels, secretTarget, type SecretHolder, type SecretServiceUse, type SecretView } from "../../secrets/index.js";
import type { ConnectedEnvironment } from "../index.js";
import { objectRefPath } from "./paths.js";
import {
  dockerIdSchema,
  dockerNodeSchema,
  dockerSecretSchema,
  dockerServiceSchema,
  dockerTaskSchema,
  readDocker,
  type DockerSecret,
  type DockerSecretRef,
  type DockerService,
  type DockerTask,
} from "./schema.js";
import { secretReferenceOf } from "./spec.js";

/**
 * Secrets on a connected Docker Swarm (ADR 0020), in the native views' shapes: list,
 * inspect with the services that reference each secret and the nodes that hold it now,
 * create, labels-only updates and removal. The value goes to Docker once, in the body of
 * `POST /secrets/create`, and Rampart keeps, logs and returns nothing of it. Docker's
 * rules and refusals (names, sizes, a name in use, a secret in use) are Docker's own,
 * passed through with its text.
 *
 * What Docker does not give: a secret's size (the Engine API never reports it, so the
 * view's `size` is null) and which task was made with which version beyond the task's
 * own spec (read below from `Spec.ContainerSpec.Secrets`, which tasks keep as they were
 * made).
 */

/**
 * The task states in which a node has a task's secrets: from ASSIGNED (the dispatcher
 * sends them with the assignment) to RUNNING, as in SwarmKit's dispatcher and as the
 * native cluster counts holders.
 */
const HOLDING_STATES: ReadonlySet<string> = new Set(["assigned", "accepted", "preparing", "ready", "starting", "running"]);

/** Whether a task's node holds the secrets the task was made with now. */
export const holdsSecrets = (task: DockerTask): task is DockerTask & { NodeID: string } =>
  HOLDING_STATES.has(task.Status.State) && typeof task.NodeID === "string" && task.NodeID !== "";

export const serviceSecretRefs = (service: DockerService): DockerSecretRef[] => service.Spec.TaskTemplate?.ContainerSpec?.Secrets ?? [];
export const taskSecretRefs = (task: DockerTask): DockerSecretRef[] => task.Spec?.ContainerSpec?.Secrets ?? [];

/** What only Docker says of a secret. */
export interface DockerSecretPart {
  /** The secrets driver that holds the value outside the swarm's store, or null for none. */
  driver: string | null;
}

/** The native view, with `size` null: Docker never reports a secret's size. */
export interface DockerSecretView extends Omit<SecretView, "size"> {
  size: null;
  docker: DockerSecretPart;
}

/** One read of what the views need besides the secrets: services, tasks and node names. */
export interface SwarmSecretUse {
  services: DockerService[];
  tasks: DockerTask[];
  hostnames: Map<string, string>;
}

/**
 * The services whose spec references `secretId`, with each reference's file. A reference
 * without a file (Docker's runtime target, for Windows credential specs) puts no file
 * anywhere, so it lists the service with no target rather than an invented one.
 */
export function servicesUsing(services: readonly DockerService[], secretId: string): SecretServiceUse[] {
  const found: SecretServiceUse[] = [];
  for (const s of services) {
    const refs = serviceSecretRefs(s).filter((r) => r.SecretID === secretId);
    if (refs.length === 0) continue;
    found.push({
      id: s.ID,
      name: s.Spec.Name ?? "",
      references: refs.flatMap(secretReferenceOf).map(({ target, uid, gid, mode }) => ({ target, uid, gid, mode })),
    });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The nodes whose tasks, made with `secretId`, are between ASSIGNED and RUNNING: those nodes hold it now. */
export function nodesHolding(tasks: readonly DockerTask[], hostnames: ReadonlyMap<string, string>, secretId: string): SecretHolder[] {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    if (holdsSecrets(t) && taskSecretRefs(t).some((r) => r.SecretID === secretId)) counts.set(t.NodeID, (counts.get(t.NodeID) ?? 0) + 1);
  }
  return [...counts]
    .map(([nodeId, tasks]) => ({ nodeId, hostname: hostnames.get(nodeId) ?? null, tasks }))
    .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

/** A Docker secret as the native view shows one, with where it is used. */
export function secretViewOf(secret: DockerSecret, use: SwarmSecretUse): DockerSecretView {
  return {
    id: secret.ID,
    name: secret.Spec.Name,
    size: null,
    labels: { ...(secret.Spec.Labels ?? {}) },
    version: secret.Version.Index,
    createdAt: new Date(secret.CreatedAt),
    updatedAt: new Date(secret.UpdatedAt),
    services: servicesUsing(use.services, secret.ID),
    nodes: nodesHolding(use.tasks, use.hostnames, secret.ID),
    docker: { driver: secret.Spec.Driver?.Name || null },
  };
}

/** The native list's search: a name containing the text (any case), or an ID starting with it. */
export function matchesSearch(secret: DockerSecret, search: string | undefined): boolean {
  const text = search?.trim();
  if (!text) return true;
  return secret.Spec.Name.toLowerCase().includes(text.toLowerCase()) || secret.ID.startsWith(text.toLowerCase());
}

/**
 * Reads services, tasks and node names in one go: what "where is it now" is made of.
 * Only the Engine API calls go through `call` (which reads any failure as Docker's); the
 * answers are checked after.
 */
export async function readSecretUse(env: ConnectedEnvironment): Promise<SwarmSecretUse> {
  const [services, tasks, nodes] = await env.call((d) => Promise.all([d.listServices(), d.listTasks(), d.listNodes()]));
  return {
    services: readDocker(z.array(dockerServiceSchema), services, "the swarm's services"),
    tasks: readDocker(z.array(dockerTaskSchema), tasks, "the swarm's tasks"),
    hostnames: new Map(readDocker(z.array(dockerNodeSchema), nodes, "the swarm's nodes").flatMap((n) => (n.Description?.Hostname ? [[n.ID, n.Description.Hostname] as const] : []))),
  };
}

/** One secret by ID, name or ID prefix, resolved by Docker (its own "not found" and "ambiguous"). */
export async function inspectSecret(env: ConnectedEnvironment, ref: string): Promise<DockerSecret> {
  const path = objectRefPath(ref, "secret");
  return readDocker(dockerSecretSchema, await env.call((d) => d.getSecret(path).inspect()), `secret ${ref}`);
}

export async function listDockerSecrets(env: ConnectedEnvironment): Promise<DockerSecret[]> {
  return readDocker(z.array(dockerSecretSchema), await env.call((d) => d.listSecrets()), "the swarm's secrets");
}

export interface NewDockerSecret {
  name: string;
  /** The value. Wiped (filled with zeros) once sent. */
  data: Uint8Array;
  labels: Record<string, string>;
}

/**
 * Creates a secret; gives its ID. The value is sent once, base64 in the request's body
 * (never its query string, which engines log), and the bytes are wiped whatever Docker
 * answers.
 */
export async function createSecretIn(env: ConnectedEnvironment, input: NewDockerSecret): Promise<string> {
  try {
    const body = { Name: input.name, Labels: input.labels, Data: Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength).toString("base64") };
    // dockerode answers with its handle on the new secret, named by the ID Docker gave.
    const created: { id?: unknown } = await env.call((d) => d.createSecret({ _query: {}, _body: body }) as Promise<Docker.Secret>);
    return readDocker(dockerIdSchema, created.id, "the new secret's ID");
  } finally {
    input.data.fill(0);
  }
}

export interface DockerSecretChange {
  labels: Record<string, string>;
  /** A name may be sent, as Docker's UpdateSecret takes the whole spec; Docker refuses it unless unchanged. */
  name?: string | undefined;
}

/**
 * Secrets on connected swarms. Each call goes through the environment's `call`, so
 * Docker's refusals keep their text and the connection its state; each write is audited
 * with the environment.
 */
export function createDockerSecretService(audit: AuditService) {
  async function view(env: ConnectedEnvironment, ref: string): Promise<DockerSecretView> {
    const [secret, use] = await Promise.all([inspectSecret(env, ref), readSecretUse(env)]);
    return secretViewOf(secret, use);
  }

  return {
    async list(env: ConnectedEnvironment, query: { search?: string | undefined } = {}): Promise<DockerSecretView[]> {
      const [secrets, use] = await Promise.all([listDockerSecrets(env), readSecretUse(env)]);
      return secrets
        .filter((s) => matchesSearch(s, query.search))
        .map((s) => secretViewOf(s, use))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    get: view,

    async create(env: ConnectedEnvironment, input: NewDockerSecret, actor: Actor, ip: string | null): Promise<DockerSecretView> {
      let labels: Record<string, string>;
      try {
        labels = checkLabels(input.labels);
      } catch (error) {
        input.data.fill(0);
        throw error;
      }
      const id = await createSecretIn(env, { ...input, labels });
      // Audited as soon as Docker has it: the read after may fail, the secret exists.
      await audit.record({ actor, action: "secret.create", target: secretTarget({ id, name: input.name }), outcome: "success", ip, env: env.auditEnv });
      return secretViewOf(await inspectSecret(env, id), { services: [], tasks: [], hostnames: new Map() });
    },

    /**
     * Labels only, at the version the caller read (Docker's version index): Docker
     * refuses another name with its own words, and a stale version as out of sequence.
     * The spec is sent back as Docker gave it, with the labels replaced.
     */
    async update(env: ConnectedEnvironment, ref: string, version: number, change: DockerSecretChange, actor: Actor, ip: string | null): Promise<DockerSecretView> {
      const labels = checkLabels(change.labels);
      const current = await inspectSecret(env, ref);
      const spec = { ...current.Spec, Labels: labels, ...(change.name !== undefined ? { Name: change.name } : {}) };
      await env.call((d) => d.getSecret(current.ID).update({ _query: { version }, _body: spec }));
      await audit.record({ actor, action: "secret.update", target: secretTarget({ id: current.ID, name: current.Spec.Name }), outcome: "success", ip, env: env.auditEnv });
      return view(env, current.ID);
    },

    /** Docker refuses while a service references the secret, in its own words. */
    async remove(env: ConnectedEnvironment, ref: string, actor: Actor, ip: string | null): Promise<{ id: string; name: string }> {
      const secret = await inspectSecret(env, ref);
      await env.call((d) => d.getSecret(secret.ID).remove());
      const removed = { id: secret.ID, name: secret.Spec.Name };
      await audit.record({ actor, action: "secret.remove", target: secretTarget(removed), outcome: "success", ip, env: env.auditEnv });
      return removed;
    },
  };
}

export type DockerSecretService = ReturnType<typeof createDockerSecretService>;
