"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Badge, Button, Card, CopyButton, Dialog } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { formatDateTime, fromNow } from "~/lib/format";
import { useTRPC } from "~/lib/trpc";

type Asking = "on" | "off" | "reveal" | "rotate";

/** Why a key is on screen: each way it got there says what to do with it. */
type Why = "enabled" | "revealed" | "rotated";

/** An unlock key in the clear lives only here, in component state: never in a URL or a query cache. */
interface Shown {
  key: string;
  why: Why;
}

const SHOWN_TITLE: Record<Why, string> = {
  enabled: "Autolock is on. Here is the unlock key",
  revealed: "The unlock key",
  rotated: "A new unlock key is in force",
};

const ASK: Record<Asking, { title: string; confirm: string; danger: boolean; body: string[] }> = {
  on: {
    title: "Turn autolock on?",
    confirm: "Turn autolock on",
    danger: false,
    body: [
      "The key-encryption key, which opens every sealed secret, the CA key and the join tokens, will be kept only in the store, encrypted under a new unlock key; this server's node key is encrypted too. A new key-encryption key replaces the one in the data directory.",
      "After every restart the server stays locked, serving nothing but its unlock page, until someone gives it the key here or with rampart swarm unlock on the server.",
      "The key is shown once, next. Keep it in a password manager: without it this server cannot be started again.",
    ],
  },
  off: {
    title: "Turn autolock off?",
    confirm: "Turn autolock off",
    danger: true,
    body: [
      "The key-encryption key is written back to the data directory and this server's node key stored in the clear: a restarted server opens at once, without a key.",
      "Whoever copies the data directory and the store can then read every secret. The unlock key stops working and is deleted.",
    ],
  },
  reveal: {
    title: "Reveal the unlock key?",
    confirm: "Reveal",
    danger: false,
    body: ["The key is shown here once, and the reveal is recorded in the audit log, with who asked and from where."],
  },
  rotate: {
    title: "Rotate the unlock key?",
    confirm: "Rotate the key",
    danger: true,
    body: [
      "A new unlock key takes over at once, and the current one will not unlock this server again. Nothing restarts and nothing else changes.",
      "The new key is shown once, next. Replace the old one wherever you keep it.",
    ],
  },
};

function KeyBox({ shown, onHide }: { shown: Shown; onHide: () => void }) {
  return (
    <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-700 dark:bg-amber-950/40" data-testid="unlock-key-shown">
      <h3 className="text-sm font-medium">{SHOWN_TITLE[shown.why]}</h3>
      <code data-testid="unlock-key" className="block rounded bg-white p-2 font-mono text-xs break-all text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100">
        {shown.key}
      </code>
      <p className="text-xs text-zinc-700 dark:text-zinc-300">
        Store it in a password manager, since without it you will not be able to restart the server. It is not shown again unless it is
        revealed, which is audited.
      </p>
      <div className="flex flex-wrap gap-2">
        <CopyButton value={shown.key} label="Copy key" />
        <Button variant="secondary" onClick={onHide}>
          Hide
        </Button>
      </div>
    </div>
  );
}

/**
 * Autolock on Rampart's own cluster (ADR 0022): its state, turning it on and off, the
 * unlock key revealed (audited) and rotated, each behind a confirmation. A key is shown
 * once, from the answer that carried it, and forgotten when hidden or when the page goes.
 */
export function AutolockCard({ className }: { className?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const state = useQuery(trpc.autolock.get.queryOptions());
  // gcTime 0: the mutations, and the key in their results, leave the cache as soon as they are read.
  const update = useMutation({ ...trpc.autolock.update.mutationOptions(), gcTime: 0 });
  const reveal = useMutation({ ...trpc.autolock.reveal.mutationOptions(), gcTime: 0 });
  const rotate = useMutation({ ...trpc.autolock.rotate.mutationOptions(), gcTime: 0 });
  const [asking, setAsking] = useState<Asking | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const pending = update.isPending || reveal.isPending || rotate.isPending;
  const failed = update.error ?? reveal.error ?? rotate.error;

  function close() {
    update.reset();
    reveal.reset();
    rotate.reset();
    setAsking(null);
  }

  async function confirm() {
    if (!asking || !state.data) return;
    setNotice(null);
    try {
      if (asking === "on" || asking === "off") {
        const { unlockKey, ...view } = await update.mutateAsync({ version: state.data.version, autolock: asking === "on" });
        queryClient.setQueryData(trpc.autolock.get.queryKey(), view);
        // The swarm settings share the version: the form above follows it.
        void queryClient.invalidateQueries({ queryKey: trpc.swarm.info.queryKey() });
        setShown(unlockKey ? { key: unlockKey, why: "enabled" } : null);
        if (!unlockKey) setNotice(asking === "off" ? "Autolock is off. The server will open without a key from its next start." : "Autolock was already on.");
      } else if (asking === "reveal") {
        setShown({ key: (await reveal.mutateAsync({})).unlockKey, why: "revealed" });
      } else {
        setShown({ key: (await rotate.mutateAsync({})).unlockKey, why: "rotated" });
        void state.refetch();
      }
      close();
    } catch {
      // Shown in the dialog.
    }
  }

  const data = state.data;
  return (
    <Card
      title="Autolock"
      className={className}
      actions={data ? data.autolock ? <Badge tone="good">On</Badge> : <Badge tone="warn">Off</Badge> : undefined}
    >
      <div className="space-y-3 text-sm" data-testid="autolock-card">
        {state.isPending ? (
          <Loading label="Loading autolock" blocks={2} className="h-6" />
        ) : state.isError ? (
          <ErrorState title="Autolock is not available" error={state.error} onRetry={() => state.refetch()} />
        ) : (
          <>
            {data!.autolock ? (
              <p>
                The key-encryption key is kept only in the store, encrypted under the unlock key, and this server&apos;s node key is encrypted
                too. After a restart the server stays locked until it is given the key, here on its unlock page or with{" "}
                <code className="font-mono text-xs">rampart swarm unlock</code>.
                {data!.unlockKeyRotatedAt && (
                  <>
                    {" "}
                    The unlock key was made{" "}
                    <time dateTime={data!.unlockKeyRotatedAt.toISOString()} title={formatDateTime(data!.unlockKeyRotatedAt)}>
                      {fromNow(data!.unlockKeyRotatedAt)}
                    </time>
                    .
                  </>
                )}
              </p>
            ) : (
              <p>
                The key-encryption key that opens the sealed secrets, the CA key and the join tokens is a file beside the store (
                <code className="font-mono text-xs">kek</code> in the data directory, or the file <code className="font-mono text-xs">RAMPART_KEK_FILE</code>{" "}
                names): whoever copies both opens them all. With autolock on, it is kept only under an unlock key that you hold, and a restarted
                server waits for it.
              </p>
            )}
            {data!.problem && (
              <Alert tone="warning" title={data!.autolock ? "The data directory does not match yet" : "Autolock cannot be turned on here"}>
                {data!.problem}
              </Alert>
            )}
            {notice && <Alert tone="info">{notice}</Alert>}
            {shown && <KeyBox shown={shown} onHide={() => setShown(null)} />}
            <div className="flex flex-wrap gap-2 border-t border-zinc-200 pt-3 dark:border-zinc-800">
              {data!.autolock ? (
                <>
                  <Button variant="secondary" onClick={() => setAsking("reveal")}>
                    Reveal unlock key
                  </Button>
                  <Button variant="secondary" onClick={() => setAsking("rotate")}>
                    Rotate unlock key
                  </Button>
                  <Button variant="secondary" className="text-red-700 dark:text-red-400" onClick={() => setAsking("off")}>
                    Turn autolock off
                  </Button>
                </>
              ) : (
                <Button onClick={() => setAsking("on")} disabled={data!.problem !== null}>
                  Turn autolock on
                </Button>
              )}
            </div>
            <p className="text-xs text-zinc-500 dark:text-zinc-400">Every change, reveal and unlock is recorded in the audit log.</p>
          </>
        )}
      </div>
      <Dialog open={asking !== null} onClose={close} title={asking ? ASK[asking].title : ""}>
        {asking && (
          <div className="space-y-4">
            {ASK[asking].body.map((line) => (
              <p key={line} className="text-sm">
                {line}
              </p>
            ))}
            {failed && <Alert>{describeError(failed).message}</Alert>}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button variant={ASK[asking].danger ? "danger" : "primary"} busy={pending} onClick={confirm}>
                {ASK[asking].confirm}
              </Button>
            </div>
          </div>
        )}
      </Dialog>
    </Card>
  );
}
