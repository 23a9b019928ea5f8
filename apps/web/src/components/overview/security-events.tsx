"use client";

import type { SecurityEvent } from "@rampart/api/schema";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorState, Loading } from "~/components/states";
import { Badge, Card, linkClass } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { describeError } from "~/lib/errors";
import { useEnv } from "~/lib/env";
import { formatDateTime, fromNow } from "~/lib/format";
import { useTRPC } from "~/lib/trpc";

/** How many of the newest security events the Overview lists. */
const SHOWN = 10;

const OUTCOME_TONE = { success: "good", failure: "bad", denied: "warn" } as const;

function EventRow({ event, now }: { event: SecurityEvent; now: Date }) {
  const target = event.targetName ?? event.targetId;
  return (
    <li className="py-2 text-sm" data-testid="security-event">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <span className="min-w-0 break-words">
          <span className="font-medium">{event.actorName}</span> <code className="font-mono text-xs">{event.action}</code>
          {target && (
            <>
              {" "}
              <span className="text-zinc-600 dark:text-zinc-400">{event.targetType}</span> <span className="break-all">{target}</span>
            </>
          )}
        </span>
        <time dateTime={event.at.toISOString()} title={formatDateTime(event.at)} className="shrink-0 text-xs text-zinc-600 dark:text-zinc-400">
          {fromNow(event.at, now)}
        </time>
      </div>
      {event.outcome !== "success" && (
        <div className="mt-1 flex flex-wrap items-center gap-2 text-xs">
          <Badge tone={OUTCOME_TONE[event.outcome]}>{event.outcome}</Badge>
          {event.reason && <span className="text-zinc-600 dark:text-zinc-400">{event.reason}</span>}
        </div>
      )}
    </li>
  );
}

/**
 * The newest sign-ins, reveals, rotations, joins and secret changes, from the audit log;
 * on a connected swarm's Overview, the newest events in that swarm instead, Rampart's own
 * and those Docker's event stream reported.
 */
export function SecurityEvents() {
  const trpc = useTRPC();
  const env = useEnv();
  const environment = useQuery({ ...trpc.environment.get.queryOptions({ name: env ?? "" }, backgroundPoll), enabled: env !== undefined });
  const envId = environment.data?.id;
  const native = useQuery({ ...trpc.overview.events.queryOptions({ limit: SHOWN }, backgroundPoll), refetchInterval: 10_000, staleTime: 0, enabled: env === undefined });
  const swarm = useQuery({ ...trpc.audit.list.queryOptions({ env: envId ?? "", limit: SHOWN }, backgroundPoll), refetchInterval: 10_000, staleTime: 0, enabled: envId !== undefined });
  const events = env === undefined ? native : swarm;
  // On a swarm, the events wait for its ID; a swarm that cannot be read says why.
  const error = env !== undefined && environment.isError ? environment.error : events.isError ? events.error : null;
  const retry = () => void (env !== undefined && environment.isError ? environment.refetch() : events.refetch());
  const forbidden = error !== null && describeError(error).code === "FORBIDDEN";
  return (
    <Card
      title={env === undefined ? "Recent security events" : "Recent events in this swarm"}
      actions={
        !forbidden && (
          <Link href={envId ? `/audit?env=${encodeURIComponent(envId)}` : "/audit"} className={`text-sm ${linkClass}`}>
            Audit log
          </Link>
        )
      }
    >
      {forbidden ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Your role cannot read the audit log.</p>
      ) : error !== null ? (
        <ErrorState title="Security events are not available" error={error} onRetry={retry} />
      ) : !events.data ? (
        <Loading label="Loading security events" blocks={4} className="h-8" />
      ) : events.data.events.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No security events yet.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="Security events">
          {events.data.events.map((e) => (
            <EventRow key={e.id} event={e} now={new Date(events.dataUpdatedAt)} />
          ))}
        </ul>
      )}
    </Card>
  );
}
