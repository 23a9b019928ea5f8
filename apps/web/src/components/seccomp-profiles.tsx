"use client";

import { createSeccompProfileInput } from "@rampart/api/schema";
import { SECCOMP_PROFILE_NAME } from "@rampart/core/service";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useRef, useState } from "react";
import { describeError } from "~/lib/errors";
import { formatDateTime, fromNow } from "~/lib/format";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { exactBytes, formatBytes } from "~/lib/secrets";
import { useCan } from "~/lib/session";
import { useTRPC } from "~/lib/trpc";
import { ConfirmByName } from "./confirm-by-name";
import { TableBox } from "./list";
import { ErrorState, Loading } from "./states";
import { Alert, Button, Card, EmptyState, Field, linkClass } from "./ui";

/**
 * Custom seccomp profiles (ADR 0019): stored once by name, never changed (a new version
 * is a new name), sent only to the nodes whose tasks name them. Listed with the services
 * that use each; created by pasting or uploading the JSON the engine reads; removed only
 * while no service names them. Viewers see the list and the content, not the actions.
 */

export const MAX_PROFILE_BYTES = 256 * 1024;

export const profileHref = (name: string) => `/settings/swarm/seccomp/${encodeURIComponent(name)}`;

/** The content as typed: JSON the engine can read, said as you type; the server checks the rest (a `defaultAction`). */
export function profileJsonError(content: string): string | null {
  if (content.trim() === "") return null;
  try {
    const parsed: unknown = JSON.parse(content);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return "a seccomp profile is a JSON object";
    return null;
  } catch (error) {
    return `the seccomp profile is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`;
  }
}

const createForm = createSeccompProfileInput.extend({
  name: createSeccompProfileInput.shape.name.regex(
    SECCOMP_PROFILE_NAME,
    "a seccomp profile's name is 1 to 64 letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
  ),
  content: createSeccompProfileInput.shape.content.superRefine((content, ctx) => {
    const problem = profileJsonError(content);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
});

function CreateProfile({ onDone }: { onDone: (name: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.swarm.createSeccompProfile.mutationOptions());
  const form = useZodForm(createForm, { name: "", content: "" });
  const errors = form.formState.errors;
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<string | null>(null);
  const content = form.watch("content");
  // Said as you type, before the first submit: the JSON's own error.
  const live = form.formState.isSubmitted ? undefined : (profileJsonError(content) ?? undefined);
  const contentError = errors.content?.message ?? live;

  async function takeFile(picked: File | undefined) {
    if (!picked) return;
    if (picked.size > MAX_PROFILE_BYTES) {
      form.setError("content", { type: "file", message: `${picked.name} is ${formatBytes(picked.size)}: a seccomp profile may be at most 256 KiB` });
      return;
    }
    const text = await picked.text();
    setFile(picked.name);
    form.setValue("content", text, { shouldDirty: true, shouldValidate: form.formState.isSubmitted });
    if (form.getValues("name") === "") form.setValue("name", picked.name.replace(/\.json$/i, "").replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 64));
    if (fileInput.current) fileInput.current.value = "";
  }

  const submit = form.handleSubmit(async (values) => {
    try {
      const created = await create.mutateAsync({ name: values.name.trim(), content: values.content });
      await queryClient.invalidateQueries({ queryKey: trpc.swarm.seccompProfiles.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
      onDone(created.name);
    } catch (error) {
      showServerError(form, error, ["name", "content"]);
    }
  });

  const size = new TextEncoder().encode(content).length;
  return (
    <form onSubmit={submit} noValidate aria-label="Add a seccomp profile" className="space-y-4 rounded-md border border-zinc-200 p-4 dark:border-zinc-800">
      {formError(errors) && <Alert>{formError(errors)}</Alert>}
      <Field label="Profile name" {...form.register("name")} error={errors.name?.message} hint="Letters, digits, '.', '_' or '-'. A profile never changes: a new version is a new name, e.g. strict-v2." maxLength={64} autoComplete="off" spellCheck={false} className="font-mono" />
      <div className="space-y-1">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <label htmlFor={`${id}-content`} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
            Profile JSON
          </label>
          <div className="flex items-center gap-2">
            <input ref={fileInput} id={`${id}-file`} type="file" accept=".json,application/json" className="sr-only" data-testid="seccomp-file" onChange={(e) => void takeFile(e.target.files?.[0])} />
            <label
              htmlFor={`${id}-file`}
              className="inline-flex cursor-pointer items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 has-[:focus-visible]:outline-2 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
            >
              Upload a .json file
            </label>
          </div>
        </div>
        <textarea
          id={`${id}-content`}
          {...form.register("content")}
          rows={10}
          spellCheck={false}
          autoComplete="off"
          placeholder={'{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [{ "names": ["read", "write", "exit"], "action": "SCMP_ACT_ALLOW" }]\n}'}
          aria-invalid={contentError ? true : undefined}
          aria-describedby={`${id}-note`}
          className={`block w-full resize-y rounded-md border bg-white px-3 py-2 font-mono text-xs shadow-sm placeholder:text-zinc-400 dark:bg-zinc-900 ${
            contentError ? "border-red-600 dark:border-red-500" : "border-zinc-300 dark:border-zinc-700"
          }`}
        />
        <div id={`${id}-note`} className="flex flex-wrap justify-between gap-2 text-xs">
          {contentError ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              {contentError}
            </p>
          ) : (
            <p className="text-zinc-500 dark:text-zinc-400">
              {file ? `From ${file}. ` : ""}The JSON the engine reads with --security-opt seccomp=FILE, with a defaultAction such as SCMP_ACT_ERRNO.
            </p>
          )}
          <p className="tabular-nums text-zinc-500 dark:text-zinc-400">
            {exactBytes(size)} of at most {MAX_PROFILE_BYTES.toLocaleString("en")}
          </p>
        </div>
      </div>
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={() => onDone("")}>
          Cancel
        </Button>
        <Button type="submit" busy={create.isPending}>
          Add profile
        </Button>
      </div>
    </form>
  );
}

/** Removal, confirmed by typing the name; refused by the server while a service names the profile, which the dialog says first. */
export function RemoveProfileDialog({ name, usedBy, open, onClose, onRemoved }: { name: string; usedBy: readonly string[] | undefined; open: boolean; onClose: () => void; onRemoved: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.swarm.removeSeccompProfile.mutationOptions());
  const inUse = (usedBy?.length ?? 0) > 0;
  return (
    <ConfirmByName
      open={open}
      onClose={() => (remove.reset(), onClose())}
      name={name}
      action="Remove profile"
      busy={remove.isPending}
      errorTitle="The profile was not removed"
      error={remove.isError && describeError(remove.error).message}
      onConfirm={async () => {
        try {
          await remove.mutateAsync({ name });
        } catch {
          void queryClient.invalidateQueries({ queryKey: trpc.swarm.seccompProfile.queryKey({ name }) });
          return;
        }
        await queryClient.invalidateQueries({ queryKey: trpc.swarm.seccompProfiles.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
        remove.reset();
        onRemoved();
      }}
    >
      {inUse ? (
        <Alert tone="warning" title="In use">
          <p>A profile is not removed while a service names it. Change these services to another profile first:</p>
          <UsedBy names={usedBy ?? []} />
        </Alert>
      ) : (
        <p>No service uses it. It is deleted from the store; nodes keep no copy once their tasks end. This cannot be undone.</p>
      )}
    </ConfirmByName>
  );
}

export function UsedBy({ names }: { names: readonly string[] }) {
  if (names.length === 0) return <span className="text-zinc-500">no service</span>;
  return (
    <ul className="flex flex-wrap gap-x-2 gap-y-1" data-testid="profile-used-by">
      {names.map((n) => (
        <li key={n}>
          <Link href={`/services/${encodeURIComponent(n)}`} className={linkClass}>
            {n}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** At most this many profiles have their users read for the list; past it, the profile's page says. */
const USED_BY_READS = 50;

export function SeccompProfilesCard() {
  const trpc = useTRPC();
  const profiles = useQuery(trpc.swarm.seccompProfiles.queryOptions());
  const canEdit = useCan("cluster:admin");
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = profiles.data ?? [];
  // The list has no users; each profile's own read has them.
  const details = useQueries({
    queries: list.slice(0, USED_BY_READS).map((p) => ({ ...trpc.swarm.seccompProfile.queryOptions({ name: p.name }), staleTime: 0 })),
  });
  const usedBy = new Map(list.slice(0, USED_BY_READS).map((p, i) => [p.name, details[i]?.data?.usedBy]));
  const now = new Date(profiles.dataUpdatedAt);

  return (
    <div id="seccomp-profiles" className="scroll-mt-4">
      <Card
        title="Seccomp profiles"
        className="max-w-4xl"
        actions={
          canEdit &&
          !adding && (
            <Button variant="secondary" className="px-2 py-1 text-xs" onClick={() => (setAdding(true), setNotice(null))}>
              Add a profile
            </Button>
          )
        }
      >
        <div className="space-y-4" data-testid="seccomp-profiles">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Profiles a service can choose instead of the engine&apos;s default (Security → Seccomp → Custom profile). A node receives a profile
            only while it runs a task that names it.
          </p>
          {notice && <Alert tone="success">{notice}</Alert>}
          {adding && (
            <CreateProfile
              onDone={(name) => {
                setAdding(false);
                if (name) setNotice(`Profile ${name} added.`);
              }}
            />
          )}
          {profiles.isPending ? (
            <Loading label="Loading seccomp profiles" blocks={2} className="h-10" />
          ) : profiles.isError ? (
            <ErrorState title="Seccomp profiles are not available" error={profiles.error} onRetry={() => void profiles.refetch()} />
          ) : list.length === 0 ? (
            <EmptyState title="No custom profiles">
              Every service uses the engine&apos;s default profile, or none.{canEdit ? " Add one to give a service a stricter filter." : ""}
            </EmptyState>
          ) : (
            <TableBox>
              <table data-testid="seccomp-table" className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
                <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
                  <tr>
                    <th scope="col" className="px-4 py-2">Name</th>
                    <th scope="col" className="px-4 py-2">Size</th>
                    <th scope="col" className="px-4 py-2">Digest</th>
                    <th scope="col" className="px-4 py-2">Created</th>
                    <th scope="col" className="px-4 py-2">Used by</th>
                    {canEdit && (
                      <th scope="col" className="px-4 py-2">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
                  {list.map((p) => {
                    const users = usedBy.get(p.name);
                    return (
                      <tr key={p.id} data-testid={`seccomp-row-${p.name}`}>
                        <td className="px-4 py-2">
                          <Link href={profileHref(p.name)} className={`font-mono text-xs ${linkClass}`}>
                            {p.name}
                          </Link>
                        </td>
                        <td className="px-4 py-2 whitespace-nowrap" title={exactBytes(p.size)}>
                          {formatBytes(p.size)}
                        </td>
                        <td className="px-4 py-2 font-mono text-xs" title={`sha256:${p.digest}`}>
                          {p.digest.replace(/^sha256:/, "").slice(0, 12)}
                        </td>
                        <td className="px-4 py-2 whitespace-nowrap" title={formatDateTime(p.createdAt)}>
                          {fromNow(p.createdAt, now)}
                        </td>
                        <td className="px-4 py-2">{users === undefined ? <span className="text-zinc-400">…</span> : <UsedBy names={users} />}</td>
                        {canEdit && (
                          <td className="px-4 py-2 text-right">
                            <Button variant="ghost" className="px-2 py-1 text-xs text-red-700 dark:text-red-400" aria-label={`Remove profile ${p.name}`} onClick={() => (setRemoving(p.name), setNotice(null))}>
                              Remove
                            </Button>
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableBox>
          )}
          {canEdit === false && <p className="text-xs text-zinc-500">Your role can read the profiles; an administrator can add or remove them.</p>}
        </div>
      </Card>
      {removing && (
        <RemoveProfileDialog
          name={removing}
          usedBy={usedBy.get(removing)}
          open
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            setNotice(`Profile ${removing} removed.`);
            setRemoving(null);
          }}
        />
      )}
    </div>
  );
}
