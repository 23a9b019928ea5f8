"use client";

import type { OverviewSummary } from "@rampart/api/schema";
import Link from "next/link";
import { envHref, useEnv } from "~/lib/env";

type Tone = "good" | "bad" | "warn" | "neutral";

const toneText: Record<Tone, string> = {
  good: "text-emerald-700 dark:text-emerald-400",
  bad: "text-red-700 dark:text-red-400",
  warn: "text-amber-700 dark:text-amber-400",
  neutral: "text-zinc-600 dark:text-zinc-400",
};

interface Part {
  label: string;
  value: number;
  /** The tone when the value is not zero; zero is always neutral. */
  tone: Tone;
}

/** One count and its parts: the trouble in colour only when there is some. */
function CountTile({ title, total, href, parts, testId }: { title: string; total: number; href: string; parts: Part[]; testId: string }) {
  return (
    <Link
      href={href}
      data-testid={testId}
      className="block rounded-lg border border-zinc-200 bg-white p-4 shadow-sm transition-colors hover:border-sky-400 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-sky-700"
    >
      <p className="text-sm font-medium text-zinc-600 dark:text-zinc-400">{title}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{total}</p>
      <ul className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-xs">
        {parts.map((p) => (
          <li key={p.label} className={`tabular-nums ${p.value > 0 ? toneText[p.tone] : toneText.neutral}`}>
            <span className="font-semibold">{p.value}</span> {p.label}
          </li>
        ))}
      </ul>
    </Link>
  );
}

/** Nodes, services, tasks and secrets, each with its trouble, each opening its list. */
export function OverviewCounts({ counts }: { counts: OverviewSummary["counts"] }) {
  const { nodes, services, tasks, secrets } = counts;
  const env = useEnv();
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <CountTile
        title="Nodes"
        testId="count-nodes"
        total={nodes.total}
        href={envHref(env, "/nodes")}
        parts={[
          { label: "ready", value: nodes.ready, tone: "good" },
          { label: "down", value: nodes.down, tone: "bad" },
          ...(nodes.unknown > 0 ? [{ label: "unknown", value: nodes.unknown, tone: "warn" as const }] : []),
          { label: "drained", value: nodes.drained, tone: "warn" },
        ]}
      />
      <CountTile
        title="Services"
        testId="count-services"
        total={services.total}
        href={envHref(env, "/services")}
        parts={[
          { label: "converged", value: services.converged, tone: "good" },
          { label: "pending", value: services.pending, tone: "warn" },
          { label: "failing", value: services.failing, tone: "bad" },
        ]}
      />
      <CountTile
        title="Tasks"
        testId="count-tasks"
        total={tasks.running + tasks.pending + tasks.starting}
        href={envHref(env, "/services")}
        parts={[
          { label: "running", value: tasks.running, tone: "good" },
          { label: "starting", value: tasks.starting, tone: "neutral" },
          { label: "pending", value: tasks.pending, tone: "warn" },
          { label: "failed", value: tasks.failed, tone: "bad" },
        ]}
      />
      <CountTile
        title="Secrets"
        testId="count-secrets"
        total={secrets.total}
        href={envHref(env, "/secrets")}
        parts={[
          { label: "in use", value: secrets.inUse, tone: "neutral" },
          { label: "unused", value: secrets.unused, tone: "neutral" },
        ]}
      />
    </div>
  );
}
