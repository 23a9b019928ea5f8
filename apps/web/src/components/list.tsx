"use client";

import { useRouter } from "next/navigation";
import { useState, type MouseEvent, type ReactNode, type Ref } from "react";
import { pageOf } from "~/lib/paging";
import { ErrorState, Loading } from "./states";
import { Button, EmptyState, Field } from "./ui";

/**
 * The pieces every list page is made of: the loading, error and empty states of its
 * query, a search box, a "nothing matches" state, a table with a header row in a box of
 * its own that scrolls sideways with its first column held, pages of rows, and rows
 * that open their item when clicked anywhere outside a link or button.
 */

interface ListQuery {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** Loading, then the server's error with a retry, then `empty` when there is nothing at all, else the list. */
export function ListStates({
  query,
  what,
  total,
  empty,
  loadingRows = 4,
  children,
}: {
  query: ListQuery;
  /** Plural, capitalised: "Secrets". */
  what: string;
  total: number;
  empty: ReactNode;
  /** Placeholder rows while loading, about as many as a typical list shows. */
  loadingRows?: number;
  children: ReactNode;
}) {
  if (query.isPending) return <Loading label={`Loading ${what.toLowerCase()}`} blocks={loadingRows} className="h-10" />;
  if (query.isError) return <ErrorState title={`${what} are not available`} error={query.error} onRetry={() => void query.refetch()} />;
  if (total === 0) return <>{empty}</>;
  return <div className="space-y-4">{children}</div>;
}

export function SearchBox({ value, onChange, placeholder }: { value: string; onChange: (value: string) => void; placeholder: string }) {
  return (
    <form role="search" onSubmit={(e) => e.preventDefault()} className="max-w-md">
      <Field
        label="Search"
        type="search"
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
    </form>
  );
}

export function NoMatches({ title, onClear, clearLabel = "Clear search" }: { title: string; onClear: () => void; clearLabel?: string }) {
  return (
    <EmptyState
      title={title}
      action={
        <Button variant="secondary" onClick={onClear}>
          {clearLabel}
        </Button>
      }
    />
  );
}

/**
 * The box every table sits in: the table scrolls sideways inside it, never the page,
 * and its first column stays in view (`.table-box` in globals.css). `inCard` fills a
 * Card's body edge to edge, in the card's colour and without a border of its own. It is
 * positioned, so that what is absolutely placed inside (screen-reader text) scrolls and
 * is clipped with the table instead of widening the page.
 * `className` adds to the box, such as a height limit for a table that also scrolls down.
 */
export function TableBox({ ref, inCard = false, className, children }: { ref?: Ref<HTMLDivElement>; inCard?: boolean; className?: string; children: ReactNode }) {
  const frame = inCard ? "table-box-card -m-4" : "rounded-lg border border-zinc-200 dark:border-zinc-800";
  return (
    <div ref={ref} className={`table-box relative overflow-x-auto ${frame}${className ? ` ${className}` : ""}`}>
      {children}
    </div>
  );
}

export function DataTable({ testId, columns, children }: { testId: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <TableBox>
      <table data-testid={testId} className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
        <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-4 py-2">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950">{children}</tbody>
      </table>
    </TableBox>
  );
}

export const PAGE_SIZE = 50;

/** One page of `items`; back to the first page whenever `resetKey` (the search) changes. */
export function usePage<T>(items: readonly T[], resetKey: string, size = PAGE_SIZE) {
  const [at, setAt] = useState({ key: resetKey, page: 0 });
  // A new search starts at the first page (state adjusted while rendering, as React
  // recommends over an effect; going back to an earlier search does not restore its page).
  if (at.key !== resetKey) setAt({ key: resetKey, page: 0 });
  const current = pageOf(items, at.key === resetKey ? at.page : 0, size);
  const go = (page: number) => setAt({ key: resetKey, page });
  return { rows: current.rows, pager: <Pager {...current} onPage={go} /> };
}

function Pager({ page, pages, first, last, total, onPage }: ReturnType<typeof pageOf> & { onPage: (page: number) => void }) {
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-4 text-sm text-zinc-600 dark:text-zinc-400">
      <p>
        {first.toLocaleString("en")}–{last.toLocaleString("en")} of {total.toLocaleString("en")}
      </p>
      <div className="flex gap-2">
        <Button variant="secondary" onClick={() => onPage(page - 1)} disabled={page === 0}>
          Previous
        </Button>
        <Button variant="secondary" onClick={() => onPage(page + 1)} disabled={page >= pages - 1}>
          Next
        </Button>
      </div>
    </nav>
  );
}

/** A row's click handler: opens `href`, unless the click was on a link or button inside the row. */
export function useRowLink(href: string) {
  const router = useRouter();
  return (event: MouseEvent<HTMLTableRowElement>) => {
    if ((event.target as HTMLElement).closest("a, button")) return;
    router.push(href);
  };
}
