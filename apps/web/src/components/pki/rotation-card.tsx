"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { NotReported } from "~/components/states";
import { Badge, Card, linkClass } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref } from "~/lib/env";
import { useTRPC } from "~/lib/trpc";
import { ROTATION_POLL_MS, type PkiNodeRow, type PkiStatus } from "./model";
import { Fact, Facts, OrNotReported, ProgressBar, RootFacts, When } from "./parts";

/** The most nodes listed by state while a rotation runs: a page of `pki.nodes` at its largest. */
const LISTED = 500;

const STATE: Record<NonNullable<PkiNodeRow["rotation"]>["state"], { label: string; tone: "good" | "warn" | "bad" }> = {
  rotated: { label: "Rotated", tone: "good" },
  pending: { label: "Pending", tone: "warn" },
  unreachable: { label: "Unreachable", tone: "bad" },
};

/**
 * Where each node stands in the rotation: those still to rotate, each with its state and
 * reason. A node that never comes back holds the rotation up until it is removed, which
 * its own page does.
 */
function NodeStates({ env }: { env: string | undefined }) {
  const trpc = useTRPC();
  const nodes = useQuery({ ...trpc.pki.nodes.queryOptions({ env, sort: "hostname", limit: LISTED }, backgroundPoll), refetchInterval: ROTATION_POLL_MS });
  if (!nodes.data) return null;
  const rows = nodes.data.rows;
  const count = (state: keyof typeof STATE) => rows.filter((r) => r.rotation?.state === state).length;
  const waiting = rows.flatMap((row) => (row.rotation && row.rotation.state !== "rotated" ? [{ row, rotation: row.rotation }] : []));
  const partial = nodes.data.total > rows.length;
  return (
    <div className="space-y-2" data-testid="rotation-nodes">
      <p className="text-sm" aria-live="polite">
        {(["rotated", "pending", "unreachable"] as const).map((state, i) => (
          <span key={state}>
            {i > 0 && " · "}
            {STATE[state].label} <span className="tabular-nums font-medium">{count(state).toLocaleString("en")}</span>
          </span>
        ))}
        {partial && <span className="text-zinc-500"> (of the first {rows.length.toLocaleString("en")} nodes by hostname; the table below has them all)</span>}
      </p>
      {waiting.length > 0 && (
        <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" aria-label="Nodes not rotated yet">
          {waiting.map(({ row, rotation }) => {
            const state = STATE[rotation.state];
            const href = envHref(env, `/nodes/${row.id}`);
            return (
              <li key={row.id} className="space-y-1 px-3 py-2 text-sm" data-testid={`rotation-node-${row.hostname}`}>
                <div className="flex flex-wrap items-center gap-2">
                  <Link href={href} className={`break-all ${linkClass}`}>
                    {row.hostname}
                  </Link>
                  <Badge tone={state.tone}>{state.label}</Badge>
                </div>
                {rotation.reason && <p className="break-words text-zinc-600 dark:text-zinc-400">{rotation.reason}</p>}
                {rotation.state === "unreachable" && (
                  <p className="text-xs text-zinc-600 dark:text-zinc-400">
                    If it is gone for good, remove it on{" "}
                    <Link href={href} className={linkClass}>
                      its page
                    </Link>{" "}
                    (Actions, Remove node): the rotation stops waiting for it.
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/**
 * The rotation's state: none (and when the last one finished), or in progress: when it
 * started, its target root, and the two counts `docker swarm ca --rotate` shows as it
 * waits (certificates from the new root; nodes holding the trust root), then node by node.
 */
export function RotationCard({ status, now, env }: { status: PkiStatus; now: Date; env: string | undefined }) {
  const rotation = status.rotation;
  return (
    <Card
      title="Root rotation"
      className="min-w-0"
      actions={rotation ? <Badge tone="warn">In progress</Badge> : <Badge tone="good">None in progress</Badge>}
    >
      {!rotation ? (
        <div className="space-y-2 text-sm" data-testid="rotation-none">
          <p>No rotation in progress: every node certificate is issued by the trust root.</p>
          <Facts>
            <Fact label="Last rotation finished">
              <OrNotReported kind={status.kind} value={status.lastRotatedAt} native="never: the root is the one the swarm was created with">
                {status.lastRotatedAt && <When date={status.lastRotatedAt} now={now} />}
              </OrNotReported>
            </Fact>
          </Facts>
        </div>
      ) : (
        <div className="space-y-4" data-testid="rotation-progress">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Every node is renewing its certificate under the new root. When all have, the new root becomes the trust root and both join tokens are made again:
            the old ones stop working.
          </p>
          <Facts>
            <Fact label="Started">
              <OrNotReported kind={status.kind} value={rotation.startedAt} native="not known">
                {rotation.startedAt && <When date={rotation.startedAt} now={now} />}
              </OrNotReported>
            </Fact>
            <Fact label="Target root digest" testId="rotation-target-digest">
              <OrNotReported kind={status.kind} value={rotation.target} native="not known">
                <span className="font-mono text-xs break-all">{rotation.target?.digest}</span>
              </OrNotReported>
            </Fact>
          </Facts>
          <ProgressBar label="Rotated TLS certificates" done={rotation.rotatedTls} total={rotation.nodes} testId="rotated-tls" />
          {rotation.rotatedCa === null ? (
            <p className="text-sm">
              <span className="font-medium">Rotated CA certificates</span> <NotReported />
            </p>
          ) : (
            <ProgressBar label="Rotated CA certificates" done={rotation.rotatedCa} total={rotation.nodes} testId="rotated-ca" />
          )}
          <NodeStates env={env} />
          {rotation.target && (
            <details className="rounded-md border border-zinc-200 dark:border-zinc-800">
              <summary className="cursor-pointer rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-600">The target root</summary>
              <div className="border-t border-zinc-200 p-3 dark:border-zinc-800">
                <RootFacts root={rotation.target} kind={status.kind} now={now} testId="rotation-target" />
              </div>
            </details>
          )}
        </div>
      )}
    </Card>
  );
}
