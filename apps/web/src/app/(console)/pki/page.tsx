"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { IDLE_POLL_MS, ROTATION_POLL_MS, type PkiStatus } from "~/components/pki/model";
import { PkiNodeTable } from "~/components/pki/node-table";
import { RotateDialog } from "~/components/pki/rotate-dialog";
import { RotationCard } from "~/components/pki/rotation-card";
import { SettingsDialog } from "~/components/pki/settings-dialog";
import { PkiCounts } from "~/components/pki/summary";
import { CaSettingsCard, KeysCard, TrustRootCard } from "~/components/pki/status-cards";
import { ExpiryTimeline } from "~/components/pki/timeline";
import { PkiWarnings } from "~/components/pki/warnings";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Button, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { useCan } from "~/lib/session";
import { useTRPC } from "~/lib/trpc";

const READ_ONLY = "Your role can read the PKI; only an administrator can rotate the root CA or change the CA settings.";

/** What the environment's API does not give, a sentence each (a connected Docker Swarm's). */
function NotReportedList({ items }: { items: readonly string[] }) {
  if (items.length === 0) return null;
  return (
    <div className="rounded-md bg-zinc-100 px-3 py-2 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400" data-testid="not-reported-list">
      <p className="font-medium">Not reported by Docker&apos;s Engine API, so shown as such on this page:</p>
      <ul className="mt-1 list-disc space-y-0.5 pl-4">
        {items.map((what) => (
          <li key={what}>{what}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The PKI dashboard (ADR 0021): the trust root, a rotation and its progress (polled every
 * 2 s while it runs), the CA settings, autolock and keys' ages, warnings, upcoming
 * expiries, and every node's certificate a page at a time. Administrators rotate the root
 * and change the CA settings here; other roles see those actions disabled, with why.
 */
export default function PkiPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const queryClient = useQueryClient();
  const canAdmin = useCan("cluster:admin");
  const status = useQuery({
    ...trpc.pki.status.queryOptions({ env }, backgroundPoll),
    refetchInterval: (query) => (query.state.data?.rotation ? ROTATION_POLL_MS : IDLE_POLL_MS),
  });
  const [dialog, setDialog] = useState<"rotate" | "settings" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The trust root while this page saw a rotation run: once the rotation is gone, it finished (the root moved) or was stopped.
  const [watching, setWatching] = useState<string | null>(null);
  const data = status.data;
  if (data?.rotation && watching !== data.trustRoot.digest) setWatching(data.trustRoot.digest);
  if (data && !data.rotation && watching !== null) {
    setWatching(null);
    setNotice(
      data.trustRoot.digest !== watching
        ? "The rotation finished: the new root is the trust root, and both join tokens were made again (the old ones no longer work). Take new ones from the Join page."
        : "The rotation ended without moving to a new root: the trust root is the one it started from.",
    );
  }

  function apply(next: PkiStatus, note: string | null) {
    queryClient.setQueryData(trpc.pki.status.queryKey({ env }), next);
    void queryClient.invalidateQueries({ queryKey: trpc.pki.nodes.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
    setNotice(note);
    setDialog(null);
  }

  const readOnly = canAdmin === false;
  const actions = (
    <div className="flex flex-col items-end gap-1">
      <div className="flex flex-wrap justify-end gap-2">
        <Button
          variant="secondary"
          disabled={!data || canAdmin !== true}
          aria-describedby={readOnly ? "pki-read-only" : undefined}
          onClick={() => (setNotice(null), setDialog("settings"))}
        >
          Edit CA settings
        </Button>
        <Button disabled={!data || canAdmin !== true} aria-describedby={readOnly ? "pki-read-only" : undefined} onClick={() => (setNotice(null), setDialog("rotate"))}>
          Rotate root CA
        </Button>
      </div>
      {readOnly && (
        <p id="pki-read-only" className="max-w-sm text-right text-xs text-zinc-500 dark:text-zinc-400">
          {READ_ONLY}
        </p>
      )}
    </div>
  );

  // Ages and distances are measured from the last answer.
  const now = new Date(status.dataUpdatedAt);
  return (
    <>
      <PageHeader
        title="PKI"
        description="The swarm's certificate authority: its trust root, a rotation and its progress, external CAs, expiry, keys' ages, and every node's certificate."
        actions={actions}
      />
      {status.isPending ? (
        <Loading label="Loading the PKI" blocks={3} className="h-32" />
      ) : !data ? (
        <ErrorState title="The PKI is not available" error={status.error} onRetry={() => void status.refetch()} />
      ) : (
        <div className="space-y-6">
          {status.isError && <Alert tone="warning">The latest refresh failed ({describeError(status.error).message}); showing the last known state.</Alert>}
          {notice && (
            <Alert tone="success">
              <span data-testid="pki-notice">{notice}</span>
            </Alert>
          )}
          <NotReportedList items={data.notReported} />
          <PkiCounts counts={data.counts} />
          <PkiWarnings warnings={data.warnings} now={now} env={env} />
          <div className="grid gap-6 xl:grid-cols-2">
            <TrustRootCard status={data} now={now} />
            <RotationCard status={data} now={now} env={env} />
            <CaSettingsCard status={data} />
            <KeysCard status={data} now={now} env={env} />
          </div>
          <ExpiryTimeline buckets={data.timeline} now={now} datesKnown={data.kind === "native"} />
          <PkiNodeTable status={data} now={now} env={env} />
          <RotateDialog open={dialog === "rotate"} onClose={() => setDialog(null)} status={data} env={env} onRotated={(next) => apply(next, "Rotation started: every node now renews its certificate under the new root.")} />
          <SettingsDialog open={dialog === "settings"} onClose={() => setDialog(null)} status={data} env={env} onSaved={(next, note) => apply(next, note)} />
        </div>
      )}
    </>
  );
}
