import { createHash, X509Certificate } from "node:crypto";
import { parseCertificate, pkiWarnings, RampartError, type Actor, type AuditAction, type AuditObject } from "@rampart/core";
import { z } from "zod";
import type { AuditService } from "../../audit/index.js";
import { AUTOLOCK_OFF_MESSAGE, NO_UNLOCK_KEY_MESSAGE } from "../../autolock/messages.js";
import type { CaChange } from "../../cluster/index.js";
import { pkiSummary, queryPkiNodes, rootView, type PkiExternalCaView, type PkiNodeQuery, type PkiNodeRow, type PkiRootView, type PkiRotationView, type PkiStatus } from "../../pki/index.js";
import type { ConnectedEnvironment } from "../index.js";
import { nodeViewOf } from "./nodes.js";
import { dockerInfoSchema, dockerNodeSchema, readDocker, stringMap, type DockerInfo, type DockerNode, type DockerTlsInfo } from "./schema.js";
import { tlsStatusOf } from "./swarm.js";

/**
 * A connected swarm's PKI (ADR 0020, ADR 0021) in the native dashboard's shapes, from
 * what the Engine API gives: the swarm's `TLSInfo` (its trust root, and the issuer new
 * certificates come from: during a rotation, the new root's subject and key), each
 * node's `Description.TLSInfo` (the issuer of the certificate it presents, and the root
 * it trusts), `CAConfig`, `RootRotationInProgress` and autolock. Rotation progress is
 * counted exactly as `docker swarm ca` counts it (docker/cli
 * `cli/command/swarm/progress/root_rotation.go`).
 *
 * Docker's API has no node certificate's dates, serial or issuance state, and not the
 * certificate of the root being rotated to: those are null and named in `notReported`,
 * never guessed. Changes go through `/swarm/update` at the swarm's version index (a
 * stale one is Docker's 409), Docker's own checks come back in its words, and every
 * change is audited as soon as Docker accepts it. The unlock key is read from
 * `GET /swarm/unlockkey` only to be returned, on the audited paths.
 */

/** What the native view holds and Docker's API does not give, said on every Docker PKI status. */
export const PKI_FIELDS_NOT_REPORTED = [
  "node certificates' serials and validity dates: Docker reports only which CA issued each node's certificate and which root it trusts (serial, notBefore, notAfter and renewal are null, so there is no expiry timeline and no expiry or late-renewal warning)",
  "certificate issuance state (issued, renewing, pending, failed, asked to rotate): Docker's API does not report a node's Certificate.Status (issuance is null, counts.pending is 0)",
  "whether the swarm holds its root CA's key or an external CA signs: Docker does not say (trustRoot.keyHeld is null)",
  "the certificate of the root being rotated to, and when the rotation started: Docker gives only the new root's subject and public key (rotation.target and rotation.startedAt are null)",
  "when the unlock key and the join tokens were made, and when the root was last rotated: Docker does not record it (autolock.unlockKeyRotatedAt, tokens.workerRotatedAt, tokens.managerRotatedAt and lastRotatedAt are null, so no key-age warning)",
] as const;

/** A rotation on a connected swarm: the native view, with no target certificate (Docker gives only the new root's subject and key). */
export type DockerPkiRotationView = Omit<PkiRotationView, "target"> & { target: PkiRootView | null };
export type DockerPkiStatus = Omit<PkiStatus, "rotation"> & { rotation: DockerPkiRotationView | null };

/** An external CA as Docker's spec holds it (`CACert` is the root it signs under; empty for the current one). */
const dockerExternalCaSchema = z.looseObject({ Protocol: z.string(), URL: z.string(), Options: stringMap.nullish(), CACert: z.string().optional() });
type DockerExternalCa = z.infer<typeof dockerExternalCaSchema>;
const caConfigSchema = z
  .looseObject({ NodeCertExpiry: z.number().optional(), ExternalCAs: z.array(dockerExternalCaSchema).nullish(), ForceRotate: z.number().optional() })
  .nullish();

const unlockKeySchema = z.looseObject({ UnlockKey: z.string() });

const NS_PER_MS = 1_000_000;

/** An issuer as Docker describes one: base64 of the raw subject DER and of the SubjectPublicKeyInfo DER. */
export interface IssuerInfo {
  subject: string;
  publicKey: string;
}

/** The issuer a root (the first certificate of a PEM bundle, as SwarmKit reads it) gives its certificates; null when unreadable. */
export function issuerOfRoot(pem: string): IssuerInfo | null {
  try {
    const parsed = parseCertificate(new Uint8Array(new X509Certificate(pem).raw));
    return { subject: Buffer.from(parsed.subjectName).toString("base64"), publicKey: Buffer.from(parsed.spki).toString("base64") };
  } catch {
    return null;
  }
}

const sameIssuer = (tls: DockerTlsInfo | null | undefined, issuer: IssuerInfo) => (tls?.CertIssuerSubject ?? "") === issuer.subject && (tls?.CertIssuerPublicKey ?? "") === issuer.publicKey;
const desiredIssuer = (swarm: DockerTlsInfo | null | undefined): IssuerInfo => ({ subject: swarm?.CertIssuerSubject ?? "", publicKey: swarm?.CertIssuerPublicKey ?? "" });

/** What `docker swarm ca` shows while it waits for a rotation. */
export interface RootRotationProgress {
  /** `desired root digest`: the digest of the swarm's trust root. */
  desiredRootDigest: string;
  /** `rotated TLS certificates`: nodes whose certificate's issuer is the swarm's desired issuer. */
  certs: number;
  /** `rotated CA certificates`: nodes holding the swarm's trust root, shown as 0 until every certificate is rotated and the rotation is over. */
  roots: number;
  total: number;
  /** Every certificate from the desired issuer, every node on the trust root, and no rotation under way. */
  done: boolean;
}

/**
 * `updateProgress` of docker/cli's root_rotation.go, as it is: the swarm's TLSInfo is
 * the desired one (its issuer is the new root's during a rotation, SwarmKit's
 * `IssuerFromAPIRootCA`; its trust root stays the old one until the rotation finishes).
 */
export function rootRotationProgress(swarm: DockerTlsInfo | null | undefined, nodes: readonly (DockerTlsInfo | null | undefined)[], inProgress: boolean): RootRotationProgress {
  const desired = desiredIssuer(swarm);
  const trustRoot = swarm?.TrustRoot ?? "";
  let certs = 0;
  let roots = 0;
  for (const n of nodes) {
    if (sameIssuer(n, desired)) certs++;
    if ((n?.TrustRoot ?? "") === trustRoot) roots++;
  }
  const total = nodes.length;
  const settled = certs === total && !inProgress;
  return { desiredRootDigest: `sha256:${sha256Hex(trustRoot)}`, certs, roots: settled ? roots : 0, total, done: settled && roots === total };
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Which root issued a node's certificate: the desired issuer is the new root during a
 * rotation and the current root otherwise; the trust root's own issuer is the current
 * root; anything else is another root (a node left behind by an earlier rotation, or a
 * CA nobody here knows). Unknown when Docker reports no TLS info for the node.
 */
export function issuerOf(node: DockerTlsInfo | null | undefined, swarm: DockerTlsInfo | null | undefined, inProgress: boolean, currentRoot: IssuerInfo | null): PkiNodeRow["issuer"] {
  if (!node?.CertIssuerPublicKey && !node?.CertIssuerSubject) return "unknown";
  if (sameIssuer(node, desiredIssuer(swarm))) return inProgress ? "new root" : "current root";
  if (currentRoot && sameIssuer(node, currentRoot)) return "current root";
  return "another root";
}

/** A Docker node as a row of the PKI table (pure: the tests feed it Docker's own JSON). */
export function pkiNodeRowOf(node: DockerNode, swarm: DockerTlsInfo | null | undefined, inProgress: boolean, currentRoot: IssuerInfo | null): PkiNodeRow {
  const v = nodeViewOf(node, swarm);
  const tls = node.Description?.TLSInfo;
  const issuer = issuerOf(tls, swarm, inProgress, currentRoot);
  const reportsRoot = typeof tls?.TrustRoot === "string" && tls.TrustRoot !== "";
  return {
    id: v.id,
    hostname: v.hostname,
    role: v.role,
    state: v.state,
    tlsStatus: tlsStatusOf(tls, swarm),
    issuance: null,
    serial: null,
    notBefore: null,
    notAfter: null,
    issuer,
    renewal: null,
    trustRootCurrent: reportsRoot ? tls.TrustRoot === (swarm?.TrustRoot ?? "") : null,
    rotation: inProgress
      ? issuer === "new root"
        ? { state: "rotated", reason: null }
        : v.state === "down"
          ? { state: "unreachable", reason: `Docker says the node is ${node.Status.State}${node.Status.Message ? ` (${node.Status.Message})` : ""}: it renews when it comes back, or remove it to stop waiting for it` }
          : { state: "pending", reason: null }
      : null,
  };
}

const normalizePem = (pem: string) => pem.replace(/\s+/g, "");

function externalCaViewsOf(list: readonly DockerExternalCa[], trustRoot: string, rotationIssuer: IssuerInfo | null): PkiExternalCaView[] {
  return list.map((ca) => {
    const cert = ca.CACert ?? "";
    const signsUnder =
      cert === "" || normalizePem(cert) === normalizePem(trustRoot)
        ? "current root"
        : rotationIssuer && JSON.stringify(issuerOfRoot(cert)) === JSON.stringify(rotationIssuer)
          ? "new root"
          : `sha256:${sha256Hex(cert)}`;
    return { protocol: ca.Protocol, url: ca.URL, signsUnder };
  });
}

/** What the status is read from: `GET /info`, `GET /nodes`, and how many secrets `GET /secrets` lists. */
export interface DockerPkiFacts {
  info: DockerInfo;
  nodes: readonly DockerNode[];
  secrets: number;
  now: Date;
}

/** The swarm `GET /info` describes; only a manager's engine describes it. */
function clusterOf(info: DockerInfo): NonNullable<DockerInfo["Swarm"]["Cluster"]> {
  if (info.Swarm.Cluster) return info.Swarm.Cluster;
  throw new RampartError("failed_precondition", `Docker did not describe the swarm: the engine is not (or no longer) a swarm manager (its swarm state is ${info.Swarm.LocalNodeState})`);
}

/** The trust root as the dashboard shows it; a swarm without a readable one is said as such. */
function trustRootOf(pem: string | undefined): PkiRootView {
  if (!pem) throw new RampartError("failed_precondition", "Docker reported no trust root for the swarm");
  try {
    return rootView(pem, null);
  } catch (error) {
    throw new RampartError("failed_precondition", `Docker's trust root is not a PEM certificate this Rampart can read (${error instanceof Error ? error.message : "unreadable"})`);
  }
}

/** The PKI status of a connected swarm (pure, for tests with Docker's own JSON). */
export function dockerPkiStatusOf(f: DockerPkiFacts): DockerPkiStatus {
  const cluster = clusterOf(f.info);
  const swarm = cluster.TLSInfo;
  const inProgress = cluster.RootRotationInProgress === true;
  const trustRoot = trustRootOf(swarm?.TrustRoot);
  const currentRoot = issuerOfRoot(trustRoot.pem);
  const rows = f.nodes.map((n) => pkiNodeRowOf(n, swarm, inProgress, currentRoot));
  const summary = pkiSummary(rows, f.now);
  const progress = rootRotationProgress(
    swarm,
    f.nodes.map((n) => n.Description?.TLSInfo),
    inProgress,
  );
  const caConfig = readDocker(caConfigSchema, cluster.Spec.CAConfig, "the swarm's CA configuration");
  const autolock = cluster.Spec.EncryptionConfig?.AutoLockManagers ?? false;
  return {
    kind: "docker",
    version: cluster.Version.Index,
    trustRoot,
    rotation: inProgress ? { startedAt: null, target: null, rotatedTls: progress.certs, rotatedCa: progress.roots, nodes: progress.total } : null,
    externalCas: externalCaViewsOf(caConfig?.ExternalCAs ?? [], trustRoot.pem, inProgress ? desiredIssuer(swarm) : null),
    certExpiryMs: Math.round((caConfig?.NodeCertExpiry ?? 0) / NS_PER_MS),
    forceRotate: caConfig?.ForceRotate ?? 0,
    autolock: { enabled: autolock, unlockKeyRotatedAt: null },
    tokens: { workerRotatedAt: null, managerRotatedAt: null },
    lastRotatedAt: null,
    counts: summary.counts,
    warnings: pkiWarnings({
      now: f.now,
      rootNotAfter: trustRoot.notAfter,
      autolock,
      secrets: f.secrets,
      unlockKeyRotatedAt: null,
      tokensRotatedAt: { worker: null, manager: null },
      rotationInProgress: inProgress,
      nodes: rows.map((r) => ({ id: r.id, hostname: r.hostname, state: r.state, notBefore: null, notAfter: null, tlsStatus: r.tlsStatus })),
    }),
    timeline: summary.timeline,
    notReported: [...PKI_FIELDS_NOT_REPORTED],
  };
}

/**
 * The spec to send for a CA change: Docker's spec as read, with what `docker swarm ca
 * --rotate` and `docker swarm update --external-ca/--cert-expiry` change
 * (`updateSwarmSpec`, `mergeSwarmSpecCAFlags`): ForceRotate + 1 for a new root made by
 * Docker, or the given root and key; external CAs replaced when given, each without a
 * certificate taking `defaultCaCert` (the given root on a rotation, the trust root on an
 * update, as the docker CLI fills them); the expiry when given.
 */
export function caChangedSpec(spec: Record<string, unknown>, change: CaChange, defaultCaCert: string): Record<string, unknown> {
  const ca = { ...((spec.CAConfig as Record<string, unknown> | null | undefined) ?? {}) };
  if (change.certExpiryMs !== undefined) ca.NodeCertExpiry = change.certExpiryMs * NS_PER_MS;
  if (change.externalCas !== undefined) {
    ca.ExternalCAs = change.externalCas.map((e) => ({
      Protocol: e.protocol,
      URL: e.url,
      ...(e.options ? { Options: { ...e.options } } : {}),
      CACert: e.caCert === "" ? defaultCaCert : e.caCert,
    }));
  }
  if (change.signingCaCert !== "") ca.SigningCACert = change.signingCaCert;
  if (change.signingCaKey !== "") ca.SigningCAKey = change.signingCaKey;
  if (change.forceRotate) ca.ForceRotate = (typeof ca.ForceRotate === "number" ? ca.ForceRotate : 0) + 1;
  return { ...spec, CAConfig: ca };
}

/** The audit action and reason of a CA change, named as the native cluster names them. */
export function caChangeAudit(change: CaChange, trustRoot: string, inProgress: boolean): { action: AuditAction; reason: string | null } {
  if (change.forceRotate) return { action: "ca.rotate", reason: "to a new root" };
  if (change.signingCaCert === "") return { action: "ca.update", reason: null };
  // The current root given again: SwarmKit stops any rotation under way and keeps the root.
  if (normalizePem(change.signingCaCert) === normalizePem(trustRoot)) return inProgress ? { action: "ca.rotate.stop", reason: "back to the current root" } : { action: "ca.update", reason: null };
  return { action: "ca.rotate", reason: change.signingCaKey !== "" ? "to a given root" : "to an external root" };
}

const UNLOCK_KEY_TARGET = { type: "unlockkey", name: "manager" } as const;

/** `setAutolock`'s answer: the native autolock view's shape, with the new key when this call turned autolock on. */
export interface DockerAutolockChange {
  autolock: boolean;
  version: number;
  /** Docker does not record when its unlock key was made. */
  unlockKeyRotatedAt: null;
  problem: null;
  unlockKey: string | null;
}

/** A connected swarm's PKI: the status, the node table, CA changes, autolock and its unlock key. Changes audited with the environment. */
export function dockerPki(env: ConnectedEnvironment, audit: AuditService, now: () => Date = () => new Date()) {
  async function readInfo(): Promise<DockerInfo> {
    return readDocker(dockerInfoSchema, await env.call((d) => d.info()), "the engine's info");
  }

  async function readNodes(): Promise<DockerNode[]> {
    return readDocker(z.array(dockerNodeSchema), await env.call((d) => d.listNodes()), "the swarm's nodes");
  }

  /** `GET /swarm/unlockkey` (dockerode has no call for it): the key, or "" when there is none. */
  async function readUnlockKey(): Promise<string> {
    const answer = await env.call(
      (d) =>
        new Promise<unknown>((resolve, reject) => {
          d.modem.dial({ path: "/swarm/unlockkey", method: "GET", statusCodes: { 200: true, 500: "server error", 503: "node is not part of a swarm" } }, (error: unknown, data: unknown) =>
            error ? reject(error) : resolve(data),
          );
        }),
    );
    return readDocker(unlockKeySchema, answer, "the swarm's unlock key").UnlockKey;
  }

  const record = (actor: Actor, ip: string | null, action: AuditAction, target: AuditObject, reason: string | null = null) =>
    audit.record({ actor, action, target, outcome: "success", reason, ip, env: env.auditEnv });

  async function status(): Promise<DockerPkiStatus> {
    const [info, nodes, secrets] = await Promise.all([readInfo(), readNodes(), env.call((d) => d.listSecrets())]);
    return dockerPkiStatusOf({ info, nodes, secrets: Array.isArray(secrets) ? secrets.length : 0, now: now() });
  }

  /** The key as it is now, audited as given to `actor`; Docker's `no unlock key is set` when autolock is off. */
  async function reveal(actor: Actor, ip: string | null, reason: string | null): Promise<string> {
    const key = await readUnlockKey();
    if (key === "") throw new RampartError("failed_precondition", NO_UNLOCK_KEY_MESSAGE);
    await record(actor, ip, "unlockkey.reveal", UNLOCK_KEY_TARGET, reason);
    return key;
  }

  return {
    status,

    async nodes(query: PkiNodeQuery): Promise<{ total: number; rows: PkiNodeRow[] }> {
      const [info, nodes] = await Promise.all([readInfo(), readNodes()]);
      const cluster = clusterOf(info);
      const swarm = cluster.TLSInfo;
      const currentRoot = issuerOfRoot(swarm?.TrustRoot ?? "");
      const at = now();
      return queryPkiNodes(
        nodes.map((n) => pkiNodeRowOf(n, swarm, cluster.RootRotationInProgress === true, currentRoot)),
        query,
        at,
      );
    },

    /**
     * `docker swarm ca --rotate` and `docker swarm update --external-ca/--cert-expiry`
     * (with `forceRotate` false and no root given), at the caller's version: SwarmKit
     * checks the change (`validateCAConfig`: a key that does not fit its certificate, a
     * root that expires too soon, external CAs none of which answers) and its refusals
     * come back in its words. The root key goes to Docker in the request body only.
     * Audited as `ca.rotate`, `ca.rotate.stop` or `ca.update` once Docker accepts it.
     */
    async changeCa(change: CaChange, actor: Actor, ip: string | null): Promise<DockerPkiStatus> {
      const cluster = clusterOf(await readInfo());
      const trustRoot = cluster.TLSInfo?.TrustRoot ?? "";
      const rotating = change.forceRotate || change.signingCaCert !== "" || change.signingCaKey !== "";
      const spec = caChangedSpec(cluster.Spec, change, rotating ? change.signingCaCert : trustRoot);
      await env.call((d) => d.swarmUpdate({ _query: { version: change.version }, _body: spec }));
      const { action, reason } = caChangeAudit(change, trustRoot, cluster.RootRotationInProgress === true);
      await record(actor, ip, action, { type: "cluster", id: cluster.ID }, reason);
      return status();
    },

    /** `docker swarm unlock-key`: the one path that returns a connected swarm's unlock key. Audited. */
    revealUnlockKey: (actor: Actor, ip: string | null): Promise<string> => reveal(actor, ip, null),

    /**
     * `docker swarm unlock-key --rotate`: refused, as the docker CLI refuses it, while
     * autolock is off (Docker itself would ignore the flag); then the new key, which is
     * therefore also a reveal. Both audited.
     */
    async rotateUnlockKey(actor: Actor, ip: string | null): Promise<string> {
      const cluster = clusterOf(await readInfo());
      if (cluster.Spec.EncryptionConfig?.AutoLockManagers !== true) throw new RampartError("failed_precondition", AUTOLOCK_OFF_MESSAGE);
      await env.call((d) => d.swarmUpdate({ _query: { version: cluster.Version.Index, rotateManagerUnlockKey: true }, _body: cluster.Spec }));
      await record(actor, ip, "unlockkey.rotate", UNLOCK_KEY_TARGET);
      return reveal(actor, ip, "shown once, on rotating it");
    },

    /**
     * `docker swarm update --autolock=true|false` at the caller's version (Docker's 409
     * when stale). Turning it on answers with the new key, once, as the docker CLI prints
     * it (a reveal, audited); asking for what already is changes nothing and is not audited.
     */
    async setAutolock(input: { version: number; autolock: boolean }, actor: Actor, ip: string | null): Promise<DockerAutolockChange> {
      const cluster = clusterOf(await readInfo());
      const was = cluster.Spec.EncryptionConfig?.AutoLockManagers === true;
      const spec = { ...cluster.Spec, EncryptionConfig: { ...(cluster.Spec.EncryptionConfig ?? {}), AutoLockManagers: input.autolock } };
      await env.call((d) => d.swarmUpdate({ _query: { version: input.version }, _body: spec }));
      let unlockKey: string | null = null;
      if (was !== input.autolock) {
        await record(actor, ip, input.autolock ? "autolock.enable" : "autolock.disable", { type: "cluster", id: cluster.ID });
        if (input.autolock) unlockKey = await reveal(actor, ip, "shown once, on turning autolock on");
      }
      const after = clusterOf(await readInfo());
      return { autolock: after.Spec.EncryptionConfig?.AutoLockManagers === true, version: after.Version.Index, unlockKeyRotatedAt: null, problem: null, unlockKey };
    },
  };
}

export type DockerPki = ReturnType<typeof dockerPki>;
