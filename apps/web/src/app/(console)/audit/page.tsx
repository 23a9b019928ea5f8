"use client";

import { AUDIT_EXPORT_MAX_ROWS, auditActionSchema, auditOutcomeSchema, type AuditEventOutput, type AuditExportFormat } from "@rampart/api/schema";
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useMemo, useRef, useState } from "react";
import { AuditActor, AuditContext, AuditTarget } from "~/components/audit-context";
import { OutcomeBadge } from "~/components/badges";
import { DataTable, NoMatches } from "~/components/list";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Button, EmptyState, Field, PageHeader, Select } from "~/components/ui";
import { auditCsv, auditFileName, auditJson, downloadFile } from "~/lib/audit";
import { NATIVE_ENV } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { formatDateTime, fromNow, titleCase } from "~/lib/format";
import { naturalCompare } from "~/lib/nodes";
import { useTRPC } from "~/lib/trpc";

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;
const SEARCH_MAX = 128;

const ACTION_OPTIONS = [{ value: "", label: "All actions" }, ...auditActionSchema.options.map((a) => ({ value: a, label: a }))];
const OUTCOME_OPTIONS = [{ value: "", label: "All outcomes" }, ...auditOutcomeSchema.options.map((o) => ({ value: o, label: titleCase(o) }))];

type FilterName = "action" | "outcome" | "search" | "targetId" | "env";

const TARGET_ID_MAX = 128;
const ENV_MAX = 64;

/** The filters as the URL holds them; anything the API would refuse is ignored. */
function readFilters(params: URLSearchParams) {
  const action = auditActionSchema.safeParse(params.get("action"));
  const outcome = auditOutcomeSchema.safeParse(params.get("outcome"));
  return {
    action: action.success ? action.data : undefined,
    outcome: outcome.success ? outcome.data : undefined,
    search: (params.get("search") ?? "").slice(0, SEARCH_MAX),
    targetId: (params.get("targetId") ?? "").slice(0, TARGET_ID_MAX),
    /** An environment's ID, or `native` for Rampart's own cluster. */
    env: (params.get("env") ?? "").slice(0, ENV_MAX),
  };
}

const COLUMNS = ["Time", "Actor", "Action", "Target", "Context", "Environment", "Outcome", "Reason", "IP"];

function AuditTable({ events, now }: { events: AuditEventOutput[]; now: Date }) {
  return (
    <DataTable testId="audit-table" columns={COLUMNS}>
      {events.map((e) => (
        <tr key={e.id}>
          <td className="px-4 py-2 whitespace-nowrap">
            <time dateTime={e.at.toISOString()}>{formatDateTime(e.at)}</time>
            <span className="block text-xs text-zinc-500 dark:text-zinc-400">{fromNow(e.at, now)}</span>
          </td>
          <td className="max-w-56 px-4 py-2 break-words">
            <AuditActor event={e} />
          </td>
          <td className="px-4 py-2 font-mono text-xs whitespace-nowrap">{e.action}</td>
          <td className="max-w-64 px-4 py-2 break-words">
            <AuditTarget event={e} />
          </td>
          <td className="max-w-56 px-4 py-2 break-words">
            <AuditContext event={e} />
          </td>
          <td className="px-4 py-2 whitespace-nowrap">
            {e.envName && (
              <span data-testid="audit-env" title={e.envId ? `Docker Swarm ${e.envName} (${e.envId})` : undefined}>
                {e.envName}
              </span>
            )}
          </td>
          <td className="px-4 py-2">
            <OutcomeBadge outcome={e.outcome} />
          </td>
          <td className="px-4 py-2 text-zinc-700 dark:text-zinc-300">{e.reason ?? ""}</td>
          <td className="px-4 py-2 font-mono text-xs whitespace-nowrap">{e.ip ?? ""}</td>
        </tr>
      ))}
    </DataTable>
  );
}

type Filters = ReturnType<typeof readFilters>;

const FILE_TYPES: Record<AuditExportFormat, string> = { csv: "text/csv;charset=utf-8", json: "application/json" };

/**
 * Saves every event the filters match, all pages and not only those loaded, as CSV or
 * JSON, through the API (which records the export). Up to the API's stated cap.
 */
function ExportBar({ filters, nothing }: { filters: Filters; nothing: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const exporter = useMutation(trpc.audit.export.mutationOptions());
  const [saved, setSaved] = useState<{ name: string; count: number; truncated: boolean } | null>(null);

  function exportAs(format: AuditExportFormat) {
    setSaved(null);
    const query = {
      ...(filters.action ? { action: filters.action } : {}),
      ...(filters.outcome ? { outcome: filters.outcome } : {}),
      ...(filters.search ? { search: filters.search } : {}),
      ...(filters.targetId ? { targetId: filters.targetId } : {}),
      ...(filters.env ? { env: filters.env } : {}),
    };
    exporter.mutate(
      { ...query, format },
      {
        onSuccess: (result) => {
          const at = new Date();
          const name = auditFileName(at, format);
          const text = format === "csv" ? auditCsv(result.events) : auditJson(result.events, { exportedAt: at, filters: query, truncated: result.truncated, cap: result.cap });
          downloadFile(name, FILE_TYPES[format], text);
          setSaved({ name, count: result.events.length, truncated: result.truncated });
          // The export is itself an audit event: the list shows it.
          void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
        },
      },
    );
  }

  const busy = exporter.isPending ? exporter.variables.format : null;
  return (
    <div className="mb-4 space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-zinc-600 dark:text-zinc-400" id="audit-export-hint">
          Export saves every event these filters match, not only the loaded pages: the newest {AUDIT_EXPORT_MAX_ROWS.toLocaleString("en")} at most. Each export is recorded in this log.
        </p>
        <div className="flex gap-2" role="group" aria-label="Export">
          {(["csv", "json"] as const).map((format) => (
            <Button
              key={format}
              variant="secondary"
              aria-describedby="audit-export-hint"
              busy={busy === format}
              disabled={nothing || (busy !== null && busy !== format)}
              onClick={() => exportAs(format)}
            >
              {busy === format ? `Exporting ${format.toUpperCase()}…` : `Export ${format.toUpperCase()}`}
            </Button>
          ))}
        </div>
      </div>
      {exporter.isError && (
        <Alert title="The export failed, and nothing was saved">{describeError(exporter.error).message}</Alert>
      )}
      {saved && (
        <Alert tone={saved.truncated ? "warning" : "success"}>
          Saved {saved.name}: {saved.count.toLocaleString("en")} event{saved.count === 1 ? "" : "s"}.
          {saved.truncated && ` More events matched; the file holds the newest ${AUDIT_EXPORT_MAX_ROWS.toLocaleString("en")}. Narrow the filters to export the rest.`}
        </Alert>
      )}
    </div>
  );
}

function AuditView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = readFilters(new URLSearchParams(params.toString()));

  // The search box updates at once; the URL, and so the query, 300 ms after the last key.
  const [searchText, setSearchText] = useState(filters.search);
  const [pushedSearch, setPushedSearch] = useState(filters.search);
  if (filters.search !== pushedSearch) {
    // The URL changed from outside (back, forward, a link): the box follows it.
    setPushedSearch(filters.search);
    setSearchText(filters.search);
  }
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    const pending = timer;
    return () => clearTimeout(pending.current);
  }, []);

  function replace(changes: Partial<Record<FilterName, string>>) {
    // Read the URL as it is now, not as it was rendered: a debounced search must not undo a select changed meanwhile.
    const next = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  function onSearch(value: string) {
    setSearchText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const trimmed = value.trim();
      setPushedSearch(trimmed);
      replace({ search: trimmed });
    }, SEARCH_DELAY_MS);
  }

  function clearFilters() {
    clearTimeout(timer.current);
    setSearchText("");
    setPushedSearch("");
    router.replace(pathname, { scroll: false });
  }

  const environments = useQuery({ ...trpc.environment.list.queryOptions(), staleTime: 30_000 });
  const envOptions = useMemo(() => {
    const list = [...(environments.data ?? [])].sort((a, b) => naturalCompare(a.name, b.name)).map((e) => ({ value: e.id, label: e.name }));
    // A removed swarm keeps its events: an env from a link still shows as an option.
    if (filters.env && filters.env !== NATIVE_ENV && !list.some((o) => o.value === filters.env)) list.unshift({ value: filters.env, label: `ID ${filters.env.slice(0, 12)}` });
    return [{ value: "", label: "All environments" }, { value: NATIVE_ENV, label: "Native cluster" }, ...list];
  }, [environments.data, filters.env]);
  // The secrets listed are those of the environment chosen (the native cluster's when none is).
  const secretsEnv = environments.data?.find((e) => e.id === filters.env)?.name;

  // A secret's whole history is the events that target it: create, grants, deliveries, rotation, removal.
  const secrets = useQuery({ ...trpc.secret.list.queryOptions({ env: secretsEnv }), staleTime: 30_000 });
  const secretOptions = useMemo(() => {
    const list = [...(secrets.data ?? [])].sort((a, b) => naturalCompare(a.name, b.name)).map((s) => ({ value: s.id, label: s.name }));
    // A removed secret keeps its history: a targetId from a link still shows as an option.
    if (filters.targetId && !list.some((o) => o.value === filters.targetId)) list.unshift({ value: filters.targetId, label: `ID ${filters.targetId.slice(0, 12)}` });
    return [{ value: "", label: secrets.isError ? "All (secrets not listed)" : "All targets" }, ...list];
  }, [secrets.data, secrets.isError, filters.targetId]);

  const events = useInfiniteQuery({
    ...trpc.audit.list.infiniteQueryOptions(
      {
        limit: PAGE_SIZE,
        ...(filters.action ? { action: filters.action } : {}),
        ...(filters.outcome ? { outcome: filters.outcome } : {}),
        ...(filters.search ? { search: filters.search } : {}),
        ...(filters.targetId ? { targetId: filters.targetId } : {}),
        ...(filters.env ? { env: filters.env } : {}),
      },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    placeholderData: keepPreviousData,
  });

  const filtered = Boolean(filters.action || filters.outcome || filters.search || filters.targetId || filters.env);
  const list = events.data?.pages.flatMap((p) => p.events) ?? [];
  const now = new Date(events.dataUpdatedAt);

  return (
    <>
      <form role="search" onSubmit={(e) => e.preventDefault()} className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-[minmax(0,2fr)_repeat(4,minmax(0,1fr))]">
        <Field
          label="Search"
          type="search"
          placeholder="Actor or target name or ID"
          value={searchText}
          maxLength={SEARCH_MAX}
          onChange={(e) => onSearch(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <Select label="Action" value={filters.action ?? ""} onChange={(e) => replace({ action: e.target.value })} options={ACTION_OPTIONS} />
        <Select label="Outcome" value={filters.outcome ?? ""} onChange={(e) => replace({ outcome: e.target.value })} options={OUTCOME_OPTIONS} />
        <Select label="Environment" value={filters.env} onChange={(e) => replace({ env: e.target.value, targetId: "" })} options={envOptions} />
        <Select label="Secret" value={filters.targetId} onChange={(e) => replace({ targetId: e.target.value })} options={secretOptions} />
      </form>
      <ExportBar filters={filters} nothing={events.isSuccess && list.length === 0} />
      {events.isPending ? (
        <Loading label="Loading audit events" blocks={6} className="h-10" />
      ) : events.isError && list.length === 0 ? (
        <ErrorState title="The audit log is not available" error={events.error} onRetry={() => events.refetch()} />
      ) : list.length === 0 ? (
        filtered ? (
          <NoMatches title="No events match these filters" onClear={clearFilters} clearLabel="Clear filters" />
        ) : (
          <EmptyState title="No audit events yet">Sign-ins, token reveals, changes to the swarm, its nodes and services, and every step of a secret&apos;s life are recorded here.</EmptyState>
        )
      ) : (
        <div className="space-y-3" aria-busy={events.isPlaceholderData || undefined}>
          <AuditTable events={list} now={now} />
          {events.isFetchNextPageError && <Alert>{describeError(events.error).message}</Alert>}
          <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-zinc-600 dark:text-zinc-400">
            <p aria-live="polite">
              {events.isPlaceholderData ? "Updating…" : `${list.length.toLocaleString("en")} event${list.length === 1 ? "" : "s"} shown`}
            </p>
            {events.hasNextPage ? (
              <Button variant="secondary" onClick={() => events.fetchNextPage()} busy={events.isFetchingNextPage}>
                Load more
              </Button>
            ) : (
              <p>End of the log: there are no older events.</p>
            )}
          </div>
        </div>
      )}
    </>
  );
}

export default function AuditPage() {
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what, to which target, in which environment, and how it ended, newest first: on Rampart's own cluster and on the connected swarms, where what happened outside Rampart is recorded too. The log records actions only, never secret values."
      />
      <Suspense fallback={<Loading label="Loading audit events" blocks={6} className="h-10" />}>
        <AuditView />
      </Suspense>
    </>
  );
}
