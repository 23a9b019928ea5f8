"use client";

import { certExpiresSoon } from "@rampart/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { NodeStateBadge, TlsBadge } from "~/components/badges";
import { NoMatches, TableBox } from "~/components/list";
import { ErrorState, Loading, NotReported } from "~/components/states";
import { Badge, Button, EmptyState, Field, Select, linkClass } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref } from "~/lib/env";
import { formatDateTime, fromNow, titleCase } from "~/lib/format";
import { useTRPC } from "~/lib/trpc";
import {
  EXPIRING_WITHIN_MAX_DAYS,
  ISSUER_LABEL,
  ISSUER_OPTIONS,
  NO_FILTERS,
  PKI_PAGE_SIZE,
  ROTATION_POLL_MS,
  TLS_OPTIONS,
  filtered,
  isIssuer,
  isTlsStatus,
  nodesQuery,
  type NodeFilters,
  type PkiNodeRow,
  type PkiSort,
  type PkiStatus,
} from "./model";

/** The table polls less often than a rotation's progress, unless a rotation runs. */
const TABLE_POLL_MS = 5_000;
const SEARCH_DELAY_MS = 300;
const SEARCH_MAX = 256;

interface Column {
  label: string;
  sort: PkiSort | null;
  /** Only while a rotation runs. */
  rotating?: true;
}

const COLUMNS: readonly Column[] = [
  { label: "Hostname", sort: "hostname" },
  { label: "Role", sort: null },
  { label: "Status", sort: "state" },
  { label: "TLS status", sort: "tlsStatus" },
  { label: "Issuer", sort: "issuer" },
  { label: "Expires", sort: "notAfter" },
  { label: "Next renewal window", sort: "renewal" },
  { label: "Issuance", sort: null },
  { label: "Rotation", sort: null, rotating: true },
];

type Sort = { key: PkiSort; desc: boolean };
/** Soonest expiry first: what a PKI page is asked most. */
const DEFAULT_SORT: Sort = { key: "notAfter", desc: false };

const ISSUANCE: Record<NonNullable<PkiNodeRow["issuance"]>["state"], { label: string; tone: "good" | "warn" | "bad" | "neutral" }> = {
  issued: { label: "Issued", tone: "good" },
  renew: { label: "Renewing", tone: "neutral" },
  rotate: { label: "Asked to rotate", tone: "neutral" },
  pending: { label: "Pending", tone: "warn" },
  failed: { label: "Failed", tone: "bad" },
};

const ROTATION: Record<NonNullable<PkiNodeRow["rotation"]>["state"], { label: string; tone: "good" | "warn" | "bad" }> = {
  rotated: { label: "Rotated", tone: "good" },
  pending: { label: "Pending", tone: "warn" },
  unreachable: { label: "Unreachable", tone: "bad" },
};

const headClass = "px-3 py-2 text-left text-xs font-medium uppercase tracking-wide whitespace-nowrap text-zinc-500";

/** A column heading that sorts on the server: a button (Enter or Space), its order told by `aria-sort`. */
function SortHeader({ column, sort, onSort }: { column: Column; sort: Sort; onSort: (key: PkiSort) => void }) {
  const key = column.sort;
  if (key === null) {
    return (
      <th scope="col" className={headClass}>
        {column.label}
      </th>
    );
  }
  const active = sort.key === key;
  return (
    <th scope="col" className={headClass} aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}>
      <button
        type="button"
        onClick={() => onSort(key)}
        className="-mx-1 inline-flex items-center gap-1 rounded px-1 uppercase hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:text-zinc-100"
      >
        {column.label}
        <span aria-hidden="true" className={active ? "text-zinc-900 dark:text-zinc-100" : "opacity-30"}>
          {active && sort.desc ? "▼" : "▲"}
        </span>
      </button>
    </th>
  );
}

function Row({ row, kind, now, rotating, env }: { row: PkiNodeRow; kind: PkiStatus["kind"]; now: Date; rotating: boolean; env: string | undefined }) {
  const missing = kind === "docker" ? <NotReported /> : <span className="text-zinc-400">—</span>;
  const late = row.renewal !== null && now > row.renewal.to;
  return (
    <tr data-testid={`pki-node-row-${row.hostname}`} className="align-top">
      <td className="max-w-64 px-3 py-2">
        <Link href={envHref(env, `/nodes/${row.id}`)} prefetch={false} title={row.hostname} className={`block truncate ${linkClass}`}>
          {row.hostname}
        </Link>
      </td>
      <td className="px-3 py-2 whitespace-nowrap">{titleCase(row.role)}</td>
      <td className="px-3 py-2">
        <NodeStateBadge state={row.state} />
      </td>
      <td className="px-3 py-2" data-testid="tls-status">
        <TlsBadge status={row.tlsStatus} />
      </td>
      <td className="px-3 py-2 whitespace-nowrap" data-testid="issuer">
        {ISSUER_LABEL[row.issuer]}
      </td>
      <td className="px-3 py-2 whitespace-nowrap" data-testid="expires">
        {row.notAfter ? (
          <time dateTime={row.notAfter.toISOString()} title={formatDateTime(row.notAfter)} className={certExpiresSoon(row.notAfter, now) ? "font-medium text-amber-700 dark:text-amber-400" : undefined}>
            {fromNow(row.notAfter, now)}
          </time>
        ) : (
          missing
        )}
      </td>
      <td className="px-3 py-2 whitespace-nowrap">
        {row.renewal ? (
          <span title={`${formatDateTime(row.renewal.from)} – ${formatDateTime(row.renewal.to)}`} className={late ? "font-medium text-amber-700 dark:text-amber-400" : undefined}>
            {fromNow(row.renewal.from, now)} – {fromNow(row.renewal.to, now)}
            {late && <span className="block text-xs">late: past 80 % of the certificate&apos;s life</span>}
          </span>
        ) : (
          missing
        )}
      </td>
      <td className="min-w-40 px-3 py-2" data-testid="issuance">
        {row.issuance ? (
          <>
            <Badge tone={ISSUANCE[row.issuance.state].tone}>{ISSUANCE[row.issuance.state].label}</Badge>
            {row.issuance.reason && <span className="mt-0.5 block max-w-72 text-xs break-words text-zinc-600 dark:text-zinc-400">{row.issuance.reason}</span>}
          </>
        ) : (
          missing
        )}
      </td>
      {rotating && (
        <td className="min-w-40 px-3 py-2" data-testid="rotation-state">
          {row.rotation ? (
            <>
              <Badge tone={ROTATION[row.rotation.state].tone}>{ROTATION[row.rotation.state].label}</Badge>
              {row.rotation.reason && <span className="mt-0.5 block max-w-72 text-xs break-words text-zinc-600 dark:text-zinc-400">{row.rotation.reason}</span>}
            </>
          ) : (
            missing
          )}
        </td>
      )}
    </tr>
  );
}

function Pager({ offset, shown, total, onOffset }: { offset: number; shown: number; total: number; onOffset: (offset: number) => void }) {
  if (total <= PKI_PAGE_SIZE) return null;
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-4 text-sm text-zinc-600 dark:text-zinc-400">
      <p>
        {(offset + 1).toLocaleString("en")}–{(offset + shown).toLocaleString("en")} of {total.toLocaleString("en")}
      </p>
      <div className="flex gap-2">
        <Button variant="secondary" onClick={() => onOffset(Math.max(0, offset - PKI_PAGE_SIZE))} disabled={offset === 0}>
          Previous
        </Button>
        <Button variant="secondary" onClick={() => onOffset(offset + PKI_PAGE_SIZE)} disabled={offset + PKI_PAGE_SIZE >= total}>
          Next
        </Button>
      </div>
    </nav>
  );
}

/**
 * Every node's certificate, a page at a time: sorted, filtered and paged by the server
 * (`pki.nodes`), since a swarm may hold 10,000 nodes. The search waits for a pause in
 * typing; any change of filter or order goes back to the first page.
 */
export function PkiNodeTable({ status, now, env }: { status: PkiStatus; now: Date; env: string | undefined }) {
  const trpc = useTRPC();
  const rotating = status.rotation !== null;
  const [filters, setFilters] = useState<NodeFilters>(NO_FILTERS);
  // The search as typed; `filters.search` follows it after a pause.
  const [searchText, setSearchText] = useState("");
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);
  const [offset, setOffset] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    const pending = timer;
    return () => clearTimeout(pending.current);
  }, []);

  const nodes = useQuery({
    ...trpc.pki.nodes.queryOptions({ env, ...nodesQuery(filters, sort, offset) }, backgroundPoll),
    refetchInterval: rotating ? ROTATION_POLL_MS : TABLE_POLL_MS,
    placeholderData: keepPreviousData,
  });

  // A list that shrank under a poll shows its last page rather than nothing.
  const total = nodes.data?.total ?? 0;
  if (nodes.data && !nodes.isPlaceholderData && total > 0 && offset >= total) setOffset(Math.floor((total - 1) / PKI_PAGE_SIZE) * PKI_PAGE_SIZE);

  function change(next: Partial<NodeFilters>) {
    setFilters((current) => ({ ...current, ...next }));
    setOffset(0);
  }
  function onSearch(value: string) {
    setSearchText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => change({ search: value }), SEARCH_DELAY_MS);
  }
  function onSort(key: PkiSort) {
    setSort((current) => (current.key === key ? { key, desc: !current.desc } : { key, desc: false }));
    setOffset(0);
  }
  function clear() {
    clearTimeout(timer.current);
    setSearchText("");
    setFilters(NO_FILTERS);
    setOffset(0);
  }

  const columns = COLUMNS.filter((c) => !c.rotating || rotating);
  const anyFilter = filtered(filters);
  const rows = nodes.data?.rows ?? [];

  return (
    <section className="space-y-4" aria-labelledby="pki-nodes-heading">
      <h2 id="pki-nodes-heading" className="text-base font-semibold">
        Node certificates
      </h2>
      <form role="search" aria-label="Filter node certificates" onSubmit={(e) => e.preventDefault()} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[minmax(0,2fr)_repeat(3,minmax(0,1fr))]">
        <Field
          label="Search"
          type="search"
          placeholder="Hostname or node ID"
          value={searchText}
          maxLength={SEARCH_MAX}
          onChange={(e) => onSearch(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <Select label="TLS status" value={filters.tlsStatus} onChange={(e) => change({ tlsStatus: isTlsStatus(e.target.value) ? e.target.value : "" })} options={TLS_OPTIONS} />
        <Select label="Issuer" value={filters.issuer} onChange={(e) => change({ issuer: isIssuer(e.target.value) ? e.target.value : "" })} options={ISSUER_OPTIONS} />
        <Field
          label="Expiring within (days)"
          type="number"
          inputMode="numeric"
          min={0}
          max={EXPIRING_WITHIN_MAX_DAYS}
          step={1}
          placeholder="Any time"
          value={filters.expiringWithin}
          onChange={(e) => change({ expiringWithin: e.target.value })}
          autoComplete="off"
        />
      </form>
      {nodes.isPending ? (
        <Loading label="Loading node certificates" blocks={4} className="h-10" />
      ) : nodes.isError && !nodes.data ? (
        <ErrorState title="Node certificates are not available" error={nodes.error} onRetry={() => void nodes.refetch()} />
      ) : total === 0 ? (
        anyFilter ? (
          <NoMatches title="No nodes match these filters" onClear={clear} clearLabel="Clear filters" />
        ) : (
          <EmptyState title="No nodes yet">A node appears here with its certificate once it has joined the swarm.</EmptyState>
        )
      ) : (
        <div className="space-y-3" aria-busy={nodes.isPlaceholderData || undefined}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite" data-testid="pki-nodes-count">
            {nodes.isPlaceholderData ? "Updating…" : `${total.toLocaleString("en")} node${total === 1 ? "" : "s"}${anyFilter ? " match" : ""}`}
          </p>
          <TableBox>
            <table data-testid="pki-nodes-table" className="w-full min-w-[68rem] divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
              <thead className="bg-zinc-50 dark:bg-zinc-900">
                <tr>
                  {columns.map((column) => (
                    <SortHeader key={column.label} column={column} sort={sort} onSort={onSort} />
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
                {rows.map((row) => (
                  <Row key={row.id} row={row} kind={status.kind} now={now} rotating={rotating} env={env} />
                ))}
              </tbody>
            </table>
          </TableBox>
          <Pager offset={offset} shown={rows.length} total={total} onOffset={setOffset} />
        </div>
      )}
    </section>
  );
}
