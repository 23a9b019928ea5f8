"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorState, Loading } from "~/components/states";
import { Badge, Card, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { formatDateTime, formatDuration } from "~/lib/format";
import { useTRPC } from "~/lib/trpc";

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

export default function OverviewPage() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.system.status.queryOptions(undefined, backgroundPoll), refetchInterval: 10_000 });

  return (
    <>
      <PageHeader title="Overview" description="The state of this Rampart server and its cluster store." />
      {status.isPending ? (
        <Loading label="Loading status" blocks={2} className="h-40" />
      ) : status.isError ? (
        <ErrorState title="Status is not available" error={status.error} onRetry={() => status.refetch()} />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
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
        </div>
      )}
    </>
  );
}
