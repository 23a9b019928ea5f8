import type { NodeState } from "../node/index.js";

/**
 * The PKI dashboard's rules (ADR 0021): what is worth a warning about a swarm's
 * certificates, keys and tokens, and where each node stands in its renewal. Pure, so the
 * native cluster and a connected Docker Swarm are judged by the same rules; a fact a
 * swarm does not give is null and is never guessed.
 */

const DAY = 86_400_000;
/** A node certificate this close to its end is a warning (7 days). */
export const CERT_EXPIRY_WARNING_MS = 7 * DAY;
/** A root this close to its end is a warning (a year: rotating a root takes planning). */
export const ROOT_EXPIRY_WARNING_MS = 365 * DAY;
/** Unlock keys and join tokens older than this are worth rotating (90 days). */
export const KEY_AGE_WARNING_MS = 90 * DAY;
/** Past the end of the renewal window (80 % of the life) by more than this, a node is late. */
export const RENEWAL_GRACE_MS = 60 * 60_000;

/** Where agents renew (ca/config.go): a random point in 50–80 % of the certificate's life. */
export function renewalWindow(notBefore: Date, notAfter: Date): { from: Date; to: Date } {
  const life = notAfter.getTime() - notBefore.getTime();
  return { from: new Date(notBefore.getTime() + life * 0.5), to: new Date(notBefore.getTime() + life * 0.8) };
}

export interface PkiNodeFacts {
  id: string;
  hostname: string;
  state: NodeState;
  /** Null where the swarm does not say (Docker's API gives no node certificate dates). */
  notBefore: Date | null;
  notAfter: Date | null;
  tlsStatus: "ready" | "needs-rotation" | "unknown";
}

export interface PkiFacts {
  now: Date;
  rootNotAfter: Date;
  /** Null where unknown. */
  autolock: boolean | null;
  /** How many secrets the swarm holds; null where unknown. */
  secrets: number | null;
  /** When the unlock key was made; null when there is none, or it is not known. */
  unlockKeyRotatedAt: Date | null;
  /** When each join token was made; null when the swarm does not say. */
  tokensRotatedAt: { worker: Date | null; manager: Date | null };
  rotationInProgress: boolean;
  nodes: readonly PkiNodeFacts[];
}

export interface PkiWarning {
  id: "cert-expired" | "cert-expiring" | "renewal-late" | "root-expiring" | "autolock-off" | "unlock-key-old" | "token-old" | "needs-rotation";
  severity: "critical" | "warning";
  text: string;
  /** The nodes it is about, when it is about nodes. */
  nodeIds?: string[];
  /** The date it turns on (an expiry, or when a key was made). */
  at?: Date;
}

const date = (d: Date) => d.toISOString().slice(0, 10);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function pkiWarnings(f: PkiFacts): PkiWarning[] {
  const out: PkiWarning[] = [];
  const now = f.now.getTime();
  const dated = f.nodes.filter((n): n is PkiNodeFacts & { notBefore: Date; notAfter: Date } => n.notBefore !== null && n.notAfter !== null);
  const soonest = (list: typeof dated) => list.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));

  const expired = dated.filter((n) => n.notAfter.getTime() <= now);
  if (expired.length > 0) {
    const first = soonest(expired);
    out.push({
      id: "cert-expired",
      severity: "critical",
      text: `${plural(expired.length, "node certificate")} expired (${first.hostname} on ${date(first.notAfter)}): ${expired.length === 1 ? "that node" : "those nodes"} can no longer talk to the manager`,
      nodeIds: expired.map((n) => n.id),
      at: first.notAfter,
    });
  }
  const expiring = dated.filter((n) => n.notAfter.getTime() > now && n.notAfter.getTime() - now <= CERT_EXPIRY_WARNING_MS);
  if (expiring.length > 0) {
    const first = soonest(expiring);
    out.push({
      id: "cert-expiring",
      severity: "warning",
      text: `${plural(expiring.length, "node certificate")} expire within 7 days; the first, ${first.hostname}'s, on ${date(first.notAfter)}`,
      nodeIds: expiring.map((n) => n.id),
      at: first.notAfter,
    });
  }
  const late = dated.filter((n) => n.notAfter.getTime() > now && now > renewalWindow(n.notBefore, n.notAfter).to.getTime() + RENEWAL_GRACE_MS);
  if (late.length > 0) {
    const first = soonest(late);
    out.push({
      id: "renewal-late",
      severity: "warning",
      text: `${plural(late.length, "node")} did not renew on time (past 80 % of the certificate's life): ${late
        .slice(0, 3)
        .map((n) => n.hostname)
        .join(", ")}${late.length > 3 ? ", …" : ""}`,
      nodeIds: late.map((n) => n.id),
      at: renewalWindow(first.notBefore, first.notAfter).to,
    });
  }
  const stale = f.rotationInProgress ? [] : f.nodes.filter((n) => n.tlsStatus === "needs-rotation");
  if (stale.length > 0) {
    out.push({
      id: "needs-rotation",
      severity: "warning",
      text: `${plural(stale.length, "node")} present a certificate that does not come from the current root`,
      nodeIds: stale.map((n) => n.id),
    });
  }
  if (f.rootNotAfter.getTime() - now <= ROOT_EXPIRY_WARNING_MS) {
    out.push({
      id: "root-expiring",
      severity: f.rootNotAfter.getTime() <= now + 30 * DAY ? "critical" : "warning",
      text: `the root CA expires on ${date(f.rootNotAfter)}: rotate it before then (every node needs a certificate from the new root)`,
      at: f.rootNotAfter,
    });
  }
  if (f.autolock === false && f.secrets !== null && f.secrets > 0) {
    out.push({
      id: "autolock-off",
      severity: "warning",
      text: `autolock is off while the swarm holds ${plural(f.secrets, "secret")}: a copy of a manager's data opens without a key`,
    });
  }
  if (f.unlockKeyRotatedAt && now - f.unlockKeyRotatedAt.getTime() > KEY_AGE_WARNING_MS) {
    out.push({ id: "unlock-key-old", severity: "warning", text: `the unlock key has not been rotated since ${date(f.unlockKeyRotatedAt)}`, at: f.unlockKeyRotatedAt });
  }
  for (const role of ["worker", "manager"] as const) {
    const at = f.tokensRotatedAt[role];
    if (at && now - at.getTime() > KEY_AGE_WARNING_MS) {
      out.push({ id: "token-old", severity: "warning", text: `the ${role} join token has not been rotated since ${date(at)}`, at });
    }
  }
  return out;
}

export interface ExpiryBucket {
  from: Date;
  to: Date;
  count: number;
}

/**
 * Upcoming node certificate expiries: one bucket a day for the next week, then a week a
 * bucket up to 13 weeks; later ones in a last bucket up to the latest. Expired
 * certificates are counted in the first bucket, from their own date.
 */
export function expiryTimeline(nodes: readonly Pick<PkiNodeFacts, "notAfter">[], now: Date): ExpiryBucket[] {
  const start = now.getTime();
  const edges: number[] = [];
  for (let d = 1; d <= 7; d++) edges.push(start + d * DAY);
  for (let w = 2; w <= 13; w++) edges.push(start + w * 7 * DAY);
  const buckets: ExpiryBucket[] = edges.map((to, i) => ({ from: new Date(i === 0 ? start : edges[i - 1]!), to: new Date(to), count: 0 }));
  let later: ExpiryBucket | undefined;
  for (const n of nodes) {
    if (!n.notAfter) continue;
    const t = n.notAfter.getTime();
    const bucket = buckets.find((b) => t <= b.to.getTime());
    if (bucket) {
      bucket.count++;
      if (t < bucket.from.getTime()) bucket.from = new Date(t);
    } else {
      later ??= { from: new Date(edges.at(-1)!), to: new Date(t), count: 0 };
      later.count++;
      if (t > later.to.getTime()) later.to = new Date(t);
    }
  }
  return later ? [...buckets, later] : buckets;
}
