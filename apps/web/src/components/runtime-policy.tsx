"use client";

import { issueMessage, setRuntimePolicyInput } from "@rampart/api/schema";
import { isRampartError } from "@rampart/core/errors";
import { checkRuntimePolicy, cleanPath, isEngineSocket, MAX_ALLOWED_HOST_PATHS, type RuntimePolicy } from "@rampart/core/service";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { z } from "zod";
import { describeError } from "~/lib/errors";
import { shown, SENTENCES, type FieldErrors } from "~/lib/forms";
import { useCan } from "~/lib/session";
import { useTRPC } from "~/lib/trpc";
import { AddRowButton, badBorder, CheckField, FieldError, Fieldset, hintClass, inputClass, LimitedInput, okBorder, useAddRow } from "./form-parts";
import { ErrorState, Loading } from "./states";
import { Alert, Badge, Button, Card, Dialog } from "./ui";

/**
 * The runtime policy (ADR 0019): which host paths services may bind-mount, and whether
 * they may use the host's network or run privileged. Off and empty by default. Saved at
 * the swarm settings' version, so a change made meanwhile is a conflict, not an
 * overwrite; what newly opens the host (privileged, host network, an engine's socket)
 * is confirmed first. Viewers see it read-only.
 */

type PolicyView = z.infer<typeof setRuntimePolicyInput>;

interface Draft {
  paths: string[];
  allowHostNetwork: boolean;
  allowPrivileged: boolean;
}

const draftOf = (p: RuntimePolicy): Draft => ({ paths: [...p.allowedHostPaths], allowHostNetwork: p.allowHostNetwork, allowPrivileged: p.allowPrivileged });
const samePolicy = (a: RuntimePolicy, b: RuntimePolicy) =>
  a.allowHostNetwork === b.allowHostNetwork && a.allowPrivileged === b.allowPrivileged && a.allowedHostPaths.join("\n") === b.allowedHostPaths.join("\n");

/** The policy a draft makes (blank rows dropped), with core's and the schema's messages by row. */
export function checkDraft(draft: Draft): { policy: RuntimePolicy; rows: number[]; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const rows: number[] = [];
  const paths: string[] = [];
  draft.paths.forEach((p, i) => {
    if (p.trim() === "") return;
    rows.push(i);
    paths.push(p.trim());
  });
  const policy = { allowedHostPaths: paths, allowHostNetwork: draft.allowHostNetwork, allowPrivileged: draft.allowPrivileged };
  const parsed = setRuntimePolicyInput.omit({ version: true }).safeParse(policy, SENTENCES);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [, index] = issue.path;
      errors[typeof index === "number" ? `paths.${rows[index] ?? index}` : "paths"] ??= issueMessage(issue);
    }
    return { policy, rows, errors };
  }
  try {
    checkRuntimePolicy(policy);
  } catch (error) {
    if (!isRampartError(error)) throw error;
    errors[policyField(error.field, rows)] = error.message;
  }
  const seen = new Map<string, number>();
  paths.forEach((p, i) => {
    const clean = p.startsWith("/") ? cleanPath(p) : p;
    const first = seen.get(clean);
    if (first !== undefined) errors[`paths.${rows[i]}`] ??= `${clean} is listed twice`;
    else seen.set(clean, i);
  });
  return { policy, rows, errors };
}

/** `allowedHostPaths[2]` (the server's, counting non-blank rows) as the row it came from. */
function policyField(field: string | undefined, rows: readonly number[]): string {
  const match = /^allowedHostPaths(?:\[(\d+)\]|\.(\d+))?$/.exec(field ?? "");
  if (!match) return field === "allowHostNetwork" || field === "allowPrivileged" ? field : "form";
  const index = match[1] ?? match[2];
  return index === undefined ? "paths" : `paths.${rows[Number(index)] ?? index}`;
}

/** What a change newly allows that gives a task root on its node or its network: confirmed before it is saved. */
export function newlyOpened(before: RuntimePolicy, after: RuntimePolicy): string[] {
  const out: string[] = [];
  if (after.allowPrivileged && !before.allowPrivileged) out.push("Privileged containers: a service may take every capability and device of its nodes, which is root on them.");
  if (after.allowHostNetwork && !before.allowHostNetwork) out.push("Host networking: a service may use its nodes' own network namespace, every interface and port.");
  const had = new Set(before.allowedHostPaths.map(cleanPath));
  for (const p of after.allowedHostPaths) {
    if (isEngineSocket(p) && !had.has(cleanPath(p))) out.push(`${p}: the container engine's socket. A task that mounts it controls every container on its node, and so has root on it.`);
  }
  return out;
}

function ReadOnlyPolicy({ policy }: { policy: RuntimePolicy }) {
  return (
    <dl className="space-y-3 text-sm" data-testid="runtime-policy-view">
      <div>
        <dt className="font-medium">Allowed host paths</dt>
        <dd className="mt-1">
          {policy.allowedHostPaths.length === 0 ? (
            <span className="text-zinc-500">None: no service may bind-mount a host path.</span>
          ) : (
            <ul className="flex flex-wrap gap-1">
              {policy.allowedHostPaths.map((p) => (
                <li key={p} className={`rounded px-1.5 py-0.5 font-mono text-xs ${isEngineSocket(p) ? "bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100" : "bg-zinc-100 dark:bg-zinc-800"}`}>
                  {p}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </div>
      <div className="flex items-center justify-between gap-3">
        <dt className="font-medium">Host network</dt>
        <dd>{policy.allowHostNetwork ? <Badge tone="warn">Allowed</Badge> : <Badge tone="good">Refused</Badge>}</dd>
      </div>
      <div className="flex items-center justify-between gap-3">
        <dt className="font-medium">Privileged containers</dt>
        <dd>{policy.allowPrivileged ? <Badge tone="warn">Allowed</Badge> : <Badge tone="good">Refused</Badge>}</dd>
      </div>
    </dl>
  );
}

function PolicyForm({ current, onReload }: { current: PolicyView; onReload: () => Promise<PolicyView | undefined> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(trpc.swarm.setRuntimePolicy.mutationOptions());
  const [base, setBase] = useState<PolicyView>(current);
  const [draft, setDraft] = useState<Draft>(() => draftOf(current));
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [conflict, setConflict] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string[] | null>(null);
  const [reloading, setReloading] = useState(false);
  const { focusLast, add } = useAddRow(draft.paths, (paths) => edit({ ...draft, paths }), "");

  // The swarm settings share the version: when they alone moved (the policy read again is the one this form started from), follow.
  if (current.version > base.version && samePolicy(current, base)) setBase(current);

  const checked = checkDraft(draft);
  const errors: FieldErrors = { ...(submitted ? checked.errors : {}), ...serverErrors };
  const dirty = !samePolicy(checked.policy, base);

  function edit(next: Draft) {
    setDraft(next);
    setServerErrors({});
    setNotice(null);
  }

  async function send() {
    setConfirming(null);
    try {
      const saved = await save.mutateAsync({ version: base.version, ...checked.policy });
      queryClient.setQueryData(trpc.swarm.runtimePolicy.queryKey(), saved);
      void queryClient.invalidateQueries({ queryKey: trpc.swarm.info.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
      setBase(saved);
      setDraft(draftOf(saved));
      setSubmitted(false);
      setNotice("Runtime policy saved.");
    } catch (error) {
      const info = describeError(error);
      if (info.code === "CONFLICT") setConflict(info.message);
      else setServerErrors({ [policyField(info.field, checked.rows)]: info.message });
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    setNotice(null);
    setConflict(null);
    if (Object.keys(checked.errors).length > 0) return;
    if (!dirty) {
      setNotice("Nothing to save: the policy is as it was.");
      return;
    }
    const opened = newlyOpened(base, checked.policy);
    if (opened.length > 0) setConfirming(opened);
    else void send();
  }

  async function reload(keepEdits: boolean) {
    setReloading(true);
    try {
      const fresh = await onReload();
      if (fresh) {
        setBase(fresh);
        if (!keepEdits) setDraft(draftOf(fresh));
        setConflict(null);
      }
    } finally {
      setReloading(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-5" aria-label="Runtime policy">
      {conflict && (
        <Alert tone="warning" title="Someone else changed the swarm settings">
          <p>{conflict}</p>
          <p className="mt-1">Reload to save over the latest version (your edits are kept; check them against it), or start again from it.</p>
          <div className="mt-2 flex flex-wrap gap-2">
            <Button variant="secondary" busy={reloading} onClick={() => reload(true)}>
              Reload and keep my edits
            </Button>
            <Button variant="ghost" disabled={reloading} onClick={() => reload(false)}>
              Discard my edits
            </Button>
          </div>
        </Alert>
      )}
      {errors.form && <Alert>{shown(errors.form)}</Alert>}
      {notice && <Alert tone={notice.startsWith("Nothing") ? "info" : "success"}>{notice}</Alert>}

      <Fieldset
        legend="Allowed host paths"
        hint="Services may bind-mount these host paths and anything under them. List the narrowest directories tasks need; / cannot be allowed."
      >
        <Alert tone="warning">
          The Docker socket (<code className="font-mono">/var/run/docker.sock</code>) gives whoever can reach it root on the node. It is allowed only by
          its exact path, never by a parent directory.
        </Alert>
        {draft.paths.length === 0 ? (
          <p className="text-sm text-zinc-500">None: no service may bind-mount a host path.</p>
        ) : (
          <ul className="space-y-2">
            {draft.paths.map((p, i) => {
              const error = errors[`paths.${i}`];
              const socket = p.trim().startsWith("/") && isEngineSocket(p.trim());
              return (
                <li key={i} className="space-y-1" data-testid="host-path-row">
                  <div className="flex items-start gap-2">
                    <div className="min-w-0 flex-1">
                      <LimitedInput
                        aria-label={`Host path ${i + 1}`}
                        value={p}
                        onChange={(e) => edit({ ...draft, paths: draft.paths.map((x, j) => (j === i ? e.target.value : x)) })}
                        placeholder="/srv/data"
                        autoFocus={focusLast && i === draft.paths.length - 1}
                        maxLength={4096}
                        autoComplete="off"
                        spellCheck={false}
                        aria-invalid={error ? true : undefined}
                        className={`${inputClass} font-mono ${error ? badBorder : okBorder}`}
                      />
                    </div>
                    <Button variant="ghost" className="shrink-0 px-2 py-1 text-xs" aria-label={`Remove host path ${i + 1}`} onClick={() => edit({ ...draft, paths: draft.paths.filter((_, j) => j !== i) })}>
                      Remove
                    </Button>
                  </div>
                  {error && (
                    <p role="alert" className="text-sm text-red-700 dark:text-red-400">
                      {shown(error)}
                    </p>
                  )}
                  {socket && !error && <p className="text-xs font-medium text-red-700 dark:text-red-400">An engine&apos;s socket: a task that mounts it has root on its node.</p>}
                </li>
              );
            })}
          </ul>
        )}
        {errors.paths && <FieldError>{shown(errors.paths)}</FieldError>}
        {draft.paths.length < MAX_ALLOWED_HOST_PATHS && <AddRowButton onClick={add}>+ Add host path</AddRowButton>}
      </Fieldset>

      <Fieldset legend="Host access">
        <CheckField
          label="Allow host network"
          checked={draft.allowHostNetwork}
          onChange={(v) => edit({ ...draft, allowHostNetwork: v })}
          error={errors.allowHostNetwork}
          hint="Services may use their nodes' own network namespace (--network host)."
        />
        <CheckField
          label="Allow privileged containers"
          checked={draft.allowPrivileged}
          onChange={(v) => edit({ ...draft, allowPrivileged: v })}
          error={errors.allowPrivileged}
          hint="Services may run privileged: every capability and device of their nodes."
        />
      </Fieldset>

      <p className={hintClass}>Services that already use what the policy stops allowing keep running; their next update is refused until it complies.</p>

      <div className="flex flex-wrap justify-end gap-2">
        <Button variant="secondary" disabled={!dirty || save.isPending} onClick={() => edit(draftOf(base))}>
          Discard changes
        </Button>
        <Button type="submit" busy={save.isPending} disabled={conflict !== null}>
          Save runtime policy
        </Button>
      </div>

      <Dialog open={confirming !== null} onClose={() => setConfirming(null)} title="Allow services to reach their nodes?">
        <div className="space-y-4 text-sm">
          <p>This change allows:</p>
          <ul className="list-disc space-y-1 pl-5" data-testid="policy-confirm-list">
            {confirming?.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <p>The change is recorded in the audit log. Every service that uses it is marked on its page.</p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
            <Button variant="danger" busy={save.isPending} onClick={() => void send()}>
              Allow and save
            </Button>
          </div>
        </div>
      </Dialog>
    </form>
  );
}

export function RuntimePolicyCard() {
  const trpc = useTRPC();
  const policy = useQuery(trpc.swarm.runtimePolicy.queryOptions());
  const canEdit = useCan("cluster:admin");
  const open = policy.data ? [policy.data.allowPrivileged && "privileged", policy.data.allowHostNetwork && "host network", policy.data.allowedHostPaths.length > 0 && "host paths"].filter(Boolean) : [];
  return (
    <div id="runtime-policy" className="scroll-mt-4">
      <Card
        title="Runtime policy"
        className="max-w-2xl"
        actions={policy.data && (open.length === 0 ? <Badge tone="good">Nothing allowed</Badge> : <Badge tone="warn">{`Allows ${open.join(", ")}`}</Badge>)}
      >
        <div className="space-y-4">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            What a service may reach of the nodes that run it, beyond its own container. A service that asks for more is refused when it is
            saved, with the field named.
          </p>
          {policy.data && canEdit !== undefined ? (
            canEdit ? (
              <PolicyForm current={policy.data} onReload={async () => (await policy.refetch()).data} />
            ) : (
              <>
                <ReadOnlyPolicy policy={policy.data} />
                <p className={hintClass}>Your role can read the runtime policy; an administrator can change it.</p>
              </>
            )
          ) : policy.isError ? (
            <ErrorState title="The runtime policy is not available" error={policy.error} onRetry={() => void policy.refetch()} />
          ) : (
            <Loading label="Loading the runtime policy" blocks={2} className="h-12" />
          )}
        </div>
      </Card>
    </div>
  );
}
