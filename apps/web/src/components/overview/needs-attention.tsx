"use client";

import type { OverviewSummary, OverviewWarning } from "@rampart/api/schema";
import Link from "next/link";
import { Badge, EmptyState, linkClass } from "~/components/ui";
import { envHref, useEnv } from "~/lib/env";

const SEVERITY: Record<OverviewWarning["severity"], { label: string; tone: "bad" | "warn" | "neutral"; bar: string }> = {
  critical: { label: "Critical", tone: "bad", bar: "border-l-red-600 dark:border-l-red-500" },
  warning: { label: "Warning", tone: "warn", bar: "border-l-amber-500 dark:border-l-amber-400" },
  info: { label: "Info", tone: "neutral", bar: "border-l-zinc-400 dark:border-l-zinc-500" },
};

function WarningItem({ warning }: { warning: OverviewWarning }) {
  const severity = SEVERITY[warning.severity];
  const env = useEnv();
  return (
    <li data-testid="warning" data-kind={warning.kind} className={`border-l-4 py-3 pl-3 ${severity.bar}`}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={severity.tone}>{severity.label}</Badge>
        <p className="min-w-0 font-medium break-words">{warning.title}</p>
      </div>
      <p className="mt-1 text-sm break-words text-zinc-700 dark:text-zinc-300">{warning.detail}</p>
      <Link href={envHref(env, warning.href)} className={`mt-1 inline-block text-sm ${linkClass}`} aria-label={`${warning.action}: ${warning.title}`}>
        {warning.action} →
      </Link>
    </li>
  );
}

/**
 * What the warning producers raised, most urgent first; when nothing is raised, the list
 * of what was checked, so "nothing" is an answer and not a blank.
 */
export function NeedsAttention({ summary }: { summary: OverviewSummary }) {
  const skipped = summary.checks.filter((c) => !c.ran);
  if (summary.warnings.length === 0) {
    return (
      <EmptyState title="Nothing needs attention">
        <p>Checked:</p>
        <ul className="mt-1 list-inside list-disc text-left">
          {summary.checks
            .filter((c) => c.ran)
            .map((c) => (
              <li key={c.kind}>{c.checks}</li>
            ))}
        </ul>
        {skipped.length > 0 && <SkippedNote skipped={skipped} />}
      </EmptyState>
    );
  }
  return (
    <div className="space-y-3">
      <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="Warnings">
        {summary.warnings.map((w) => (
          <WarningItem key={w.id} warning={w} />
        ))}
      </ul>
      {skipped.length > 0 && <SkippedNote skipped={skipped} />}
    </div>
  );
}

function SkippedNote({ skipped }: { skipped: OverviewSummary["checks"] }) {
  return (
    <p className="text-xs text-zinc-600 dark:text-zinc-400">
      Not checked, as your role cannot read the audit log: {skipped.map((c) => c.checks).join("; ")}.
    </p>
  );
}
