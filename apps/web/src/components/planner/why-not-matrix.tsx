"use client";

import type { RuntimeKind } from "@rampart/core/node";
import type { WhyNotRow } from "@rampart/core/planner";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useDeferredValue, useMemo, useRef, useState } from "react";
import { titleCase } from "~/lib/format";
import { filterMatrix, isExcluded, verdictOf } from "~/lib/planner";
import { TableBox } from "../list";
import { Field } from "../ui";

/**
 * Every node against every constraint and the scheduler's verdict, each cell with its
 * reason: the answer to "why not on that node?" that Swarm never gives. Rows are
 * virtualised like the nodes table, so a 5,000-node cluster scrolls like a small one,
 * and the table scrolls sideways in its own box with the node column held (TableBox).
 */

const ROW_HEIGHT = 40;
const FILTER_LABEL: Record<string, string> = {
  ready: "Not available",
  resources: "Resources",
  plugins: "Plugins",
  constraints: "Constraints",
  platform: "Platform",
  hostPorts: "Host ports",
  maxReplicas: "Max per node",
};

/** The ready filter's reason for a node without an engine (core's `runtimeProblem`). */
const NO_RUNTIME = "no container runtime on this node";

/** The failed filter as a person reads it: a node without an engine is named so, not just "not available". */
function filterLabel(filter: { failedFilter: string; reason: string }): string {
  if (filter.failedFilter === "ready" && filter.reason.startsWith(NO_RUNTIME)) return "No container runtime";
  return FILTER_LABEL[filter.failedFilter] ?? filter.failedFilter;
}

/** A node that runs nothing (simulated) or cannot run anything (no engine), beside its name. */
function RuntimeMark({ kind }: { kind: RuntimeKind | undefined }) {
  if (kind === "simulated") {
    return (
      <span data-testid="planner-runtime" data-kind={kind} title="Simulated node: tasks are placed and reported, nothing runs" className="ml-1 rounded bg-zinc-100 px-1 text-[0.625rem] font-semibold tracking-wide text-zinc-600 uppercase dark:bg-zinc-800 dark:text-zinc-400">
        sim<span className="sr-only">ulated: nothing runs</span>
      </span>
    );
  }
  if (kind === "none") {
    return (
      <span data-testid="planner-runtime" data-kind={kind} title="No container runtime: the node gets no tasks" className="ml-1 rounded bg-red-100 px-1 text-[0.625rem] font-semibold tracking-wide text-red-800 uppercase dark:bg-red-900/60 dark:text-red-200">
        no runtime
      </span>
    );
  }
  return null;
}

function Mark({ pass }: { pass: boolean }) {
  return (
    <span aria-hidden="true" className={`font-bold ${pass ? "text-emerald-600 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}>
      {pass ? "✓" : "✗"}
    </span>
  );
}

function Count({ before, after }: { before: number; after: number }) {
  const changed = before !== after;
  return (
    <span className={`tabular-nums ${changed ? "font-semibold text-sky-800 dark:text-sky-300" : "text-zinc-600 dark:text-zinc-400"}`}>
      {before}
      <span aria-hidden="true"> → </span>
      <span className="sr-only"> tasks now, </span>
      {after}
      <span className="sr-only"> after</span>
    </span>
  );
}

const Row = memo(function Row({
  row,
  index,
  selected,
  onSelect,
  runtime,
}: {
  row: WhyNotRow;
  index: number;
  selected: boolean;
  onSelect: (nodeId: string) => void;
  runtime: RuntimeKind | undefined;
}) {
  const excluded = isExcluded(row);
  const verdict = verdictOf(row);
  return (
    <tr
      data-testid={`whynot-row-${row.hostname}`}
      data-excluded={excluded}
      data-verdict={verdict}
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`h-10 border-b border-zinc-100 dark:border-zinc-800 ${
        selected ? "bg-sky-50 dark:bg-sky-950/40" : excluded ? "bg-zinc-50/60 dark:bg-zinc-900/40" : "bg-white dark:bg-zinc-950"
      }`}
    >
      <th scope="row" className="truncate px-3 text-left font-normal">
        <button
          type="button"
          onClick={() => onSelect(row.nodeId)}
          aria-expanded={selected}
          aria-controls="whynot-detail"
          className="max-w-full truncate rounded font-medium text-sky-800 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-300"
          title={`${row.hostname}: show every reason`}
        >
          {row.hostname}
        </button>
        <RuntimeMark kind={runtime} />
      </th>
      <td className="truncate px-3 text-xs text-zinc-600 dark:text-zinc-400">
        {titleCase(row.role)} · {titleCase(row.availability)}
      </td>
      {row.constraints.map((c, i) => (
        <td key={i} className="truncate px-3 font-mono text-xs" title={c.reason}>
          <Mark pass={c.matched} />{" "}
          <span className={c.matched ? "" : "text-red-800 dark:text-red-300"}>{c.actual === null ? "unknown key" : c.actual === "" ? "nothing" : c.actual}</span>
          <span className="sr-only">{`${c.matched ? " passes" : " fails"}: ${c.reason}`}</span>
        </td>
      ))}
      <td className="truncate px-3 text-xs" title={row.filter.passed ? "passes every scheduler filter: it has room for another task" : row.filter.reason}>
        {row.filter.passed ? (
          <>
            <Mark pass /> <span>Eligible</span>
          </>
        ) : verdict === "full" ? (
          <>
            <span aria-hidden="true" className="font-bold text-amber-600 dark:text-amber-400">
              ●
            </span>{" "}
            <span className="font-medium text-amber-800 dark:text-amber-300">Full: {filterLabel(row.filter)}</span>
            <span className="sr-only">{` — ${row.filter.reason}`}</span>
          </>
        ) : (
          <>
            <Mark pass={false} />{" "}
            <span className="font-medium text-red-800 dark:text-red-300">Excluded: {filterLabel(row.filter)}</span>
            <span className="sr-only">{` — ${row.filter.reason}`}</span>
          </>
        )}
      </td>
      <td className="px-3 text-right">
        <Count before={row.before} after={row.after} />
      </td>
    </tr>
  );
});

function Detail({ row, runtime }: { row: WhyNotRow; runtime: RuntimeKind | undefined }) {
  const verdict = verdictOf(row);
  return (
    <div id="whynot-detail" role="region" aria-label={`Why ${row.hostname}`} className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
      <p className="font-medium">
        {row.hostname}{" "}
        <span className="font-normal text-zinc-500">
          ({titleCase(row.role)}, {row.availability}) · <Count before={row.before} after={row.after} />
        </span>
        <RuntimeMark kind={runtime} />
      </p>
      {runtime === "simulated" && <p className="text-xs text-zinc-600 dark:text-zinc-400">A simulated node: the scheduler places tasks here, but nothing runs.</p>}
      <ul className="space-y-1">
        {row.constraints.map((c, i) => (
          <li key={i} className="flex gap-2">
            <Mark pass={c.matched} />
            <span>
              <code className="font-mono text-xs">
                {c.constraint.key} {c.constraint.op} {c.constraint.value}
              </code>
              : {c.matched ? "passes" : "fails"} — {c.reason}
            </span>
          </li>
        ))}
        <li className="flex gap-2">
          <Mark pass={row.filter.passed} />
          <span>
            One more task: {row.filter.passed ? "passes every scheduler filter; the node has room" : `refused by the ${row.filter.failedFilter} filter — ${row.filter.reason}`}
            {verdict === "full" && " (the node is used, but the plan has filled it)"}
          </span>
        </li>
      </ul>
    </div>
  );
}

export function WhyNotMatrix({
  rows,
  constraints,
  runtimes,
}: {
  rows: readonly WhyNotRow[];
  constraints: readonly string[];
  /** What runs each node's tasks, by node ID: simulated and runtime-less nodes are marked. */
  runtimes?: ReadonlyMap<string, RuntimeKind | undefined>;
}) {
  const [search, setSearch] = useState("");
  const [excludedOnly, setExcludedOnly] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const deferredSearch = useDeferredValue(search);
  const visible = useMemo(() => filterMatrix(rows, { search: deferredSearch, excludedOnly }), [rows, deferredSearch, excludedOnly]);
  const counts = useMemo(() => {
    const c = { eligible: 0, full: 0, excluded: 0 };
    for (const r of rows) c[verdictOf(r)]++;
    return c;
  }, [rows]);
  const excludedCount = counts.full + counts.excluded;
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- only plain numbers from it reach the memoised rows.
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 0, height: 480 },
    getItemKey: (index) => visible[index]?.nodeId ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const columns = 4 + constraints.length;
  const selectedRow = selected ? rows.find((r) => r.nodeId === selected) : undefined;
  const select = (nodeId: string) => setSelected((current) => (current === nodeId ? null : nodeId));

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-4">
        <div className="w-64 max-w-full">
          <Field label="Filter the matrix" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Hostname or ID prefix" autoComplete="off" spellCheck={false} />
        </div>
        <label className="mb-2 flex items-center gap-2 text-sm">
          <input type="checkbox" checked={excludedOnly} onChange={(e) => setExcludedOnly(e.target.checked)} className="size-4" />
          Excluded or full only ({excludedCount})
        </label>
        <p aria-live="polite" className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
          {visible.length.toLocaleString("en")} of {rows.length.toLocaleString("en")} nodes · {counts.eligible.toLocaleString("en")} with room · {counts.full.toLocaleString("en")} full ·{" "}
          {counts.excluded.toLocaleString("en")} excluded
        </p>
      </div>
      <TableBox ref={scrollRef} className="max-h-[32rem] min-h-40 overflow-y-auto">
        <table data-testid="whynot-matrix" aria-rowcount={visible.length + 1} className="w-full table-fixed text-sm" style={{ minWidth: `${36 + constraints.length * 14}rem` }}>
          <caption className="sr-only">Why-not matrix: each node against each constraint and the scheduler&apos;s filters, with tasks now and after</caption>
          <colgroup>
            <col className="w-40" />
            <col className="w-32" />
            {constraints.map((_, i) => (
              <col key={i} className="w-56" />
            ))}
            <col className="w-52" />
            <col className="w-20" />
          </colgroup>
          <thead>
            <tr aria-rowindex={1} className="text-left text-xs font-medium tracking-wide text-zinc-500">
              <th scope="col" className="sticky top-0 z-20 bg-zinc-50 px-3 py-2 uppercase dark:bg-zinc-900">
                Node
              </th>
              <th scope="col" className="sticky top-0 z-10 bg-zinc-50 px-3 py-2 uppercase dark:bg-zinc-900">
                Role · availability
              </th>
              {constraints.map((c, i) => (
                <th key={i} scope="col" className="sticky top-0 z-10 truncate bg-zinc-50 px-3 py-2 font-mono normal-case dark:bg-zinc-900" title={c}>
                  {c}
                </th>
              ))}
              <th scope="col" className="sticky top-0 z-10 bg-zinc-50 px-3 py-2 uppercase dark:bg-zinc-900" title="Whether the scheduler would place one more task here, after this plan">
                One more task?
              </th>
              <th scope="col" className="sticky top-0 z-10 bg-zinc-50 px-3 py-2 text-right uppercase dark:bg-zinc-900">
                Tasks
              </th>
            </tr>
          </thead>
          <tbody>
            {top > 0 && (
              <tr aria-hidden="true" style={{ height: top }}>
                <td colSpan={columns} />
              </tr>
            )}
            {items.map((item) => {
              const row = visible[item.index];
              return row ? <Row key={item.key} row={row} index={item.index} selected={row.nodeId === selected} onSelect={select} runtime={runtimes?.get(row.nodeId)} /> : null;
            })}
            {bottom > 0 && (
              <tr aria-hidden="true" style={{ height: bottom }}>
                <td colSpan={columns} />
              </tr>
            )}
          </tbody>
        </table>
        {visible.length === 0 && <p className="p-4 text-sm text-zinc-500">{excludedOnly && rows.length > 0 ? "No node is excluded or full: every node has room for another task." : "No node matches."}</p>}
      </TableBox>
      {selectedRow ? (
        <Detail row={selectedRow} runtime={runtimes?.get(selectedRow.nodeId)} />
      ) : (
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          ✓ Eligible: room for one more task · ● Full: the plan used its room · ✗ Excluded: it cannot run this service. Hover a cell for its reason, or
          select a node to read all of them.
        </p>
      )}
    </div>
  );
}
