"use client";

import type { SecurityEvent } from "@rampart/api/schema";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorState, Loading } from "~/components/states";
import { Badge, Card, linkClass } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { describeError } from "~/lib/errors";
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

/** The newest sign-ins, reveals, rotations, joins and secret changes, from the audit log. */
export function SecurityEvents() {
  const trpc = useTRPC();
  const events = useQuery({ ...trpc.overview.events.queryOptions({ limit: SHOWN }, backgroundPoll), refetchInterval: 10_000, staleTime: 0 });
  const forbidden = events.isError && describeError(events.error).code === "FORBIDDEN";
  return (
    <Card
      title="Recent security events"
      actions={
        !forbidden && (
          <Link href="/audit" className={`text-sm ${linkClass}`}>
            Audit log
          </Link>
        )
      }
    >
      {events.isPending ? (
        <Loading label="Loading security events" blocks={4} className="h-8" />
      ) : forbidden ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Your role cannot read the audit log.</p>
      ) : events.isError ? (
        <ErrorState title="Security events are not available" error={events.error} onRetry={() => void events.refetch()} />
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
