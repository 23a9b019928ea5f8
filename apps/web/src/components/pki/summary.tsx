"use client";

import { NotReported } from "~/components/states";
import type { PkiStatus } from "./model";

type Tone = "good" | "bad" | "warn" | "neutral";

const toneText: Record<Tone, string> = {
  good: "text-emerald-700 dark:text-emerald-400",
  bad: "text-red-700 dark:text-red-400",
  warn: "text-amber-700 dark:text-amber-400",
  neutral: "",
};

/** One count; coloured only when it is not zero (a trouble count) or all is well. */
function Tile({ label, value, tone, testId }: { label: string; value: number | null; tone: Tone; testId: string }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-3 shadow-sm dark:border-zinc-800 dark:bg-zinc-900" data-testid={testId}>
      <dt className="text-xs font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className={`mt-1 text-xl font-semibold tabular-nums ${value ? toneText[tone] : ""}`}>{value === null ? <NotReported /> : value.toLocaleString("en")}</dd>
    </div>
  );
}

/** The node certificates at a glance: how many, and how many of them need something. */
export function PkiCounts({ counts }: { counts: PkiStatus["counts"] }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 xl:grid-cols-7" aria-label="Node certificates at a glance">
      <Tile label="Nodes" value={counts.nodes} tone="neutral" testId="pki-count-nodes" />
      <Tile label="TLS ready" value={counts.ready} tone="good" testId="pki-count-ready" />
      <Tile label="Needs rotation" value={counts.needsRotation} tone="warn" testId="pki-count-needs-rotation" />
      <Tile label="TLS unknown" value={counts.unknown} tone="warn" testId="pki-count-unknown" />
      <Tile label="Issuance pending or failed" value={counts.pending} tone="bad" testId="pki-count-pending" />
      <Tile label="Expiring within 7 days" value={counts.expiringSoon} tone="warn" testId="pki-count-expiring" />
      <Tile label="Holding the trust root" value={counts.trustRootCurrent} tone="neutral" testId="pki-count-trust-root" />
    </dl>
  );
}
