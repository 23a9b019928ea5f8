"use client";

import { decodeNodeList } from "@rampart/api/schema";
import { DUPLICATE_HOSTNAME_MARK, DUPLICATE_HOSTNAME_NOTE, duplicateHostnames } from "@rampart/core";
import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { memo, useDeferredValue, useMemo, useRef, useState, type MouseEvent } from "react";
import { NodeStateBadge, OldRootBadge, RuntimeBadge, TlsBadge } from "~/components/badges";
import { ListStates, NoMatches, TableBox } from "~/components/list";
import { NotReported } from "~/components/states";
import { Alert, buttonClass, EmptyState, Field, PageHeader, Select } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref, useEnv } from "~/lib/env";
import { formatDateTime, fromNow, titleCase } from "~/lib/format";
import {
  DEFAULT_SORT,
  NODE_AVAILABILITIES,
  NODE_ROLES,
  NODE_STATES,
  certExpiresSoon,
  filterNodes,
  indexNodes,
  labelChips,
  shortId,
  sortNodes,
  type IndexedNode,
  type NodeAvailability,
  type NodeRole,
  type NodeSort,
  type NodeState,
  type NodeView,
  type SortKey,
} from "~/lib/nodes";
import { useTRPC } from "~/lib/trpc";

const ROW_HEIGHT = 44;

/** Fixed widths, except Labels, which takes the rest of a wide screen. */
const COLUMNS: ReadonlyArray<{ key: SortKey | null; label: string; width: string }> = [
  { key: "hostname", label: "Hostname", width: "w-36 sm:w-44" },
  { key: "id", label: "ID", width: "w-32" },
  { key: "state", label: "Status", width: "w-24" },
  { key: "availability", label: "Availability", width: "w-28" },
  { key: "managerStatus", label: "Manager status", width: "w-32" },
  { key: "engineVersion", label: "Engine version", width: "w-36" },
  { key: null, label: "Runtime", width: "w-52" },
  { key: "tls", label: "TLS", width: "w-32" },
  { key: "certExpiry", label: "Cert expiry", width: "w-28" },
  { key: null, label: "Labels", width: "" },
];

/** Chips shown in a row, node labels first; the rest are counted, and listed on the node's page. */
const MAX_CHIPS = 6;

const all = (label: string) => ({ value: "", label });
const STATE_OPTIONS = [all("All statuses"), ...NODE_STATES.map((v) => ({ value: v, label: titleCase(v) }))];
const ROLE_OPTIONS = [all("All roles"), ...NODE_ROLES.map((v) => ({ value: v, label: titleCase(v) }))];
const AVAILABILITY_OPTIONS = [all("All"), ...NODE_AVAILABILITIES.map((v) => ({ value: v, label: titleCase(v) }))];

function SortHeader({ column, first, sort, onSort }: { column: (typeof COLUMNS)[number]; first: boolean; sort: NodeSort; onSort: (key: SortKey) => void }) {
  const { key } = column;
  // The first column is also held on the left (.table-box): above the other headings as they scroll under it.
  const base = `sticky top-0 ${first ? "z-20" : "z-10"} bg-zinc-50 px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 ${column.width}`;
  if (key === null) {
    return (
      <th scope="col" className={base}>
        {column.label}
      </th>
    );
  }
  const active = sort.key === key;
  return (
    <th scope="col" className={base} aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}>
      <button
        type="button"
        onClick={() => onSort(key)}
        className="-mx-1 inline-flex items-center gap-1 rounded px-1 uppercase hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:text-zinc-100"
      >
        {column.label}
        <span aria-hidden="true" className={active ? "text-zinc-900 dark:text-zinc-100" : "opacity-30"}>
          {active && sort.direction === "desc" ? "▼" : "▲"}
        </span>
      </button>
    </th>
  );
}

function Chip({ text, engine }: { text: string; engine: boolean }) {
  return (
    <li
      data-testid="label-chip"
      data-kind={engine ? "engine" : "node"}
      title={engine ? `${text}: an engine label, which the node reports about itself (self-reported)` : `${text}: a node label, set by an administrator`}
      className={`inline-flex min-w-0 max-w-full items-baseline gap-1 rounded px-1.5 py-0.5 font-mono text-xs break-all ${
        engine
          ? "border border-dashed border-zinc-400 text-zinc-600 dark:border-zinc-600 dark:text-zinc-400"
          : "border border-transparent bg-zinc-100 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200"
      }`}
    >
      {engine && (
        <span className="shrink-0 font-sans text-[0.625rem] font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
          engine<span className="sr-only"> label, self-reported:</span>
        </span>
      )}
      <span className="min-w-0">{text}</span>
    </li>
  );
}

/** Node labels, then engine labels (dashed, marked "engine"), as chips that wrap. */
function Labels({ labels, engineLabels }: { labels: Record<string, string>; engineLabels: Record<string, string> }) {
  const own = labelChips(labels, MAX_CHIPS);
  const reported = labelChips(engineLabels, MAX_CHIPS - own.shown.length);
  const more = own.more + reported.more;
  if (own.shown.length + reported.shown.length === 0) return <span className="text-zinc-400">—</span>;
  return (
    <ul aria-label="Labels" className="flex flex-wrap items-center gap-1 py-1.5">
      {own.shown.map((chip) => (
        <Chip key={`n-${chip}`} text={chip} engine={false} />
      ))}
      {reported.shown.map((chip) => (
        <Chip key={`e-${chip}`} text={chip} engine />
      ))}
      {more > 0 && (
        <li className="shrink-0 text-xs text-zinc-500" title={`${more} more label${more === 1 ? "" : "s"}, on the node's page`}>
          +{more}
        </li>
      )}
    </ul>
  );
}

/** One row; memoised, so a poll that changes nothing in a node leaves its row alone. */
const NodeRow = memo(function NodeRow({
  node,
  index,
  now,
  shared,
  measure,
}: {
  node: NodeView;
  index: number;
  now: number;
  shared: boolean;
  /** The virtualiser's measure: a row grows when its labels wrap. */
  measure: (row: HTMLTableRowElement | null) => void;
}) {
  const router = useRouter();
  const href = envHref(useEnv(), `/nodes/${node.id}`);
  const notAfter = node.tls.notAfter;
  const soon = certExpiresSoon(notAfter, new Date(now));
  // A click anywhere on the row opens the node; the hostname link is the keyboard's way in.
  function open(event: MouseEvent<HTMLTableRowElement>) {
    if ((event.target as HTMLElement).closest("a, button")) return;
    router.push(href);
  }
  return (
    <tr
      ref={measure}
      data-index={index}
      data-testid={`node-row-${node.hostname}`}
      aria-rowindex={index + 2}
      onClick={open}
      className="h-11 cursor-pointer border-b border-zinc-100 bg-white hover:bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-950 dark:hover:bg-zinc-900"
    >
      <td className="truncate px-3">
        <Link
          href={href}
          prefetch={false}
          title={node.hostname}
          className="rounded font-medium text-sky-800 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-300"
        >
          {node.hostname}
        </Link>
        {shared && (
          <span data-testid="duplicate-hostname" title="More than one node reports this hostname" className="ml-1 font-semibold text-amber-700 dark:text-amber-400">
            {DUPLICATE_HOSTNAME_MARK}
          </span>
        )}
        {node.isLeader && (
          <span title={node.docker ? "The swarm's leader" : "This server"} className="ml-1 font-semibold text-zinc-500">
            <span aria-hidden="true">*</span>
            <span className="sr-only">{node.docker ? "(the leader)" : "(this server)"}</span>
          </span>
        )}
      </td>
      <td className="truncate px-3 font-mono text-xs" title={node.id}>
        {shortId(node.id)}
      </td>
      <td className="px-3">
        <NodeStateBadge state={node.state} />
      </td>
      <td className="px-3">{titleCase(node.availability)}</td>
      <td className="px-3">{node.managerStatus ? titleCase(node.managerStatus) : ""}</td>
      <td className="truncate px-3" title={node.engineVersion}>
        {node.engineVersion}
      </td>
      <td className="truncate px-3">
        <RuntimeBadge runtime={node.runtime} />
      </td>
      <td className="px-3">
        <span className="inline-flex flex-wrap gap-1">
          <TlsBadge status={node.tls.status} />
          <OldRootBadge node={node} />
        </span>
      </td>
      <td
        className={`truncate px-3 ${soon ? "font-medium text-amber-700 dark:text-amber-400" : ""}`}
        title={notAfter ? formatDateTime(notAfter) : node.docker ? "Docker reports only the CA that issued a node's certificate, not its dates" : undefined}
      >
        {notAfter ? fromNow(notAfter, new Date(now)) : node.docker ? <NotReported /> : "—"}
      </td>
      <td className="px-3">
        <Labels labels={node.labels} engineLabels={node.engineLabels} />
      </td>
    </tr>
  );
});

/**
 * Only the rows in view (and a few either side) are in the DOM, with spacer rows above
 * and below, so 10,000 nodes scroll as smoothly as ten. Columns have fixed widths so
 * rows coming and going never shift them; a row is measured, as its labels may wrap.
 * The table scrolls sideways in its own box, the hostnames held on the left.
 */
function NodesTable({
  items,
  sort,
  onSort,
  now,
  shared,
}: {
  items: IndexedNode[];
  sort: NodeSort;
  onSort: (key: SortKey) => void;
  now: number;
  /** Hostnames more than one node reports, lower-cased. */
  shared: ReadonlySet<string>;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- only plain numbers from it reach the memoised rows.
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Rows for the first paint, before the scroll box has been measured.
    initialRect: { width: 0, height: 800 },
    getItemKey: (index) => items[index]?.node.id ?? index,
  });
  const rows = virtualizer.getVirtualItems();
  const top = rows[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0);

  return (
    <TableBox ref={scrollRef} className="max-h-[calc(100vh-16rem)] min-h-72 overflow-y-auto">
      <table data-testid="nodes-table" aria-rowcount={items.length + 1} className="w-full min-w-[97rem] table-fixed text-sm">
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((column, i) => (
              <SortHeader key={column.label} column={column} first={i === 0} sort={sort} onSort={onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr aria-hidden="true" style={{ height: top }}>
              <td colSpan={COLUMNS.length} />
            </tr>
          )}
          {rows.map((row) => {
            const item = items[row.index];
            return item ? (
              <NodeRow
                key={row.key}
                node={item.node}
                index={row.index}
                now={now}
                shared={shared.has(item.node.hostname.toLowerCase())}
                measure={virtualizer.measureElement}
              />
            ) : null;
          })}
          {bottom > 0 && (
            <tr aria-hidden="true" style={{ height: bottom }}>
              <td colSpan={COLUMNS.length} />
            </tr>
          )}
        </tbody>
      </table>
    </TableBox>
  );
}

export default function NodesPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const nodes = useQuery({ ...trpc.node.list.queryOptions({ env }, backgroundPoll), refetchInterval: 5_000, select: decodeNodeList });
  const [search, setSearch] = useState("");
  const [state, setState] = useState<NodeState | "">("");
  const [role, setRole] = useState<NodeRole | "">("");
  const [availability, setAvailability] = useState<NodeAvailability | "">("");
  const [sort, setSort] = useState<NodeSort>(DEFAULT_SORT);
  // Typing stays responsive: the list catches up with the search box when it can.
  const deferredSearch = useDeferredValue(search);

  // Index once per poll, sort once per poll or sort change, filter per keystroke.
  const indexed = useMemo(() => indexNodes(nodes.data ?? []), [nodes.data]);
  const shared = useMemo(() => duplicateHostnames(nodes.data ?? []), [nodes.data]);
  const sorted = useMemo(() => sortNodes(indexed, sort), [indexed, sort]);
  const visible = useMemo(
    () => filterNodes(sorted, { search: deferredSearch, state, role, availability }),
    [sorted, deferredSearch, state, role, availability],
  );

  function toggleSort(key: SortKey) {
    setSort((current) => (current.key === key ? { key, direction: current.direction === "asc" ? "desc" : "asc" } : { key, direction: "asc" }));
  }
  function clearFilters() {
    setSearch("");
    setState("");
    setRole("");
    setAvailability("");
  }

  const total = nodes.data?.length ?? 0;
  // Relative times are measured from the last poll, to the minute, so an unchanged row is not redrawn.
  const now = Math.floor(nodes.dataUpdatedAt / 60_000) * 60_000;
  // Rampart's own cluster starts with this server's node alone; a connected swarm's leader is just its leader.
  const onlyThisServer = env === undefined && total > 0 && nodes.data?.every((n) => n.isLeader);
  const noRuntime = useMemo(() => (nodes.data ?? []).filter((n) => n.runtime.kind === "none"), [nodes.data]);

  return (
    <>
      <PageHeader
        title="Nodes"
        description="Every node in the swarm, its health, role and certificate. Select a node to change it."
        actions={
          <Link href={envHref(env, "/join")} className={buttonClass("primary")}>
            Add a node
          </Link>
        }
      />
      <ListStates
        query={nodes}
        what="Nodes"
        total={total}
        loadingRows={6}
        empty={
          <EmptyState title="No nodes yet" action={<JoinLink />}>
            A node joins with a join token: run the join command from the Join page on the machine you want to add. It appears
            here as soon as it has its certificate.
          </EmptyState>
        }
      >
        <form role="search" onSubmit={(e) => e.preventDefault()} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[minmax(0,2fr)_repeat(3,minmax(0,1fr))]">
          <Field
            label="Search"
            type="search"
            placeholder="Hostname, ID prefix or label"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
          <Select label="Status" value={state} onChange={(e) => setState(e.target.value as NodeState | "")} options={STATE_OPTIONS} />
          <Select label="Role" value={role} onChange={(e) => setRole(e.target.value as NodeRole | "")} options={ROLE_OPTIONS} />
          <Select
            label="Availability"
            value={availability}
            onChange={(e) => setAvailability(e.target.value as NodeAvailability | "")}
            options={AVAILABILITY_OPTIONS}
          />
        </form>
        <div className="flex items-center justify-between gap-4 text-sm text-zinc-600 dark:text-zinc-400">
          <p aria-live="polite">
            {visible.length.toLocaleString("en")} of {total.toLocaleString("en")} nodes
          </p>
          <p className="text-xs">
            <span aria-hidden="true">*</span> {env === undefined ? "this server" : "the leader"} ·{" "}
            <span className="rounded border border-dashed border-zinc-400 px-1 font-semibold uppercase tracking-wide dark:border-zinc-600">engine</span> labels are
            reported by the node itself
          </p>
        </div>
        {visible.length === 0 ? (
          <NoMatches title="No nodes match these filters" onClear={clearFilters} clearLabel="Clear filters" />
        ) : (
          <NodesTable items={visible} sort={sort} onSort={toggleSort} now={now} shared={shared} />
        )}
        {shared.size > 0 && (
          <p data-testid="duplicate-hostname-note" className="text-sm text-amber-800 dark:text-amber-300">
            {DUPLICATE_HOSTNAME_NOTE}
          </p>
        )}
        {noRuntime.length > 0 && (
          <Alert tone="warning" title={`${noRuntime.length === 1 ? "1 node has" : `${noRuntime.length.toLocaleString("en")} nodes have`} no container runtime`}>
            <p data-testid="no-runtime-note">
              {noRuntime.length === 1
                ? `${noRuntime[0]!.hostname} gets no tasks: ${noRuntime[0]!.runtime.detail || "no engine was reached"}.`
                : "They get no tasks until their engine can be reached; each one's page says why."}{" "}
              Simulated nodes run nothing either: their tasks are only reported.
            </p>
          </Alert>
        )}
        {onlyThisServer && (
          <Alert tone="info">
            Only this server is in the swarm so far. <JoinLink /> to add workers or managers.
          </Alert>
        )}
      </ListStates>
    </>
  );
}

function JoinLink() {
  return (
    <Link href={envHref(useEnv(), "/join")} className="font-medium text-sky-700 underline hover:no-underline dark:text-sky-400">
      Join a node
    </Link>
  );
}
