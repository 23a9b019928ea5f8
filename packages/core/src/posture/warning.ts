import type { PostureSnapshot } from "./snapshot.js";

/** Most urgent first; the Overview orders by this, then by the registry's order. */
export const WARNING_SEVERITIES = ["critical", "warning", "info"] as const;
export type WarningSeverity = (typeof WARNING_SEVERITIES)[number];

/** The object a warning is about, when it is about one. */
export interface WarningSubject {
  type: "node" | "service" | "secret" | "jointoken" | "cluster" | "address" | "account";
  id: string | null;
  name: string;
}

/**
 * One thing that needs an administrator's action: a one-line title, a sentence or two of
 * why and what to do, and a link to the page where it is fixed. Warnings never carry a
 * value (a secret, a token, a key): only names, counts and times.
 */
export interface Warning {
  /** Stable across polls while the condition holds: `<kind>:<subject>`. */
  id: string;
  kind: string;
  severity: WarningSeverity;
  title: string;
  detail: string;
  /** A path inside the UI. */
  href: string;
  /** The link's words: what the page lets the reader do. */
  action: string;
  subject: WarningSubject | null;
}

/**
 * A source of warnings. The Overview runs every registered producer over one snapshot;
 * a later part of the product adds a warning by adding a producer to
 * `WARNING_PRODUCERS`, not by adding a card to a page.
 */
export interface WarningProducer {
  /** Dotted, unique in the registry: `certificates.expiring`. */
  kind: string;
  /** What it checks, as a phrase the empty state lists: "node certificates ending within 14 days". */
  checks: string;
  /** The page that lists every subject, linked when more fire than the Overview shows. */
  listHref: string;
  /** The overflow line's title: "3 more certificates end soon". */
  more(count: number): string;
  /** Its warnings, most urgent first; null when the snapshot lacks what it reads (not checked). */
  produce(snapshot: PostureSnapshot, now: Date): Warning[] | null;
}

/** Whether each producer ran, for an empty state that says what was checked. */
export interface PostureCheck {
  kind: string;
  checks: string;
  ran: boolean;
}

/** Warnings of one kind beyond this are folded into one line linking to the full list. */
export const MAX_WARNINGS_PER_KIND = 5;

const rank = (s: WarningSeverity) => WARNING_SEVERITIES.indexOf(s);

/**
 * Runs every producer over the snapshot: warnings sorted by severity, then by registry
 * order, then as each producer ordered them; at most `perKind` of one kind, the rest
 * counted in one line. A producer that throws is a bug and is not hidden.
 */
export function collectWarnings(
  producers: readonly WarningProducer[],
  snapshot: PostureSnapshot,
  now: Date,
  perKind = MAX_WARNINGS_PER_KIND,
): { warnings: Warning[]; checks: PostureCheck[] } {
  const checks: PostureCheck[] = [];
  const ranked: Array<{ warning: Warning; order: number; index: number }> = [];
  producers.forEach((producer, order) => {
    const produced = producer.produce(snapshot, now);
    checks.push({ kind: producer.kind, checks: producer.checks, ran: produced !== null });
    if (!produced || produced.length === 0) return;
    const sorted = produced.map((w, i) => ({ w, i })).sort((a, b) => rank(a.w.severity) - rank(b.w.severity) || a.i - b.i);
    const shown = sorted.slice(0, perKind).map(({ w }) => w);
    const rest = sorted.slice(perKind).map(({ w }) => w);
    if (rest.length > 0) {
      const severity = WARNING_SEVERITIES[Math.min(...rest.map((w) => rank(w.severity)))]!;
      shown.push({
        id: `${producer.kind}:more`,
        kind: producer.kind,
        severity,
        title: producer.more(rest.length),
        detail: `The Overview shows ${perKind} of this kind; the rest are on the list.`,
        href: producer.listHref,
        action: "See them all",
        subject: null,
      });
    }
    shown.forEach((warning, index) => ranked.push({ warning, order, index }));
  });
  ranked.sort((a, b) => rank(a.warning.severity) - rank(b.warning.severity) || a.order - b.order || a.index - b.index);
  return { warnings: ranked.map((r) => r.warning), checks };
}
