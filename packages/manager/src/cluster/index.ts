import { createHash, createPrivateKey, timingSafeEqual, type KeyObject } from "node:crypto";
import {
  DEFAULT_CERT_EXPIRY_MS,
  normalizePems,
  validateCaConfig,
  type CaChangePorts,
  type ExternalCa,
  type RootCaState,
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
import { createRootCa, verifyCsr, type IssuedCertificate } from "../ca/index.js";
import { externalCrossSign, type ExternalCaTls } from "../ca/external.js";
import { checkRoot, createRootPem, crossSign, externalCaReachable, readPrivateKey } from "../ca/roots.js";
import type { ManagerDeps } from "../deps.js";
import { nodeSignerOf, signNode, type NodeSigner } from "./signer.js";

export interface ClusterState {
  record: ClusterRecord;
  /** The trust root and who signs node certificates now. */
  ca: NodeSigner;
  /** Whether this swarm holds the root's key, and the rotation's (null with no rotation); false: an external CA signs. */
  keysHeld: { root: boolean; rotation: boolean | null };
}

/** `swarm ca --rotate` and `swarm update --external-ca`, as the API takes them. Empty strings: not given. */
export interface CaChange {
  version: number;
  signingCaCert: string;
  signingCaKey: string;
  /** Adds one to ForceRotate: a new root is made when no certificate is given. */
  forceRotate: boolean;
  /** Replaces the external CAs; undefined keeps them. */
  externalCas?: ExternalCa[] | undefined;
  certExpiryMs?: number | undefined;
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

  /** This manager's own node certificate and key, for talking to external CAs (set once the server has them). */
  let clientIdentity: { cert: string; key: string } | undefined;

  function openKey(record: ClusterRecord, column: "root_ca_key" | "root_rotation_key", sealed: Uint8Array | null): KeyObject | null {
    if (!sealed) return null;
    const keyDer = deps.codec.open(clusterSecretContext(record.id, column), sealed);
    const key: KeyObject = createPrivateKey({ key: keyDer, format: "der", type: "pkcs8" });
    keyDer.fill(0);
    return key;
  }

  function openRoot(record: ClusterRecord, sealed: { rootCaKey: Uint8Array | null; rootRotationKey: Uint8Array | null }): ClusterState {
    const keys = { rootKey: openKey(record, "root_ca_key", sealed.rootCaKey), rotationKey: openKey(record, "root_rotation_key", sealed.rootRotationKey) };
    return { record, ca: nodeSignerOf(record, keys), keysHeld: { root: keys.rootKey !== null, rotation: record.rootRotation ? keys.rotationKey !== null : null } };
  }

  /** Opens the root and rotation keys again for `record`: a CA change or a finished rotation. */
  async function reload(record: ClusterRecord): Promise<ClusterState> {
    state = openRoot(record, await getClusterSecrets(db, record.id));
    onChange(record);
    return state;
  }

  const externalTls = (ca: string[]): ExternalCaTls => ({ ca, ...(clientIdentity ?? {}) });

  /** The checks `validateCaConfig` needs, with this manager's keys and node certificate. */
  const ports = (s: ClusterState): CaChangePorts => ({
    checkRoot: (cert, signingCert, key) => checkRoot(cert, signingCert, key, deps.now()),
    reachable: (url, wanted) => externalCaReachable(url, wanted, clientIdentity),
    // Cross-signed by an external CA, a new root named exactly as the current one comes back
    // without an authority key ID (Go leaves it out when issuer and subject names match), and
    // OpenSSL then takes it for self-signed: such a root gets an OU of its own (ADR 0021).
    createRoot: () => createRootPem(deps.now(), s.keysHeld.root ? undefined : `rotation ${s.record.forceRotate + 1}`),
    crossSign,
    crossSignExternal: (urls, current, next) => externalCrossSign(urls, next, externalTls([current, s.ca.rootPem])),
  });

  const pemOf = (key: KeyObject | null) => (key ? key.export({ type: "pkcs8", format: "pem" }).toString() : null);
  const derOf = (pem: string) => new Uint8Array(readPrivateKey(pem).export({ type: "pkcs8", format: "der" }));

  /** RootCA as `validateCaConfig` reads it, keys as PKCS#8 PEM. */
  async function rootCaState(record: ClusterRecord): Promise<RootCaState> {
    const sealed = await getClusterSecrets(db, record.id);
    const rootKey = pemOf(openKey(record, "root_ca_key", sealed.rootCaKey));
    const rotationKey = pemOf(openKey(record, "root_rotation_key", sealed.rootRotationKey));
    return {
      caCert: record.rootCaCert,
      caKey: rootKey,
      lastForcedRotation: record.lastForcedRotation,
      rotation: record.rootRotation ? { caCert: record.rootRotation.caCert, caKey: rotationKey, crossSignedCaCert: record.rootRotation.crossSignedCaCert } : null,
    };
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

  const newToken = (rootDigestHex: string) => formatJoinToken(rootDigestHex, deps.random(JOIN_SECRET_BYTES));

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
      const digest = createHash("sha256").update(root.certPem).digest("hex");
      const tokens = { worker: newToken(digest), manager: newToken(digest) };
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
      state = { record, ca: nodeSignerOf(record, { rootKey: root.key, rotationKey: null }), keysHeld: { root: true, rotation: null } };
      return { created: true, record };
    },

    current: (): ClusterState => loaded(),

    /** This manager's node certificate and key: what it presents to external CAs. */
    useClientIdentity(identity: { cert: string; key: string }): void {
      clientIdentity = identity;
    },

    /** Signs a node's CSR as the CA is set up now (see signer.ts). */
    signNode(input: { csrPem: string; nodeId: string; role: NodeRole; now: Date }): Promise<IssuedCertificate> {
      const s = loaded();
      const tls = externalTls(s.record.rootRotation ? [s.ca.rootPem, s.record.rootRotation.caCert] : [s.ca.rootPem]);
      return signNode(s.ca, { ...input, csr: verifyCsr(input.csrPem), clusterId: s.record.id, expiryMs: s.record.certExpiryMs }, tls);
    },

    /**
     * `swarm ca --rotate` and `swarm update --external-ca/--cert-expiry`: the CA
     * configuration changes as `validateCaConfig` decides, then is stored (keys sealed)
     * and audited. A rotation started here is driven to its end by the rotation
     * reconciler; one replaced or stopped here simply changes what it waits for.
     */
    async changeCa(input: CaChange, actor: Actor, ip: string | null): Promise<ClusterRecord> {
      const s = loaded();
      if (input.version !== s.record.version) {
        throw new RampartError("conflict", `the swarm settings changed since version ${input.version}; reload and try again`, { field: "version" });
      }
      if (input.certExpiryMs !== undefined) checkCertExpiry(input.certExpiryMs);
      // A key in any PEM form is compared and stored as PKCS#8, so the same key is the same bytes.
      const signingCaKey = input.signingCaKey.length > 0 ? readPrivateKey(input.signingCaKey).export({ type: "pkcs8", format: "pem" }).toString() : "";
      const forceRotate = input.forceRotate ? s.record.forceRotate + 1 : s.record.forceRotate;
      const externalCas = input.externalCas ?? s.record.externalCas;
      const before = await rootCaState(s.record);
      const after = await validateCaConfig(before, { signingCaCert: input.signingCaCert, signingCaKey, forceRotate, externalCas }, ports(s), deps.now());
      const now = deps.now();
      const rotationChanged = after.rotation?.caCert !== before.rotation?.caCert || after.rotation?.caKey !== before.rotation?.caKey;
      const rootChanged = normalizePems(after.caCert) !== normalizePems(before.caCert) || after.caKey !== before.caKey;
      const record = await deps.store.transaction(async (tx) => {
        const updated = await updateCluster(
          tx,
          s.record.id,
          input.version,
          {
            forceRotate,
            lastForcedRotation: after.lastForcedRotation,
            externalCas,
            ...(input.certExpiryMs !== undefined ? { certExpiryMs: input.certExpiryMs } : {}),
            ...(rootChanged ? { rootCaCert: after.caCert, rootCaKey: after.caKey ? deps.codec.seal(clusterSecretContext(s.record.id, "root_ca_key"), derOf(after.caKey)) : null } : {}),
            ...(rotationChanged
              ? {
                  rotation: after.rotation
                    ? {
                        caCert: after.rotation.caCert,
                        caKey: after.rotation.caKey ? deps.codec.seal(clusterSecretContext(s.record.id, "root_rotation_key"), derOf(after.rotation.caKey)) : null,
                        crossSignedCaCert: after.rotation.crossSignedCaCert,
                        startedAt: after.rotation.caCert === before.rotation?.caCert ? (s.record.rootRotation?.startedAt ?? now) : now,
                      }
                    : null,
                }
              : {}),
          },
          now,
        );
        if (!updated) throw new RampartError("conflict", "the swarm settings changed at the same time; reload and try again", { field: "version" });
        const action = after.rotation && after.rotation.caCert !== before.rotation?.caCert ? "ca.rotate" : before.rotation && !after.rotation ? "ca.rotate.stop" : "ca.update";
        const reason =
          action === "ca.rotate"
            ? after.rotation?.caKey
              ? input.signingCaCert
                ? "to a given root"
                : "to a new root"
              : "to an external root"
            : action === "ca.rotate.stop"
              ? "back to the current root"
              : null;
        await audit.record({ actor, action, target: { type: "cluster", id: s.record.id }, outcome: "success", reason, ip }, tx);
        return updated;
      });
      await reload(record);
      return record;
    },

    /**
     * The end of a rotation (`finishRootRotation`): the new root becomes the trust root,
     * with its key, and both join tokens are made again with its digest, so the old ones
     * are refused. `expected` is the rotation the caller saw converge; if the swarm has
     * moved on (another rotation, or none), nothing changes and false is returned.
     */
    async finishRotation(expected: { caCert: string }): Promise<boolean> {
      const current = await getCluster(db);
      if (!current?.rootRotation || current.rootRotation.caCert !== expected.caCert) return false;
      const sealed = await getClusterSecrets(db, current.id);
      const newKey = openKey(current, "root_rotation_key", sealed.rootRotationKey);
      const digest = createHash("sha256").update(current.rootRotation.caCert).digest("hex");
      const tokens = { worker: newToken(digest), manager: newToken(digest) };
      const record = await deps.store.transaction(async (tx) => {
        const updated = await updateCluster(
          tx,
          current.id,
          current.version,
          {
            rootCaCert: current.rootRotation!.caCert,
            rootCaKey: newKey ? deps.codec.seal(clusterSecretContext(current.id, "root_ca_key"), new Uint8Array(newKey.export({ type: "pkcs8", format: "der" }))) : null,
            rotation: null,
            rootRotatedAt: deps.now(),
            workerToken: deps.codec.sealText(clusterSecretContext(current.id, "worker_token"), tokens.worker),
            managerToken: deps.codec.sealText(clusterSecretContext(current.id, "manager_token"), tokens.manager),
          },
          deps.now(),
        );
        if (!updated) return null;
        await audit.recordMany(
          [
            { actor: SYSTEM_ACTOR, action: "ca.rotated", target: { type: "cluster", id: current.id }, outcome: "success", ip: null },
            { actor: SYSTEM_ACTOR, action: "token.rotate", target: { type: "jointoken", name: "worker" }, outcome: "success", reason: "root rotation", ip: null },
            { actor: SYSTEM_ACTOR, action: "token.rotate", target: { type: "jointoken", name: "manager" }, outcome: "success", reason: "root rotation", ip: null },
          ],
          tx,
        );
        return updated;
      });
      if (!record) return false;
      await reload(record);
      return true;
    },

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
      const token = newToken(s.ca.rootDigestHex);
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
