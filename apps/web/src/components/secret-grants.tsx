"use client";

import { mountPath, secretTargetEscape } from "@rampart/core/secret";
import Link from "next/link";
import { envHref, useEnv } from "~/lib/env";
import { useId } from "react";
import type { FieldErrors } from "~/lib/forms";
import { EMPTY_GRANT, formatBytes, modeString, parseMode, type GrantRow, type SecretView } from "~/lib/secrets";
import { Button, linkClass } from "./ui";

const inputClass = "block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm placeholder:text-zinc-400 dark:bg-zinc-900";
const border = (bad: boolean) => (bad ? "border-red-600 dark:border-red-500" : "border-zinc-300 dark:border-zinc-700");
const smallLabel = "block text-xs font-medium text-zinc-700 dark:text-zinc-300";

function GrantRowFields({
  index,
  row,
  errors,
  listId,
  onChange,
  onRemove,
}: {
  index: number;
  row: GrantRow;
  errors: FieldErrors;
  listId: string;
  onChange: (row: GrantRow) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const target = row.target.trim() || row.secretName.trim();
  // A target that would leave /run/secrets is refused as it is typed, not only on submit.
  const escape = row.target.trim() === "" ? null : secretTargetEscape(row.target.trim());
  const e = (field: string) => errors[`secrets.${index}.${field}`] ?? (field === "target" ? (escape ?? undefined) : undefined);
  const messages = [...new Set(["secretName", "target", "uid", "gid", "mode"].map(e).filter(Boolean))];
  const mode = parseMode(row.mode);
  return (
    <li className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800" data-testid={`secret-grant-${index}`}>
      <div className="grid grid-cols-2 gap-2 @2xl:grid-cols-[minmax(0,1.4fr)_minmax(0,1.4fr)_5rem_5rem_6rem_auto] @2xl:items-end">
        <div className="col-span-2 space-y-1 @2xl:col-span-1">
          <label htmlFor={`${id}-secret`} className={smallLabel}>
            {`Secret ${index + 1}`}
          </label>
          <input
            id={`${id}-secret`}
            list={listId}
            value={row.secretName}
            onChange={(ev) => onChange({ ...row, secretName: ev.target.value })}
            placeholder="Search secrets…"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={e("secretName") ? true : undefined}
            className={`${inputClass} font-mono ${border(Boolean(e("secretName")))}`}
          />
        </div>
        <div className="col-span-2 space-y-1 @2xl:col-span-1">
          <label htmlFor={`${id}-target`} className={smallLabel}>
            {`Target ${index + 1}`}
          </label>
          <input
            id={`${id}-target`}
            value={row.target}
            onChange={(ev) => onChange({ ...row, target: ev.target.value })}
            placeholder={row.secretName.trim() || "the secret's name"}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={e("target") ? true : undefined}
            className={`${inputClass} font-mono ${border(Boolean(e("target")))}`}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-uid`} className={smallLabel}>
            {`UID ${index + 1}`}
          </label>
          <input
            id={`${id}-uid`}
            value={row.uid}
            onChange={(ev) => onChange({ ...row, uid: ev.target.value })}
            inputMode="numeric"
            autoComplete="off"
            aria-invalid={e("uid") ? true : undefined}
            className={`${inputClass} tabular-nums ${border(Boolean(e("uid")))}`}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-gid`} className={smallLabel}>
            {`GID ${index + 1}`}
          </label>
          <input
            id={`${id}-gid`}
            value={row.gid}
            onChange={(ev) => onChange({ ...row, gid: ev.target.value })}
            inputMode="numeric"
            autoComplete="off"
            aria-invalid={e("gid") ? true : undefined}
            className={`${inputClass} tabular-nums ${border(Boolean(e("gid")))}`}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-mode`} className={smallLabel}>
            {`Mode ${index + 1}`}
          </label>
          <input
            id={`${id}-mode`}
            value={row.mode}
            onChange={(ev) => onChange({ ...row, mode: ev.target.value })}
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={e("mode") ? true : undefined}
            className={`${inputClass} font-mono ${border(Boolean(e("mode")))}`}
          />
        </div>
        <Button variant="ghost" className="px-2 py-1 text-xs" onClick={onRemove} aria-label={`Remove secret ${index + 1}`}>
          Remove
        </Button>
      </div>
      {messages.length > 0 ? (
        <div role="alert" className="space-y-0.5 text-sm text-red-700 dark:text-red-400">
          {messages.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : (
        target && (
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            The tasks read <code className="font-mono">{mountPath(target)}</code>
            {"mode" in mode && (
              <>
                , owned by {row.uid.trim() || "0"}:{row.gid.trim() || "0"}, <span className="font-mono">{modeString(mode.mode)}</span>
              </>
            )}
            .
          </p>
        )
      )}
    </li>
  );
}

/**
 * The service form's Secrets section: which secrets the tasks may read, and as what
 * file. Defaults are the docker CLI's: the target is the secret's name, owner 0:0,
 * mode 0444. The secret is picked from the cluster's secrets by name (a searchable
 * list); the form sends its ID and name, as Swarm's API requires.
 */
export function SecretGrantsFields({
  rows,
  onChange,
  errors,
  secrets,
  loadError,
}: {
  rows: GrantRow[];
  onChange: (rows: GrantRow[]) => void;
  /** Keyed `secrets.<row>.<field>`, or `secrets` for the section. */
  errors: FieldErrors;
  secrets: readonly SecretView[] | undefined;
  loadError: string | null;
}) {
  const listId = useId();
  const newSecret = envHref(useEnv(), "/secrets/new");
  return (
    <fieldset className="@container space-y-2">
      <legend className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">Secrets</legend>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Files the tasks may read under <code className="font-mono">/run/secrets/</code>. Only nodes running a task of this service receive them.{" "}
        <Link href={newSecret} className={linkClass} target="_blank">
          Create a secret
        </Link>
      </p>
      <datalist id={listId}>
        {secrets?.map((s) => (
          <option key={s.id} value={s.name}>
            {[s.size === null ? null : formatBytes(s.size), s.services.length > 0 ? `used by ${s.services.length}` : null].filter(Boolean).join(", ")}
          </option>
        ))}
      </datalist>
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500">No secrets: the tasks get none.</p>
      ) : (
        <ul className="space-y-2">
          {rows.map((row, i) => (
            <GrantRowFields
              key={i}
              index={i}
              row={row}
              errors={errors}
              listId={listId}
              onChange={(next) => onChange(rows.map((r, j) => (j === i ? next : r)))}
              onRemove={() => onChange(rows.filter((_, j) => j !== i))}
            />
          ))}
        </ul>
      )}
      {errors.secrets && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errors.secrets}
        </p>
      )}
      {loadError && <p className="text-xs text-amber-700 dark:text-amber-400">The secrets could not be listed ({loadError}); the service&apos;s current grants can be kept, and new ones added once the list loads.</p>}
      {secrets && secrets.length === 0 && (
        <p className="text-xs text-zinc-500">
          This cluster has no secrets yet.{" "}
          <Link href={newSecret} className={linkClass}>
            Create one
          </Link>{" "}
          first.
        </p>
      )}
      <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => onChange([...rows, { ...EMPTY_GRANT }])}>
        + Add secret
      </Button>
    </fieldset>
  );
}
