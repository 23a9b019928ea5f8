import { X509Certificate } from "node:crypto";
import {
  JOIN_TOKEN_REFUSED,
  parseCertificate,
  toHex,
  RampartError,
  SYSTEM_ACTOR,
  checkHostname,
  checkNodeGenericResources,
  duplicateHostnames,
  checkLabelKey,
  checkLabelValue,
  newId,
  nodeState,
  type Actor,
  type AuditEventInput,
  type Availability,
  type OrchestratorNode,
  type SchedulerNode,
  type NodeDescription,
  type NodeRecord,
  type NodeResources,
  type NodeRole,
  type NodeState,
  LEGACY_RUNTIME,
  runtimeProblem,
  type RuntimeKind,
  type CertIssuanceState,
} from "@rampart/core";
import {
  addRemovedNode,
  countManagers,
  createNode,
  deleteNode,
  insertJoinedNodes,
  findNodeIds,
  getNode,
  listNodes,
  listRemovedNodeIds,
  purgeRemovedNodes,
  removedNodeIdsAmong,
  pendingCsrOf,
  recordNodeTls,
  setNodeCertStatus,
  setNodeCertificate,
  updateNode,
  type Db,
  type NewNode,
} from "@rampart/db";
import { batched, groupCommit } from "../batch.js";
import { createAuditThrottle, type AuditService } from "../audit/index.js";
import { ExternalCaError } from "../ca/external.js";
import type { IssuedCertificate } from "../ca/index.js";
import type { ClusterService } from "../cluster/index.js";
import type { ManagerDeps } from "../deps.js";
import type { PkiNodeChain } from "../pki/index.js";
import { HeartbeatTracker } from "./heartbeats.js";

export type ManagerStatus = "leader" | "reachable" | "unreachable" | null;
export type TlsStatus = "ready" | "needs-rotation" | "unknown";

/** A node as the API shows it: the record plus what is derived from heartbeats and the CA. */
export interface NodeView extends Omit<NodeRecord, "certificate" | "certStatus" | "tlsInfo"> {
  state: NodeState;
  managerStatus: ManagerStatus;
  tls: {
    status: TlsStatus;
    role: string | null;
    notBefore: Date | null;
    notAfter: Date | null;
    serial: string | null;
    /** Node.Certificate.Status; null where it is not known (a connected swarm). */
    issuance: { state: CertIssuanceState; reason: string | null } | null;
  };
}

export interface CertificateDetail {
  pem: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  validFrom: Date;
  validTo: Date;
  subjectAltNames: string[];
  fingerprintSha256: string;
  role: string;
}

export interface NodeDetail extends NodeView {
  certificate: CertificateDetail | null;
  /** Another node reports the same hostname: names are what nodes say about themselves. */
  sharesHostname: boolean;
  /** The root its certificate chains to (the PKI service's `chainOf`), on the native cluster. */
  chain?: PkiNodeChain;
}

/** Swarm forgets a removed node a week after its last certificate expired. */
const DENY_LIST_GRACE_MS = 7 * 24 * 3_600_000;

function describeCertificate(pem: string, role: string): CertificateDetail {
  const cert = new X509Certificate(pem);
  return {
    pem,
    subject: cert.subject.split("\n").join(", "),
    issuer: cert.issuer.split("\n").join(", "),
    serialNumber: cert.serialNumber.toLowerCase(),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
    subjectAltNames: (cert.subjectAltName ?? "").split(", ").filter(Boolean),
    fingerprintSha256: cert.fingerprint256,
    role,
  };
}

function checkDescription(d: NodeDescription): NodeDescription {
  checkHostname(d.hostname);
  for (const [k, v] of Object.entries(d.engineLabels)) {
    checkLabelKey(k, "engineLabels");
    checkLabelValue(v, "engineLabels");
  }
  if (d.genericResources !== undefined) checkNodeGenericResources(d.genericResources);
  return d;
}

/** A join's answer: the certificate, or, while an external CA has not signed, why not. */
export type JoinResult = {
  nodeId: string;
  role: NodeRole;
  rootCaPem: string;
  heartbeatPeriodMs: number;
} & ({ certificatePem: string } | { pending: { state: CertIssuanceState; reason: string } });

/** The authority key ID (hex) a certificate names, or null. */
export function issuerKeyIdOf(der: Uint8Array): string | null {
  try {
    const id = parseCertificate(der).authorityKeyId;
    return id ? toHex(id) : null;
  } catch {
    return null;
  }
}

/** Description.Resources as the scheduler and the constraint enforcer read them: generic counts are discrete. */
function schedulerResources(n: NodeRecord): NodeResources {
  return { nanoCpus: n.resources.nanoCpus, memoryBytes: n.resources.memoryBytes, generic: { discrete: n.resources.generic } };
}

/** Swarm's node.Role: the role the node's certificate carries, the desired one until it has one. */
function observedRole(node: NodeRecord): NodeRole {
  const role = node.certificate?.role;
  return role === undefined ? node.role : role === "swarm-manager" ? "manager" : "worker";
}

export function createNodeService(deps: ManagerDeps, audit: AuditService, cluster: ClusterService) {
  const db = deps.store.prisma;
  const heartbeats = new HeartbeatTracker();
  /** Joins that arrive together are written together (see batch.ts). */
  const joins = groupCommit<{ node: NewNode; events: AuditEventInput[] }>((items) =>
    insertJoinedNodes(
      db,
      items.map((i) => i.node),
      items.flatMap((i) => i.events),
      deps.now(),
    ),
  );
  /** Removals this process made or loaded: a refresh that raced one must not bring the node back. */
  const removed = new Set<string>();
  /**
   * The deny list is the store's alone: every check reads it (by primary key), so a
   * removal through another process is refused here at once. Checks that arrive
   * together share one read (see batch.ts).
   */
  const denyChecks = batched(async (ids: string[]) => {
    const listed = await removedNodeIdsAmong(db, ids);
    return ids.map((id) => listed.has(id));
  });
  /**
   * Every node, in memory: `node ls` and heartbeats answer from here, not from the store
   * (10,000 rows through the store take about a second). Every write below refreshes the
   * node it changed once its transaction has committed.
   */
  const registry = new Map<string, NodeRecord>();

  async function refresh(id: string): Promise<void> {
    const node = await getNode(db, id);
    // A removal that committed meanwhile wins over a read that raced it.
    if (node && !removed.has(id)) registry.set(id, { ...node, certificate: node.certificate ? { ...node.certificate, pem: "" } : null });
    else registry.delete(id);
  }

  const shouldAuditDenial = createAuditThrottle(deps.now);

  /** Told after a node's placement-relevant facts change (labels, role, availability, removal, platform). */
  const listeners = new Set<(nodeId: string) => void>();
  const tlsListeners = new Set<(nodeId: string) => void>();
  const changed = (nodeId: string) => {
    for (const listener of listeners) listener(nodeId);
  };

  function view(node: NodeRecord, now: Date, periodMs: number): NodeView {
    const last = heartbeats.lastSeen(node.id, node.lastHeartbeatAt);
    const state = nodeState(last, periodMs, now);
    const cert = node.certificate;
    // Built field by field: this runs 10,000 times for one `node ls`.
    return {
      id: node.id,
      hostname: node.hostname,
      role: node.role,
      availability: node.availability,
      labels: node.labels,
      engineLabels: node.engineLabels,
      platform: node.platform,
      resources: node.resources,
      engineVersion: node.engineVersion,
      runtime: node.runtime,
      addr: node.addr,
      isLeader: node.isLeader,
      createdAt: node.createdAt,
      updatedAt: node.updatedAt,
      version: node.version,
      lastHeartbeatAt: last,
      state,
      managerStatus: node.role !== "manager" ? null : node.isLeader ? "leader" : state === "ready" ? "reachable" : "unreachable",
      tls: {
        status: tlsStatus(node),
        role: cert?.role ?? null,
        notBefore: cert?.notBefore ?? null,
        notAfter: cert?.notAfter ?? null,
        serial: cert?.serial ?? null,
        issuance: { state: node.certStatus.state, reason: node.certStatus.reason },
      },
    };
  }

  /**
   * `docker node ls --format '{{.TLSStatus}}'`: Ready when the certificate the node last
   * presented was issued as the CA issues now (the rotation's root during one), Needs
   * Rotation when not, Unknown before the node has presented one.
   */
  function tlsStatus(node: NodeRecord): TlsStatus {
    const issuer = node.tlsInfo?.issuerKeyId;
    if (!issuer) return "unknown";
    return issuer === cluster.current().ca.wantedIssuerKeyId ? "ready" : "needs-rotation";
  }

  async function resolve(ref: string, tx: Db = db): Promise<NodeRecord> {
    const ids = await findNodeIds(tx, ref);
    if (ids.length === 0) throw new RampartError("not_found", `node ${ref} not found`, { field: "node" });
    if (ids.length > 1) throw new RampartError("invalid_argument", `node ${ref} is ambiguous (2 matches found)`, { field: "node" });
    const node = await getNode(tx, ids[0]!);
    if (!node) throw new RampartError("not_found", `node ${ref} not found`, { field: "node" });
    return node;
  }

  const target = (node: Pick<NodeRecord, "id" | "hostname">) => ({ type: "node", id: node.id, name: node.hostname });

  /** A hostname change, old and new, with the node's ID: names are claims a node makes about itself. */
  const auditRename = (tx: Db, node: Pick<NodeRecord, "id" | "hostname">, to: string, actor: Actor, ip: string | null) =>
    audit.record({ actor, action: "node.rename", target: { type: "node", id: node.id, name: to }, outcome: "success", reason: `hostname changed from ${node.hostname} to ${to}`, ip }, tx);

  /** Stores a signed certificate on its node (which makes the node's status `issued`). */
  async function storeIssued(tx: Db, nodeId: string, issued: IssuedCertificate) {
    const stored = await setNodeCertificate(tx, nodeId, { serial: issued.serial, pem: issued.pem, role: issued.role, notBefore: issued.notBefore, notAfter: issued.notAfter });
    if (!stored) throw new RampartError("not_found", `node ${nodeId} not found when attempting to renew certificate`);
    return issued;
  }

  /** Why an external CA did not sign, as the node's page shows it. */
  const pendingReason = (error: ExternalCaError) => `external CA: ${error.message}`.slice(0, 512);

  async function changeRole(ref: string, role: NodeRole, actor: Actor, ip: string | null): Promise<NodeView> {
    const result = await deps.store.transaction(async (tx) => {
      const node = await resolve(ref, tx);
      if (node.role === role) return view(node, deps.now(), cluster.current().record.heartbeatPeriodMs);
      if (role === "worker") {
        if ((await countManagers(tx)) <= 1) {
          throw new RampartError("failed_precondition", "attempting to demote the last manager of the swarm");
        }
        if (node.isLeader) {
          throw new RampartError("failed_precondition", `node ${node.id} is the leader (this Rampart server) and cannot be demoted`);
        }
      }
      await updateNode(tx, node.id, undefined, { role }, deps.now());
      await audit.record(
        { actor, action: role === "manager" ? "node.promote" : "node.demote", target: target(node), outcome: "success", ip },
        tx,
      );
      return view({ ...node, role }, deps.now(), cluster.current().record.heartbeatPeriodMs);
    });
    await refresh(result.id);
    changed(result.id);
    return result;
  }

  return {
    heartbeats,

    /** Loads the nodes (and the removals, for refreshes); the server does this once at start. */
    async load(): Promise<void> {
      removed.clear();
      for (const id of await listRemovedNodeIds(db)) removed.add(id);
      registry.clear();
      for (const node of await listNodes(db)) registry.set(node.id, node);
    },

    /**
     * Checked on every node-endpoint call: the deny list as far as `nodeId` goes (it, if
     * removed; nothing otherwise), read from the store, never from this process's memory.
     */
    async deniedIds(nodeId: string): Promise<ReadonlySet<string>> {
      return (await denyChecks.add(nodeId)) ? new Set([nodeId]) : new Set();
    },

    async list(): Promise<NodeView[]> {
      return this.listSync(deps.now());
    },

    /** Every node's view now, from memory. */
    listSync(now: Date): NodeView[] {
      const period = cluster.current().record.heartbeatPeriodMs;
      const out: NodeView[] = [];
      for (const node of registry.values()) out.push(view(node, now, period));
      return out;
    },

    /** A node's certificate status now, from memory (what its assignment poll tells it). */
    certStateOf(nodeId: string): CertIssuanceState | null {
      return registry.get(nodeId)?.certStatus.state ?? null;
    },

    async get(ref: string): Promise<NodeDetail> {
      const node = await resolve(ref);
      const v = view(node, deps.now(), cluster.current().record.heartbeatPeriodMs);
      const cert = node.certificate?.pem ? describeCertificate(node.certificate.pem, node.certificate.role) : null;
      const sharesHostname = duplicateHostnames(registry.values()).has(node.hostname.toLowerCase());
      return { ...v, certificate: cert, sharesHostname };
    },

    async update(
      ref: string,
      input: { version?: number | undefined; labelAdd?: Record<string, string>; labelRm?: string[]; availability?: Availability | undefined },
      actor: Actor,
      ip: string | null,
    ): Promise<NodeView> {
      const result = await deps.store.transaction(async (tx) => {
        const node = await resolve(ref, tx);
        if (input.version !== undefined && input.version !== node.version) {
          throw new RampartError("conflict", `node ${node.hostname} changed since version ${input.version}; reload and try again`, {
            field: "version",
          });
        }
        const labels = { ...node.labels };
        for (const key of input.labelRm ?? []) {
          if (!(key in labels)) throw new RampartError("not_found", `label ${key} does not exist on node ${node.hostname}`, { field: "labelRm" });
          delete labels[key];
        }
        for (const [k, v] of Object.entries(input.labelAdd ?? {})) labels[checkLabelKey(k)] = checkLabelValue(v);
        const ok = await updateNode(tx, node.id, node.version, { labels, ...(input.availability ? { availability: input.availability } : {}) }, deps.now());
        if (!ok) throw new RampartError("conflict", `node ${node.hostname} changed at the same time; reload and try again`, { field: "version" });
        await audit.record({ actor, action: "node.update", target: target(node), outcome: "success", ip }, tx);
        const updated = await getNode(tx, node.id);
        return view(updated!, deps.now(), cluster.current().record.heartbeatPeriodMs);
      });
      await refresh(result.id);
      changed(result.id);
      return result;
    },

    promote: (ref: string, actor: Actor, ip: string | null) => changeRole(ref, "manager", actor, ip),
    demote: (ref: string, actor: Actor, ip: string | null) => changeRole(ref, "worker", actor, ip),

    /**
     * `node rm`: a manager must be demoted first, a Ready node needs --force, and a
     * removed node's certificate goes on the deny list until a week after it expires.
     */
    async remove(ref: string, force: boolean, actor: Actor, ip: string | null): Promise<void> {
      await deps.store.transaction(async (tx) => {
        const node = await resolve(ref, tx);
        if (node.role === "manager") {
          throw new RampartError(
            "failed_precondition",
            `node ${node.id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
          );
        }
        const state = nodeState(heartbeats.lastSeen(node.id, node.lastHeartbeatAt), cluster.current().record.heartbeatPeriodMs, deps.now());
        if (!force && state === "ready") {
          throw new RampartError("failed_precondition", `node ${node.id} is not down and can't be removed`);
        }
        await addRemovedNode(tx, {
          nodeId: node.id,
          hostname: node.hostname,
          certExpiresAt: node.certificate?.notAfter ?? deps.now(),
          at: deps.now(),
        });
        await deleteNode(tx, node.id);
        await audit.record({ actor, action: "node.remove", target: target(node), outcome: "success", reason: force ? "forced" : null, ip }, tx);
        return node.id;
      }).then((id) => {
        // Only once the removal has committed does this process deny the node.
        removed.add(id);
        registry.delete(id);
        heartbeats.forget(id);
        changed(id);
      });
      await purgeRemovedNodes(db, new Date(deps.now().getTime() - DENY_LIST_GRACE_MS));
    },

    /** Join with a token and a CSR: the token decides the role; the CA decides everything else. */
    async join(input: { token: string; csrPem: string; description: NodeDescription }, ip: string | null): Promise<JoinResult> {
      const role = await cluster.roleForToken(input.token);
      const anonymous: Actor = { type: "anonymous", id: null, name: ip ?? "unknown" };
      if (!role) {
        // Audited at most once a minute per address: anyone can send bad tokens.
        if (shouldAuditDenial(`join|${ip ?? ""}`)) {
          await audit.record({ actor: anonymous, action: "node.join", target: { type: "node" }, outcome: "denied", reason: "invalid join token", ip });
        }
        // ca/server.go: InvalidArgument, whatever is wrong with the token.
        throw new RampartError("invalid_argument", JOIN_TOKEN_REFUSED, { field: "token" });
      }
      const description = checkDescription(input.description);
      const { record, ca } = cluster.current();
      const now = deps.now();
      // One row (node and certificate together) and one audit write: a join is two statements.
      const nodeId = newId(deps.random(17));
      let issued: IssuedCertificate | undefined;
      let waiting: { state: CertIssuanceState; reason: string } | undefined;
      try {
        issued = await cluster.signNode({ csrPem: input.csrPem, nodeId, role, now });
      } catch (error) {
        if (!(error instanceof ExternalCaError)) throw error;
        // The node is recorded all the same, pending (or failed) with the reason, as Swarm records it.
        waiting = { state: error.recoverable ? "pending" : "failed", reason: pendingReason(error) };
      }
      const certificate = issued ? { serial: issued.serial, pem: issued.pem, role: issued.role, notBefore: issued.notBefore, notAfter: issued.notAfter } : undefined;
      const actor: Actor = { type: "node", id: nodeId, name: description.hostname };
      const t = { type: "node", id: nodeId, name: description.hostname };
      await joins.add({
        node: {
          id: nodeId,
          role,
          availability: "active",
          addr: ip,
          isLeader: false,
          at: now,
          ...(certificate ? { certificate } : {}),
          ...(waiting ? { waiting: { ...waiting, csr: input.csrPem } } : {}),
          ...description,
        },
        events: [
          { actor, action: "node.join", target: t, outcome: "success", reason: `as ${role}`, ip },
          waiting
            ? { actor, action: "cert.pending", target: t, outcome: "failure", reason: waiting.reason, ip }
            : { actor, action: "cert.issue", target: t, outcome: "success", reason: issued!.role, ip },
        ],
      });
      registry.set(nodeId, {
        id: nodeId,
        hostname: description.hostname,
        role,
        availability: "active",
        labels: {},
        engineLabels: description.engineLabels,
        platform: { os: description.os, arch: description.arch },
        resources: { nanoCpus: description.nanoCpus, memoryBytes: description.memoryBytes, generic: { ...description.genericResources } },
        engineVersion: description.engineVersion,
        runtime: description.runtime ?? LEGACY_RUNTIME,
        addr: ip,
        isLeader: false,
        createdAt: now,
        updatedAt: now,
        version: 1,
        lastHeartbeatAt: null,
        certificate: certificate ? { ...certificate, pem: "" } : null,
        certStatus: waiting ? { state: waiting.state, reason: waiting.reason } : { state: "issued", reason: null },
        tlsInfo: null,
      });
      changed(nodeId);
      const common = { nodeId, role, rootCaPem: ca.rootPem, heartbeatPeriodMs: record.heartbeatPeriodMs };
      return waiting ? { ...common, pending: waiting } : { ...common, certificatePem: issued!.pem };
    },

    /**
     * NodeCertificateStatus for a join an external CA had not signed: the certificate once
     * it is signed, else the state and why. The CSR must be the one the join sent, so only
     * the node that joined learns anything beyond "not found".
     */
    async certificateStatus(nodeId: string, csrPem: string): Promise<{ certificatePem?: string; state: CertIssuanceState; reason: string | null }> {
      const node = await getNode(db, nodeId);
      const csr = node ? await pendingCsrOf(db, nodeId) : null;
      if (!node || csr === null || csr !== csrPem) throw new RampartError("not_found", `node ${nodeId} not found`);
      if (node.certStatus.state === "issued" && node.certificate) return { certificatePem: node.certificate.pem, state: "issued", reason: null };
      return { state: node.certStatus.state, reason: node.certStatus.reason };
    },

    /**
     * Renewal: the role in the new certificate comes from the store, which is how
     * promotion lands. When an external CA does not sign, the node is pending (or failed)
     * with the reason, keeps its certificate, and asks again later.
     */
    async renew(nodeId: string, csrPem: string, ip: string | null): Promise<{ certificatePem: string; role: NodeRole } | { pending: { state: CertIssuanceState; reason: string } }> {
      const node = await getNode(db, nodeId);
      if (!node) throw new RampartError("not_found", `node ${nodeId} not found when attempting to renew certificate`);
      let issued: IssuedCertificate;
      try {
        issued = await cluster.signNode({ csrPem, nodeId, role: node.role, now: deps.now() });
      } catch (error) {
        if (!(error instanceof ExternalCaError)) throw error;
        const pending = { state: (error.recoverable ? "pending" : "failed") as CertIssuanceState, reason: pendingReason(error) };
        const changedNow = await setNodeCertStatus(db, [nodeId], pending.state, pending.reason);
        if (changedNow.length > 0 || node.certStatus.reason !== pending.reason) {
          await audit.record({ actor: { type: "node", id: nodeId, name: node.hostname }, action: "cert.pending", target: target(node), outcome: "failure", reason: pending.reason, ip });
        }
        await refresh(nodeId);
        return { pending };
      }
      const result = await deps.store.transaction(async (tx) => {
        await storeIssued(tx, nodeId, issued);
        await audit.record(
          { actor: { type: "node", id: nodeId, name: node.hostname }, action: "cert.renew", target: target(node), outcome: "success", reason: issued.role, ip },
          tx,
        );
        return { certificatePem: issued.pem, role: node.role, observed: observedRole(node) };
      });
      await refresh(nodeId);
      // A renewal after a promotion or demotion changes the node's observed role, which constraints read.
      if (result.observed !== result.role) changed(nodeId);
      return { certificatePem: result.certificatePem, role: result.role };
    },

    /**
     * The signing loop's retry (`defaultReconciliationRetryInterval`): joins still pending
     * on an external CA are sent again. Returns how many were signed.
     */
    async retryPending(): Promise<number> {
      let signed = 0;
      for (const node of registry.values()) {
        if (node.certStatus.state !== "pending" || node.certificate) continue;
        const csr = await pendingCsrOf(db, node.id);
        if (!csr) continue;
        try {
          const issued = await cluster.signNode({ csrPem: csr, nodeId: node.id, role: node.role, now: deps.now() });
          await deps.store.transaction(async (tx) => {
            await storeIssued(tx, node.id, issued);
            await audit.record({ actor: SYSTEM_ACTOR, action: "cert.issue", target: target(node), outcome: "success", reason: issued.role, ip: null }, tx);
          });
          signed++;
        } catch (error) {
          if (!(error instanceof ExternalCaError)) throw error;
          await setNodeCertStatus(db, [node.id], error.recoverable ? "pending" : "failed", pendingReason(error));
        }
        await refresh(node.id);
      }
      return signed;
    },

    /**
     * What a node presented on its mutual-TLS connection (read from the verified chain by
     * the node endpoint), and the trust root it says it holds. Written only when it
     * changed; returns true then, so a rotation can see the node converge.
     */
    async sawTls(nodeId: string, seen: { issuerKeyId: string | null; serial: string | null; trustRootDigest?: string | undefined }): Promise<boolean> {
      const node = registry.get(nodeId);
      if (!node) return false;
      const before = node.tlsInfo;
      const trustRootDigest = seen.trustRootDigest ?? before?.trustRootDigest ?? null;
      if (before && before.issuerKeyId === seen.issuerKeyId && before.serial === seen.serial && before.trustRootDigest === trustRootDigest) return false;
      const info = { issuerKeyId: seen.issuerKeyId, serial: seen.serial, trustRootDigest, seenAt: deps.now() };
      registry.set(nodeId, { ...node, tlsInfo: info });
      await recordNodeTls(db, [{ id: nodeId, ...info }]);
      for (const listener of tlsListeners) listener(nodeId);
      return true;
    },

    /** Told when a node presents a different certificate or trust root (the rotation reconciler listens). */
    onTlsChange(listener: (nodeId: string) => void): () => void {
      tlsListeners.add(listener);
      return () => tlsListeners.delete(listener);
    },

    /**
     * Asks these nodes to renew at once (`IssuanceStateRotate`), leaving alone those
     * already renewing, pending or asked. Returns the nodes asked.
     */
    async markRotate(ids: readonly string[]): Promise<string[]> {
      const marked = await setNodeCertStatus(db, ids, "rotate", null, ["renew", "pending", "rotate"]);
      for (const id of marked) await refresh(id);
      return marked;
    },

    /** Every node's record as the registry holds it (for the PKI view and the rotation reconciler). */
    records(): NodeRecord[] {
      return [...registry.values()];
    },

    /** A heartbeat: recorded in memory (flushed in batches); answers the period and the node's role. */
    heartbeat(nodeId: string, ip: string | null): { heartbeatPeriodMs: number } {
      heartbeats.beat(nodeId, deps.now(), ip);
      return { heartbeatPeriodMs: cluster.current().record.heartbeatPeriodMs };
    },

    /** The role the store gives a node now; the agent renews when its certificate differs. */
    roleOf(nodeId: string): NodeRole | null {
      return registry.get(nodeId)?.role ?? null;
    },

    /**
     * A node's new description (a heartbeat's). The hostname is whatever the node says, as
     * in Swarm; a change of it is audited with the old and new names.
     */
    async updateDescription(nodeId: string, description: NodeDescription, ip: string | null): Promise<void> {
      const checked = checkDescription(description);
      await deps.store.transaction(async (tx) => {
        const before = await getNode(tx, nodeId);
        await updateNode(tx, nodeId, undefined, { description: checked, addr: ip }, deps.now());
        if (before && before.hostname !== checked.hostname) await auditRename(tx, before, checked.hostname, { type: "node", id: nodeId, name: before.hostname }, ip);
      });
      await refresh(nodeId);
      changed(nodeId);
    },

    /**
     * The server's own node: created on the first start as the leader, with a manager
     * certificate for the node endpoint; renewed from the CSR the server gives when its
     * certificate is past the renewal point.
     */
    async ensureLocalNode(input: { nodeId: string | undefined; csrPem: string; description: NodeDescription; addr: string }): Promise<{ nodeId: string; certificatePem: string }> {
      const existing = input.nodeId ? await getNode(db, input.nodeId) : null;
      const nodeId = existing?.id ?? input.nodeId ?? newId(deps.random(17));
      const issued = await cluster.signNode({ csrPem: input.csrPem, nodeId, role: "manager", now: deps.now() });
      const result = await deps.store.transaction(async (tx) => {
        const now = deps.now();
        if (!existing) {
          await createNode(tx, { id: nodeId, role: "manager", availability: "active", addr: input.addr, isLeader: true, at: now, ...checkDescription(input.description) });
        } else {
          await updateNode(tx, nodeId, undefined, { description: checkDescription(input.description), addr: input.addr }, now);
          if (existing.hostname !== input.description.hostname) await auditRename(tx, existing, input.description.hostname, SYSTEM_ACTOR, null);
        }
        await storeIssued(tx, nodeId, issued);
        const t = { type: "node", id: nodeId, name: input.description.hostname };
        await audit.record({ actor: { type: "system", id: null, name: "rampart" }, action: existing ? "cert.renew" : "cert.issue", target: t, outcome: "success", reason: issued.role }, tx);
        heartbeats.beat(nodeId, now, input.addr);
        return { nodeId, certificatePem: issued.pem };
      });
      await refresh(result.nodeId);
      // The server presents this certificate itself: its TLS identity is known without a call.
      await this.sawTls(result.nodeId, { issuerKeyId: issuerKeyIdOf(issued.der), serial: issued.serial, trustRootDigest: cluster.current().ca.rootDigestHex });
      return result;
    },

    /** Subscribes to node changes; returns the unsubscribe. */
    onChange(listener: (nodeId: string) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * The nodes as constraints, orchestrators and the enforcer see them, with their state
     * now. `role` is the observed role, the one its current certificate carries (Swarm's
     * node.Role, not Spec.DesiredRole): a promotion counts once the node holds a manager
     * certificate.
     */
    constraintNodes(): OrchestratorNode[] {
      const now = deps.now();
      const period = cluster.current().record.heartbeatPeriodMs;
      return [...registry.values()].map((n) => ({
        id: n.id,
        role: observedRole(n),
        resources: schedulerResources(n),
        hostname: n.hostname,
        labels: n.labels,
        engineLabels: n.engineLabels,
        platform: n.platform,
        addr: n.addr,
        state: nodeState(heartbeats.lastSeen(n.id, n.lastHeartbeatAt), period, now),
        availability: n.availability,
      }));
    },

    /** The nodes as the scheduler sees them: state, availability, labels, platform, resources. */
    schedulerNodes(): Array<SchedulerNode & { runtimeKind: RuntimeKind }> {
      const now = deps.now();
      const period = cluster.current().record.heartbeatPeriodMs;
      return [...registry.values()].map((n) => ({
        id: n.id,
        state: nodeState(heartbeats.lastSeen(n.id, n.lastHeartbeatAt), period, now),
        availability: n.availability,
        role: observedRole(n),
        hostname: n.hostname,
        labels: n.labels,
        engineLabels: n.engineLabels,
        platform: { os: n.platform.os, architecture: n.platform.arch },
        addr: n.addr,
        resources: schedulerResources(n),
        runtimeProblem: runtimeProblem(n.runtime) ?? null,
        runtimeKind: n.runtime.kind,
      }));
    },

    /** The Swarm section of `docker info`, as far as Rampart has its parts. */
    async swarmInfo() {
      const { record, ca } = cluster.current();
      const all = [...registry.values()];
      const managers = all.filter((n) => n.role === "manager");
      const self = all.find((n) => n.isLeader);
      return {
        nodeId: self?.id ?? "",
        isManager: true,
        clusterId: record.id,
        managers: managers.length,
        nodes: all.length,
        heartbeatPeriodMs: record.heartbeatPeriodMs,
        certExpiryMs: record.certExpiryMs,
        taskHistoryLimit: record.taskHistoryLimit,
        forceRotate: record.forceRotate,
        autolock: record.autolock,
        rootRotationInProgress: record.rootRotation !== null,
        nodeAddress: deps.nodeAddress,
        managerAddresses: [deps.nodeAddress],
        rootCaDigest: `sha256:${ca.rootDigestHex}`,
        version: record.version,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
      };
    },

    /** `rampart agent join --token <token> <addr>`: what a new node runs. */
    joinCommand(token: string): string {
      return `rampart agent join --token ${token} ${deps.nodeAddress}`;
    },

    async flushHeartbeats(): Promise<number> {
      return heartbeats.flush(db);
    },
  };
}

export type NodeService = ReturnType<typeof createNodeService>;
