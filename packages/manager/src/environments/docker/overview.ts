import {
  collectWarnings,
  postureCounts,
  WARNING_PRODUCERS,
  type PostureService,
  type PostureSnapshot,
  type PostureTask,
  type ServiceMode,
  type WarningProducer,
} from "@rampart/core";
import type { AuditService } from "../../audit/index.js";
import type { OverviewSummary } from "../../overview/index.js";
import type { ConnectedEnvironment } from "../index.js";
import { dockerNodes } from "./nodes.js";
import type { DockerSecretService } from "./secrets.js";
import { taskStateOf } from "./snapshot.js";
import { dockerSwarm } from "./swarm.js";

/**
 * A connected swarm's Overview (ADR 0020): core's counts and warning producers, fed with
 * what Docker reports. Only the producers whose facts Docker gives run: a node's
 * certificate expiry, when a join token was last rotated and Rampart's own sign-ins are
 * not a swarm's to report, so those checks are left out rather than passed.
 */
const ON_DOCKER = new Set(["nodes.down", "tasks.pending", "tasks.failing", "constraints.self-reported", "secrets.not-rotated"]);

/** Autolock on a Docker Swarm guards the managers' Raft keys, not Rampart's store: its own words. */
const swarmAutolockOff: WarningProducer = {
  kind: "cluster.autolock-off",
  checks: "whether autolock protects the managers' Raft keys",
  listHref: "/settings/swarm",
  more: (n) => `${n} more autolock warnings`,
  produce(snapshot) {
    if (snapshot.cluster.autolock) return [];
    return [
      {
        id: "cluster.autolock-off",
        kind: "cluster.autolock-off",
        severity: snapshot.secrets.length > 0 ? "warning" : "info",
        title: "Autolock is off",
        detail:
          "Each manager keeps the key that encrypts the swarm's Raft log, and with it every secret's value, unencrypted on its disk: a copy of a manager's swarm directory opens them. " +
          "Turn it on with docker swarm update --autolock=true, and keep the unlock key somewhere else.",
        href: "/settings/swarm",
        action: "Open the swarm settings",
        subject: { type: "cluster", id: null, name: "swarm" },
      },
    ];
  },
};

const PRODUCERS = [...WARNING_PRODUCERS.filter((p) => ON_DOCKER.has(p.kind)), swarmAutolockOff];

type Loose = Record<string, unknown> | undefined;
const record = (value: unknown): Loose => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);
const date = (value: unknown): Date => {
  const at = typeof value === "string" ? new Date(value) : new Date(0);
  return Number.isNaN(at.getTime()) ? new Date(0) : at;
};

/** A Docker service as the producers read it: its mode, replicas, constraints and how many secrets it names. */
export function postureServiceOf(service: unknown): PostureService | null {
  const s = record(service);
  const spec = record(s?.Spec);
  const id = text(s?.ID);
  if (!id || !spec) return null;
  const mode = record(spec.Mode);
  const template = record(spec.TaskTemplate);
  const replicas = record(mode?.Replicated)?.Replicas;
  const global: ServiceMode = "global";
  const constraints = record(template?.Placement)?.Constraints;
  const secrets = record(template?.ContainerSpec)?.Secrets;
  return {
    id,
    name: text(spec.Name) ?? id,
    mode: mode && "Global" in mode ? global : "replicated",
    replicas: mode && "Global" in mode ? null : typeof replicas === "number" ? replicas : 1,
    constraints: Array.isArray(constraints) ? constraints.filter((c): c is string => typeof c === "string") : [],
    secrets: Array.isArray(secrets) ? secrets.length : 0,
  };
}

/** A Docker task as the producers read it, with Docker's own error and message. */
export function postureTaskOf(task: unknown): PostureTask | null {
  const t = record(task);
  const status = record(t?.Status);
  const id = text(t?.ID);
  const serviceId = text(t?.ServiceID);
  if (!id || !serviceId || !status) return null;
  return {
    id,
    serviceId,
    slot: typeof t?.Slot === "number" ? t.Slot : null,
    nodeId: text(t?.NodeID),
    state: taskStateOf(String(status.State ?? "")),
    desiredState: taskStateOf(String(t?.DesiredState ?? "")),
    err: text(status.Err),
    message: text(status.Message),
    createdAt: date(t?.CreatedAt),
    updatedAt: date(t?.UpdatedAt),
  };
}

export async function dockerOverview(env: ConnectedEnvironment, audit: AuditService, secrets: DockerSecretService, now: Date): Promise<OverviewSummary> {
  const [info, nodes, secretList, [services, tasks]] = await Promise.all([
    dockerSwarm(env, audit).info(),
    dockerNodes(env, audit).list(),
    secrets.list(env),
    env.call((d) => Promise.all([d.listServices(), d.listTasks()])),
  ]);
  const snapshot: PostureSnapshot = {
    cluster: { createdAt: info.createdAt, autolock: info.autolock },
    nodes: nodes.map((n) => ({
      id: n.id,
      hostname: n.hostname,
      role: n.role,
      availability: n.availability,
      state: n.state,
      lastHeartbeatAt: null,
      certificateNotAfter: null,
      labels: n.labels,
      engineLabels: n.engineLabels,
    })),
    services: (services as unknown[]).map(postureServiceOf).filter((s) => s !== null),
    tasks: (tasks as unknown[]).map(postureTaskOf).filter((t) => t !== null),
    secrets: secretList.map((s) => ({ id: s.id, name: s.name, createdAt: s.createdAt, services: s.services.map((u) => ({ id: u.id, name: u.name })) })),
    tokenRotations: { worker: null, manager: null },
    failedLogins: null,
  };
  return { generatedAt: now, counts: postureCounts(snapshot), ...collectWarnings(PRODUCERS, snapshot, now) };
}
