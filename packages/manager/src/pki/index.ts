import { X509Certificate, createHash } from "node:crypto";
import {
  expiryTimeline,
  toHex,
  pkiWarnings,
  renewalWindow,
  type CertIssuanceState,
  type ExpiryBucket,
  type ExternalCa,
  type NodeRole,
  type NodeState,
  type PkiWarning,
} from "@rampart/core";
import type { ClusterService } from "../cluster/index.js";
import type { RotationNodeState, RotationReconciler } from "../cluster/rotation.js";
import { firstCertificateOf, keyIdOf } from "../cluster/signer.js";
import type { ManagerDeps } from "../deps.js";
import type { NodeService, TlsStatus } from "../nodes/index.js";
import type { SecretService } from "../secrets/index.js";

/**
 * The PKI dashboard's data (ADR 0021), in one shape for the native cluster and for a
 * connected Docker Swarm: the trust root, a rotation and its progress, the external
 * CAs, the expiry setting, autolock, keys' ages, warnings, upcoming expiries, and one
 * row per node. What an environment's API does not give is null, and named in
 * `notReported`, never guessed.
 */
export interface PkiRootView {
  pem: string;
  /** `sha256:<hex>` of the PEM, as join tokens carry it. */
  digest: string;
  fingerprintSha256: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** e.g. `ECDSA P-256`, `RSA 4096`. */
  key: string;
  /** Whether the swarm holds the signing key (false: an external CA signs); null where not known. */
  keyHeld: boolean | null;
}

export interface PkiRotationView {
  startedAt: Date | null;
  /** The root being rotated to. */
  target: PkiRootView;
  /** Nodes whose certificate comes from the new root, of all nodes (`rotated TLS certificates`). */
  rotatedTls: number;
  /** Nodes holding the current trust root (`rotated CA certificates`); null where not known. */
  rotatedCa: number | null;
  nodes: number;
}

export interface PkiExternalCaView {
  protocol: string;
  url: string;
  /** Which root it signs under: the current one, the rotation's, or another (its digest). */
  signsUnder: "current root" | "new root" | string;
}

export interface PkiNodeRow {
  id: string;
  hostname: string;
  role: NodeRole;
  state: NodeState;
  tlsStatus: TlsStatus;
  /** Node.Certificate.Status; null where not known. */
  issuance: { state: CertIssuanceState; reason: string | null } | null;
  serial: string | null;
  notBefore: Date | null;
  notAfter: Date | null;
  /** Which root issued the certificate the node presents. */
  issuer: "current root" | "new root" | "another root" | "unknown";
  /** Where the node renews (50–80 % of the life); null where the dates are not known. */
  renewal: { from: Date; to: Date } | null;
  /** Whether the node holds the current trust root; null where not known. */
  trustRootCurrent: boolean | null;
  /** Its place in a rotation under way; null with none. */
  rotation: { state: RotationNodeState; reason: string | null } | null;
}

export interface PkiStatus {
  kind: "native" | "docker";
  version: number;
  trustRoot: PkiRootView;
  rotation: PkiRotationView | null;
  externalCas: PkiExternalCaView[];
  certExpiryMs: number;
  forceRotate: number;
  autolock: { enabled: boolean; unlockKeyRotatedAt: Date | null };
  tokens: { workerRotatedAt: Date | null; managerRotatedAt: Date | null };
  lastRotatedAt: Date | null;
  counts: {
    nodes: number;
    ready: number;
    needsRotation: number;
    unknown: number;
    pending: number;
    expiringSoon: number;
    /** Nodes holding the current trust root (`rotated CA certificates`); null where not known. */
    trustRootCurrent: number | null;
  };
  warnings: PkiWarning[];
  timeline: ExpiryBucket[];
  /** Facts the environment does not give, in a sentence each. */
  notReported: string[];
}

const SORTS = ["hostname", "notAfter", "tlsStatus", "issuer", "renewal", "state"] as const;
export type PkiNodeSort = (typeof SORTS)[number];

export interface PkiNodeQuery {
  sort?: PkiNodeSort | undefined;
  desc?: boolean | undefined;
  /** Hostname or ID, case-insensitive, anywhere. */
  search?: string | undefined;
  tlsStatus?: TlsStatus | undefined;
  issuer?: PkiNodeRow["issuer"] | undefined;
  /** Only certificates that end within this many days (expired ones included). */
  expiringWithinDays?: number | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

/** A root certificate as the dashboard shows it. */
export function rootView(pem: string, keyHeld: boolean | null): PkiRootView {
  const cert = new X509Certificate(pem);
  const key = cert.publicKey.asymmetricKeyDetails ?? {};
  const curves: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
  const keyText =
    cert.publicKey.asymmetricKeyType === "ec"
      ? `ECDSA ${curves[key.namedCurve ?? ""] ?? key.namedCurve ?? ""}`.trim()
      : cert.publicKey.asymmetricKeyType === "rsa"
        ? `RSA ${key.modulusLength ?? ""}`.trim()
        : String(cert.publicKey.asymmetricKeyType ?? "unknown");
  return {
    pem,
    digest: `sha256:${createHash("sha256").update(pem).digest("hex")}`,
    fingerprintSha256: cert.fingerprint256,
    subject: cert.subject.split("\n").join(", "),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    key: keyText,
    keyHeld,
  };
}

const TLS_RANK: Record<TlsStatus, number> = { "needs-rotation": 0, unknown: 1, ready: 2 };
const time = (d: Date | null) => (d === null ? Number.POSITIVE_INFINITY : d.getTime());

/** Sorts, filters and pages node rows (the table holds 10,000 nodes: it is served a page at a time). */
export function queryPkiNodes(rows: readonly PkiNodeRow[], q: PkiNodeQuery, now: Date): { total: number; rows: PkiNodeRow[] } {
  const search = q.search?.trim().toLowerCase() ?? "";
  const horizon = q.expiringWithinDays === undefined ? undefined : now.getTime() + q.expiringWithinDays * 86_400_000;
  const kept = rows.filter(
    (r) =>
      (search === "" || r.hostname.toLowerCase().includes(search) || r.id.includes(search)) &&
      (q.tlsStatus === undefined || r.tlsStatus === q.tlsStatus) &&
      (q.issuer === undefined || r.issuer === q.issuer) &&
      (horizon === undefined || (r.notAfter !== null && r.notAfter.getTime() <= horizon)),
  );
  const by: Record<PkiNodeSort, (a: PkiNodeRow, b: PkiNodeRow) => number> = {
    hostname: (a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }),
    notAfter: (a, b) => time(a.notAfter) - time(b.notAfter),
    tlsStatus: (a, b) => TLS_RANK[a.tlsStatus] - TLS_RANK[b.tlsStatus],
    issuer: (a, b) => a.issuer.localeCompare(b.issuer),
    renewal: (a, b) => time(a.renewal?.from ?? null) - time(b.renewal?.from ?? null),
    state: (a, b) => a.state.localeCompare(b.state),
  };
  const compare = by[q.sort ?? "notAfter"];
  const sign = q.desc ? -1 : 1;
  kept.sort((a, b) => sign * compare(a, b) || a.hostname.localeCompare(b.hostname, "en", { numeric: true }) || a.id.localeCompare(b.id));
  const offset = Math.max(0, q.offset ?? 0);
  const limit = Math.min(Math.max(1, q.limit ?? 50), 500);
  return { total: kept.length, rows: kept.slice(offset, offset + limit) };
}

/** Summary facts shared by both kinds of environment. */
export function pkiSummary(rows: readonly PkiNodeRow[], now: Date) {
  const soon = now.getTime() + 7 * 86_400_000;
  return {
    counts: {
      nodes: rows.length,
      ready: rows.filter((r) => r.tlsStatus === "ready").length,
      needsRotation: rows.filter((r) => r.tlsStatus === "needs-rotation").length,
      unknown: rows.filter((r) => r.tlsStatus === "unknown").length,
      pending: rows.filter((r) => r.issuance?.state === "pending" || r.issuance?.state === "failed").length,
      expiringSoon: rows.filter((r) => r.notAfter !== null && r.notAfter.getTime() <= soon).length,
      trustRootCurrent: rows.every((r) => r.trustRootCurrent === null) && rows.length > 0 ? null : rows.filter((r) => r.trustRootCurrent === true).length,
    },
    timeline: expiryTimeline(rows, now),
  };
}

function externalCaViews(list: readonly ExternalCa[], currentRoot: string, rotationRoot: string | null): PkiExternalCaView[] {
  const norm = (pem: string) => pem.replace(/\s+/g, "");
  return list.map((ca) => ({
    protocol: ca.protocol,
    url: ca.url,
    signsUnder:
      ca.caCert === "" || norm(ca.caCert) === norm(currentRoot)
        ? "current root"
        : rotationRoot && norm(ca.caCert) === norm(rotationRoot)
          ? "new root"
          : `sha256:${createHash("sha256").update(ca.caCert).digest("hex")}`,
  }));
}

/**
 * The root a node's certificate chains to (`node inspect`): which root issued it, by
 * the issuer the node presented over TLS or else by its stored certificate's authority
 * key; that root's subject and digest; and whether the node holds the current trust root.
 */
export interface PkiNodeChain {
  root: PkiNodeRow["issuer"];
  /** The issuing root's subject and `sha256:` digest; null for another or an unknown root. */
  rootSubject: string | null;
  rootDigest: string | null;
  trustRootCurrent: boolean | null;
}

/** The authority key of the first certificate in `pem` (a node's, before any intermediate); null without one. */
function authorityKeyIdOf(pem: string): string | null {
  const aki = firstCertificateOf(pem).authorityKeyId;
  return aki ? toHex(aki) : null;
}

/** The native cluster's PKI view. */
export function createPkiService(deps: ManagerDeps, cluster: ClusterService, nodes: NodeService, rotation: RotationReconciler, secrets: SecretService) {
  /** Which root a certificate issued under a key ID chains to: the current one, a rotation's new one, or another. Made once per read. */
  function issuers(): (issuerKeyId: string | null) => PkiNodeRow["issuer"] {
    const { record, ca } = cluster.current();
    const rootKeyId = keyIdOf(record.rootCaCert);
    const newKeyId = record.rootRotation ? ca.wantedIssuerKeyId : null;
    return (id) => (id === null ? "unknown" : id === newKeyId ? "new root" : id === rootKeyId ? "current root" : "another root");
  }

  function rows(now: Date): PkiNodeRow[] {
    const { ca } = cluster.current();
    const issuerOf = issuers();
    const progress = rotation.progress(now);
    const records = new Map(nodes.records().map((r) => [r.id, r]));
    return nodes.listSync(now).map((v) => {
      const r = records.get(v.id);
      const issuer = issuerOf(r?.tlsInfo?.issuerKeyId ?? null);
      const trust = r?.tlsInfo?.trustRootDigest ?? null;
      return {
        id: v.id,
        hostname: v.hostname,
        role: v.role,
        state: v.state,
        tlsStatus: v.tls.status,
        issuance: v.tls.issuance,
        serial: r?.tlsInfo?.serial ?? v.tls.serial,
        notBefore: v.tls.notBefore,
        notAfter: v.tls.notAfter,
        issuer,
        renewal: v.tls.notBefore && v.tls.notAfter ? renewalWindow(v.tls.notBefore, v.tls.notAfter) : null,
        trustRootCurrent: trust === null ? null : trust === ca.rootDigestHex,
        rotation: progress.get(v.id) ?? null,
      };
    });
  }

  return {
    async status(): Promise<PkiStatus> {
      const now = deps.now();
      const { record } = cluster.current();
      const all = rows(now);
      const keys = cluster.current().keysHeld;
      const trustRoot = rootView(record.rootCaCert, keys.root);
      const secretCount = (await secrets.list()).length;
      const summary = pkiSummary(all, now);
      const rotationView: PkiRotationView | null = record.rootRotation
        ? {
            startedAt: record.rootRotation.startedAt,
            target: rootView(record.rootRotation.caCert, keys.rotation),
            rotatedTls: all.filter((r) => r.issuer === "new root").length,
            rotatedCa: all.filter((r) => r.trustRootCurrent === true).length,
            nodes: all.length,
          }
        : null;
      return {
        kind: "native",
        version: record.version,
        trustRoot,
        rotation: rotationView,
        externalCas: externalCaViews(record.externalCas, record.rootCaCert, record.rootRotation?.caCert ?? null),
        certExpiryMs: record.certExpiryMs,
        forceRotate: record.forceRotate,
        autolock: { enabled: record.autolock, unlockKeyRotatedAt: record.unlockKeyRotatedAt },
        tokens: { workerRotatedAt: record.workerTokenRotatedAt, managerRotatedAt: record.managerTokenRotatedAt },
        lastRotatedAt: record.rootRotatedAt,
        counts: summary.counts,
        warnings: pkiWarnings({
          now,
          rootNotAfter: trustRoot.notAfter,
          autolock: record.autolock,
          secrets: secretCount,
          unlockKeyRotatedAt: record.autolock ? record.unlockKeyRotatedAt : null,
          tokensRotatedAt: { worker: record.workerTokenRotatedAt, manager: record.managerTokenRotatedAt },
          rotationInProgress: record.rootRotation !== null,
          nodes: all.map((r) => ({ id: r.id, hostname: r.hostname, state: r.state, notBefore: r.notBefore, notAfter: r.notAfter, tlsStatus: r.tlsStatus })),
        }),
        timeline: summary.timeline,
        notReported: [],
      };
    },

    /** The root node `nodeId`'s certificate chains to; `certificatePem`, its stored certificate, when it has not been seen over TLS. */
    chainOf(nodeId: string, certificatePem: string | null): PkiNodeChain {
      const { record, ca } = cluster.current();
      const seen = nodes.records().find((r) => r.id === nodeId)?.tlsInfo ?? null;
      const root = issuers()(seen?.issuerKeyId ?? (certificatePem ? authorityKeyIdOf(certificatePem) : null));
      const pem = root === "current root" ? record.rootCaCert : root === "new root" ? (record.rootRotation?.caCert ?? null) : null;
      const view = pem === null ? null : rootView(pem, null);
      const trust = seen?.trustRootDigest ?? null;
      return {
        root,
        rootSubject: view?.subject ?? null,
        rootDigest: view?.digest ?? null,
        trustRootCurrent: trust === null ? null : trust === ca.rootDigestHex,
      };
    },

    nodes(query: PkiNodeQuery): { total: number; rows: PkiNodeRow[] } {
      const now = deps.now();
      return queryPkiNodes(rows(now), query, now);
    },
  };
}

export type PkiService = ReturnType<typeof createPkiService>;
export { SORTS as PKI_NODE_SORTS };
