"use client";

import type { RuntimePolicy } from "@rampart/core/service";
import Link from "next/link";
import { useId } from "react";
import { bindRefusal, EMPTY_MOUNT_ROW, isEngineSocketPath, splitWords, type ContainerForm, type MountRow } from "~/lib/containers";
import { useEnv } from "~/lib/env";
import type { FieldErrors } from "~/lib/forms";
import { WeakenedFlag } from "./badges";
import { AddRowButton, badBorder, CheckField, FieldError, Fieldset, hintClass, inputClass, LimitedInput, okBorder, useAddRow } from "./form-parts";
import { LabelRows, type RowWords } from "./label-rows";
import { Button, Field, linkClass } from "./ui";

/**
 * The task's container (`docker service create`'s container flags): entrypoint and
 * command as shell words, environment, working directory, user, hostname, container
 * labels, stop signal and grace period, init, and mounts. Blank fields keep the image's
 * or the engine's own; a bind mount is a weakening and needs the runtime policy.
 */

/** Where the runtime policy is edited. */
export const RUNTIME_POLICY_HREF = "/settings/swarm#runtime-policy";

/** What a form says of the runtime policy on a Docker Swarm, where it has no say. */
export const NO_RUNTIME_POLICY = "Rampart's runtime policy applies to its own cluster only: on a Docker Swarm the engines run what the spec asks for.";

/** A command line typed as shell words, with the words it makes shown below it. */
function WordsField({ label, value, onChange, error, hint, placeholder }: { label: string; value: string; onChange: (value: string) => void; error: string | undefined; hint: string; placeholder: string }) {
  const parsed = splitWords(value);
  const words = "words" in parsed ? parsed.words : [];
  return (
    <div className="space-y-1">
      <Field label={label} value={value} onChange={(e) => onChange(e.target.value)} error={error} hint={hint} placeholder={placeholder} maxLength={4096} autoComplete="off" spellCheck={false} className="font-mono" />
      {words.length > 0 && !error && (
        <p className="flex flex-wrap items-center gap-1 text-xs text-zinc-500" aria-label={`${label} as arguments`}>
          <span>Runs as</span>
          {words.map((w, i) => (
            <code key={i} className="rounded bg-zinc-100 px-1 font-mono whitespace-pre-wrap text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
              {w === "" ? "''" : w}
            </code>
          ))}
        </p>
      )}
    </div>
  );
}

const ENV_WORDS: RowWords = {
  key: "name",
  value: "value",
  errorPrefix: "container.env",
  empty: "No environment variables: the image's own apply.",
  add: "+ Add variable",
  keyPlaceholder: "NAME",
  valuePlaceholder: "value",
  keyMaxLength: 256,
  valueMaxLength: 32_000,
};

const LABEL_WORDS: RowWords = {
  key: "key",
  value: "value",
  errorPrefix: "container.labels",
  empty: "No container labels.",
  add: "+ Add container label",
  keyPlaceholder: "com.example.team",
  valuePlaceholder: "value",
  keyMaxLength: 1024,
  valueMaxLength: 4096,
};

export function ContainerFields({ value, onChange, errors, grid }: { value: ContainerForm; onChange: (value: ContainerForm) => void; errors: FieldErrors; grid: string }) {
  const set = <K extends keyof ContainerForm>(key: K, v: ContainerForm[K]) => onChange({ ...value, [key]: v });
  return (
    <div className="space-y-6">
      <div className={grid}>
        <WordsField
          label="Entrypoint"
          value={value.command}
          onChange={(v) => set("command", v)}
          error={errors["container.command"]}
          hint="Replaces the image's ENTRYPOINT (--entrypoint). Shell words or a JSON array; blank keeps the image's."
          placeholder="the image's"
        />
        <WordsField
          label="Command"
          value={value.args}
          onChange={(v) => set("args", v)}
          error={errors["container.args"]}
          hint="Replaces the image's CMD: what follows the image on docker service create. Blank keeps the image's."
          placeholder="the image's"
        />
      </div>

      <Fieldset
        legend="Environment"
        hint="Values are stored in the service's spec and shown to anyone who can read it. Put passwords and keys in a secret (below) instead."
      >
        <LabelRows rows={value.env} onChange={(rows) => set("env", rows)} errors={errors} name="Environment variable" words={ENV_WORDS} />
        {errors["container.env"] && (
          <div role="alert">
            <FieldError>{errors["container.env"]}</FieldError>
          </div>
        )}
      </Fieldset>

      <div className={grid}>
        <Field
          label="Working directory"
          value={value.workdir}
          onChange={(e) => set("workdir", e.target.value)}
          error={errors["container.workdir"]}
          hint="An absolute path; blank keeps the image's."
          placeholder="the image's"
          maxLength={4096}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <Field
          label="User"
          value={value.user}
          onChange={(e) => set("user", e.target.value)}
          error={errors["container.user"]}
          hint="name, uid, name:group or uid:gid. A non-root user is safer; blank keeps the image's."
          placeholder="the image's"
          maxLength={65}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <Field
          label="Hostname"
          value={value.hostname}
          onChange={(e) => set("hostname", e.target.value)}
          error={errors["container.hostname"]}
          hint="Blank: the engine's (the container ID's start)."
          placeholder="the engine's"
          maxLength={253}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <Field
          label="Stop signal"
          value={value.stopSignal}
          onChange={(e) => set("stopSignal", e.target.value)}
          error={errors["container.stopSignal"]}
          hint="Sent to stop a task, e.g. SIGQUIT. Blank: the image's, else SIGTERM."
          placeholder="SIGTERM"
          maxLength={32}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <Field
          label="Stop grace period"
          value={value.stopGracePeriod}
          onChange={(e) => set("stopGracePeriod", e.target.value)}
          error={errors["container.stopGracePeriod"]}
          hint="How long a stopping task has before it is killed, e.g. 30s or 1m30s."
          placeholder="10s"
          maxLength={32}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <div className="sm:pt-7">
          <CheckField
            label="Run an init process"
            checked={value.init}
            onChange={(v) => set("init", v)}
            error={errors["container.init"]}
            hint="PID 1 is a small init (--init) that reaps zombies and forwards signals."
          />
        </div>
      </div>

      <Fieldset legend="Container labels" hint="Labels on each task's container (--container-label). com.rampart.* is reserved.">
        <LabelRows rows={value.labels} onChange={(rows) => set("labels", rows)} errors={errors} name="Container label" words={LABEL_WORDS} />
        {errors["container.labels"] && (
          <div role="alert">
            <FieldError>{errors["container.labels"]}</FieldError>
          </div>
        )}
      </Fieldset>
    </div>
  );
}

const TYPES: ReadonlyArray<{ value: MountRow["type"]; label: string }> = [
  { value: "tmpfs", label: "tmpfs" },
  { value: "volume", label: "volume" },
  { value: "bind", label: "bind (host)" },
];

const cell = `${inputClass} ${okBorder}`;

function MountRowFields({
  index,
  row,
  errors,
  policy,
  autoFocus,
  onChange,
  onRemove,
}: {
  index: number;
  row: MountRow;
  errors: FieldErrors;
  policy: RuntimePolicy | undefined;
  autoFocus: boolean;
  onChange: (row: MountRow) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const env = useEnv();
  const n = index + 1;
  const at = (leaf: string) => errors[`container.mounts.${index}.${leaf}`];
  const sourceError = at("source");
  const targetError = at("target");
  const messages = [sourceError, targetError, at("tmpfsSize"), at("tmpfsMode"), errors[`container.mounts.${index}`]].filter((m): m is string => m !== undefined);
  const errorId = messages.length > 0 ? `${id}-error` : undefined;
  const bind = row.type === "bind";
  const socket = bind && isEngineSocketPath(row.source);
  // The policy's answer as you type; the server decides on save, and its refusal lands on the source (said once, there).
  const refusal = bind ? bindRefusal(row.source, policy) : null;
  const input = (bad: boolean) => `${inputClass} font-mono ${bad ? badBorder : okBorder}`;
  return (
    <li className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800" data-testid="mount-row">
      <div className="grid gap-2 sm:grid-cols-[8.5rem_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-start">
        <select aria-label={`Mount ${n} type`} value={row.type} onChange={(e) => onChange({ ...row, type: e.target.value as MountRow["type"] })} className={cell} autoFocus={autoFocus}>
          {TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        {row.type === "tmpfs" ? (
          <p className={`${hintClass} self-center`}>In memory, gone when the task ends.</p>
        ) : (
          <LimitedInput
            aria-label={`Mount ${n} source`}
            value={row.source}
            onChange={(e) => onChange({ ...row, source: e.target.value })}
            placeholder={bind ? "/host/path" : "volume name (blank: anonymous)"}
            maxLength={4096}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={sourceError ? true : undefined}
            aria-describedby={errorId}
            className={input(Boolean(sourceError))}
          />
        )}
        <LimitedInput
          aria-label={`Mount ${n} target`}
          value={row.target}
          onChange={(e) => onChange({ ...row, target: e.target.value })}
          placeholder="/path/in/container"
          maxLength={4096}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={targetError ? true : undefined}
          aria-describedby={errorId}
          className={input(Boolean(targetError))}
        />
        <Button variant="ghost" className="px-2 py-1 text-xs" aria-label={`Remove mount ${n}`} onClick={onRemove}>
          Remove
        </Button>
      </div>
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={row.readOnly} onChange={(e) => onChange({ ...row, readOnly: e.target.checked })} className="size-4 accent-sky-700" />
          Read-only
        </label>
        {row.type === "tmpfs" && (
          <>
            <label className="flex items-center gap-2 text-sm whitespace-nowrap">
              Size (MiB)
              <input
                size={9}
                value={row.tmpfsSize}
                onChange={(e) => onChange({ ...row, tmpfsSize: e.target.value })}
                inputMode="decimal"
                placeholder="unlimited"
                maxLength={16}
                autoComplete="off"
                aria-invalid={at("tmpfsSize") ? true : undefined}
                aria-describedby={errorId}
                className={`${input(Boolean(at("tmpfsSize"))).replace("w-full", "w-28")}`}
              />
            </label>
            <label className="flex items-center gap-2 text-sm whitespace-nowrap">
              Mode
              <input
                size={4}
                value={row.tmpfsMode}
                onChange={(e) => onChange({ ...row, tmpfsMode: e.target.value })}
                inputMode="numeric"
                placeholder="1777"
                maxLength={4}
                autoComplete="off"
                aria-invalid={at("tmpfsMode") ? true : undefined}
                aria-describedby={errorId}
                className={`${input(Boolean(at("tmpfsMode"))).replace("w-full", "w-20")}`}
              />
            </label>
          </>
        )}
      </div>
      {errorId && (
        <div id={errorId} role="alert" data-testid="mount-error">
          {messages.map((m) => (
            <FieldError key={m}>{m}</FieldError>
          ))}
        </div>
      )}
      {bind && (
        <div className="space-y-1">
          <WeakenedFlag texts={[`host path mounted${row.source.trim() ? `: ${row.source.trim()}` : ""}${row.readOnly ? " (read-only)" : ""}`]} />
          {socket && (
            <p className="text-xs font-medium text-red-700 dark:text-red-400">
              This is the container engine&apos;s socket: whoever can reach it controls every container on the node, and so has root on it.
            </p>
          )}
          {env !== undefined ? (
            <p className={hintClass} data-testid="bind-policy">
              {NO_RUNTIME_POLICY}
            </p>
          ) : (
            <p className={hintClass} data-testid="bind-policy">
              {sourceError ? null : refusal ? (
                <span className="text-amber-800 dark:text-amber-300">Not allowed by the runtime policy now: saving will be refused. </span>
              ) : policy && row.source.trim() !== "" ? (
                "Allowed by the runtime policy. "
              ) : (
                "A bind mount needs the runtime policy to allow its host path. "
              )}
              <Link href={RUNTIME_POLICY_HREF} className={linkClass}>
                Runtime policy
              </Link>
            </p>
          )}
        </div>
      )}
    </li>
  );
}

export function MountRows({
  rows,
  onChange,
  errors,
  policy,
}: {
  rows: MountRow[];
  onChange: (rows: MountRow[]) => void;
  errors: FieldErrors;
  /** The runtime policy, to say as you type whether a bind mount's path is allowed; undefined while it loads. */
  policy: RuntimePolicy | undefined;
}) {
  const { focusLast, add } = useAddRow(rows, onChange, EMPTY_MOUNT_ROW);
  return (
    <Fieldset
      legend="Mounts"
      hint="tmpfs for scratch space (pairs well with a read-only root file system), a named volume for data that outlives a task, or a host path (bind), which the runtime policy must allow."
    >
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500">No mounts.</p>
      ) : (
        <ul className="space-y-2">
          {rows.map((row, i) => (
            <MountRowFields
              key={i}
              index={i}
              row={row}
              errors={errors}
              policy={policy}
              autoFocus={focusLast && i === rows.length - 1}
              onChange={(next) => onChange(rows.map((r, j) => (j === i ? next : r)))}
              onRemove={() => onChange(rows.filter((_, j) => j !== i))}
            />
          ))}
        </ul>
      )}
      {errors["container.mounts"] && (
        <div role="alert">
          <FieldError>{errors["container.mounts"]}</FieldError>
        </div>
      )}
      <AddRowButton onClick={add}>+ Add mount</AddRowButton>
    </Fieldset>
  );
}
