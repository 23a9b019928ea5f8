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
import { createAuditThrottle, type AuditService } from "../audit/index.js";
import { batched } from "../batch.js";
import type { ManagerDeps } from "../deps.js";

/**
 * Secrets reaching nodes (swarm-semantics.md §6, "Distribution"): a node may fetch a
 * secret only while one of its tasks, ASSIGNED to RUNNING, was made with it. The first
 * fetch by a node is audited as a delivery; when no task of the node references the
 * secret any more, the holding is dropped and audited as a withdrawal. Refusals are
 * audited too (at most once a minute per node and secret, so a loop cannot flood the log).
 */
export interface DeliveredSecret {
  id: string;
  name: string;
  /** The payload, base64. */
  data: string;
}

const REFUSAL_AUDIT_INTERVAL_MS = 60_000;

export function createDeliveryService(deps: ManagerDeps, audit: AuditService) {
  const db = deps.store.prisma;
  const shouldAuditRefusal = createAuditThrottle(deps.now, REFUSAL_AUDIT_INTERVAL_MS);
  const system = { type: "system" as const, id: null, name: "rampart" };
  const node = (nodeId: string) => ({ type: "node", id: nodeId, name: nodeId });
  /** Per node, the secrets its last answered task set needed. */
  const lastNeeded = new Map<string, ReadonlySet<string>>();
  // A secret granted to a service reaches all its nodes at once: their fetches are
  // authorised and read in one statement, and recorded (with audit) in another.
  const reads = batched((requests: SecretRequest[]) => readSealedSecretsForNodes(db, requests));
  const records = batched((deliveries: Array<SecretRequest & { event: AuditEventInput }>) => recordSecretDeliveries(db, deliveries, deps.now()));

  return {
    /** A node asks for a secret's value. */
    async fetch(nodeId: string, secretId: string, ip: string | null): Promise<DeliveredSecret> {
      const sealed = await reads.add({ nodeId, secretId });
      if (!sealed) {
        if (shouldAuditRefusal(`${nodeId}:${secretId}`)) {
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
