import { RampartError, type AuditEventInput, type SecretReference } from "@rampart/core";
import {
  getSecret,
  listSecretDeliveries,
  readSealedSecretsForNodes,
  recordSecretDeliveries,
  removeSecretDeliveries,
  secretPayloadContext,
  type SecretRequest,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import { batched } from "../batch.js";
import type { ManagerDeps } from "../deps.js";
import { createRefusalLedger, type RefusalSummary } from "./refusals.js";

/**
 * Secrets reaching nodes (swarm-semantics.md §6, "Distribution"): a node may fetch a
 * secret only while one of its tasks, ASSIGNED to RUNNING, was made with it. The first
 * fetch by a node is audited as a delivery; when no task of the node references the
 * secret any more, the holding is dropped and audited as a withdrawal. Refusals are
 * audited too: each of the first few secrets a node is refused in a minute by itself,
 * and every other refusal counted into one summary per node and minute, so a loop cannot
 * flood the log, nor fill a table to have later refusals go unaudited.
 */
export interface DeliveredSecret {
  id: string;
  name: string;
  /** The payload, base64. */
  data: string;
}

const REFUSAL_AUDIT_INTERVAL_MS = 60_000;
/** The distinct secrets a node may be refused in a minute, each audited by itself; the rest are summarised. */
const REFUSALS_AUDITED_ONE_BY_ONE = 64;

export function createDeliveryService(deps: ManagerDeps, audit: AuditService) {
  const db = deps.store.prisma;
  const refusals = createRefusalLedger(deps.now, REFUSAL_AUDIT_INTERVAL_MS, REFUSALS_AUDITED_ONE_BY_ONE);
  const system = { type: "system" as const, id: null, name: "rampart" };
  const node = (nodeId: string) => ({ type: "node", id: nodeId, name: nodeId });
  /** Per node, the secrets its last answered task set needed. */
  const lastNeeded = new Map<string, ReadonlySet<string>>();
  // A secret granted to a service reaches all its nodes at once: their fetches are
  // authorised and read in one statement, and recorded (with audit) in another.
  const reads = batched((requests: SecretRequest[]) => readSealedSecretsForNodes(db, requests));
  const records = batched((deliveries: Array<SecretRequest & { event: AuditEventInput }>) => recordSecretDeliveries(db, deliveries, deps.now()));

  /** Writes refusal summaries; one that cannot be written is kept for the next try. */
  async function summarise(summaries: RefusalSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    try {
      await audit.recordMany(
        summaries.map((s) => ({
          actor: { type: "node" as const, id: s.nodeId, name: s.nodeId },
          action: "secret.refused" as const,
          target: { type: "secret" },
          context: node(s.nodeId),
          outcome: "denied" as const,
          reason: `${s.count} refusals from node ${s.nodeId} since ${s.since.toISOString()}, not audited one by one`,
        })),
      );
    } catch (error) {
      for (const s of summaries) refusals.restore(s);
      throw error;
    }
  }

  return {
    /** A node asks for a secret's value. */
    async fetch(nodeId: string, secretId: string, ip: string | null): Promise<DeliveredSecret> {
      const sealed = await reads.add({ nodeId, secretId });
      if (!sealed) {
        const { individual, closed } = refusals.refuse(nodeId, secretId);
        await summarise(closed);
        if (individual) {
          const secret = await getSecret(db, secretId);
          await audit.record({
            actor: { type: "node", id: nodeId, name: nodeId },
            action: "secret.refused",
            target: { type: "secret", id: secretId, name: secret?.name ?? null },
            context: node(nodeId),
            outcome: "denied",
            reason: "no task of this node references the secret",
            ip,
          });
        }
        throw new RampartError("permission_denied", `no task assigned to this node references secret ${secretId}`);
      }
      const payload = deps.codec.open(secretPayloadContext(secretId), sealed.sealed);
      try {
        const target = { type: "secret", id: secretId, name: sealed.name };
        await records.add({ nodeId, secretId, event: { actor: system, action: "secret.deliver", target, context: node(nodeId), outcome: "success", ip } });
        return { id: secretId, name: sealed.name, data: payload.toString("base64") };
      } finally {
        payload.fill(0);
      }
    },

    /**
     * Writes the summaries of refusal windows that have run their minute (`all`: every
     * window, before the store closes). The server calls this on a timer.
     */
    async flushRefusals(all = false): Promise<void> {
      await summarise(refusals.drain(all));
    },

    /**
     * After a node's task set changed: the secrets it holds that none of its tasks
     * (ASSIGNED to RUNNING) references any more are withdrawn.
     */
    async withdrawUnused(nodeId: string, tasks: ReadonlyArray<{ secrets: readonly SecretReference[] }>): Promise<void> {
      const needed = new Set(tasks.flatMap((t) => t.secrets.map((s) => s.secretId)));
      // The store is read only when a secret may have been dropped since the last answer
      // to this node (or this is the first answer since the manager started).
      const before = lastNeeded.get(nodeId);
      lastNeeded.set(nodeId, needed);
      if (before && [...before].every((id) => needed.has(id))) return;
      const held = await listSecretDeliveries(db, nodeId);
      const unused = held.filter((h) => !needed.has(h.secretId));
      if (unused.length === 0) return;
      const removed = new Set(await removeSecretDeliveries(db, nodeId, unused.map((u) => u.secretId)));
      await audit.recordMany(
        unused
          .filter((u) => removed.has(u.secretId))
          .map((u) => ({
            actor: system,
            action: "secret.withdraw" as const,
            target: { type: "secret", id: u.secretId, name: u.name },
            context: node(nodeId),
            outcome: "success" as const,
          })),
      );
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
