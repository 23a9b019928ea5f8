"use client";

import { useQuery } from "@tanstack/react-query";
import { OverviewCounts } from "~/components/overview/counts";
import { NeedsAttention } from "~/components/overview/needs-attention";
import { SecurityEvents } from "~/components/overview/security-events";
import { ServerPanel } from "~/components/overview/server-panel";
import { SwarmPanel } from "~/components/overview/swarm-panel";
import { ErrorState, Loading } from "~/components/states";
import { Badge, Card, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { useEnv } from "~/lib/env";
import { useTRPC } from "~/lib/trpc";

/**
 * The Overview leads with the swarm's security posture: counts with their trouble, what
 * needs attention (core's warning producers, run by `overview.summary`), and the newest
 * security events. The server's own internals are folded away at the foot; on a connected
 * swarm, the swarm's own details from Docker are there instead.
 */
export default function OverviewPage() {
  const trpc = useTRPC();
  const env = useEnv();
  // Fresh on every visit: a warning fixed on another page (a token rotated) must not linger here.
  const summary = useQuery({ ...trpc.overview.summary.queryOptions({ env }, backgroundPoll), refetchInterval: 10_000, staleTime: 0 });
  const warnings = summary.data?.warnings ?? [];
  const critical = warnings.filter((w) => w.severity === "critical").length;

  return (
    <>
      <PageHeader title="Overview" description="What needs attention in this swarm, what changed lately, and what runs." />
      <div className="space-y-6">
        {summary.isPending ? (
          <Loading label="Loading the overview" blocks={1} className="h-28" />
        ) : summary.isError ? (
          <ErrorState title="The overview is not available" error={summary.error} onRetry={() => void summary.refetch()} />
        ) : (
          <OverviewCounts counts={summary.data.counts} />
        )}
        <div className="grid gap-6 lg:grid-cols-5">
          <Card
            className="min-w-0 lg:col-span-3"
            title="Needs attention"
            actions={
              summary.data &&
              warnings.length > 0 && (
                <Badge tone={critical > 0 ? "bad" : "warn"}>
                  {critical > 0 ? `${critical} critical · ` : ""}
                  {warnings.length} in all
                </Badge>
              )
            }
          >
            {summary.isPending ? (
              <Loading label="Loading warnings" blocks={3} className="h-16" />
            ) : summary.isError ? (
              <ErrorState title="Warnings are not available" error={summary.error} onRetry={() => void summary.refetch()} />
            ) : (
              <NeedsAttention summary={summary.data} />
            )}
          </Card>
          <div className="min-w-0 lg:col-span-2">
            <SecurityEvents />
          </div>
        </div>
        {env === undefined ? <ServerPanel /> : <SwarmPanel env={env} />}
      </div>
    </>
  );
}
