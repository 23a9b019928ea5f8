import { ROOT_RECONCILIATION_INTERVAL_MS, ROTATE_BATCH_SIZE, type NodeRecord } from "@rampart/core";
import type { AssignmentService } from "../assignments/index.js";
import type { ManagerDeps } from "../deps.js";
import type { NodeService } from "../nodes/index.js";
import type { ClusterService } from "./index.js";

/** How often pending joins are sent to the external CA again (`defaultReconciliationRetryInterval`). */
export const SIGNING_RETRY_MS = 10_000;

/** Where a node stands in a rotation, for the progress view. */
export type RotationNodeState = "rotated" | "pending" | "unreachable";

/**
 * The root rotation reconciler (SwarmKit's `rootRotationReconciler`, swarm-semantics.md
 * §4.8). While a rotation is under way it asks the nodes whose certificate does not yet
 * come from the new root to renew at once, at most 30 at a time, and finishes the
 * rotation when none is left: the trust root changes and both join tokens are made
 * again. Nodes hear both through their assignment long poll, so nobody waits for a
 * heartbeat.
 *
 * One departure from Swarm, recorded in ADR 0021: Swarm looks again every 3 s; here the
 * next batch also goes as soon as the last one has converged (a node presenting its new
 * certificate wakes the loop), so a rotation is bounded by how fast nodes renew, with
 * the same limit of 30 renewals asked for at once.
 */
export function createRotationReconciler(deps: ManagerDeps, cluster: ClusterService, nodes: NodeService, assignments: AssignmentService) {
  let timer: NodeJS.Timeout | undefined;
  let signingTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  /** What the server does to renew its own node's certificate (it never polls for a request). */
  let renewLocal: () => Promise<void> = async () => undefined;

  const converged = (n: NodeRecord, wanted: string) => n.tlsInfo?.issuerKeyId === wanted;

  async function pass(): Promise<void> {
    const { record, ca } = cluster.current();
    const rotation = record.rootRotation;
    if (!rotation) return;
    const all = nodes.records();
    const left = all.filter((n) => !converged(n, ca.wantedIssuerKeyId));
    if (left.length === 0) {
      if (await cluster.finishRotation({ caCert: rotation.caCert })) {
        deps.log.info({ nodes: all.length }, "completed root rotation");
        // Every node hears of the new trust root; the server's own listener takes it too.
        assignments.notify("all");
        await renewLocal();
      }
      return;
    }
    const self = left.find((n) => n.isLeader);
    if (self && self.certStatus.state !== "rotate") await renewLocal();
    const ask = left.filter((n) => !n.isLeader && !["renew", "pending", "rotate"].includes(n.certStatus.state)).slice(0, ROTATE_BATCH_SIZE);
    // Only a free slot in the batch is filled: nodes asked and not yet renewed count against it.
    const inFlight = left.filter((n) => n.certStatus.state === "rotate").length;
    const room = Math.max(0, ROTATE_BATCH_SIZE - inFlight);
    const marked = await nodes.markRotate(ask.slice(0, room).map((n) => n.id));
    if (marked.length > 0) assignments.notify(new Set(marked));
  }

  /** Runs a pass now, or right after the one under way. */
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((error: unknown) => deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, "root rotation pass failed"))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  return {
    start(): void {
      stopped = false;
      // A node presenting a new certificate may have been the last of its batch, or of all.
      nodes.onTlsChange(() => {
        if (cluster.current().record.rootRotation) kick();
      });
      timer = setInterval(kick, ROOT_RECONCILIATION_INTERVAL_MS);
      timer.unref();
      signingTimer = setInterval(() => {
        nodes.retryPending().catch((error: unknown) => deps.log.warn({ error: error instanceof Error ? error.message : String(error) }, "signing retry failed"));
      }, SIGNING_RETRY_MS);
      signingTimer.unref();
      kick();
    },

    /** After a CA change: a new rotation starts at once. */
    kick,

    /** The server's own node renews through this (it has no poll to hear a request on). */
    onRenewLocal(renew: () => Promise<void>): void {
      renewLocal = renew;
    },

    /** Waits for the pass under way (tests). */
    async settled(): Promise<void> {
      while (running) await running;
    },

    stop(): void {
      stopped = true;
      clearInterval(timer);
      clearInterval(signingTimer);
    },

    /** Each node's place in the rotation under way; an empty map with none. */
    progress(now = deps.now()): Map<string, { state: RotationNodeState; reason: string | null }> {
      const { record, ca } = cluster.current();
      const out = new Map<string, { state: RotationNodeState; reason: string | null }>();
      if (!record.rootRotation) return out;
      const views = new Map(nodes.listSync(now).map((v) => [v.id, v]));
      for (const n of nodes.records()) {
        if (converged(n, ca.wantedIssuerKeyId)) out.set(n.id, { state: "rotated", reason: null });
        else if (views.get(n.id)?.state === "down") out.set(n.id, { state: "unreachable", reason: "the node is down: it renews when it comes back, or remove it to stop waiting for it" });
        else if (n.certStatus.state === "pending" || n.certStatus.state === "failed") out.set(n.id, { state: "pending", reason: n.certStatus.reason });
        else out.set(n.id, { state: "pending", reason: n.certStatus.state === "rotate" ? "asked to renew" : "waiting for its turn (30 at a time)" });
      }
      return out;
    },
  };
}

export type RotationReconciler = ReturnType<typeof createRotationReconciler>;
