"use client";

import type { PlanResult, ServiceDiff } from "@rampart/core/planner";
import { useState } from "react";
import { placementRows, placementTotals, spreadView, type PlacementRow, type SpreadView } from "~/lib/planner";
import { restartPolicySummary, type RestartPolicyInput } from "~/lib/services";
import { Button } from "../ui";

/**
 * Where the planned service's tasks go: per node (or per spread group), today's count
 * beside the sandbox's, with every difference marked in words as well as colour, and
 * the tasks that would wait with Swarm's own `no suitable node (…)` message.
 */

type Focus = NonNullable<PlanResult["focus"]>;

const SHOWN = 60;

function Delta({ before, after }: { before: number; after: number }) {
  const d = after - before;
  if (d === 0) return <span className="text-xs text-zinc-400">no change</span>;
  return (
    <span
      className={`rounded px-1.5 py-0.5 text-xs font-semibold ${
        d > 0 ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200" : "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200"
      }`}
    >
      {d > 0 ? `+${d}` : `−${-d}`}
      <span className="sr-only">{d > 0 ? " new" : " leave"}</span>
    </span>
  );
}

/** Up to 12 squares for the count after, so a glance shows the shape. */
function Pips({ before, after }: { before: number; after: number }) {
  const n = Math.min(after, 12);
  return (
    <span aria-hidden="true" className="flex gap-0.5">
      {Array.from({ length: n }, (_, i) => (
        <span key={i} className={`size-2.5 rounded-sm ${i >= before ? "bg-emerald-500" : "bg-sky-600 dark:bg-sky-500"}`} />
      ))}
      {after > 12 && <span className="text-xs text-zinc-500">…</span>}
      {after < before &&
        Array.from({ length: Math.min(before - after, 12 - n) }, (_, i) => <span key={`gone-${i}`} className="size-2.5 rounded-sm border border-dashed border-red-500" />)}
    </span>
  );
}

function NodeLine({ row }: { row: PlacementRow }) {
  const changed = row.before !== row.after;
  const tone = !changed ? "" : row.after > row.before ? "border-l-emerald-500 bg-emerald-50/60 dark:bg-emerald-950/30" : "border-l-red-500 bg-red-50/60 dark:bg-red-950/30";
  return (
    <li data-testid={`preview-node-${row.hostname}`} data-changed={changed} className={`flex items-center gap-3 border-l-4 border-l-transparent px-3 py-1.5 text-sm ${tone}`}>
      <span className="min-w-0 flex-1 truncate font-medium sm:w-40 sm:flex-none" title={row.hostname}>
        {row.hostname}
      </span>
      <span className="w-20 shrink-0 tabular-nums">
        {row.before}
        <span aria-hidden="true"> → </span>
        <span className="sr-only"> now, after: </span>
        <span className={changed ? "font-semibold" : undefined}>{row.after}</span>
      </span>
      <Delta before={row.before} after={row.after} />
      <span className="ml-auto hidden sm:block">
        <Pips before={row.before} after={row.after} />
      </span>
    </li>
  );
}

function NodeList({ rows }: { rows: readonly PlacementRow[] }) {
  const [all, setAll] = useState(false);
  // Changed nodes first, so the difference is what you see without scrolling.
  const ordered = [...rows.filter((r) => r.before !== r.after), ...rows.filter((r) => r.before === r.after)];
  const shown = all ? ordered : ordered.slice(0, SHOWN);
  if (rows.length === 0) return <p className="text-sm text-zinc-500">No node runs a task of this service, now or after.</p>;
  return (
    <div className="space-y-2">
      <ul aria-label="Tasks per node" className="divide-y divide-zinc-100 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
        {shown.map((row) => (
          <NodeLine key={row.nodeId} row={row} />
        ))}
      </ul>
      {ordered.length > shown.length && (
        <Button variant="ghost" className="text-xs" onClick={() => setAll(true)}>
          Show all {ordered.length} nodes
        </Button>
      )}
    </div>
  );
}

function SpreadTree({ groups, depth = 0 }: { groups: readonly SpreadView[]; depth?: number }) {
  return (
    <ul className={depth === 0 ? "space-y-2" : "mt-2 space-y-2 border-l border-zinc-200 pl-3 dark:border-zinc-800"}>
      {groups.map((g) => (
        <li key={`${g.descriptor}=${g.value}`} data-testid={`spread-group-${g.value || "none"}`}>
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="min-w-0 break-all font-mono text-xs">
              {g.descriptor} = {g.value === "" ? <em className="not-italic text-zinc-500">(no label)</em> : g.value}
            </span>
            <span className="tabular-nums">
              {g.before}
              <span aria-hidden="true"> → </span>
              <span className="sr-only"> tasks now, after: </span>
              <strong>{g.after}</strong> task{g.after === 1 ? "" : "s"}
            </span>
            <Delta before={g.before} after={g.after} />
          </div>
          {g.children.length > 0 ? (
            <SpreadTree groups={g.children} depth={depth + 1} />
          ) : (
            g.rows.length > 0 && (
              <ul className="mt-1 divide-y divide-zinc-100 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
                {g.rows.map((row) => (
                  <NodeLine key={row.nodeId} row={row} />
                ))}
              </ul>
            )
          )}
        </li>
      ))}
    </ul>
  );
}

function Stat({ label, value, tone, testId }: { label: string; value: string; tone?: "warn" | "info"; testId?: string }) {
  const toneClass =
    tone === "warn"
      ? "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100"
      : tone === "info"
        ? "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-100"
        : "border-zinc-200 dark:border-zinc-800";
  return (
    <div data-testid={testId} className={`rounded-md border px-3 py-2 ${toneClass}`}>
      <dt className="text-xs">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value}</dd>
    </div>
  );
}

/** The service's restart policy, which decides whether a task that loses its node comes back. */
function RestartLine({ policy }: { policy: RestartPolicyInput | undefined }) {
  return (
    <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="plan-restart-policy">
      <span className="font-medium">Restart policy:</span> {restartPolicySummary(policy)}
    </p>
  );
}

/**
 * Tasks that lose their node in the plan and that the restart policy does not replace.
 * The planner counts only condition `none` (the attempts already made are history it
 * does not have), so that is the reason given.
 */
function NotRestarted({ count }: { count: number | undefined }) {
  if (!count) return null;
  return (
    <div data-testid="plan-not-restarted" role="status" className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
      <p className="font-semibold">
        {count} task{count === 1 ? " will" : "s will"} not be restarted: restart condition none
      </p>
      <p className="mt-1">
        {count === 1 ? "It loses its node" : "They lose their nodes"} in this plan, and the service&apos;s restart policy does not replace a task that
        ends, so {count === 1 ? "its slot stays" : "their slots stay"} empty until the service is updated.
      </p>
    </div>
  );
}

export function PlacementPreview({
  focus,
  desired,
  hostnames,
  restartPolicy,
}: {
  focus: Focus;
  desired: number | null;
  hostnames: ReadonlyMap<string, string>;
  restartPolicy: RestartPolicyInput | undefined;
}) {
  const { diff } = focus;
  const rows = placementRows(diff, hostnames);
  const totals = placementTotals(rows);
  return (
    <div className="space-y-4" data-testid="placement-preview">
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <Stat label="Placed (now → after)" value={`${totals.before} → ${totals.after}${desired !== null ? ` of ${desired}` : ""}`} testId="preview-placed" />
        <Stat label="Pending" value={String(diff.pending)} tone={diff.pending > 0 ? "warn" : undefined} testId="preview-pending-count" />
        <Stat label="Tasks moved" value={String(diff.moved)} tone={diff.moved > 0 ? "info" : undefined} />
        <Stat label="Nodes changed" value={String(totals.changedNodes)} tone={totals.changedNodes > 0 ? "info" : undefined} />
      </dl>
      <RestartLine policy={restartPolicy} />
      <NotRestarted count={diff.notRestarted} />
      {diff.pending > 0 && (
        <div data-testid="preview-pending" role="status" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/50 dark:text-amber-200">
          <p className="font-semibold">
            {diff.pending} task{diff.pending === 1 ? " would" : "s would"} wait for a node
          </p>
          {diff.pendingReason && <p className="mt-1 font-mono text-xs break-words">{diff.pendingReason}</p>}
        </div>
      )}
      {focus.spread.length > 0 ? <SpreadTree groups={spreadView(focus.spread, diff, hostnames)} /> : <NodeList rows={rows} />}
    </div>
  );
}

/** Services other than the planned one whose tasks would move, e.g. after a label change. */
export function OtherServices({
  diffs,
  hostnames,
  restartPolicies,
}: {
  diffs: readonly ServiceDiff[];
  hostnames: ReadonlyMap<string, string>;
  /** Each service's restart policy by id (absent: Swarm's defaults). */
  restartPolicies: ReadonlyMap<string, RestartPolicyInput | undefined>;
}) {
  if (diffs.length === 0) return <p className="text-sm text-zinc-500">No other service would move or wait.</p>;
  return (
    <ul data-testid="other-services" className="space-y-2">
      {diffs.map((d) => (
        <li key={d.serviceId ?? d.name} className="rounded-md border border-zinc-200 dark:border-zinc-800">
          <details>
            <summary className="flex cursor-pointer flex-wrap items-center gap-2 px-3 py-2 text-sm">
              <span className="min-w-0 break-all font-medium">{d.name}</span>
              <span className="text-zinc-600 dark:text-zinc-400">
                {d.moved} task{d.moved === 1 ? "" : "s"} moved
              </span>
              {d.pending > 0 && <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">{d.pending} pending</span>}
              {d.notRestarted ? (
                <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold text-red-900 dark:bg-red-900/60 dark:text-red-100">{d.notRestarted} not restarted</span>
              ) : null}
            </summary>
            <div className="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
              {d.serviceId !== null && <RestartLine policy={restartPolicies.get(d.serviceId)} />}
              <NotRestarted count={d.notRestarted} />
              {d.pendingReason && <p className="font-mono text-xs break-words text-amber-800 dark:text-amber-300">{d.pendingReason}</p>}
              <NodeList rows={placementRows(d, hostnames)} />
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}
