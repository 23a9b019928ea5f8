"use client";

import { decodeNodeList, scaleServiceInput, type serviceDetailSchema } from "@rampart/api/schema";
import { engineLabelMixups, parseConstraint, type Constraint } from "@rampart/core/constraint";
import { mountPath } from "@rampart/core/secret";
import { DEFAULT_RESTART_POLICY, MAX_REPLICAS } from "@rampart/core/service";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import type { z } from "zod";
import { Breadcrumb } from "~/components/breadcrumb";
import { ConfirmByName } from "~/components/confirm-by-name";
import { ContainerPanel, SecurityPanel } from "~/components/service-container-view";
import { detailState, NotOnDocker } from "~/components/states";
import { TableBox } from "~/components/list";
import { ServiceLogs } from "~/components/service-logs";
import { PlacementCheck } from "~/components/service-placement-check";
import { Alert, Badge, Button, buttonClass, Card, Field, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref, useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { formatDateTime, fromNow, titleCase } from "~/lib/format";
import { useZodForm } from "~/lib/forms";
import { shortId } from "~/lib/nodes";
import { formatMode } from "~/lib/secrets";
import { failingSlots, formatCpus, formatMemory, formatNs, formatPort, isCurrentTask, isSettling, isWaitingRestart, restartWait, slotKey, taskStateTone, type SlotFailure } from "~/lib/services";
import { useTRPC } from "~/lib/trpc";

type ServiceDetail = z.infer<typeof serviceDetailSchema>;

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 text-sm sm:grid-cols-[11rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

function CodeList({ items, empty, prefix = "" }: { items: readonly string[]; empty: string; prefix?: string }) {
  if (items.length === 0) return <span className="text-zinc-500">{empty}</span>;
  return (
    <ul className="flex flex-wrap gap-1">
      {items.map((item) => (
        <li key={item} className="max-w-full rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs break-all dark:bg-zinc-800">
          {prefix}
          {item}
        </li>
      ))}
    </ul>
  );
}

/** The policy's four fields, as `docker service inspect --pretty` lists them; absent is Swarm's defaults, said so. */
function RestartPolicyView({ policy }: { policy: ServiceDetail["spec"]["restartPolicy"] }) {
  const p = policy ?? DEFAULT_RESTART_POLICY;
  return (
    <div data-testid="service-restart-policy">
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5">
        <dt className="text-zinc-500">Condition</dt>
        <dd>{p.condition}</dd>
        <dt className="text-zinc-500">Delay</dt>
        <dd className="font-mono text-xs leading-5">{formatNs(p.delayNs)}</dd>
        <dt className="text-zinc-500">Max attempts</dt>
        <dd>{p.maxAttempts === 0 ? "unlimited" : p.maxAttempts}</dd>
        <dt className="text-zinc-500">Window</dt>
        <dd className="font-mono text-xs leading-5">{p.windowNs === 0 ? "forever" : formatNs(p.windowNs)}</dd>
      </dl>
      {!policy && <p className="mt-1 text-xs text-zinc-500">Swarm&apos;s defaults: none set for this service.</p>}
    </div>
  );
}

/** The scale procedure's own rule for the count; the service is the page's. */
const scaleForm = scaleServiceInput.pick({ replicas: true });

/** `docker service scale`, in place: the count, and the server's message beside it. */
function ScaleForm({ service }: { service: ServiceDetail }) {
  const trpc = useTRPC();
  const env = useEnv();
  const queryClient = useQueryClient();
  const scale = useMutation(trpc.service.scale.mutationOptions());
  const form = useZodForm(scaleForm, { replicas: service.spec.replicas });
  const { errors, isSubmitSuccessful, isDirty } = form.formState;

  const submit = form.handleSubmit(async ({ replicas }) => {
    try {
      await scale.mutateAsync({ env, ref: service.id, replicas });
      await queryClient.invalidateQueries({ queryKey: trpc.service.pathKey() });
    } catch (error) {
      // Whatever the server names, the count is the form's one field.
      form.setError("replicas", { type: "server", message: describeError(error).message }, { shouldFocus: true });
    }
  });
  const done = isSubmitSuccessful && !isDirty && !errors.replicas;

  return (
    <form onSubmit={submit} noValidate className="flex flex-wrap items-start gap-2" aria-label="Scale">
      <div className="w-28">
        <Field
          label="Scale to"
          type="number"
          inputMode="numeric"
          min={0}
          max={MAX_REPLICAS}
          // An empty or unreadable box is NaN, which the schema refuses with a sentence.
          {...form.register("replicas", { valueAsNumber: true })}
          error={errors.replicas?.message}
          className="tabular-nums"
        />
      </div>
      <Button type="submit" variant="secondary" className="mt-6" busy={scale.isPending} disabled={!isDirty}>
        Scale
      </Button>
      {done && (
        <p role="status" className="mt-8 text-sm text-emerald-700 dark:text-emerald-400">
          Scaled to {service.spec.replicas}.
        </p>
      )}
    </form>
  );
}

function Summary({ service }: { service: ServiceDetail }) {
  const { spec } = service;
  const env = useEnv();
  return (
    <Card title="Spec">
      <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
        <Item label="Image">
          <span className="font-mono text-xs break-all">{spec.image}</span>
        </Item>
        <Item label="Mode">{titleCase(spec.mode)}</Item>
        <Item label="Replicas">
          {spec.mode === "replicated" ? (
            <div className="space-y-2">
              <p>
                <span className="tabular-nums">
                  {service.running} running of {service.desired}
                </span>
                {service.pending > 0 && (
                  <span className="ml-2">
                    <Badge tone="warn">{service.pending} pending</Badge>
                  </span>
                )}
              </p>
              <ScaleForm key={spec.replicas} service={service} />
            </div>
          ) : (
            `${service.running} running, one per eligible node`
          )}
        </Item>
        <Item label="Constraints">
          <CodeList items={spec.constraints} empty="none: any node" />
        </Item>
        <Item label="Placement preferences">
          <CodeList items={spec.preferences} empty="none" prefix="spread=" />
        </Item>
        <Item label="Secrets">
          {(spec.secrets ?? []).length === 0 ? (
            <span className="text-zinc-500">none</span>
          ) : (
            <ul className="space-y-1" data-testid="service-secrets">
              {(spec.secrets ?? []).map((r) => (
                <li key={r.target}>
                  <Link href={envHref(env, `/secrets/${r.secretId}`)} className={linkClass}>
                    {r.secretName}
                  </Link>{" "}
                  <span className="text-zinc-500">as</span> <code className="font-mono text-xs">{mountPath(r.target)}</code>{" "}
                  <span className="text-xs text-zinc-500">
                    {r.uid}:{r.gid} {formatMode(r.mode)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Item>
        <Item label="Max replicas per node">{spec.maxReplicasPerNode === 0 ? "no limit" : spec.maxReplicasPerNode}</Item>
        <Item label="Reservations">
          {spec.reservations.nanoCpus === 0 && spec.reservations.memoryBytes === 0
            ? "none"
            : [spec.reservations.nanoCpus ? formatCpus(spec.reservations.nanoCpus) : null, spec.reservations.memoryBytes ? `${formatMemory(spec.reservations.memoryBytes)} memory` : null]
                .filter(Boolean)
                .join(" · ")}
        </Item>
        <Item label="Limits">
          {!spec.limits || (spec.limits.nanoCpus === 0 && spec.limits.memoryBytes === 0)
            ? "none"
            : [spec.limits.nanoCpus ? formatCpus(spec.limits.nanoCpus) : null, spec.limits.memoryBytes ? `${formatMemory(spec.limits.memoryBytes)} memory` : null].filter(Boolean).join(" · ")}
        </Item>
        <Item label="Generic resources">
          <span data-testid="service-generic">
            <CodeList items={Object.entries(spec.reservations.generic ?? {}).map(([kind, count]) => `${kind}=${count}`)} empty="none" />
          </span>
        </Item>
        <Item label="Published ports">
          <span data-testid="service-ports">
            <CodeList items={(spec.ports ?? []).map(formatPort)} empty="none" />
          </span>
        </Item>
        <Item label="Restart policy">
          <RestartPolicyView policy={spec.restartPolicy} />
        </Item>
        <Item label="Version">
          {service.version} <span className="text-zinc-500">(spec {service.specVersion})</span>
        </Item>
        <Item label="Created">{formatDateTime(service.createdAt)}</Item>
        <Item label="Updated">{formatDateTime(service.updatedAt)}</Item>
      </dl>
    </Card>
  );
}

const STATE_LABEL = (state: string) => titleCase(state);

/** A replacement held back by the restart supervisor: what it waits for, from the task's own times and its spec's delay. */
function RestartWaitNote({ task, service, now }: { task: ServiceDetail["tasks"][number]; service: ServiceDetail; now: Date }) {
  const wait = restartWait(task, service, now);
  if (!wait) return <span className="text-zinc-500">waiting for its restart delay to pass</span>;
  if (wait.over) return <span className="text-zinc-500">restart delay ({wait.delay}) over; waiting for the task it replaces to stop</span>;
  return (
    <span className="text-zinc-500" title={formatDateTime(wait.startsAt)}>
      restart delay {wait.delay}: may start {fromNow(wait.startsAt, now)}
    </span>
  );
}

/** Ended tasks are kept per slot up to the swarm's task history limit; the reaper deletes older ones. */
function HistoryNote() {
  const trpc = useTRPC();
  const env = useEnv();
  const info = useQuery({ ...trpc.swarm.info.queryOptions({ env }), staleTime: 60_000 });
  if (!info.data) return null;
  const limit = info.data.taskHistoryLimit;
  return (
    <p className="mb-3 text-xs text-zinc-500" data-testid="task-history-note">
      {limit < 0 ? "The swarm keeps every ended task." : `The swarm keeps at most ${limit} ended task${limit === 1 ? "" : "s"} per slot; older ones are deleted.`}{" "}
      <Link href={envHref(env, "/settings/swarm")} className={linkClass}>
        Task history limit
      </Link>
    </p>
  );
}

function TasksTable({
  service,
  hostnames,
  simulated,
  now,
}: {
  service: ServiceDetail;
  hostnames: ReadonlyMap<string, string>;
  /** Nodes whose tasks are only reported: nothing runs there (ADR 0019). */
  simulated: ReadonlySet<string>;
  now: Date;
}) {
  const [history, setHistory] = useState(false);
  const env = useEnv();
  const tasks = useMemo(() => {
    const list = history ? service.tasks : service.tasks.filter(isCurrentTask);
    return [...list].sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0) || b.updatedAt.getTime() - a.updatedAt.getTime());
  }, [service.tasks, history]);
  const ended = service.tasks.length - service.tasks.filter(isCurrentTask).length;

  return (
    <Card
      title="Tasks"
      actions={
        ended > 0 && (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={history} onChange={(e) => setHistory(e.target.checked)} className="size-4" />
            Show ended tasks ({ended})
          </label>
        )
      }
    >
      {history && <HistoryNote />}
      {tasks.length === 0 ? (
        <p className="text-sm text-zinc-500">
          {service.spec.mode === "replicated" && service.spec.replicas === 0 ? "Scaled to 0: no tasks." : "No tasks yet."}
        </p>
      ) : (
        <TableBox inCard>
          <table data-testid="tasks-table" className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
            <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-4 py-2">Slot</th>
                <th scope="col" className="px-4 py-2">ID</th>
                <th scope="col" className="px-4 py-2">Node</th>
                <th scope="col" className="px-4 py-2">Desired state</th>
                <th scope="col" className="px-4 py-2">Current state</th>
                <th scope="col" className="px-4 py-2">Error</th>
                <th scope="col" className="px-4 py-2">Exit code</th>
                <th scope="col" className="px-4 py-2">Container</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {tasks.map((task) => {
                const restarting = isWaitingRestart(task);
                const pending = task.state === "pending" && !restarting;
                const hostname = task.nodeId ? hostnames.get(task.nodeId) : undefined;
                // As docker service ps's ERROR column: the task's error, or a failed task's message; a state's message ("started") is not an error.
                const error = task.err ?? (task.state === "failed" || task.state === "rejected" ? task.message : null);
                // Swarm's word for the state (`started`, `task: non-zero exit (3)`), unless it is the error already shown.
                const message = task.message && task.message !== error ? task.message : null;
                return (
                  <tr key={task.id} data-testid="task-row" className={pending ? "bg-amber-50/70 dark:bg-amber-950/30" : undefined}>
                    <td className="px-4 py-2 tabular-nums">{task.slot ?? "—"}</td>
                    <td className="px-4 py-2 font-mono text-xs" title={task.id}>
                      {shortId(task.id)}
                    </td>
                    <td className="px-4 py-2">
                      {task.nodeId ? (
                        <>
                          <Link href={envHref(env, `/nodes/${task.nodeId}`)} className={linkClass} data-testid="task-node">
                            {hostname ?? shortId(task.nodeId)}
                          </Link>
                          {simulated.has(task.nodeId) && (
                            <span className="ml-1" title="A simulated node: the task is reported running, and no container runs" data-testid="task-simulated">
                              <Badge tone="warn">simulated</Badge>
                            </span>
                          )}
                        </>
                      ) : (
                        <span className="text-zinc-500">not assigned</span>
                      )}
                    </td>
                    <td className="px-4 py-2">{restarting ? "Running, after its restart delay" : STATE_LABEL(task.desiredState)}</td>
                    <td className="px-4 py-2 whitespace-nowrap">
                      <span data-testid="task-state" title={restarting ? `${STATE_LABEL(task.state)}, desired ${STATE_LABEL(task.desiredState)}` : undefined}>
                        <Badge tone={taskStateTone(task.state)}>{restarting ? "Waiting to restart" : STATE_LABEL(task.state)}</Badge>
                      </span>{" "}
                      <span className="text-xs text-zinc-500" title={formatDateTime(task.updatedAt)}>
                        {fromNow(task.updatedAt, now)}
                      </span>
                      {message && (
                        <span data-testid="task-message" className="block text-xs whitespace-normal text-zinc-600 dark:text-zinc-400">
                          {message}
                        </span>
                      )}
                    </td>
                    <td className="px-4 py-2">
                      {restarting && <RestartWaitNote task={task} service={service} now={now} />}
                      {error ? (
                        <span
                          data-testid="task-error"
                          className={`${restarting ? "block " : ""}${task.state === "pending" ? "font-medium text-amber-900 dark:text-amber-200" : "text-red-700 dark:text-red-400"}`}
                        >
                          {error}
                        </span>
                      ) : restarting ? null : (
                        <span className="text-zinc-400" aria-label="no error">
                          —
                        </span>
                      )}
                    </td>
                    <td className="px-4 py-2 tabular-nums" data-testid="task-exit-code">
                      {task.exitCode === null ? (
                        <span className="text-zinc-400" aria-label="no exit code">
                          —
                        </span>
                      ) : (
                        <span className={task.exitCode === 0 ? undefined : "font-medium text-red-700 dark:text-red-400"}>{task.exitCode}</span>
                      )}
                    </td>
                    <td className="px-4 py-2 font-mono text-xs" data-testid="task-container" title={task.containerId ?? undefined}>
                      {task.containerId ? (
                        shortId(task.containerId)
                      ) : (
                        <span className="font-sans text-zinc-400" aria-label="no container">
                          —
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableBox>
      )}
    </Card>
  );
}

type NodeLabels = { labels: Record<string, string>; engineLabels: Record<string, string> };

/** The service's constraints, parsed; one that no longer parses is left out (the form shows why). */
function parsedConstraints(expressions: readonly string[]): Constraint[] {
  return expressions.flatMap((e) => {
    try {
      return [parseConstraint(e)];
    } catch {
      return [];
    }
  });
}

/**
 * Slots whose last task failed or was rejected, with the task's own error: the reason a
 * service is short, ahead of anything its replacement is waiting for.
 */
function FailingNotice({ failures, hostnames }: { failures: readonly SlotFailure[]; hostnames: ReadonlyMap<string, string> }) {
  if (failures.length === 0) return null;
  const where = (f: SlotFailure) => {
    const host = f.nodeId ? (hostnames.get(f.nodeId) ?? f.nodeId) : null;
    const slot = f.slot === null ? "" : `Slot ${f.slot}`;
    return [slot, host && `on ${host}`].filter(Boolean).join(" ");
  };
  return (
    <div className="mb-4" data-testid="failing-notice">
      <Alert tone="error" title={`${failures.length} task${failures.length === 1 ? "" : "s"} ${failures.length === 1 ? "is" : "are"} failing`}>
        <ul className="space-y-1">
          {failures.map((f) => (
            <li key={`${f.slot}-${f.nodeId}`}>
              <span className="font-medium">{where(f)}</span>
              {": "}
              {f.state === "rejected" ? "rejected" : "failed"}
              {f.failures > 1 ? ` (${f.failures} times in the kept history)` : ""}, last at {f.at.toLocaleTimeString()}:{" "}
              <span className="font-mono text-xs break-words" data-testid="failing-reason">
                {f.reason}
              </span>
            </li>
          ))}
        </ul>
        <p className="mt-2">The restart policy decides when a replacement starts; the task table shows each attempt.</p>
      </Alert>
    </div>
  );
}

/** The scheduler's explanation, once per distinct message, above everything else. */
function PendingNotice({ service, failing, nodes }: { service: ServiceDetail; failing: readonly SlotFailure[]; nodes: readonly NodeLabels[] | undefined }) {
  const env = useEnv();
  // A replacement waiting out its restart delay is placed meanwhile: it waits for a node only if the scheduler said so.
  // One that replaces a failed task, with no word from the scheduler, is explained by the failure above, not here.
  const failingSlot = new Set(failing.map(slotKey));
  const waiting = service.tasks.filter(
    (t) => t.state === "pending" && isCurrentTask(t) && (!isWaitingRestart(t) || t.err) && (t.err || !failingSlot.has(slotKey(t))),
  );
  if (waiting.length === 0) return null;
  const reasons = [...new Set(waiting.map((t) => t.err ?? "waiting for the scheduler"))];
  const mixups = nodes ? engineLabelMixups(parsedConstraints(service.spec.constraints), nodes) : [];
  return (
    <div className="mb-4" data-testid="pending-notice">
      <Alert tone="warning" title={`${waiting.length} task${waiting.length === 1 ? " is" : "s are"} waiting for a node`}>
        <ul className="space-y-1">
          {reasons.map((r) => (
            <li key={r} className="font-mono text-xs">
              {r}
            </li>
          ))}
        </ul>
        {mixups.map((name) => (
          <p key={name} className="mt-2" data-testid="engine-label-hint">
            No node has the node label <code className="font-mono text-xs">{name}</code>, but nodes report the engine label{" "}
            <code className="font-mono text-xs">{name}</code> (set by <code className="font-mono text-xs">--label</code> on{" "}
            <code className="font-mono text-xs">agent join</code>, and claimed by the node itself). Node labels are set with{" "}
            <code className="font-mono text-xs">rampart node update --label-add</code> or on the node&apos;s page.
          </p>
        ))}
        <p className="mt-2">
          <Link href={envHref(env, `/planner?service=${encodeURIComponent(service.id)}`)} className="font-medium underline hover:no-underline">
            See why in the planner
          </Link>{" "}
          — which nodes are excluded and by what.
        </p>
      </Alert>
    </div>
  );
}

function RemoveDialog({ service, open, onClose }: { service: ServiceDetail; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const env = useEnv();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.service.remove.mutationOptions());
  return (
    <ConfirmByName
      open={open}
      onClose={() => (remove.reset(), onClose())}
      name={service.name}
      action="Remove service"
      busy={remove.isPending}
      error={remove.isError && describeError(remove.error).message}
      onConfirm={async () => {
        try {
          await remove.mutateAsync({ env, ref: service.id });
        } catch {
          return;
        }
        await queryClient.invalidateQueries({ queryKey: trpc.service.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.planner.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.swarm.seccompProfile.queryKey() });
        router.push(envHref(env, "/services"));
      }}
    >
      Its {service.running} running task{service.running === 1 ? "" : "s"} are stopped on every node, and the service is deleted. This cannot be undone.
    </ConfirmByName>
  );
}

export default function ServiceDetailPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const env = useEnv();
  const service = useQuery({
    ...trpc.service.get.queryOptions({ env, ref: id }, backgroundPoll),
    // Fast while tasks are on their way to running, slow once settled; stop once it is gone.
    refetchInterval: (query) => {
      if (describeError(query.state.error).code === "NOT_FOUND") return false;
      return query.state.data && !isSettling(query.state.data) ? 10_000 : 1_500;
    },
  });
  const nodes = useQuery({ ...trpc.node.list.queryOptions({ env }, backgroundPoll), select: decodeNodeList, staleTime: 30_000 });
  const hostnames = useMemo(() => new Map((nodes.data ?? []).map((n) => [n.id, n.hostname])), [nodes.data]);
  const simulated = useMemo(() => new Set((nodes.data ?? []).filter((n) => n.runtime.kind === "simulated").map((n) => n.id)), [nodes.data]);
  const [removing, setRemoving] = useState(false);

  // A task on a node the list has not seen yet (it just joined): read the list again.
  const unknownNode = Boolean(nodes.data && service.data?.tasks.some((t) => t.nodeId && !hostnames.has(t.nodeId)));
  const refetchNodes = nodes.refetch;
  useEffect(() => {
    if (unknownNode) void refetchNodes();
  }, [unknownNode, refetchNodes]);

  const gate = detailState(service, { what: "Service", id, hint: "It may have been removed.", back: { href: envHref(env, "/services"), label: "Back to services" } });
  if (gate || !service.data) return gate;
  const data = service.data;
  const settling = isSettling(data);
  const failing = failingSlots(data.tasks);
  return (
    <>
      <Breadcrumb trail={[{ href: envHref(env, "/services"), label: "Services" }]} current={data.name} />
      <PageHeader
        title={data.name}
        description={
          <>
            {titleCase(data.spec.mode)} · <span className="font-mono text-xs">{data.id}</span>
            {settling && (
              <span className="ml-2 inline-flex items-center gap-1 text-xs text-zinc-500" role="status">
                <span aria-hidden="true" className="size-2 animate-pulse rounded-full bg-sky-500" /> updating
              </span>
            )}
          </>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href={envHref(env, `/planner?service=${encodeURIComponent(data.id)}`)} className={buttonClass("secondary")}>
              Open in planner
            </Link>
            <Link href={envHref(env, `/services/${data.id}/edit`)} className={buttonClass("secondary")}>
              Edit
            </Link>
            <Button variant="danger" onClick={() => setRemoving(true)}>
              Remove
            </Button>
          </div>
        }
      />
      {service.isError && (
        <div className="mb-4">
          <Alert tone="warning">The latest refresh failed ({describeError(service.error).message}); showing the last known state.</Alert>
        </div>
      )}
      <FailingNotice failures={failing} hostnames={hostnames} />
      <PendingNotice service={data} failing={failing} nodes={nodes.data} />
      {/* One column: the spec, the tasks, then the container. From 2xl the tasks are held on the right. */}
      <div className="grid grid-cols-1 items-start gap-4 2xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)] 2xl:grid-rows-[auto_1fr]">
        <div className="min-w-0">
          <Summary service={data} />
        </div>
        <div className="min-w-0 space-y-4 2xl:col-start-2 2xl:row-span-2 2xl:row-start-1">
          <TasksTable service={data} hostnames={hostnames} simulated={simulated} now={new Date(service.dataUpdatedAt)} />
          <PlacementCheck service={data} />
          {env === undefined ? (
            <ServiceLogs serviceRef={data.id} tasks={data.tasks} />
          ) : (
            <NotOnDocker title="Logs">
              A Docker Swarm&apos;s service logs stay on each node&apos;s engine, and Rampart does not read them: use{" "}
              <code className="font-mono text-xs">docker service logs {data.name}</code> against the swarm&apos;s manager.
            </NotOnDocker>
          )}
        </div>
        <div className="min-w-0 space-y-4">
          <SecurityPanel spec={data.spec} />
          <ContainerPanel spec={data.spec} />
        </div>
      </div>
      <RemoveDialog service={data} open={removing} onClose={() => setRemoving(false)} />
    </>
  );
}
