import { createHash, X509Certificate } from "node:crypto";
import { formatName, RampartError, type Actor, type NodeRole } from "@rampart/core";
import { z } from "zod";
import type { AuditService } from "../../audit/index.js";
import type { ConnectedEnvironment } from "../index.js";
import { dockerInfoSchema, dockerNodeSchema, dockerSwarmSchema, readDocker, type DockerInfo, type DockerSwarmSpec, type DockerTlsInfo } from "./schema.js";

/**
 * A connected swarm itself (ADR 0020): what `docker info` says of it, its settings
 * through `/swarm/update` at Docker's version index, its trust root, and its join tokens.
 *
 * Reads go through `GET /info`, which carries the swarm's spec and TLS info but never its
 * join tokens; `GET /swarm`, which does, is read only to reveal or rotate one, so a token
 * is in this process only for the request that returns it, and never in a log, an audit
 * reason or an error.
 */

/** A key's or certificate's SHA-256 as node:crypto writes certificate fingerprints (`AB:CD:…`). */
function fingerprint(der: Uint8Array): string {
  return (
    createHash("sha256")
      .update(der)
      .digest("hex")
      .toUpperCase()
      .match(/../g)
      ?.join(":") ?? ""
  );
}

/** A CA as Docker describes it, decoded: its issuer's name readable, its key by fingerprint. */
export interface TlsInfoView {
  /** The trust root (PEM) the node or swarm holds. */
  trustRoot: string;
  /** The issuer of the node's certificate (for the swarm: the root's subject), as `CN=swarm-ca`; null when Docker's DER cannot be read. */
  issuerSubject: string | null;
  /** Docker's own `CertIssuerSubject`: base64 DER. */
  certIssuerSubject: string;
  /** Docker's own `CertIssuerPublicKey`: base64 DER of the issuer's SubjectPublicKeyInfo. */
  certIssuerPublicKey: string;
  issuerPublicKeyFingerprint: string;
}

export function tlsInfoOf(raw: DockerTlsInfo | null | undefined): TlsInfoView | null {
  if (!raw || (!raw.TrustRoot && !raw.CertIssuerSubject && !raw.CertIssuerPublicKey)) return null;
  const subject = Buffer.from(raw.CertIssuerSubject ?? "", "base64");
  let issuerSubject: string | null;
  try {
    issuerSubject = formatName(subject);
  } catch {
    issuerSubject = null;
  }
  return {
    trustRoot: raw.TrustRoot ?? "",
    issuerSubject,
    certIssuerSubject: raw.CertIssuerSubject ?? "",
    certIssuerPublicKey: raw.CertIssuerPublicKey ?? "",
    issuerPublicKeyFingerprint: fingerprint(Buffer.from(raw.CertIssuerPublicKey ?? "", "base64")),
  };
}

/**
 * Whether a node's certificate was issued by the swarm's current CA: its issuer's name
 * and key are the swarm's. Null when Docker reports no TLS info for one of them.
 */
export function chainsToCurrentRoot(node: DockerTlsInfo | null | undefined, swarm: DockerTlsInfo | null | undefined): boolean | null {
  if (!node?.CertIssuerPublicKey || !swarm?.CertIssuerPublicKey) return null;
  return node.CertIssuerSubject === swarm.CertIssuerSubject && node.CertIssuerPublicKey === swarm.CertIssuerPublicKey;
}

/**
 * `docker node ls`'s TLS STATUS: Ready when the node's TLS info is the swarm's (its
 * certificate chains to the current root and it holds the current trust root), Needs
 * Rotation otherwise, Unknown when either is not reported.
 */
export function tlsStatusOf(node: DockerTlsInfo | null | undefined, swarm: DockerTlsInfo | null | undefined): "ready" | "needs-rotation" | "unknown" {
  const chains = chainsToCurrentRoot(node, swarm);
  if (chains === null) return "unknown";
  return chains && node?.TrustRoot === swarm?.TrustRoot ? "ready" : "needs-rotation";
}

/** The swarm's trust root as the Overview shows it. */
export interface TrustRootView extends TlsInfoView {
  subject: string;
  fingerprintSha256: string;
  notAfter: Date;
}

/**
 * The trust root as the Overview shows it, or null with the reason when Docker reports
 * none, or one that is not a certificate this Rampart can read (its PEM is still in the
 * swarm's `rootCaDigest`).
 */
function trustRootOf(raw: DockerTlsInfo | null | undefined): { trustRoot: TrustRootView | null; problem: string | null } {
  const info = tlsInfoOf(raw);
  if (!info || !info.trustRoot) return { trustRoot: null, problem: "Docker reported no trust root" };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(info.trustRoot);
  } catch (error) {
    return { trustRoot: null, problem: `Docker's trust root is not a PEM certificate this Rampart can read (${error instanceof Error ? error.message : "unreadable"})` };
  }
  return { trustRoot: { ...info, subject: cert.subject.split("\n").join(", "), fingerprintSha256: cert.fingerprint256, notAfter: new Date(cert.validTo) }, problem: null };
}

/** What only Docker's `info` has: the rest of `docker info`'s Swarm section, and the trust root. */
export interface DockerSwarmPart {
  /** The environment, and the connected manager's engine. */
  environment: string;
  serverVersion: string;
  localNodeState: string;
  error: string | null;
  /** `Node Address`: the connected manager's own address, as Docker prints it. */
  nodeAddr: string;
  defaultAddrPool: string[] | null;
  subnetSize: number | null;
  dataPathPort: number | null;
  raft: { snapshotInterval: number; keepOldSnapshots: number | null; logEntriesForSlowFollowers: number; electionTick: number; heartbeatTick: number };
  externalCas: Array<{ protocol: string; url: string }>;
  trustRoot: TrustRootView | null;
  /** Why `trustRoot` is null: Docker reported none, or one that cannot be read. */
  trustRootProblem: string | null;
}

/** `swarm.info` on a connected swarm: the native view's fields where Docker has them, and its own part. */
export interface DockerSwarmInfo {
  nodeId: string;
  isManager: boolean;
  clusterId: string;
  managers: number;
  nodes: number;
  heartbeatPeriodMs: number;
  certExpiryMs: number;
  taskHistoryLimit: number;
  forceRotate: number;
  autolock: boolean;
  rootRotationInProgress: boolean;
  nodeAddress: string;
  managerAddresses: string[];
  rootCaDigest: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  docker: DockerSwarmPart;
}

const NS_PER_MS = 1_000_000;

/** The swarm `GET /info` describes; only a manager's engine describes it. */
function clusterOf(info: DockerInfo): NonNullable<DockerInfo["Swarm"]["Cluster"]> {
  const swarm = info.Swarm;
  if (swarm.Cluster) return swarm.Cluster;
  throw new RampartError(
    "failed_precondition",
    `Docker did not describe the swarm: the engine is not (or no longer) a swarm manager (its swarm state is ${swarm.LocalNodeState}${swarm.Error ? `: ${swarm.Error}` : ""})`,
  );
}

/** The view of `GET /info` (pure, for tests with Docker's own JSON). */
export function swarmInfoOf(info: DockerInfo, environment: string): DockerSwarmInfo {
  const swarm = info.Swarm;
  const cluster = clusterOf(info);
  const spec: DockerSwarmSpec = cluster.Spec;
  const root = trustRootOf(cluster.TLSInfo);
  const raft = spec.Raft ?? {};
  const managers = swarm.RemoteManagers ?? [];
  return {
    nodeId: swarm.NodeID,
    isManager: swarm.ControlAvailable,
    clusterId: cluster.ID,
    managers: swarm.Managers ?? 0,
    nodes: swarm.Nodes ?? 0,
    heartbeatPeriodMs: Math.round((spec.Dispatcher?.HeartbeatPeriod ?? 0) / NS_PER_MS),
    certExpiryMs: Math.round((spec.CAConfig?.NodeCertExpiry ?? 0) / NS_PER_MS),
    taskHistoryLimit: spec.Orchestration?.TaskHistoryRetentionLimit ?? 0,
    forceRotate: spec.CAConfig?.ForceRotate ?? 0,
    autolock: spec.EncryptionConfig?.AutoLockManagers ?? false,
    rootRotationInProgress: cluster.RootRotationInProgress ?? false,
    nodeAddress: managers.find((m) => m.NodeID === swarm.NodeID)?.Addr ?? swarm.NodeAddr,
    managerAddresses: managers.map((m) => m.Addr),
    rootCaDigest: `sha256:${createHash("sha256").update(cluster.TLSInfo?.TrustRoot ?? "").digest("hex")}`,
    version: cluster.Version.Index,
    createdAt: new Date(cluster.CreatedAt),
    updatedAt: new Date(cluster.UpdatedAt),
    docker: {
      environment,
      serverVersion: info.ServerVersion ?? "",
      localNodeState: swarm.LocalNodeState,
      error: swarm.Error ? swarm.Error : null,
      nodeAddr: swarm.NodeAddr,
      defaultAddrPool: cluster.DefaultAddrPool ?? null,
      subnetSize: cluster.DefaultAddrPool ? (cluster.SubnetSize ?? null) : null,
      dataPathPort: cluster.DataPathPort && cluster.DataPathPort > 0 ? cluster.DataPathPort : null,
      raft: {
        snapshotInterval: raft.SnapshotInterval ?? 0,
        keepOldSnapshots: raft.KeepOldSnapshots ?? null,
        logEntriesForSlowFollowers: raft.LogEntriesForSlowFollowers ?? 0,
        electionTick: raft.ElectionTick ?? 0,
        heartbeatTick: raft.HeartbeatTick ?? 0,
      },
      externalCas: (spec.CAConfig?.ExternalCAs ?? []).map((ca) => ({ protocol: ca.Protocol, url: ca.URL })),
      trustRoot: root.trustRoot,
      trustRootProblem: root.problem,
    },
  };
}

/** The settings `swarm update` changes; durations in milliseconds, as the native cluster takes them. */
export interface SwarmSettingsChange {
  version: number;
  certExpiryMs?: number | undefined;
  heartbeatPeriodMs?: number | undefined;
  taskHistoryLimit?: number | undefined;
}

/**
 * The spec to send for a change: Docker's spec as read, with only what was asked
 * changed (`/swarm/update` replaces the whole spec, as `docker swarm update` sends it).
 */
export function updatedSwarmSpec(spec: Record<string, unknown>, change: SwarmSettingsChange): Record<string, unknown> {
  const section = (key: string) => ({ ...((spec[key] as Record<string, unknown> | null | undefined) ?? {}) });
  const next: Record<string, unknown> = { ...spec };
  if (change.certExpiryMs !== undefined) next.CAConfig = { ...section("CAConfig"), NodeCertExpiry: change.certExpiryMs * NS_PER_MS };
  if (change.heartbeatPeriodMs !== undefined) next.Dispatcher = { ...section("Dispatcher"), HeartbeatPeriod: change.heartbeatPeriodMs * NS_PER_MS };
  if (change.taskHistoryLimit !== undefined) next.Orchestration = { ...section("Orchestration"), TaskHistoryRetentionLimit: change.taskHistoryLimit };
  return next;
}

/** The command a new node runs, with Docker's words. */
export const dockerJoinCommand = (token: string, address: string) => `docker swarm join --token ${token} ${address}`;

/** The connected swarm's settings, trust root and join tokens; every change audited with the environment. */
export function dockerSwarm(env: ConnectedEnvironment, audit: AuditService) {
  async function readInfo(): Promise<DockerInfo> {
    return readDocker(dockerInfoSchema, await env.call((d) => d.info()), "the engine's info");
  }

  /** Where new nodes join: the leader's advertised address, or the connected manager's while there is no leader. */
  async function joinAddress(info: DockerInfo): Promise<string> {
    const managers = readDocker(z.array(dockerNodeSchema), await env.call((d) => d.listNodes({ filters: JSON.stringify({ role: ["manager"] }) })), "the swarm's managers");
    const leader = managers.find((n) => n.ManagerStatus?.Leader === true)?.ManagerStatus?.Addr;
    return leader ?? swarmInfoOf(info, env.record.name).nodeAddress;
  }

  async function readTokens(): Promise<{ worker: string; manager: string }> {
    const swarm = readDocker(dockerSwarmSchema, await env.call((d) => d.swarmInspect()), "the swarm");
    return { worker: swarm.JoinTokens.Worker, manager: swarm.JoinTokens.Manager };
  }

  const tokenTarget = (role: NodeRole) => ({ type: "jointoken", name: role });

  return {
    async info(): Promise<DockerSwarmInfo> {
      return swarmInfoOf(await readInfo(), env.record.name);
    },

    /**
     * Certificate expiry, dispatcher heartbeat and task history limit, at the version the
     * caller read: a lost race is Docker's 409 (`update out of sequence`), and Docker's
     * own checks (`minimum certificate expiry time is: 1h0m0s`) come back as it says them.
     * Audited as `cluster.update`.
     */
    async update(change: SwarmSettingsChange, actor: Actor, ip: string | null): Promise<DockerSwarmInfo> {
      const cluster = clusterOf(await readInfo());
      const spec = updatedSwarmSpec(cluster.Spec, change);
      await env.call((d) => d.swarmUpdate({ _query: { version: change.version }, _body: spec }));
      await audit.record({ actor, action: "cluster.update", target: { type: "cluster", id: cluster.ID }, outcome: "success", ip, env: env.auditEnv });
      return swarmInfoOf(await readInfo(), env.record.name);
    },

    /** `docker swarm ca`: the trust root, and the SHA-256 of its PEM, which join tokens carry. */
    async ca(): Promise<{ pem: string; digest: string }> {
      const info = await readInfo();
      return { pem: clusterOf(info).TLSInfo?.TrustRoot ?? "", digest: swarmInfoOf(info, env.record.name).rootCaDigest };
    },

    async joinInfo(): Promise<{ nodeAddress: string; rootCaDigest: string; commandTemplate: string }> {
      const info = await readInfo();
      const address = await joinAddress(info);
      return { nodeAddress: address, rootCaDigest: swarmInfoOf(info, env.record.name).rootCaDigest, commandTemplate: dockerJoinCommand("<token>", address) };
    },

    /** The one path that returns a join token of a connected swarm. Audited; the token is in the answer alone. */
    async revealToken(role: NodeRole, actor: Actor, ip: string | null): Promise<{ token: string; command: string }> {
      const [tokens, address] = await Promise.all([readTokens(), readInfo().then(joinAddress)]);
      await audit.record({ actor, action: "token.reveal", target: tokenTarget(role), outcome: "success", ip, env: env.auditEnv });
      return { token: tokens[role], command: dockerJoinCommand(tokens[role], address) };
    },

    /**
     * A new token for the role, through `/swarm/update` with the rotation flag at the
     * swarm's version: Docker refuses the old one from then on. The new token is returned,
     * so this is a reveal too (both audited, as on the native cluster).
     */
    async rotateToken(role: NodeRole, actor: Actor, ip: string | null): Promise<{ token: string; command: string }> {
      const info = await readInfo();
      const cluster = clusterOf(info);
      const flag = role === "manager" ? "rotateManagerToken" : "rotateWorkerToken";
      await env.call((d) => d.swarmUpdate({ _query: { version: cluster.Version.Index, [flag]: true }, _body: cluster.Spec }));
      // Audited as soon as Docker has rotated it: the reads after may fail, the rotation stands.
      await audit.record({ actor, action: "token.rotate", target: tokenTarget(role), outcome: "success", ip, env: env.auditEnv });
      const [tokens, address] = await Promise.all([readTokens(), joinAddress(info)]);
      await audit.record({ actor, action: "token.reveal", target: tokenTarget(role), outcome: "success", ip, env: env.auditEnv });
      return { token: tokens[role], command: dockerJoinCommand(tokens[role], address) };
    },
  };
}

export type DockerSwarm = ReturnType<typeof dockerSwarm>;
