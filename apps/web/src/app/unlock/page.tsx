"use client";

import { swarmUnlockInput, UNLOCK_KEY_MAX_LENGTH } from "@rampart/api/schema";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { AuthFrame } from "~/components/auth-frame";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Button, Field, linkClass } from "~/components/ui";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { useTRPC } from "~/lib/trpc";

const FIELDS = ["unlockKey"] as const;

/**
 * What a locked server shows (autolock, ADR 0022): the server sends every page here and
 * answers nothing else until it is given its unlock key. The key is typed like a
 * password, sent once in the body, and kept nowhere: the field is emptied once it worked.
 */
export default function UnlockPage() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.autolock.status.queryOptions(), refetchOnWindowFocus: false });
  const unlock = useMutation({ ...trpc.autolock.unlock.mutationOptions(), gcTime: 0 });
  const form = useZodForm(swarmUnlockInput, { unlockKey: "" });
  const errors = form.formState.errors;
  const [opened, setOpened] = useState(false);

  const submit = form.handleSubmit(async (data) => {
    try {
      await unlock.mutateAsync({ unlockKey: data.unlockKey.trim() });
      form.reset({ unlockKey: "" });
      setOpened(true);
      // The server has finished starting in the same process: the console is there now.
      window.location.assign("/");
    } catch (error) {
      showServerError(form, error, FIELDS);
    }
  });

  if (status.isPending) {
    return (
      <AuthFrame title="Unlock Rampart">
        <Loading label="Checking whether the server is locked" blocks={2} className="h-8" />
      </AuthFrame>
    );
  }
  if (status.isError) {
    return (
      <AuthFrame title="Unlock Rampart">
        <ErrorState title="The server did not say whether it is locked" error={status.error} onRetry={() => status.refetch()} />
      </AuthFrame>
    );
  }
  if (!status.data.locked || opened) {
    return (
      <AuthFrame title={opened ? "Rampart is unlocked" : "Rampart is not locked"}>
        <div className="space-y-3 text-sm" data-testid="unlock-done">
          <p>{opened ? "The server has its keys and is serving again." : "This server is running: there is nothing to unlock."}</p>
          <Link href="/" className={linkClass}>
            Go to the console
          </Link>
        </div>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame
      title="Rampart is locked"
      subtitle="Autolock is on: the keys that open this server's secrets are encrypted under its unlock key, and it serves nothing until it is given that key."
    >
      <form onSubmit={submit} noValidate className="space-y-4" aria-label="Unlock the server">
        {formError(errors) && <Alert>{formError(errors)}</Alert>}
        <Field
          label="Unlock key"
          {...form.register("unlockKey")}
          type="password"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          maxLength={UNLOCK_KEY_MAX_LENGTH}
          placeholder="SWMKEY-1-…"
          hint="The key shown when autolock was turned on, or last rotated."
          error={errors.unlockKey?.message}
          required
          autoFocus
        />
        <Button type="submit" className="w-full" busy={unlock.isPending}>
          Unlock
        </Button>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          On the server itself, <code className="font-mono">rampart swarm unlock</code> does the same. Every attempt is recorded in the audit
          log, and an address that keeps failing is made to wait.
        </p>
      </form>
    </AuthFrame>
  );
}
