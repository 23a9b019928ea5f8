"use client";

import { decodeNodeList } from "@rampart/api/schema";
import { humanDuration } from "@rampart/core";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, type ReactNode } from "react";
import { ErrorState, Loading } from "~/components/states";
import { Badge, Card, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { formatDateTime, formatDuration, fromNow } from "~/lib/format";
import { CERT_WARN_DAYS, countStates, expiringCertificates } from "~/lib/nodes";
import { useTRPC } from "~/lib/trpc";

/** The soonest few are listed; the rest are counted. */
const EXPIRING_SHOWN = 8;

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-4 py-1.5 text-sm">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 truncate text-right font-medium" title={typeof children === "string" ? children : undefined}>
        {children}
      </dd>
    </div>
  );
}

const yesNo = (value: boolean) => (value ? "Yes" : "No");

function SwarmCard() {
  const trpc = useTRPC();
  const info = useQuery({ ...trpc.swarm.info.queryOptions(undefined, backgroundPoll), refetchInterval: 10_000 });
  return (
    <Card title="Swarm" actions={info.data && <Badge tone="good">{info.data.isManager ? "Manager" : "Worker"}</Badge>}>
      {info.isPending ? (
        <Loading label="Loading swarm" blocks={4} className="h-6" />
      ) : info.isError ? (
        <ErrorState title="Swarm details are not available" error={info.error} onRetry={() => info.refetch()} />
      ) : (
        <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
          <Row label="Cluster ID">{info.data.clusterId}</Row>
          <Row label="Node ID (this server)">{info.data.nodeId || "—"}</Row>
          <Row label="Managers">{String(info.data.managers)}</Row>
          <Row label="Nodes">{String(info.data.nodes)}</Row>
          <Row label="Heartbeat period">{humanDuration(info.data.heartbeatPeriodMs)}</Row>
          <Row label="Certificate expiry">{humanDuration(info.data.certExpiryMs)}</Row>
          <Row label="Force rotate">{String(info.data.forceRotate)}</Row>
          <Row label="Autolock managers">{yesNo(info.data.autolock)}</Row>
          <Row label="Root rotation in progress">{yesNo(info.data.rootRotationInProgress)}</Row>
          <Row label="Node address">{info.data.nodeAddress}</Row>
          <Row label="Manager addresses">{info.data.managerAddresses.join(", ") || "—"}</Row>
          <Row label="Root CA digest">{info.data.rootCaDigest}</Row>
        </dl>
      )}
    </Card>
  );
}

function NodesCard() {
  const trpc = useTRPC();
  const nodes = useQuery({ ...trpc.node.list.queryOptions(undefined, backgroundPoll), refetchInterval: 10_000, select: decodeNodeList });
  const now = nodes.dataUpdatedAt;
  const summary = useMemo(() => {
    const list = nodes.data ?? [];
    return { counts: countStates(list), expiring: expiringCertificates(list, new Date(now)) };
  }, [nodes.data, now]);
  return (
    <Card
      title="Nodes"
      actions={
        <Link href="/nodes" className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
          All nodes
        </Link>
      }
    >
      {nodes.isPending ? (
        <Loading label="Loading nodes" blocks={3} className="h-6" />
      ) : nodes.isError ? (
        <ErrorState title="Nodes are not available" error={nodes.error} onRetry={() => nodes.refetch()} />
      ) : (
        <div className="space-y-4 text-sm">
          <p data-testid="nodes-summary">
            <span className="font-medium">{nodes.data.length}</span> node{nodes.data.length === 1 ? "" : "s"}:{" "}
            <span className="text-emerald-700 dark:text-emerald-400">{summary.counts.ready} ready</span>
            {" · "}
            <span className={summary.counts.down > 0 ? "text-red-700 dark:text-red-400" : undefined}>{summary.counts.down} down</span>
            {" · "}
            <span className={summary.counts.unknown > 0 ? "text-amber-700 dark:text-amber-400" : undefined}>
              {summary.counts.unknown} unknown
            </span>
          </p>
          <div>
            <h3 className="font-medium">Certificates expiring within {CERT_WARN_DAYS} days</h3>
            {summary.expiring.length === 0 ? (
              <p className="mt-1 text-zinc-600 dark:text-zinc-400">none</p>
            ) : (
              <ul className="mt-1 divide-y divide-zinc-100 dark:divide-zinc-800">
                {summary.expiring.slice(0, EXPIRING_SHOWN).map((n) => (
                  <li key={n.id} className="flex justify-between gap-4 py-1.5">
                    <Link href={`/nodes/${n.id}`} className="truncate font-medium text-sky-700 hover:underline dark:text-sky-400">
                      {n.hostname}
                    </Link>
                    {n.tls.notAfter && (
                      <span className="shrink-0 text-amber-700 dark:text-amber-400" title={formatDateTime(n.tls.notAfter)}>
                        {fromNow(n.tls.notAfter, new Date(now))}
                      </span>
                    )}
                  </li>
                ))}
                {summary.expiring.length > EXPIRING_SHOWN && (
                  <li className="py-1.5 text-zinc-600 dark:text-zinc-400">and {summary.expiring.length - EXPIRING_SHOWN} more</li>
                )}
              </ul>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}

export default function OverviewPage() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.system.status.queryOptions(undefined, backgroundPoll), refetchInterval: 10_000 });

  return (
    <>
      <PageHeader title="Overview" description="The state of this Rampart server, its cluster store and the swarm." />
      <div className="grid gap-4 lg:grid-cols-2">
        {status.isPending ? (
          <div className="lg:col-span-2">
            <Loading label="Loading status" blocks={2} className="h-40" />
          </div>
        ) : status.isError ? (
          <div className="lg:col-span-2">
            <ErrorState title="Status is not available" error={status.error} onRetry={() => status.refetch()} />
          </div>
        ) : (
          <>
            <Card
              title="Server"
              actions={status.data.healthy ? <Badge tone="good">Healthy</Badge> : <Badge tone="bad">Unhealthy</Badge>}
            >
              <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
                <Row label="Version">{status.data.version}</Row>
                <Row label="Started">{formatDateTime(status.data.startedAt)}</Row>
                <Row label="Uptime">{formatDuration(status.data.uptimeSeconds)}</Row>
                <Row label="Runtime">{`Node ${status.data.runtime.node} on ${status.data.runtime.platform}/${status.data.runtime.arch}`}</Row>
                <Row label="Process">{`pid ${status.data.runtime.pid}`}</Row>
              </dl>
            </Card>
            <Card
              title="Cluster store"
              actions={
                !status.data.store.reachable ? (
                  <Badge tone="bad">Unreachable</Badge>
                ) : status.data.store.migrated ? (
                  <Badge tone="good">Reachable · migrated</Badge>
                ) : (
                  <Badge tone="warn">Migrations pending</Badge>
                )
              }
            >
              <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
                <Row label="Engine">{status.data.store.kind === "pglite" ? "PGlite (embedded PostgreSQL)" : "PostgreSQL"}</Row>
                <Row label="Location">{status.data.store.location}</Row>
                <Row label="Migrations applied">{String(status.data.store.appliedMigrations)}</Row>
                <Row label="Migrations pending">
                  {status.data.store.pendingMigrations.length === 0 ? "none" : status.data.store.pendingMigrations.join(", ")}
                </Row>
                {status.data.store.problem && <Row label="Problem">{status.data.store.problem}</Row>}
              </dl>
            </Card>
          </>
        )}
        <SwarmCard />
        <NodesCard />
      </div>
    </>
  );
}
