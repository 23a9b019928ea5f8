"use client";

import type { AuditEventOutput } from "@rampart/api/schema";
import { mountPath } from "@rampart/core/secret";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent, type ReactNode } from "react";
import { AuditActor, AuditContext } from "~/components/audit-context";
import { OutcomeBadge } from "~/components/badges";
import { Breadcrumb } from "~/components/breadcrumb";
import { LabelRows } from "~/components/label-rows";
import { RotateWizard, RotationProgress } from "~/components/secret-rotation";
import { ConfirmByName } from "~/components/confirm-by-name";
import { detailState, ErrorState, Loading, NotReported } from "~/components/states";
import { TableBox } from "~/components/list";
import { Alert, Button, Card, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref, useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { formatDateTime, fromNow } from "~/lib/format";
import { naturalCompare } from "~/lib/nodes";
import { exactBytes, formatBytes, formatMode, labelsFromRows, listNames, modeString, plural, rowsFromLabels, type LabelRow, type SecretView } from "~/lib/secrets";
import { useTRPC } from "~/lib/trpc";

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 text-sm sm:grid-cols-[9rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

function When({ date, now }: { date: Date; now: Date }) {
  return (
    <>
      <time dateTime={date.toISOString()}>{formatDateTime(date)}</time> <span className="text-zinc-500 dark:text-zinc-400">({fromNow(date, now)})</span>
    </>
  );
}

function Summary({ secret, now }: { secret: SecretView; now: Date }) {
  const env = useEnv();
  return (
    <Card title="Secret">
      <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
        <Item label="ID">
          <span className="font-mono text-xs break-all">{secret.id}</span>
        </Item>
        <Item label="Name">
          <span className="font-mono text-xs break-all">{secret.name}</span>
        </Item>
        <Item label="Size">
          {secret.size === null ? (
            <NotReported />
          ) : (
            <>
              <span title={exactBytes(secret.size)}>{formatBytes(secret.size)}</span> <span className="text-zinc-500">({exactBytes(secret.size)})</span>
            </>
          )}
        </Item>
        <Item label="Value">
          <span className="text-zinc-600 dark:text-zinc-400">
            {env === undefined
              ? "Sealed. Never shown after creation; only nodes running a task that uses it receive it."
              : "Held by Docker, in the swarm's encrypted Raft log; Rampart never stored it and cannot show it. Only nodes running a task that uses it receive it."}
          </span>
        </Item>
        {secret.docker && (
          <Item label="Driver">
            {secret.docker.driver ? <span className="font-mono text-xs">{secret.docker.driver}</span> : "none: the swarm holds the value itself"}
          </Item>
        )}
        <Item label="Version">{secret.version}</Item>
        <Item label="Created">
          <When date={secret.createdAt} now={now} />
        </Item>
        <Item label="Updated">
          <When date={secret.updatedAt} now={now} />
        </Item>
      </dl>
      <p className="mt-3 rounded-md bg-zinc-50 px-3 py-2 text-xs text-zinc-600 dark:bg-zinc-950 dark:text-zinc-400">
        As in Swarm, a secret cannot change: only its labels can. A new value is a new secret, so that a task never sees its file change under it
        and every change is an explicit rollout. To change the value, rotate it.
      </p>
    </Card>
  );
}

/** Labels, edited as rows and saved together at the version read: a change made meanwhile is a conflict, not an overwrite. */
function LabelsEditor({ secret, reload }: { secret: SecretView; reload: () => Promise<SecretView | undefined> }) {
  const trpc = useTRPC();
  const env = useEnv();
  const queryClient = useQueryClient();
  const update = useMutation(trpc.secret.update.mutationOptions());
  const [draft, setDraft] = useState<{ rows: LabelRow[]; version: number } | null>(null);
  const [saved, setSaved] = useState(false);
  const [reloading, setReloading] = useState(false);
  const rows = draft?.rows ?? rowsFromLabels(secret.labels);
  const checked = labelsFromRows(rows);
  const conflict = update.isError && describeError(update.error).code === "CONFLICT";

  function edit(next: LabelRow[]) {
    setSaved(false);
    update.reset();
    setDraft({ rows: next, version: draft?.version ?? secret.version });
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft || Object.keys(checked.errors).length > 0) return;
    try {
      await update.mutateAsync({ env, ref: secret.id, version: draft.version, labels: checked.labels });
    } catch {
      return;
    }
    setDraft(null);
    setSaved(true);
    await queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
  }

  async function reloadKeepingEdits() {
    setReloading(true);
    try {
      const fresh = await reload();
      update.reset();
      // Save over the version now current; the edits stay, for the user to check against it.
      if (fresh) setDraft((d) => (d ? { ...d, version: fresh.version } : d));
    } finally {
      setReloading(false);
    }
  }

  return (
    <Card title="Labels">
      <form onSubmit={save} noValidate className="space-y-3" data-testid="secret-labels">
        <LabelRows rows={rows} onChange={edit} errors={checked.errors} />
        {conflict ? (
          <Alert tone="warning" title="Someone else changed this secret">
            <p>{describeError(update.error).message}</p>
            <Button variant="secondary" className="mt-2" busy={reloading} onClick={reloadKeepingEdits}>
              Reload and keep my edits
            </Button>
          </Alert>
        ) : (
          update.isError && <Alert>{describeError(update.error).message}</Alert>
        )}
        {saved && !draft && <Alert tone="success">Labels saved.</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" disabled={!draft || update.isPending} onClick={() => (setDraft(null), update.reset())}>
            Discard changes
          </Button>
          <Button type="submit" disabled={!draft || conflict || Object.keys(checked.errors).length > 0} busy={update.isPending}>
            Save labels
          </Button>
        </div>
      </form>
    </Card>
  );
}

function ServicesUsing({ secret }: { secret: SecretView }) {
  const env = useEnv();
  const services = [...secret.services].sort((a, b) => naturalCompare(a.name, b.name));
  return (
    <Card title={`Services using it (${services.length})`}>
      {services.length === 0 ? (
        <p className="text-sm text-zinc-500">
          No service references this secret. Grant it in a service&apos;s form (
          <Link href={envHref(env, "/services")} className={linkClass}>
            Services
          </Link>
          ), under Secrets.
        </p>
      ) : (
        <TableBox inCard>
          <table data-testid="secret-services-table" className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
            <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-4 py-2">Service</th>
                <th scope="col" className="px-4 py-2">Target</th>
                <th scope="col" className="px-4 py-2">UID</th>
                <th scope="col" className="px-4 py-2">GID</th>
                <th scope="col" className="px-4 py-2">Mode</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {services.flatMap((s) =>
                s.references.map((r) => (
                  <tr key={`${s.id}/${r.target}`}>
                    <td className="px-4 py-2">
                      <Link href={envHref(env, `/services/${s.id}`)} className={linkClass}>
                        {s.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2">
                      <code className="font-mono text-xs">{r.target}</code>
                      <span className="block text-xs text-zinc-500">{mountPath(r.target)}</span>
                    </td>
                    <td className="px-4 py-2 tabular-nums">{r.uid}</td>
                    <td className="px-4 py-2 tabular-nums">{r.gid}</td>
                    <td className="px-4 py-2 whitespace-nowrap">
                      <code className="font-mono text-xs">{formatMode(r.mode)}</code>{" "}
                      <span className="font-mono text-xs text-zinc-500">{modeString(r.mode)}</span>
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </TableBox>
      )}
    </Card>
  );
}

function NodesHolding({ secret }: { secret: SecretView }) {
  const env = useEnv();
  const nodes = [...secret.nodes].sort((a, b) => naturalCompare(a.hostname ?? a.nodeId, b.hostname ?? b.nodeId));
  return (
    <Card title={`Held by nodes now (${nodes.length})`}>
      {nodes.length === 0 ? (
        <p className="text-sm text-zinc-500">No node holds it: no task of a service using it is assigned or running.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" data-testid="secret-nodes-list">
          {nodes.map((n) => (
            <li key={n.nodeId} className="flex items-center justify-between gap-3 py-2">
              <Link href={envHref(env, `/nodes/${n.nodeId}`)} className={linkClass}>
                {n.hostname ?? n.nodeId.slice(0, 12)}
              </Link>
              <span className="text-zinc-500">{plural(n.tasks, "task")}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
        A node receives the secret while it has a task, assigned to running, of a service that uses it, and deletes it when the last such task
        leaves. Agents keep it in memory-backed storage only.
      </p>
    </Card>
  );
}

const ACTION_TEXT: Partial<Record<AuditEventOutput["action"], string>> = {
  "secret.create": "Created",
  "secret.update": "Labels changed",
  "secret.remove": "Removed",
  "secret.grant": "Granted to",
  "secret.revoke": "Revoked from",
  "secret.deliver": "Delivered to",
  "secret.withdraw": "Withdrawn from",
  "secret.rotate": "Rotated to",
  "secret.refused": "Refused to",
};

const HISTORY_PAGE = 20;

/** Every audit event whose target is this secret, newest first, a page at a time. */
function History({ id, now }: { id: string; now: Date }) {
  const trpc = useTRPC();
  const events = useInfiniteQuery({
    ...trpc.audit.list.infiniteQueryOptions({ targetId: id, limit: HISTORY_PAGE }, { getNextPageParam: (page) => page.nextCursor ?? undefined, ...backgroundPoll }),
    refetchInterval: 10_000,
  });
  const list = events.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <Card
      title="History"
      actions={
        <Link href={`/audit?targetId=${encodeURIComponent(id)}`} className={`text-sm ${linkClass}`}>
          Open in the audit log
        </Link>
      }
    >
      {events.isPending ? (
        <Loading label="Loading history" blocks={3} className="h-6" />
      ) : events.isError && list.length === 0 ? (
        <ErrorState error={events.error} onRetry={() => events.refetch()} />
      ) : list.length === 0 ? (
        <p className="text-sm text-zinc-500">No events for this secret yet.</p>
      ) : (
        <div className="space-y-3">
          <ol className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="secret-history">
            {list.map((e) => (
              <li key={e.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm" data-testid="history-event" data-action={e.action}>
                <time dateTime={e.at.toISOString()} title={formatDateTime(e.at)} className="w-28 shrink-0 text-zinc-500 dark:text-zinc-400">
                  {fromNow(e.at, now)}
                </time>
                <span className="font-medium">{ACTION_TEXT[e.action] ?? e.action}</span>
                <AuditContext event={e} />
                <OutcomeBadge outcome={e.outcome} />
                <span className="text-zinc-600 dark:text-zinc-400">
                  by <AuditActor event={e} />
                </span>
                {e.reason && <span className="text-zinc-500">— {e.reason}</span>}
                <code className="ml-auto font-mono text-xs text-zinc-400">{e.action}</code>
              </li>
            ))}
          </ol>
          {events.isFetchNextPageError && <Alert>{describeError(events.error).message}</Alert>}
          {events.hasNextPage ? (
            <Button variant="secondary" onClick={() => events.fetchNextPage()} busy={events.isFetchingNextPage}>
              Load older events
            </Button>
          ) : (
            <p className="text-xs text-zinc-500">{plural(list.length, "event")}: the whole history.</p>
          )}
        </div>
      )}
    </Card>
  );
}

function RemoveDialog({ secret, open, onClose }: { secret: SecretView; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const env = useEnv();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.secret.remove.mutationOptions());
  return (
    <ConfirmByName
      open={open}
      onClose={() => (remove.reset(), onClose())}
      name={secret.name}
      action="Remove secret"
      busy={remove.isPending}
      error={remove.isError && describeError(remove.error).message}
      errorTitle="The secret was not removed"
      onConfirm={async () => {
        try {
          await remove.mutateAsync({ env, ref: secret.id });
        } catch {
          return;
        }
        router.push(envHref(env, "/secrets"));
        void queryClient.invalidateQueries({ queryKey: trpc.secret.list.queryKey() });
      }}
    >
      The secret is deleted from the store. As in Swarm, this is refused while any service references it. This cannot be undone.
    </ConfirmByName>
  );
}

function SecretDetail() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const env = useEnv();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const secret = useQuery({
    ...trpc.secret.get.queryOptions({ env, ref: id }, backgroundPoll),
    refetchInterval: (query) => (describeError(query.state.error).code === "NOT_FOUND" ? false : 5_000),
  });
  const [removing, setRemoving] = useState(false);
  const [rotating, setRotating] = useState(false);
  const rotationTo = params.get("rotation");
  const created = params.get("created") === "1";
  const rotatedFrom = params.get("rotatedFrom");
  const removedOld = params.get("removedOld") === "1";

  const gate = detailState(secret, {
    what: "Secret",
    id,
    hint: "It may have been removed, or rotated and then removed.",
    back: { href: envHref(env, "/secrets"), label: "Back to secrets" },
  });
  if (gate || !secret.data) return gate;
  const data = secret.data;
  const now = new Date(secret.dataUpdatedAt);
  // Swarm refuses to remove a secret a service references; the button says so before anyone tries.
  const inUse = data.services.length > 0;
  const usedBy = listNames(data.services.map((s) => s.name));
  const dismiss = () => router.replace(pathname, { scroll: false });

  return (
    <>
      <Breadcrumb trail={[{ href: envHref(env, "/secrets"), label: "Secrets" }]} current={data.name} />
      <PageHeader
        title={data.name}
        description={
          <>
            {data.size === null ? "" : `${formatBytes(data.size)} · `}
            {plural(data.services.length, "service")} · held by {plural(data.nodes.length, "node")} ·{" "}
            <span className="font-mono text-xs">{data.id}</span>
          </>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setRotating(true)} disabled={rotating || rotationTo !== null}>
              Rotate
            </Button>
            <Button variant="danger" onClick={() => setRemoving(true)} disabled={inUse} aria-describedby={inUse ? "remove-blocked" : undefined}>
              Remove
            </Button>
            {inUse && (
              <p id="remove-blocked" data-testid="remove-blocked" className="basis-full text-xs text-zinc-600 dark:text-zinc-400">
                In use by {usedBy}: remove it from {data.services.length === 1 ? "that service" : "those services"} before removing the secret.
              </p>
            )}
          </div>
        }
      />
      <div className="space-y-4">
        {created && (
          <Alert tone="success" title={`Secret ${data.name} created`}>
            <p data-testid="created-notice">
              {env === undefined ? "Its value is sealed in the store" : "Its value went to Docker once; Rampart kept no copy, and it"} will never be shown again, here or anywhere else. Grant it to a service in the service&apos;s
              form, under Secrets.
            </p>
            <button type="button" className="mt-1 text-sm font-medium underline" onClick={dismiss}>
              Dismiss
            </button>
          </Alert>
        )}
        {rotatedFrom && (
          <Alert tone="success" title="Rotation finished">
            <p data-testid="rotated-notice">
              Every service that used <code className="font-mono">{rotatedFrom}</code> now reads {data.name}.{" "}
              {removedOld ? `${rotatedFrom} was removed.` : `${rotatedFrom} was kept; remove it from its page when you no longer need it.`}
            </p>
            <button type="button" className="mt-1 text-sm font-medium underline" onClick={dismiss}>
              Dismiss
            </button>
          </Alert>
        )}
        {secret.isError && <Alert tone="warning">The latest refresh failed ({describeError(secret.error).message}); showing the last known state.</Alert>}
        {rotationTo ? (
          <RotationProgress
            key={rotationTo}
            from={{ id: data.id, name: data.name }}
            toId={rotationTo}
            onFinished={(removed) => router.push(envHref(env, `/secrets/${rotationTo}?rotatedFrom=${encodeURIComponent(data.name)}${removed ? "&removedOld=1" : ""}`))}
          />
        ) : (
          rotating && (
            <RotateWizard
              secret={data}
              onCancel={() => setRotating(false)}
              onRotated={(to) => {
                setRotating(false);
                router.replace(`${pathname}?rotation=${encodeURIComponent(to)}`, { scroll: false });
              }}
            />
          )
        )}
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
          <Summary secret={data} now={now} />
          <LabelsEditor secret={data} reload={async () => (await secret.refetch()).data} />
          <ServicesUsing secret={data} />
          <NodesHolding secret={data} />
        </div>
        <History id={data.id} now={now} />
      </div>
      <RemoveDialog secret={data} open={removing} onClose={() => setRemoving(false)} />
    </>
  );
}

export default function SecretDetailPage() {
  return (
    <Suspense fallback={<Loading label="Loading secret" blocks={3} className="h-32" />}>
      <SecretDetail />
    </Suspense>
  );
}
