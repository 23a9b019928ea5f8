import { createPrivateKey, timingSafeEqual, type KeyObject } from "node:crypto";
import {
  DEFAULT_CERT_EXPIRY_MS,
  DEFAULT_HEARTBEAT_PERIOD_MS,
  JOIN_SECRET_BYTES,
  RampartError,
  SYSTEM_ACTOR,
  checkCertExpiry,
  checkHeartbeatPeriod,
  checkRuntimePolicy,
  checkTaskHistoryLimit,
  formatJoinToken,
  newId,
  type Actor,
  type ClusterRecord,
  type NodeRole,
  type RuntimePolicy,
} from "@rampart/core";
import { clusterSecretContext, createCluster, getCluster, getClusterSecrets, updateCluster } from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import { batched } from "../batch.js";
import { createCertificateAuthority, createRootCa, type CertificateAuthority } from "../ca/index.js";
import type { ManagerDeps } from "../deps.js";

export interface ClusterState {
  record: ClusterRecord;
  ca: CertificateAuthority;
}

export interface JoinTokens {
  worker: string;
  manager: string;
}

/**
 * The swarm itself: created on the first start (`swarm init`), then its settings,
 * trust root and join tokens. The root key is opened into memory here and nowhere else;
 * the join tokens are read from the store and opened for each use, never kept, so a
 * rotation through any process is in force everywhere at once. The store only ever holds
 * them sealed.
 */
export function createClusterService(deps: ManagerDeps, audit: AuditService, onChange: (record: ClusterRecord) => void = () => undefined) {
  const db = deps.store.prisma;
  let state: ClusterState | undefined;

  function loaded() {
    if (!state) throw new RampartError("unavailable", "the swarm is not initialised yet");
    return state;
  }

  function openRoot(record: ClusterRecord, sealed: { rootCaKey: Uint8Array }): ClusterState {
    const keyDer = deps.codec.open(clusterSecretContext(record.id, "root_ca_key"), sealed.rootCaKey);
    const key: KeyObject = createPrivateKey({ key: keyDer, format: "der", type: "pkcs8" });
    keyDer.fill(0);
    return { record, ca: createCertificateAuthority(record.rootCaCert, key) };
  }

  /** The join tokens as the store holds them now. Joins that arrive together share one read. */
  const tokenReads = batched(async (items: null[]) => {
    const { record } = loaded();
    const sealed = await getClusterSecrets(db, record.id);
    const tokens: JoinTokens = {
      worker: deps.codec.openText(clusterSecretContext(record.id, "worker_token"), sealed.workerToken),
      manager: deps.codec.openText(clusterSecretContext(record.id, "manager_token"), sealed.managerToken),
    };
    return items.map(() => tokens);
  });

  const newToken = (ca: CertificateAuthority) => formatJoinToken(ca.rootDigestHex, deps.random(JOIN_SECRET_BYTES));

  return {
    /** Loads the swarm, creating it on the first start. Returns whether it was created. */
    async init(): Promise<{ created: boolean; record: ClusterRecord }> {
      const existing = await getCluster(db);
      if (existing) {
        state = openRoot(existing, await getClusterSecrets(db, existing.id));
        return { created: false, record: existing };
      }
      const now = deps.now();
      const id = newId(deps.random(17));
      const root = createRootCa(now);
      const ca = createCertificateAuthority(root.certPem, root.key);
      const tokens = { worker: newToken(ca), manager: newToken(ca) };
      const keyDer = root.key.export({ format: "der", type: "pkcs8" });
      const record = await deps.store.transaction(async (tx) => {
        const created = await createCluster(tx, {
          id,
          certExpiryMs: DEFAULT_CERT_EXPIRY_MS,
          heartbeatPeriodMs: DEFAULT_HEARTBEAT_PERIOD_MS,
          rootCaCert: root.certPem,
          rootCaKey: deps.codec.seal(clusterSecretContext(id, "root_ca_key"), keyDer),
          workerToken: deps.codec.sealText(clusterSecretContext(id, "worker_token"), tokens.worker),
          managerToken: deps.codec.sealText(clusterSecretContext(id, "manager_token"), tokens.manager),
          at: now,
        });
        await audit.record({ actor: SYSTEM_ACTOR, action: "cluster.init", target: { type: "cluster", id }, outcome: "success" }, tx);
        return created;
      });
      keyDer.fill(0);
      state = { record, ca };
      return { created: true, record };
    },

    current: (): ClusterState => loaded(),

    /** The role a presented join token grants, compared in constant time with the store's; null if neither. */
    async roleForToken(token: string): Promise<NodeRole | null> {
      const tokens = await tokenReads.add(null);
      const presented = Buffer.from(token);
      const same = (stored: string) => {
        const expected = Buffer.from(stored);
        return presented.length === expected.length && timingSafeEqual(presented, expected);
      };
      const manager = same(tokens.manager);
      const worker = same(tokens.worker);
      return manager ? "manager" : worker ? "worker" : null;
    },

    /** The one path that returns a token: audited, never logged. */
    async revealToken(role: NodeRole, actor: Actor, ip: string | null): Promise<string> {
      const tokens = await tokenReads.add(null);
      await audit.record({ actor, action: "token.reveal", target: { type: "jointoken", name: role }, outcome: "success", ip });
      return tokens[role];
    },

    /** A new secret, same digest; the old token is refused from this moment. */
    async rotateToken(role: NodeRole, actor: Actor, ip: string | null): Promise<string> {
      const s = loaded();
      const token = newToken(s.ca);
      const field = role === "manager" ? "manager_token" : "worker_token";
      const sealed = deps.codec.sealText(clusterSecretContext(s.record.id, field), token);
      const record = await deps.store.transaction(async (tx) => {
        // The version as the store has it: another process may have changed the swarm.
        const current = await getCluster(tx);
        const updated = await updateCluster(
          tx,
          s.record.id,
          current?.version ?? s.record.version,
          role === "manager" ? { managerToken: sealed } : { workerToken: sealed },
          deps.now(),
        );
        if (!updated) throw new RampartError("conflict", "the swarm was changed at the same time; try again");
        // The new token is returned to the caller, so this is a reveal as well.
        await audit.recordMany(
          [
            { actor, action: "token.rotate", target: { type: "jointoken", name: role }, outcome: "success", ip },
            { actor, action: "token.reveal", target: { type: "jointoken", name: role }, outcome: "success", ip },
          ],
          tx,
        );
        return updated;
      });
      s.record = record;
      return token;
    },

    async update(
      input: { version: number; certExpiryMs?: number | undefined; heartbeatPeriodMs?: number | undefined; taskHistoryLimit?: number | undefined },
      actor: Actor,
      ip: string | null,
    ): Promise<ClusterRecord> {
      const s = loaded();
      if (input.certExpiryMs !== undefined) checkCertExpiry(input.certExpiryMs);
      if (input.heartbeatPeriodMs !== undefined) checkHeartbeatPeriod(input.heartbeatPeriodMs);
      if (input.taskHistoryLimit !== undefined) checkTaskHistoryLimit(input.taskHistoryLimit);
      if (input.version !== s.record.version) {
        throw new RampartError("conflict", `the swarm settings changed since version ${input.version}; reload and try again`, {
          field: "version",
        });
      }
      const record = await deps.store.transaction(async (tx) => {
        const updated = await updateCluster(
          tx,
          s.record.id,
          input.version,
          {
            ...(input.certExpiryMs !== undefined ? { certExpiryMs: input.certExpiryMs } : {}),
            ...(input.heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: input.heartbeatPeriodMs } : {}),
            ...(input.taskHistoryLimit !== undefined ? { taskHistoryLimit: input.taskHistoryLimit } : {}),
          },
          deps.now(),
        );
        if (!updated) throw new RampartError("conflict", "the swarm settings changed at the same time; reload and try again", { field: "version" });
        await audit.record({ actor, action: "cluster.update", target: { type: "cluster", id: s.record.id }, outcome: "success", ip }, tx);
        return updated;
      });
      s.record = record;
      onChange(record);
      return record;
    },

    /**
     * The runtime policy: which host paths services may mount, and whether they may use
     * the host's network or run privileged (ADR 0019). Audited with what it now allows;
     * paths are not secret, and an auditor needs to see what was opened.
     */
    async setRuntimePolicy(input: { version: number; policy: RuntimePolicy }, actor: Actor, ip: string | null): Promise<ClusterRecord> {
      const s = loaded();
      const policy = checkRuntimePolicy(input.policy);
      if (input.version !== s.record.version) {
        throw new RampartError("conflict", `the swarm settings changed since version ${input.version}; reload and try again`, {
          field: "version",
        });
      }
      const record = await deps.store.transaction(async (tx) => {
        const updated = await updateCluster(tx, s.record.id, input.version, { runtimePolicy: policy }, deps.now());
        if (!updated) throw new RampartError("conflict", "the swarm settings changed at the same time; reload and try again", { field: "version" });
        await audit.record(
          { actor, action: "runtime.policy", target: { type: "cluster", id: s.record.id }, outcome: "success", reason: describePolicy(policy), ip },
          tx,
        );
        return updated;
      });
      s.record = record;
      onChange(record);
      return record;
    },
  };
}

/** The policy in a line, for its audit event: `host paths: /srv/data; host network: no; privileged: no`. */
export function describePolicy(policy: RuntimePolicy): string {
  const yes = (on: boolean) => (on ? "allowed" : "refused");
  const paths = policy.allowedHostPaths.length > 0 ? policy.allowedHostPaths.join(", ") : "none";
  return `host paths: ${paths}; host network: ${yes(policy.allowHostNetwork)}; privileged: ${yes(policy.allowPrivileged)}`.slice(0, 1000);
}

export type ClusterService = ReturnType<typeof createClusterService>;
