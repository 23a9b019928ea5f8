"use client";

import type { RotationProgressOutput } from "@rampart/api/schema";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState, type FormEvent, type ReactNode } from "react";
import { mountPath, SECRET_NAME_MAX_LENGTH } from "@rampart/core/secret";
import { backgroundPoll } from "~/lib/background";
import { describeError } from "~/lib/errors";
import { useZodForm } from "~/lib/forms";
import {
  defaultRotationName,
  draftError,
  draftSize,
  draftPayload,
  EMPTY_VALUE,
  formatMode,
  plural,
  rotationProgress,
  secretNameForm,
  wipeDraft,
  type SecretValueDraft,
  type SecretView,
} from "~/lib/secrets";
import { envHref, useEnv } from "~/lib/env";
import { useTRPC, useTRPCClient } from "~/lib/trpc";
import { SecretValueField } from "./secret-value";
import { ConfirmByName } from "./confirm-by-name";
import { Alert, Badge, Button, Card, Field, linkClass, Spinner } from "./ui";

/**
 * The rotation workflow. Swarm secrets are immutable, so a rotation creates a new
 * secret, moves every service that references the old one to it under the same
 * targets (their tasks are replaced, as any spec change replaces them), follows the
 * rollout until no task holds the old version, and then offers to remove the old one.
 * The steps: the new value and name, a review of what moves, progress, and the end.
 */

const STEPS = ["New value", "Review", "Rollout", "Finish"] as const;

function Stepper({ current }: { current: number }) {
  return (
    <ol className="mb-4 flex flex-wrap gap-x-6 gap-y-2 text-sm" aria-label="Rotation steps">
      {STEPS.map((label, i) => (
        <li key={label} aria-current={i === current ? "step" : undefined} className="flex items-center gap-2">
          <span
            aria-hidden="true"
            className={`inline-flex size-6 items-center justify-center rounded-full text-xs font-semibold ${
              i < current ? "bg-emerald-600 text-white" : i === current ? "bg-sky-700 text-white" : "bg-zinc-200 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400"
            }`}
          >
            {i < current ? "✓" : i + 1}
          </span>
          <span className={i === current ? "font-semibold" : "text-zinc-600 dark:text-zinc-400"}>{label}</span>
        </li>
      ))}
    </ol>
  );
}

function ServiceTargets({ secret }: { secret: SecretView }) {
  if (secret.services.length === 0) {
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">No service references this secret: the new version is created, and nothing moves.</p>;
  }
  return (
    <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800" data-testid="rotation-services">
      {secret.services.map((s) => (
        <li key={s.id} className="px-3 py-2">
          <span className="font-medium">{s.name}</span>
          <span className="text-zinc-500"> — </span>
          {s.references.map((r, i) => (
            <span key={r.target}>
              {i > 0 && ", "}
              <code className="font-mono text-xs">{mountPath(r.target)}</code>
              <span className="text-xs text-zinc-500">
                {" "}
                ({r.uid}:{r.gid}, {formatMode(r.mode)})
              </span>
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** Steps 1 and 2: the new value and name, then what will move. Calls `onRotated` with the new secret's ID. */
export function RotateWizard({ secret, onCancel, onRotated }: { secret: SecretView; onCancel: () => void; onRotated: (toId: string) => void }) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const env = useEnv();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<0 | 1>(0);
  const [value, setValue] = useState<SecretValueDraft>(EMPTY_VALUE);
  const nameSchema = useMemo(
    () => secretNameForm.refine((v) => v.name !== secret.name, { path: ["name"], message: "the new version needs a name of its own" }),
    [secret.name],
  );
  const form = useZodForm(nameSchema, { name: defaultRotationName(secret.name) }, { mode: "onChange" });
  const name = form.watch("name");
  const nameError = form.formState.errors.name?.message;
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<{ field: "data" | "form"; message: string } | null>(null);

  const valueError = draftError(value);
  const hasValue = value.source === "file" ? value.file !== null : value.text !== "";

  function cancel() {
    setValue(wipeDraft(value));
    onCancel();
  }

  async function next(event: FormEvent<HTMLFormElement>) {
    setSubmitted(true);
    await form.handleSubmit(() => {
      if (valueError) return;
      setServerError(null);
      setStep(1);
    })(event);
  }

  async function rotate() {
    setBusy(true);
    setServerError(null);
    try {
      const result = await client.secret.rotate.mutate({ env, ref: secret.id, name, data: draftPayload(value) });
      setValue(wipeDraft(value));
      void queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.service.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
      onRotated(result.to.id);
    } catch (error) {
      const info = describeError(error);
      // A name or size problem sends the user back to fix it; the value is kept for another try.
      if (info.field === "name") {
        setStep(0);
        form.setError("name", { type: "server", message: info.message }, { shouldFocus: true });
      } else {
        const field = info.field === "data" ? "data" : "form";
        setServerError({ field, message: info.message });
        if (field === "data") setStep(0);
      }
      setBusy(false);
    }
  }

  return (
    <Card title={`Rotate ${secret.name}`}>
      <Stepper current={step} />
      {step === 0 ? (
        <form onSubmit={next} noValidate aria-label="New version" className="space-y-5">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Secrets cannot change, so rotating creates a new secret with the new value and moves every service to it under the same file names.
          </p>
          <SecretValueField
            label="New value"
            value={value}
            onChange={(v) => (setValue(v), setServerError(null))}
            error={serverError?.field === "data" ? serverError.message : hasValue || submitted ? valueError : null}
            autoFocus
          />
          <Field
            label="New secret's name"
            {...form.register("name", { onChange: () => setServerError(null) })}
            error={nameError}
            hint="Suggested from the current name; services keep reading it under their own targets, so the name may change freely."
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
            maxLength={SECRET_NAME_MAX_LENGTH}
          />
          {serverError?.field === "form" && <Alert>{serverError.message}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={cancel}>
              Cancel
            </Button>
            <Button type="submit">Next: review</Button>
          </div>
        </form>
      ) : (
        <div className="space-y-4">
          <p className="text-sm">
            Create <code className="font-mono font-semibold">{name}</code> (
            {value.source === "file" && value.file ? `from ${value.file.name}, ` : ""}
            {plural(draftSize(value), "byte")}) and move{" "}
            {secret.services.length === 0 ? "no services" : plural(secret.services.length, "service")} from{" "}
            <code className="font-mono">{secret.name}</code> to it, under the same targets:
          </p>
          <ServiceTargets secret={secret} />
          {secret.services.length > 0 && (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Each service&apos;s tasks are replaced so that they read the new file; the old version stays until you remove it at the end.
            </p>
          )}
          {serverError && <Alert>{serverError.message}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setStep(0)} disabled={busy}>
              Back
            </Button>
            <Button variant="secondary" onClick={cancel} disabled={busy}>
              Cancel
            </Button>
            <Button onClick={rotate} busy={busy}>
              Rotate now
            </Button>
          </div>
        </div>
      )}
    </Card>
  );
}

function Stat({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="rounded-md border border-zinc-200 px-3 py-2 dark:border-zinc-800">
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

type DockerRotation = NonNullable<RotationProgressOutput["docker"]>;

/** Rampart is still at work on a swarm's rotation: moving services, or following the rollout to remove the old version. */
const following = (docker: DockerRotation | undefined) => docker?.phase === "moving" || docker?.phase === "rolling-out";

/** Nothing more will change by itself: the rollout is done and, on a swarm, Rampart has stopped following it. */
const settled = (data: RotationProgressOutput | undefined) => Boolean(data?.done && !following(data.docker));

/** What Rampart is doing in a Docker Swarm's rotation, in words. */
const DOCKER_PHASE: Record<DockerRotation["phase"], string> = {
  moving: "Moving every service to the new version…",
  "rolling-out": "Docker is replacing the services' tasks…",
  complete: "Rotation complete",
  stopped: "The rotation stopped",
  untracked: "Read from Docker: this server did not start this rotation, so it follows what Docker reports",
};

/**
 * On a Docker Swarm the rotation is a sequence of service updates: where it stands, where
 * and why it stopped (Docker's own words), and each service's update as Docker reports it.
 */
function DockerRollout({ docker }: { docker: DockerRotation }) {
  const env = useEnv();
  return (
    <div className="space-y-2 text-sm" data-testid="rotation-docker">
      {docker.phase === "stopped" && (
        <Alert title="The rotation stopped">{docker.why ?? "Docker gave no reason."}</Alert>
      )}
      {docker.phase === "untracked" && <p className="text-zinc-600 dark:text-zinc-400">{DOCKER_PHASE.untracked}.</p>}
      {docker.services.length > 0 && (
        <ul className="space-y-1">
          {docker.services.map((s) => (
            <li key={s.id} className="flex flex-wrap items-baseline gap-x-2" data-testid="rotation-docker-service">
              <Link href={envHref(env, `/services/${s.id}`)} className={linkClass}>
                {s.name}
              </Link>
              <span className="tabular-nums text-zinc-600 dark:text-zinc-400">
                {s.tasksOnNew} on the new version, {s.tasksOnOld} on the old
              </span>
              {s.updateState && <Badge tone={s.updateState === "completed" ? "good" : /paused|rollback/.test(s.updateState) ? "bad" : "neutral"}>{s.updateState}</Badge>}
              {s.updateMessage && <span className="text-xs text-zinc-500">{s.updateMessage}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Steps 3 and 4: the rollout, polled every 1.5 s in the background until it is done,
 * then the choice to remove the old version or keep it (on a Docker Swarm, Rampart
 * removes it itself once no service uses it).
 */
export function RotationProgress({ from, toId, onFinished }: { from: { id: string; name: string }; toId: string; onFinished: (removedOld: boolean) => void }) {
  const trpc = useTRPC();
  const env = useEnv();
  const queryClient = useQueryClient();
  const status = useQuery({
    ...trpc.secret.rotation.queryOptions({ env, from: from.id, to: toId }, backgroundPoll),
    refetchInterval: (query) => (settled(query.state.data) || describeError(query.state.error).code === "NOT_FOUND" ? false : 1_500),
  });
  const remove = useMutation(trpc.secret.remove.mutationOptions());
  const [confirming, setConfirming] = useState(false);

  const data = status.data;
  const progress = data ? rotationProgress(data) : 0;
  const percent = Math.round(progress * 100);
  const toName = data?.to.name ?? "the new version";
  const updated = data?.services.filter((s) => s.updated).length ?? 0;

  async function removeOld() {
    try {
      await remove.mutateAsync({ env, ref: from.id });
    } catch {
      return;
    }
    // Leave the old secret's page first, so its query does not poll a secret that is gone.
    onFinished(true);
    void queryClient.invalidateQueries({ queryKey: trpc.secret.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
  }

  return (
    <Card title={`Rotating ${from.name} → ${toName}`}>
      <Stepper current={data?.done ? 3 : 2} />
      {status.isPending ? (
        <p className="text-sm text-zinc-500">Reading the rollout…</p>
      ) : !data ? (
        <Alert>
          The rollout cannot be read ({describeError(status.error).message}).{" "}
          <button type="button" className="font-medium underline" onClick={() => status.refetch()}>
            Try again
          </button>
        </Alert>
      ) : (
        <div className="space-y-4" data-testid="rotation-progress">
          <div>
            <div className="mb-1 flex justify-between text-sm">
              <span className="font-medium" role="status" data-testid="rotation-state">
                {data.docker ? DOCKER_PHASE[data.docker.phase] : data.done ? "Rotation complete" : "Rolling out…"}
              </span>
              <span className="tabular-nums text-zinc-500">{percent}%</span>
            </div>
            <div
              role="progressbar"
              aria-label="Rotation progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              className="h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
            >
              <div className={`h-full transition-[width] duration-500 ${data.done ? "bg-emerald-600" : "bg-sky-600"}`} style={{ width: `${percent}%` }} />
            </div>
          </div>
          <dl className="grid gap-2 sm:grid-cols-3">
            <Stat label="Services moved" testId="rotation-services-updated">
              {updated} of {data.services.length}
            </Stat>
            <Stat label={`Tasks on ${from.name}`} testId="rotation-tasks-old">
              {data.tasksOnOld}
            </Stat>
            <Stat label={`Tasks on ${toName}`} testId="rotation-tasks-new">
              {data.tasksOnNew}
            </Stat>
          </dl>
          {data.docker && <DockerRollout docker={data.docker} />}
          {!data.docker && data.services.length > 0 && (
            <ul className="space-y-1 text-sm">
              {data.services.map((s) => (
                <li key={s.id} className="flex items-center gap-2">
                  <Badge tone={s.updated ? "good" : "warn"}>{s.updated ? "moved" : "moving"}</Badge>
                  <Link href={envHref(env, `/services/${s.id}`)} className={linkClass}>
                    {s.name}
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <div className="text-sm">
            <p className="font-medium">Nodes still holding {from.name}</p>
            {data.nodesWithOld.length === 0 ? (
              <p className="text-zinc-600 dark:text-zinc-400" data-testid="rotation-nodes-old">
                None: no node holds the old version.
              </p>
            ) : (
              <ul className="mt-1 flex flex-wrap gap-2" data-testid="rotation-nodes-old">
                {data.nodesWithOld.map((n) => (
                  <li key={n.nodeId}>
                    <Link href={envHref(env, `/nodes/${n.nodeId}`)} className={linkClass}>
                      {n.hostname ?? n.nodeId.slice(0, 12)}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </div>
          {status.isError && <Alert tone="warning">The latest refresh failed ({describeError(status.error).message}); showing the last known state.</Alert>}
          {data.done && data.docker?.oldRemoved && (
            <div className="space-y-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <Alert tone="success" title="Every service reads the new version">
                No task holds <code className="font-mono">{from.name}</code> any more, and Rampart removed it from the swarm.
              </Alert>
              <div className="flex justify-end">
                <Button onClick={() => onFinished(true)}>Done</Button>
              </div>
            </div>
          )}
          {data.done && !data.docker?.oldRemoved && following(data.docker) && (
            <p className="flex items-center gap-2 border-t border-zinc-200 pt-4 text-sm dark:border-zinc-800" role="status">
              <Spinner className="size-4" /> Every service reads the new version: Rampart is removing {from.name}.
            </p>
          )}
          {data.done && !data.docker?.oldRemoved && !following(data.docker) && (
            <div className="space-y-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <Alert tone="success" title="Every service reads the new version">
                No task holds <code className="font-mono">{from.name}</code> any more.{" "}
                {data.canRemoveOld
                  ? "Remove it now, or keep it (for a rollback, say) and remove it later from its page."
                  : "It cannot be removed yet: a service still references it."}
              </Alert>
              <div className="flex flex-wrap justify-end gap-2">
                <Button variant="secondary" onClick={() => onFinished(false)}>
                  Keep {from.name}
                </Button>
                <Button variant="danger" disabled={!data.canRemoveOld} onClick={() => setConfirming(true)}>
                  Remove old version
                </Button>
              </div>
            </div>
          )}
        </div>
      )}
      <ConfirmByName
        open={confirming}
        onClose={() => (setConfirming(false), remove.reset())}
        name={from.name}
        action={`Remove ${from.name}`}
        busy={remove.isPending}
        error={remove.isError && describeError(remove.error).message}
        onConfirm={removeOld}
      >
        The old version is deleted from the store. No service uses it; this cannot be undone.
      </ConfirmByName>
    </Card>
  );
}
