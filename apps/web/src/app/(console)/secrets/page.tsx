"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useMemo, useState } from "react";
import { DataTable, ListStates, NoMatches, SearchBox, usePage, useRowLink } from "~/components/list";
import { NotReported } from "~/components/states";
import { buttonClass, EmptyState, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref, useEnv } from "~/lib/env";
import { formatDateTime, fromNow } from "~/lib/format";
import { labelChips, naturalCompare } from "~/lib/nodes";
import { exactBytes, filterSecrets, formatBytes, plural, type SecretView } from "~/lib/secrets";
import { useTRPC } from "~/lib/trpc";

const primaryLink = buttonClass("primary");
const COLUMNS = ["Name", "Size", "Labels", "Services", "Held by", "Created", "Updated"];

function When({ date, now }: { date: Date; now: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)} className="whitespace-nowrap">
      {fromNow(date, now)}
    </time>
  );
}

function Row({ secret, now }: { secret: SecretView; now: Date }) {
  const env = useEnv();
  const href = envHref(env, `/secrets/${secret.id}`);
  const open = useRowLink(href);
  const chips = labelChips(secret.labels);
  const services = [...secret.services].sort((a, b) => naturalCompare(a.name, b.name));
  const hostnames = secret.nodes.map((n) => n.hostname ?? n.nodeId.slice(0, 12)).sort(naturalCompare);
  return (
    <tr data-testid={`secret-row-${secret.name}`} onClick={open} className="cursor-pointer hover:bg-zinc-50 dark:hover:bg-zinc-900">
      <td className="px-4 py-2">
        <Link href={href} className={`${linkClass} font-mono text-xs`}>
          {secret.name}
        </Link>
      </td>
      <td className="px-4 py-2 tabular-nums whitespace-nowrap" title={secret.size === null ? undefined : exactBytes(secret.size)}>
        {secret.size === null ? <NotReported /> : formatBytes(secret.size)}
      </td>
      <td className="px-4 py-2">
        {chips.shown.length === 0 ? (
          <span className="text-zinc-400">—</span>
        ) : (
          <span className="flex flex-wrap gap-1">
            {chips.shown.map((c) => (
              <span key={c} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs dark:bg-zinc-800">
                {c}
              </span>
            ))}
            {chips.more > 0 && <span className="text-xs text-zinc-500">+{chips.more}</span>}
          </span>
        )}
      </td>
      <td className="px-4 py-2" data-testid="secret-services">
        {services.length === 0 ? (
          <span className="text-zinc-400">none</span>
        ) : (
          <span>
            <span className="tabular-nums font-medium">{services.length}</span>
            <span className="text-zinc-500">: </span>
            {services.slice(0, 3).map((s, i) => (
              <span key={s.id}>
                {i > 0 && ", "}
                <Link href={envHref(env, `/services/${s.id}`)} className={linkClass}>
                  {s.name}
                </Link>
              </span>
            ))}
            {services.length > 3 && <span className="text-zinc-500"> and {services.length - 3} more</span>}
          </span>
        )}
      </td>
      <td className="px-4 py-2 tabular-nums" data-testid="secret-nodes" title={hostnames.join(", ") || undefined}>
        {secret.nodes.length === 0 ? <span className="text-zinc-400">0</span> : plural(secret.nodes.length, "node")}
      </td>
      <td className="px-4 py-2">
        <When date={secret.createdAt} now={now} />
      </td>
      <td className="px-4 py-2">
        <When date={secret.updatedAt} now={now} />
      </td>
    </tr>
  );
}

export default function SecretsPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const secrets = useQuery({ ...trpc.secret.list.queryOptions({ env }, backgroundPoll), refetchInterval: 5_000 });
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search);
  const visible = useMemo(() => filterSecrets(secrets.data ?? [], deferred).sort((a, b) => naturalCompare(a.name, b.name)), [secrets.data, deferred]);
  const total = secrets.data?.length ?? 0;
  const now = new Date(secrets.dataUpdatedAt);
  const page = usePage(visible, deferred);

  return (
    <>
      <PageHeader
        title="Secrets"
        description={
          env === undefined
            ? "Values services read as files, sealed in the store and sent only to the nodes that run their tasks. Values are never shown after creation."
            : "Values services read as files, held by the swarm (Docker keeps them in its encrypted Raft log) and sent only to the nodes that run their tasks. Rampart never stores or shows a value."
        }
        actions={
          <Link href={envHref(env, "/secrets/new")} className={primaryLink}>
            Create secret
          </Link>
        }
      />
      <ListStates
        query={secrets}
        what="Secrets"
        total={total}
        empty={
          <EmptyState
            title="No secrets yet"
            action={
              <Link href={envHref(env, "/secrets/new")} className={primaryLink}>
                Create secret
              </Link>
            }
          >
            A secret is a password, key or certificate a service needs. Create one by typing it or dropping a file, then grant it to a service in
            the service&apos;s form.
          </EmptyState>
        }
      >
        <SearchBox value={search} onChange={setSearch} placeholder="Name, ID prefix or label" />
        <p aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
          {visible.length} of {plural(total, "secret")}
        </p>
        {visible.length === 0 ? (
          <NoMatches title="No secrets match this search" onClear={() => setSearch("")} />
        ) : (
          <>
            <DataTable testId="secrets-table" columns={COLUMNS}>
              {page.rows.map((secret) => (
                <Row key={secret.id} secret={secret} now={now} />
              ))}
            </DataTable>
            {page.pager}
          </>
        )}
      </ListStates>
    </>
  );
}
