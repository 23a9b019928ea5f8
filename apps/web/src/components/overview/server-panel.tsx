"use client";

import { humanDuration } from "@rampart/core";
import { useQuery } from "@tanstack/react-query";
import { ErrorState, Loading } from "~/components/states";
import { Badge } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { formatDateTime, formatDuration } from "~/lib/format";
import { useTRPC } from "~/lib/trpc";
import { Row, Section, yesNo } from "./facts";


/**
 * This server's internals, its store and the swarm's settings, folded away at the foot
 * of the Overview: what an operator checks when something is wrong, not what they lead with.
 */
export function ServerPanel() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.system.status.queryOptions(undefined, backgroundPoll), refetchInterval: 10_000 });
  const info = useQuery({ ...trpc.swarm.info.queryOptions(undefined, backgroundPoll), refetchInterval: 30_000 });
  const badge = status.data ? (
    !status.data.healthy ? (
      <Badge tone="bad">Unhealthy</Badge>
    ) : !status.data.store.migrated ? (
      <Badge tone="warn">Migrations pending</Badge>
    ) : (
      <Badge tone="good">Healthy</Badge>
    )
  ) : null;
  return (
    <details className="group rounded-lg border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900" data-testid="server-panel">
      <summary className="flex cursor-pointer list-none items-center justify-between gap-4 rounded-lg px-4 py-3 focus-visible:outline-2 focus-visible:outline-sky-600 [&::-webkit-details-marker]:hidden">
        <span className="flex items-center gap-2 text-sm font-semibold">
          <span aria-hidden="true" className="inline-block transition-transform group-open:rotate-90">
            ›
          </span>
          Server
          {status.data && <span className="font-normal text-zinc-600 dark:text-zinc-400">version {status.data.version}</span>}
        </span>
        {badge}
      </summary>
      <div className="grid gap-6 border-t border-zinc-200 p-4 md:grid-cols-3 dark:border-zinc-800">
        {status.isPending ? (
          <div className="md:col-span-2">
            <Loading label="Loading server status" blocks={3} className="h-6" />
          </div>
        ) : status.isError ? (
          <div className="md:col-span-2">
            <ErrorState title="Server status is not available" error={status.error} onRetry={() => void status.refetch()} />
          </div>
        ) : (
          <>
            <Section title="This server">
              <Row label="Version">{status.data.version}</Row>
              <Row label="Started">{formatDateTime(status.data.startedAt)}</Row>
              <Row label="Uptime">{formatDuration(status.data.uptimeSeconds)}</Row>
              <Row label="Runtime">{`Node ${status.data.runtime.node} on ${status.data.runtime.platform}/${status.data.runtime.arch}`}</Row>
              <Row label="Process">{`pid ${status.data.runtime.pid}`}</Row>
            </Section>
            <Section title="Cluster store">
              <Row label="Engine">{status.data.store.kind === "pglite" ? "PGlite (embedded PostgreSQL)" : "PostgreSQL"}</Row>
              <Row label="Location">{status.data.store.location}</Row>
              <Row label="Reachable">{yesNo(status.data.store.reachable)}</Row>
              <Row label="Migrations applied">{String(status.data.store.appliedMigrations)}</Row>
              <Row label="Migrations pending">
                {status.data.store.pendingMigrations.length === 0 ? "none" : status.data.store.pendingMigrations.join(", ")}
              </Row>
              {status.data.store.problem && <Row label="Problem">{status.data.store.problem}</Row>}
            </Section>
          </>
        )}
        {info.isPending ? (
          <Loading label="Loading swarm" blocks={3} className="h-6" />
        ) : info.isError ? (
          <ErrorState title="Swarm details are not available" error={info.error} onRetry={() => void info.refetch()} />
        ) : (
          <Section title="Swarm">
            <Row label="Cluster ID">{info.data.clusterId}</Row>
            <Row label="Node ID (this server)">{info.data.nodeId || "—"}</Row>
            <Row label="Managers / nodes">{`${info.data.managers} / ${info.data.nodes}`}</Row>
            <Row label="Heartbeat period">{humanDuration(info.data.heartbeatPeriodMs)}</Row>
            <Row label="Certificate expiry">{humanDuration(info.data.certExpiryMs)}</Row>
            <Row label="Force rotate">{String(info.data.forceRotate)}</Row>
            <Row label="Autolock managers">{yesNo(info.data.autolock)}</Row>
            <Row label="Root rotation in progress">{yesNo(info.data.rootRotationInProgress)}</Row>
            <Row label="Node address">{info.data.nodeAddress}</Row>
            <Row label="Manager addresses">{info.data.managerAddresses.join(", ") || "—"}</Row>
            <Row label="Root CA digest">{info.data.rootCaDigest}</Row>
          </Section>
        )}
      </div>
    </details>
  );
}
