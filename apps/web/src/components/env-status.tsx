"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { backgroundPoll } from "~/lib/background";
import { describeError } from "~/lib/errors";
import { connectionLabel, connectionTone, connectionWord, securityOf, SECURITY_TEXT } from "~/lib/environments";
import { formatDateTime, fromNow } from "~/lib/format";
import { useTRPC } from "~/lib/trpc";
import { StateDot } from "./env-switcher";
import { Alert, Button, linkClass } from "./ui";

/** Whether a query's input names this environment: its cache entries, read again when the manager comes back. */
function inputEnvOf(queryKey: readonly unknown[]): unknown {
  const second = queryKey[1] as { input?: { env?: unknown } } | undefined;
  return second?.input?.env;
}

/**
 * A connected swarm's connection, at the top of every one of its pages: where it is and
 * its state, read every 5 s. When the manager goes away a banner says since when and why;
 * it clears by itself when the manager answers again, and the page's data is read again
 * then. Plain TCP without TLS carries a warning that never goes away.
 */
export function EnvStatus({ env }: { env: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const environment = useQuery({ ...trpc.environment.get.queryOptions({ name: env }, backgroundPoll), refetchInterval: 5_000, staleTime: 0 });
  const check = useMutation(trpc.environment.check.mutationOptions());
  const data = environment.data;
  const state = data ? (data.connection.checkedAt === null ? "unchecked" : data.connection.state) : null;

  // Back from unreachable or lost: what the pages failed to read, they read now.
  const was = useRef(state);
  useEffect(() => {
    if (state === "connected" && was.current !== null && was.current !== "connected") {
      void queryClient.invalidateQueries({ predicate: (query) => inputEnvOf(query.queryKey) === env });
    }
    was.current = state;
  }, [state, env, queryClient]);

  if (!data) {
    if (!environment.isError) return null;
    const missing = describeError(environment.error).code === "NOT_FOUND";
    return (
      <div className="mb-4" data-testid="env-missing">
        <Alert title={missing ? `There is no connected swarm named ${env}` : `The connection to ${env} cannot be read`}>
          {missing ? "It may have been removed. " : `${describeError(environment.error).message}. `}
          <Link href="/settings/environments" className={linkClass}>
            Environments
          </Link>
        </Alert>
      </div>
    );
  }

  const { connection } = data;
  const tone = connectionTone(connection);
  const security = securityOf(data);
  const now = new Date(environment.dataUpdatedAt);
  const lost = connection.state !== "connected" && connection.checkedAt !== null;

  async function checkNow() {
    try {
      const fresh = await check.mutateAsync({ name: env });
      queryClient.setQueryData(trpc.environment.get.queryKey({ name: env }), fresh);
    } catch {
      // Shown below from check.error.
    }
  }

  return (
    <div className="mb-4 space-y-2">
      <p
        data-testid="env-connection"
        data-state={state ?? undefined}
        className="flex flex-wrap items-center gap-x-2 gap-y-1 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-1.5 text-xs text-zinc-700 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-300"
      >
        <span>
          Docker Swarm <strong className="font-semibold">{data.name}</strong>
        </span>
        <span aria-hidden="true">·</span>
        <code className="font-mono break-all">{data.dockerHost}</code>
        <span aria-hidden="true">·</span>
        <span className="inline-flex items-center gap-1.5">
          <StateDot tone={tone} />
          <span>{connectionWord(connection)}</span>
        </span>
        {connection.state === "connected" && connection.engineVersion && (
          <span className="text-zinc-500">
            (Engine {connection.engineVersion}, API {connection.apiVersion})
          </span>
        )}
      </p>
      {lost && (
        <div data-testid="env-banner" data-state={connection.state}>
          <Alert title={`${data.name}: ${connectionLabel(connection)}${connection.since ? ` (${fromNow(connection.since, now)})` : ""}`}>
            <p data-testid="env-banner-detail">{connection.detail}</p>
            <p className="mt-1">
              {connection.state === "unreachable"
                ? "Rampart cannot reach the swarm's manager, so this page may show what it last read, or nothing. It checks again every few seconds; this notice clears by itself when the manager answers."
                : "The engine answers, but no longer as a manager of this swarm (it was demoted, or left the swarm). Rampart checks again every few seconds; this notice clears by itself when it is a manager of this swarm again."}
            </p>
            <p className="mt-1 text-xs">Last checked {connection.checkedAt ? formatDateTime(connection.checkedAt) : "never"}.</p>
            <Button variant="secondary" className="mt-2" busy={check.isPending} onClick={checkNow}>
              Check now
            </Button>
            {check.isError && <p className="mt-2">{describeError(check.error).message}</p>}
          </Alert>
        </div>
      )}
      {security === "insecure" && (
        <div data-testid="env-insecure">
          <Alert tone="warning" title="This connection is not encrypted">
            {SECURITY_TEXT.insecure.about} Connect it again with TLS (the engine&apos;s CA, a client certificate and its key) to remove this warning.
          </Alert>
        </div>
      )}
    </div>
  );
}
