"use client";

import { useId } from "react";
import type { FieldErrors } from "~/lib/forms";
import { EMPTY_PORT_ROW, type GenericRow, type PortProtocol, type PortRow, type PublishMode, type RestartCondition, type RestartForm } from "~/lib/services";
import { AddRowButton, badBorder, FieldError, Fieldset, hintClass, inputClass, okBorder, useAddRow } from "./form-parts";
import { LabelRows, type RowWords } from "./label-rows";
import { Button, Field, Select } from "./ui";

/**
 * The parts of a spec that decide what happens to a task after it starts, and what it
 * holds on its node: the restart policy (`--restart-*`), published ports (`--publish`)
 * and generic resources (`--generic-resource`). Blank fields take Swarm's defaults.
 */

const CONDITIONS: ReadonlyArray<{ value: RestartCondition; label: string; hint: string }> = [
  { value: "any", label: "any (default)", hint: "A task is replaced whenever it ends, however it ended." },
  { value: "on-failure", label: "on-failure", hint: "A task is replaced only when it fails (a non-zero exit, or its node is lost)." },
  { value: "none", label: "none", hint: "A task that ends is not replaced; its slot stays empty." },
];

/** A Go duration (`10s`, `1m30s`), typed as text; blank takes the default in the placeholder. */
function DurationField({ onChange, ...props }: { label: string; value: string; onChange: (value: string) => void; error: string | undefined; hint: string; placeholder: string }) {
  return <Field {...props} onChange={(e) => onChange(e.target.value)} maxLength={32} autoComplete="off" spellCheck={false} className="font-mono" />;
}

export function RestartPolicyFields({ value, onChange, errors, grid }: { value: RestartForm; onChange: (value: RestartForm) => void; errors: FieldErrors; grid: string }) {
  const set = <K extends keyof RestartForm>(key: K, v: RestartForm[K]) => onChange({ ...value, [key]: v });
  return (
    <Fieldset legend="Restart policy" hint="When a task that ended is replaced. Blank fields take Swarm's defaults, shown greyed.">
      <div className={grid}>
        <div className="space-y-1">
          <Select
            label="Restart condition"
            value={value.condition}
            onChange={(e) => set("condition", e.target.value as RestartCondition)}
            options={CONDITIONS.map(({ value: v, label }) => ({ value: v, label }))}
          />
          {errors.restartCondition ? <FieldError>{errors.restartCondition}</FieldError> : <p className={hintClass}>{CONDITIONS.find((c) => c.value === value.condition)?.hint}</p>}
        </div>
        <DurationField label="Restart delay" value={value.delay} onChange={(v) => set("delay", v)} error={errors.restartDelay} hint="How long a replacement waits before it starts, e.g. 10s or 1m30s." placeholder="5s" />
        <Field
          label="Restart max attempts"
          inputMode="numeric"
          value={value.maxAttempts}
          onChange={(e) => set("maxAttempts", e.target.value)}
          error={errors.restartMaxAttempts}
          hint="Replacements allowed per slot within the window; 0 for unlimited."
          placeholder="0 (unlimited)"
          maxLength={16}
          autoComplete="off"
        />
        <DurationField label="Restart window" value={value.window} onChange={(v) => set("window", v)} error={errors.restartWindow} hint="The time the attempts are counted over, e.g. 1m; 0s counts them all." placeholder="0s (forever)" />
      </div>
    </Fieldset>
  );
}

const PROTOCOLS: readonly PortProtocol[] = ["tcp", "udp", "sctp"];
const MODES: ReadonlyArray<{ value: PublishMode; label: string }> = [
  { value: "ingress", label: "ingress (routing mesh)" },
  { value: "host", label: "host (the task's node)" },
];

const cell = `${inputClass} ${okBorder}`;

function PortInput({
  label,
  value,
  onChange,
  placeholder,
  invalid,
  describedBy,
  autoFocus = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  invalid: boolean;
  describedBy: string | undefined;
  autoFocus?: boolean;
}) {
  return (
    <input
      aria-label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      inputMode="numeric"
      placeholder={placeholder}
      maxLength={5}
      autoComplete="off"
      autoFocus={autoFocus}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      className={`${inputClass} font-mono ${invalid ? badBorder : okBorder}`}
    />
  );
}

function PortRowFields({
  index,
  row,
  errors,
  autoFocus,
  onChange,
  onRemove,
}: {
  index: number;
  row: PortRow;
  errors: FieldErrors;
  autoFocus: boolean;
  onChange: (row: PortRow) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const n = index + 1;
  const publishedError = errors[`ports.${index}.published`];
  const targetError = errors[`ports.${index}.target`];
  const rowError = errors[`ports.${index}`];
  const messages = [publishedError, targetError, rowError].filter((m): m is string => m !== undefined);
  const describedBy = messages.length > 0 ? `${id}-error` : undefined;
  return (
    <li className="space-y-1" data-testid="port-row">
      <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)_5.5rem_minmax(0,1.4fr)_auto] items-center gap-2">
        <PortInput
          label={`Published port ${n}`}
          value={row.published}
          onChange={(published) => onChange({ ...row, published })}
          placeholder="none"
          invalid={Boolean(publishedError || rowError)}
          describedBy={describedBy}
          autoFocus={autoFocus}
        />
        <PortInput label={`Target port ${n}`} value={row.target} onChange={(target) => onChange({ ...row, target })} placeholder="80" invalid={Boolean(targetError)} describedBy={describedBy} />
        <select aria-label={`Protocol ${n}`} value={row.protocol} onChange={(e) => onChange({ ...row, protocol: e.target.value as PortProtocol })} className={cell}>
          {PROTOCOLS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <select aria-label={`Publish mode ${n}`} value={row.mode} onChange={(e) => onChange({ ...row, mode: e.target.value as PublishMode })} className={cell}>
          {MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
        <Button variant="ghost" className="px-2 py-1 text-xs" aria-label={`Remove port ${n}`} onClick={onRemove}>
          Remove
        </Button>
      </div>
      {describedBy && (
        <div id={describedBy} role="alert">
          {messages.map((m) => (
            <FieldError key={m}>{m}</FieldError>
          ))}
        </div>
      )}
    </li>
  );
}

export function PortRows({ rows, onChange, errors }: { rows: PortRow[]; onChange: (rows: PortRow[]) => void; errors: FieldErrors }) {
  const { focusLast, add } = useAddRow(rows, onChange, EMPTY_PORT_ROW);
  return (
    <Fieldset
      legend="Published ports"
      hint="Ingress ports are reachable on every node through the routing mesh; host ports only on the node a task runs on, and no two tasks on one node can hold the same one."
    >
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500">No published ports.</p>
      ) : (
        <>
          <div aria-hidden="true" className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)_5.5rem_minmax(0,1.4fr)_auto] gap-2 text-xs font-medium text-zinc-600 dark:text-zinc-400">
            <span>Published</span>
            <span>Target</span>
            <span>Protocol</span>
            <span>Mode</span>
            <span className="w-16" />
          </div>
          <ul className="space-y-2">
            {rows.map((row, i) => (
              <PortRowFields
                key={i}
                index={i}
                row={row}
                errors={errors}
                autoFocus={focusLast && i === rows.length - 1}
                onChange={(next) => onChange(rows.map((r, j) => (j === i ? next : r)))}
                onRemove={() => onChange(rows.filter((_, j) => j !== i))}
              />
            ))}
          </ul>
        </>
      )}
      {errors.ports && (
        <div role="alert">
          <FieldError>{errors.ports}</FieldError>
        </div>
      )}
      <AddRowButton onClick={add}>+ Add port</AddRowButton>
    </Fieldset>
  );
}

const GENERIC_WORDS: RowWords = {
  key: "kind",
  value: "count",
  errorPrefix: "generic",
  empty: "No generic resources.",
  add: "+ Add generic resource",
  keyPlaceholder: "gpu",
  valuePlaceholder: "1",
  valueMaxLength: 16,
  valueInputMode: "numeric",
};

export function GenericResourceRows({ rows, onChange, errors }: { rows: GenericRow[]; onChange: (rows: GenericRow[]) => void; errors: FieldErrors }) {
  return (
    <Fieldset legend="Generic resources" hint="Discrete resources each task reserves, e.g. gpu = 1. Only nodes that advertise enough of the kind can run the tasks.">
      <LabelRows rows={rows} onChange={onChange} errors={errors} name="Generic resource" words={GENERIC_WORDS} />
      {errors.generic && (
        <div role="alert">
          <FieldError>{errors.generic}</FieldError>
        </div>
      )}
    </Fieldset>
  );
}
