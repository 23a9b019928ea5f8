import {
  FAILED_LOGIN_LOOKBACK_MS,
  WARNING_PRODUCERS,
  collectWarnings,
  SECURITY_AUDIT_ACTIONS,
  TASK_STATES,
  postureCounts,
  type AuditEvent,
  type FailedLogin,
  type NodeRole,
  type PostureCheck,
  type PostureCounts,
  type PostureSnapshot,
  type TaskState,
  type Warning,
  type WarningProducer,
} from "@rampart/core";
import { listServices, listTasksForScheduling } from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import type { NodeService } from "../nodes/index.js";
import type { SecretService } from "../secrets/index.js";

export interface OverviewSummary {
  generatedAt: Date;
  counts: PostureCounts;
  warnings: Warning[];
  checks: PostureCheck[];
}

const ALL_TASK_STATES = Object.keys(TASK_STATES) as TaskState[];

/** Audit rows read per page when looking back through the log. */
const AUDIT_PAGE = 500;
/** At most this many rows are read for one answer, however busy the log. */
const AUDIT_SCAN_MAX = 5_000;

/**
 * The Overview: one snapshot of the store (nodes, services, tasks, secrets, join token
 * rotations, failed sign-ins, the swarm's settings) read per request and handed to
 * core's warning producers. Of the audit log, every caller's summary reads only when each
 * join token was last rotated; failed sign-ins are read only for a caller allowed to read it.
 */
export function createOverviewService(
  deps: ManagerDeps,
  parts: { audit: AuditService; nodes: NodeService; secrets: SecretService },
  producers: readonly WarningProducer[] = WARNING_PRODUCERS,
) {
  const db = deps.store.prisma;
  const { audit, nodes, secrets } = parts;

  /** Newest first, page by page, until `keep` says stop (or takes its last) or the scan limit is reached. */
  async function scanAudit(query: Omit<Parameters<AuditService["list"]>[0], "before" | "limit">, keep: (event: AuditEvent) => "take" | "last" | "skip" | "stop"): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    let before: bigint | undefined;
    for (let read = 0; read < AUDIT_SCAN_MAX; read += AUDIT_PAGE) {
      const page = await audit.list({ ...query, before, limit: AUDIT_PAGE });
      for (const event of page) {
        const verdict = keep(event);
        if (verdict === "stop") return out;
        if (verdict === "take" || verdict === "last") out.push(event);
        if (verdict === "last") return out;
      }
      if (page.length < AUDIT_PAGE) break;
      before = BigInt(page.at(-1)!.id);
    }
    return out;
  }

  async function lastRotation(role: NodeRole): Promise<Date | null> {
    const [event] = await scanAudit({ action: "token.rotate", outcome: "success", search: role }, (e) =>
      e.targetType === "jointoken" && e.targetName === role ? "last" : "skip",
    );
    return event?.at ?? null;
  }

  async function failedLogins(now: Date): Promise<FailedLogin[]> {
    const since = now.getTime() - FAILED_LOGIN_LOOKBACK_MS;
    const events = await scanAudit({ action: "auth.login", outcome: "failure" }, (e) => (e.at.getTime() < since ? "stop" : "take"));
    return events.map((e) => ({ at: e.at, address: e.ip, account: e.targetName }));
  }

  async function snapshot(options: { audit: boolean }): Promise<PostureSnapshot> {
    const now = deps.now();
    const servicesRead = listServices(db);
    const [nodeViews, info, services, tasks, secretViews, manager, worker, failures] = await Promise.all([
      nodes.list(),
      nodes.swarmInfo(),
      servicesRead,
      // Every task in one packed read, without the specs the services already hold: ten thousand rows as separate rows would dominate the answer.
      servicesRead.then((list) => listTasksForScheduling(db, ALL_TASK_STATES, list.map((s) => s.id))),
      secrets.list(),
      lastRotation("manager"),
      lastRotation("worker"),
      options.audit ? failedLogins(now) : Promise.resolve(null),
    ]);
    return {
      cluster: { createdAt: info.createdAt, autolock: info.autolock },
      nodes: nodeViews.map((n) => ({
        id: n.id,
        hostname: n.hostname,
        role: n.role,
        availability: n.availability,
        state: n.state,
        lastHeartbeatAt: n.lastHeartbeatAt,
        certificateNotAfter: n.tls.notAfter,
        labels: n.labels,
        engineLabels: n.engineLabels,
      })),
      services: services.map((s) => ({
        id: s.id,
        name: s.name,
        mode: s.spec.mode,
        replicas: s.spec.mode === "replicated" ? s.spec.replicas : null,
        constraints: s.spec.constraints,
        secrets: s.spec.secrets?.length ?? 0,
      })),
      tasks: tasks.map((t) => ({
        id: t.id,
        serviceId: t.serviceId,
        slot: t.slot,
        nodeId: t.nodeId,
        state: t.state,
        desiredState: t.desiredState,
        err: t.err,
        message: t.message,
        createdAt: t.createdAt,
        updatedAt: t.updatedAt,
      })),
      secrets: secretViews.map((s) => ({ id: s.id, name: s.name, createdAt: s.createdAt, services: s.services.map(({ id, name }) => ({ id, name })) })),
      tokenRotations: { manager, worker },
      failedLogins: failures,
    };
  }

  return {
    snapshot,

    /** Counts and warnings as of now; `audit` says whether the caller may read the audit log. */
    async summary(options: { audit: boolean }): Promise<OverviewSummary> {
      const taken = await snapshot(options);
      const now = deps.now();
      return { generatedAt: now, counts: postureCounts(taken), ...collectWarnings(producers, taken, now) };
    },

    /** The newest security-relevant audit events (SECURITY_AUDIT_ACTIONS), newest first. */
    async securityEvents(limit: number): Promise<AuditEvent[]> {
      // Filtered by the store, so a log full of what-ifs and deliveries cannot crowd them out.
      return audit.list({ actions: SECURITY_AUDIT_ACTIONS, limit });
    },
  };
}

export type OverviewService = ReturnType<typeof createOverviewService>;
