"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo, useState, type MouseEvent } from "react";
import { ErrorState, Loading } from "~/components/states";
import { Button, buttonClass, EmptyState, Field, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { formatDateTime, fromNow } from "~/lib/format";
import { labelChips, naturalCompare } from "~/lib/nodes";
import { exactBytes, filterSecrets, formatBytes, plural, type SecretView } from "~/lib/secrets";
import { useTRPC } from "~/lib/trpc";

const primaryLink = buttonClass("primary");

function When({ date, now }: { date: Date; now: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)} className="whitespace-nowrap">
      {fromNow(date, now)}
    </time>
  );
}

function Row({ secret, now }: { secret: SecretView; now: Date }) {
  const router = useRouter();
  const href = `/secrets/${secret.id}`;
  const chips = labelChips(secret.labels);
  const services = [...secret.services].sort((a, b) => naturalCompare(a.name, b.name));
  const hostnames = secret.nodes.map((n) => n.hostname ?? n.nodeId.slice(0, 12)).sort(naturalCompare);
  function open(event: MouseEvent<HTMLTableRowElement>) {
    if ((event.target as HTMLElement).closest("a, button")) return;
    router.push(href);
  }
  return (
    <tr data-testid={`secret-row-${secret.name}`} onClick={open} className="cursor-pointer hover:bg-zinc-50 dark:hover:bg-zinc-900">
      <td className="px-4 py-2">
        <Link href={href} className={`${linkClass} font-mono text-xs`}>
          {secret.name}
        </Link>
      </td>
      <td className="px-4 py-2 tabular-nums whitespace-nowrap" title={exactBytes(secret.size)}>
        {formatBytes(secret.size)}
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
                <Link href={`/services/${s.id}`} className={linkClass}>
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
  const secrets = useQuery({ ...trpc.secret.list.queryOptions(undefined, backgroundPoll), refetchInterval: 5_000 });
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search);
  const visible = useMemo(() => filterSecrets(secrets.data ?? [], deferred).sort((a, b) => naturalCompare(a.name, b.name)), [secrets.data, deferred]);
  const total = secrets.data?.length ?? 0;
  const now = new Date(secrets.dataUpdatedAt);

  return (
    <>
      <PageHeader
        title="Secrets"
        description="Values services read as files, sealed in the store and sent only to the nodes that run their tasks. Values are never shown after creation."
        actions={
          <Link href="/secrets/new" className={primaryLink}>
            Create secret
          </Link>
        }
      />
      {secrets.isPending ? (
        <Loading label="Loading secrets" blocks={4} className="h-10" />
      ) : secrets.isError ? (
        <ErrorState title="Secrets are not available" error={secrets.error} onRetry={() => secrets.refetch()} />
      ) : total === 0 ? (
        <EmptyState
          title="No secrets yet"
          action={
            <Link href="/secrets/new" className={primaryLink}>
              Create secret
            </Link>
          }
        >
          A secret is a password, key or certificate a service needs. Create one by typing it or dropping a file, then grant it to a service in
          the service&apos;s form.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <form role="search" onSubmit={(e) => e.preventDefault()} className="max-w-md">
            <Field
              label="Search"
              type="search"
              placeholder="Name, ID prefix or label"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </form>
          <p aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
            {visible.length} of {plural(total, "secret")}
          </p>
          {visible.length === 0 ? (
            <EmptyState
              title="No secrets match this search"
              action={
                <Button variant="secondary" onClick={() => setSearch("")}>
                  Clear search
                </Button>
              }
            />
          ) : (
            <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
              <table data-testid="secrets-table" className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
                <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
                  <tr>
                    <th scope="col" className="px-4 py-2">Name</th>
                    <th scope="col" className="px-4 py-2">Size</th>
                    <th scope="col" className="px-4 py-2">Labels</th>
                    <th scope="col" className="px-4 py-2">Services</th>
                    <th scope="col" className="px-4 py-2">Held by</th>
                    <th scope="col" className="px-4 py-2">Created</th>
                    <th scope="col" className="px-4 py-2">Updated</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
                  {visible.map((secret) => (
                    <Row key={secret.id} secret={secret} now={now} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </>
  );
}
