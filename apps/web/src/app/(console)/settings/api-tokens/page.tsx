"use client";

import { API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS, API_TOKEN_NAME_MAX } from "@rampart/core/user";
import { createApiTokenInput, type ApiTokenInfo } from "@rampart/api/schema";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorState, Loading } from "~/components/states";
import { TableBox } from "~/components/list";
import { Alert, Badge, Button, CopyButton, Dialog, EmptyState, Field, PageHeader } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { formatDateTime, fromNow } from "~/lib/format";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { useTRPC } from "~/lib/trpc";

function tokenState(token: ApiTokenInfo, now: Date): { label: string; tone: "good" | "bad" | "warn" } {
  if (token.revokedAt) return { label: "Revoked", tone: "bad" };
  if (token.expiresAt <= now) return { label: "Expired", tone: "warn" };
  return { label: "Active", tone: "good" };
}

function CreateTokenDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.apiToken.create.mutationOptions());
  const form = useZodForm(createApiTokenInput, { name: "", expiresInDays: API_TOKEN_DEFAULT_DAYS });
  const errors = form.formState.errors;
  const [created, setCreated] = useState<string | null>(null);

  function close() {
    setCreated(null);
    form.reset();
    create.reset();
    onClose();
  }

  const submit = form.handleSubmit(async (data) => {
    try {
      const result = await create.mutateAsync(data);
      setCreated(result.token);
      await queryClient.invalidateQueries({ queryKey: trpc.apiToken.list.queryKey() });
    } catch (error) {
      showServerError(form, error, ["name", "expiresInDays"]);
    }
  });

  return (
    <Dialog open={open} onClose={close} title={created ? "Copy your new API token" : "Create an API token"}>
      {created ? (
        <div className="space-y-4">
          <Alert tone="warning">This is the only time the token is shown. Store it somewhere safe, such as a password manager.</Alert>
          <code data-testid="new-token" className="block break-all rounded-md bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-800">
            {created}
          </code>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Use it from another machine with <code className="font-mono">rampart --host https://… --token …</code> or the{" "}
            <code className="font-mono">RAMPART_TOKEN</code> variable.
          </p>
          <div className="flex justify-end gap-2">
            <CopyButton value={created} />
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="space-y-4">
          {formError(errors) && <Alert>{formError(errors)}</Alert>}
          <Field
            label="Name"
            {...form.register("name")}
            placeholder="e.g. laptop CLI"
            maxLength={API_TOKEN_NAME_MAX}
            error={errors.name?.message}
            required
            autoFocus
          />
          <Field
            label="Expires in (days)"
            // An empty or unreadable box is NaN, which the schema refuses with a sentence rather than reading it as 0.
            {...form.register("expiresInDays", { valueAsNumber: true })}
            type="number"
            inputMode="numeric"
            min={1}
            max={API_TOKEN_MAX_DAYS}
            step={1}
            hint={`Every token expires: 1 to ${API_TOKEN_MAX_DAYS} days.`}
            error={errors.expiresInDays?.message}
            required
          />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" busy={create.isPending}>
              Create token
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function RevokeDialog({ token, onClose }: { token: ApiTokenInfo | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(trpc.apiToken.revoke.mutationOptions());
  return (
    <Dialog open={token !== null} onClose={() => (revoke.reset(), onClose())} title="Revoke this API token?">
      {token && (
        <div className="space-y-4">
          <p className="text-sm">
            Anything using <strong>{token.name}</strong> will be refused at once. This cannot be undone.
          </p>
          {revoke.isError && <Alert>{describeError(revoke.error).message}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button
              variant="danger"
              busy={revoke.isPending}
              onClick={async () => {
                await revoke.mutateAsync({ id: token.id });
                await queryClient.invalidateQueries({ queryKey: trpc.apiToken.list.queryKey() });
                onClose();
              }}
            >
              Revoke token
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

export default function ApiTokensPage() {
  const trpc = useTRPC();
  const tokens = useQuery(trpc.apiToken.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenInfo | null>(null);
  const now = new Date();

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let the rampart CLI and scripts act as you from another machine. Each is shown once, when created."
        actions={<Button onClick={() => setCreating(true)}>Create token</Button>}
      />
      {tokens.isPending ? (
        <Loading label="Loading tokens" blocks={2} className="h-10" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet" action={<Button onClick={() => setCreating(true)}>Create token</Button>}>
          On this machine, <code className="font-mono">rampart</code> commands need no token: they use the server&apos;s local
          socket. Create one to use the CLI from elsewhere.
        </EmptyState>
      ) : (
        <TableBox>
          <table data-testid="api-tokens-table" className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
            <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-4 py-2">Name</th>
                <th scope="col" className="px-4 py-2">ID</th>
                <th scope="col" className="px-4 py-2">Created</th>
                <th scope="col" className="px-4 py-2">Last used</th>
                <th scope="col" className="px-4 py-2">Expires</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
              {tokens.data.map((token) => {
                const state = tokenState(token, now);
                return (
                  <tr key={token.id}>
                    <td className="px-4 py-2 font-medium">{token.name}</td>
                    <td className="px-4 py-2 font-mono text-xs">{token.id}</td>
                    <td className="px-4 py-2" title={formatDateTime(token.createdAt)}>{fromNow(token.createdAt, now)}</td>
                    <td className="px-4 py-2">{token.lastUsedAt ? fromNow(token.lastUsedAt, now) : "never"}</td>
                    <td className="px-4 py-2" title={formatDateTime(token.expiresAt)}>
                      {token.expiresAt <= now ? `expired ${fromNow(token.expiresAt, now)}` : fromNow(token.expiresAt, now)}
                    </td>
                    <td className="px-4 py-2"><Badge tone={state.tone}>{state.label}</Badge></td>
                    <td className="px-4 py-2 text-right">
                      {!token.revokedAt && (
                        <Button variant="ghost" className="text-red-700 dark:text-red-400" onClick={() => setRevoking(token)}>
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableBox>
      )}
      <CreateTokenDialog open={creating} onClose={() => setCreating(false)} />
      <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />
    </>
  );
}
