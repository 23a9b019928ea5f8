"use client";

import { constraintWarnings } from "@rampart/core";
import { MAX_REPLICAS, SERVICE_IMAGE_MAX_LENGTH, SERVICE_NAME_MAX_LENGTH } from "@rampart/core/service";
import { useId, useState } from "react";
import { shown, type FieldErrors } from "~/lib/forms";
import { spreadOptions, type KeyOption } from "~/lib/planner";
import { constraintError, preferenceWarning, type MemoryUnit, type ServiceForm, type ServiceMode } from "~/lib/services";
import { badBorder, FieldError, Fieldset, hintClass, inputClass, labelClass, okBorder } from "./form-parts";
import { GenericResourceRows, PortRows, RestartPolicyFields } from "./service-runtime-fields";
import { Button, Field } from "./ui";

/**
 * The service spec editor: name, image, mode, replicas, constraints with Swarm's
 * messages as you type and a picker of the cluster's real labels, spread preferences,
 * max replicas per node, reservations and limits (CPU, memory, generic resources),
 * published ports and the restart policy. The container and its hardening are the
 * service form's own sections (service-container.tsx, service-security.tsx). The create and edit pages and the planner
 * all use it, so a spec reads and checks the same everywhere.
 */

/** One constraint row: its expression, Swarm's message for it as you type, and Remove. */
function ConstraintRow({
  index,
  value,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  onRemove: () => void;
}) {
  const id = useId();
  // Live: Swarm's parser runs on every keystroke; a server error for the row shows until it is edited.
  const live = value.trim() === "" ? null : constraintError(value);
  const message = live ?? error;
  // A constraint on what nodes say about themselves is allowed, as in Swarm, and said so.
  const warning = message || value.trim() === "" ? undefined : constraintWarnings([value])[0];
  return (
    <li className="space-y-1">
      <div className="flex items-center gap-2">
        <label htmlFor={id} className="sr-only">
          {`Constraint ${index + 1}`}
        </label>
        <input
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder="node.labels.zone == eu-1"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `${id}-error` : warning ? `${id}-warning` : undefined}
          data-testid={`constraint-${index}`}
          className={`${inputClass} font-mono ${message ? badBorder : okBorder}`}
        />
        <Button variant="ghost" className="shrink-0 px-2 py-1 text-xs" onClick={onRemove} aria-label={`Remove constraint ${index + 1}`}>
          Remove
        </Button>
      </div>
      <div aria-live="polite">
        {message && <FieldError id={`${id}-error`}>{message}</FieldError>}
        {warning && (
          <p id={`${id}-warning`} data-testid={`constraint-warning-${index}`} className="text-xs text-amber-700 dark:text-amber-400">
            {warning}
          </p>
        )}
      </div>
    </li>
  );
}

/**
 * Builds `key op value` from the cluster's own keys and values: built-in keys, every
 * node label and engine label, with the values nodes have. Free text is allowed too.
 */
function ConstraintPicker({ options, onAdd }: { options: readonly KeyOption[] | undefined; onAdd: (expression: string) => void }) {
  const id = useId();
  const [key, setKey] = useState("");
  const [op, setOp] = useState<"==" | "!=">("==");
  const [value, setValue] = useState("");
  const chosen = options?.find((o) => o.key === key);
  const canAdd = key.trim() !== "" && value.trim() !== "";
  function add() {
    if (!canAdd) return;
    onAdd(`${key.trim()} ${op} ${value.trim()}`);
    setValue("");
  }
  return (
    <div role="group" aria-label="Constraint picker" className="@container space-y-2 rounded-md border border-dashed border-zinc-300 p-3 dark:border-zinc-700">
      <p className={hintClass}>Pick a key and value this cluster has, or type your own.</p>
      <p className={hintClass} data-testid="label-kinds">
        Node labels (<code className="font-mono">node.labels.*</code>) are set by an administrator; engine labels (
        <code className="font-mono">engine.labels.*</code>) are what each node reports about itself, so any node can claim one.
      </p>
      <div className="grid grid-cols-[5rem_minmax(0,1fr)] items-end gap-2 @xl:grid-cols-[minmax(0,1.4fr)_5rem_minmax(0,1fr)_auto]">
        <div className="col-span-2 space-y-1 @xl:col-span-1">
          <label htmlFor={`${id}-key`} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            Constraint key
          </label>
          <input
            id={`${id}-key`}
            list={`${id}-keys`}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="node.labels.zone"
            spellCheck={false}
            autoComplete="off"
            className={`${inputClass} ${okBorder} font-mono`}
          />
          <datalist id={`${id}-keys`}>
            {options?.map((o) => (
              <option key={o.key} value={o.key}>
                {o.key.startsWith("node.labels.")
                  ? `${o.nodes} node${o.nodes === 1 ? "" : "s"}`
                  : o.key.startsWith("engine.labels.")
                    ? `${o.nodes} node${o.nodes === 1 ? "" : "s"}, self-reported`
                    : "built-in"}
              </option>
            ))}
          </datalist>
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-op`} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            Operator
          </label>
          <select id={`${id}-op`} value={op} onChange={(e) => setOp(e.target.value as "==" | "!=")} className={`${inputClass} ${okBorder} font-mono`}>
            <option value="==">==</option>
            <option value="!=">!=</option>
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-value`} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            Constraint value
          </label>
          <input
            id={`${id}-value`}
            list={`${id}-values`}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                add();
              }
            }}
            spellCheck={false}
            autoComplete="off"
            className={`${inputClass} ${okBorder} font-mono`}
          />
          <datalist id={`${id}-values`}>
            {chosen?.values.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        </div>
        <Button variant="secondary" onClick={add} disabled={!canAdd} className="col-span-2 @xl:col-span-1">
          Add constraint
        </Button>
      </div>
      {chosen && (
        <p className={hintClass}>
          {chosen.values.length === 0
            ? "No node has a value for this key."
            : `Values in this cluster: ${chosen.values.slice(0, 8).join(", ")}${chosen.values.length > 8 ? `, and ${chosen.values.length - 8} more` : ""}`}
        </p>
      )}
    </div>
  );
}

function PreferenceRow({
  index,
  value,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const descriptor = value.trim().replace(/^spread=/i, "");
  const warning = !error && descriptor !== "" ? preferenceWarning(descriptor) : null;
  return (
    <li className="space-y-1">
      <div className="flex items-center gap-2">
        <span aria-hidden="true" className="font-mono text-xs text-zinc-500">
          spread=
        </span>
        <label htmlFor={id} className="sr-only">
          {`Spread preference ${index + 1}`}
        </label>
        <input
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder="node.labels.zone"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error || warning ? `${id}-note` : undefined}
          className={`${inputClass} font-mono ${error ? badBorder : okBorder}`}
        />
        <Button variant="ghost" className="shrink-0 px-2 py-1 text-xs" onClick={onRemove} aria-label={`Remove spread preference ${index + 1}`}>
          Remove
        </Button>
      </div>
      {error ? (
        <FieldError id={`${id}-note`}>{error}</FieldError>
      ) : (
        warning && (
          <p id={`${id}-note`} className="text-xs text-amber-700 dark:text-amber-400">
            {warning}
          </p>
        )
      )}
    </li>
  );
}

function SpreadPicker({ options, taken, onAdd }: { options: readonly KeyOption[] | undefined; taken: readonly string[]; onAdd: (descriptor: string) => void }) {
  const id = useId();
  const [choice, setChoice] = useState("");
  const available = spreadOptions(options ?? []).filter((o) => !taken.includes(o.key));
  return (
    <div className="flex items-end gap-2">
      <div className="min-w-0 flex-1 space-y-1">
        <label htmlFor={id} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
          Spread over label
        </label>
        <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)} className={`${inputClass} ${okBorder} font-mono`}>
          <option value="">{available.length === 0 ? "No labels in this cluster" : "Choose a label…"}</option>
          {available.map((o) => (
            <option key={o.key} value={o.key}>
              {`${o.key} (${o.values.length} value${o.values.length === 1 ? "" : "s"}, ${o.nodes} node${o.nodes === 1 ? "" : "s"})`}
            </option>
          ))}
        </select>
      </div>
      <Button
        variant="secondary"
        disabled={choice === ""}
        onClick={() => {
          onAdd(choice);
          setChoice("");
        }}
      >
        Add preference
      </Button>
    </div>
  );
}

/** A memory size and its unit (MiB or GiB), as `--reserve-memory` and `--limit-memory` take it. */
function MemoryField({
  label,
  value,
  unit,
  onValue,
  onUnit,
  error,
  hint,
}: {
  label: string;
  value: string;
  unit: MemoryUnit;
  onValue: (value: string) => void;
  onUnit: (unit: MemoryUnit) => void;
  error: string | undefined;
  hint: string;
}) {
  const id = useId();
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          size={8}
          inputMode="decimal"
          value={value}
          onChange={(e) => onValue(e.target.value)}
          placeholder={label.startsWith("Limit") ? "no limit" : "none"}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-note`}
          className={`min-w-0 flex-1 rounded-md border bg-white px-3 py-2 text-sm shadow-sm placeholder:text-zinc-400 dark:bg-zinc-900 ${error ? badBorder : okBorder}`}
        />
        <select
          aria-label={`${label} unit`}
          value={unit}
          onChange={(e) => onUnit(e.target.value as MemoryUnit)}
          className={`w-24 flex-none rounded-md border bg-white px-2 py-2 text-sm shadow-sm dark:bg-zinc-900 ${okBorder}`}
        >
          <option value="MiB">MiB</option>
          <option value="GiB">GiB</option>
        </select>
      </div>
      {error ? (
        <FieldError id={`${id}-note`}>{error}</FieldError>
      ) : (
        <p id={`${id}-note`} className={hintClass}>
          {hint}
        </p>
      )}
    </div>
  );
}

const MODE_OPTIONS: ReadonlyArray<{ value: ServiceMode; label: string; hint: string }> = [
  { value: "replicated", label: "Replicated", hint: "a number of tasks, placed by the scheduler" },
  { value: "global", label: "Global", hint: "one task on every node that passes the constraints" },
];

export function ServiceSpecFields({
  form,
  onChange,
  errors: given,
  keyOptions,
  editing = false,
  compact = false,
}: {
  form: ServiceForm;
  onChange: (form: ServiceForm) => void;
  /** Client and server errors, keyed by field (`constraints.2` for a row). */
  errors: FieldErrors;
  /** The picker's options; undefined while the cluster loads. */
  keyOptions: readonly KeyOption[] | undefined;
  /** An existing service: its mode cannot change. */
  editing?: boolean;
  /** One column, for the planner's side panel. */
  compact?: boolean;
}) {
  const modeId = useId();
  // Swarm's words, from core's checks or the server, shown with their plain meaning beside them.
  const errors: FieldErrors = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v === undefined ? v : shown(v)]));
  const set = <K extends keyof ServiceForm>(key: K, value: ServiceForm[K]) => onChange({ ...form, [key]: value });
  const replicated = form.mode === "replicated";

  function setRow(key: "constraints" | "preferences", index: number, value: string) {
    const rows = [...form[key]];
    rows[index] = value;
    set(key, rows);
  }
  function removeRow(key: "constraints" | "preferences", index: number) {
    set(
      key,
      form[key].filter((_, i) => i !== index),
    );
  }
  function appendRow(key: "constraints" | "preferences", value: string) {
    const rows = form[key].at(-1)?.trim() === "" ? form[key].slice(0, -1) : form[key];
    set(key, [...rows, value]);
  }

  const grid = compact ? "grid gap-4 @lg:grid-cols-2" : "grid gap-4 sm:grid-cols-2";
  return (
    <div className="@container space-y-6">
      {errors.form && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          {errors.form}
        </p>
      )}
      <div className={grid}>
        <Field label="Name" value={form.name} onChange={(e) => set("name", e.target.value)} error={errors.name} maxLength={SERVICE_NAME_MAX_LENGTH} autoComplete="off" spellCheck={false} placeholder="web-fe" />
        <Field label="Image" value={form.image} onChange={(e) => set("image", e.target.value)} error={errors.image} maxLength={SERVICE_IMAGE_MAX_LENGTH} autoComplete="off" spellCheck={false} placeholder="nginx:1.27" />
      </div>

      <div className={grid}>
        <div className="space-y-1">
          <label htmlFor={modeId} className={labelClass}>
            Mode
          </label>
          <select
            id={modeId}
            value={form.mode}
            disabled={editing}
            onChange={(e) => set("mode", e.target.value as ServiceMode)}
            aria-describedby={`${modeId}-hint`}
            className={`${inputClass} ${errors.mode ? badBorder : okBorder} disabled:opacity-60`}
          >
            {MODE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {errors.mode ? (
            <FieldError id={`${modeId}-hint`}>{errors.mode}</FieldError>
          ) : (
            <p id={`${modeId}-hint`} className={hintClass}>
              {editing ? "A service's mode cannot change after it is created." : MODE_OPTIONS.find((o) => o.value === form.mode)?.hint}
            </p>
          )}
        </div>
        {replicated && (
          <Field label="Replicas" type="number" inputMode="numeric" min={0} max={MAX_REPLICAS} value={form.replicas} onChange={(e) => set("replicas", e.target.value)} error={errors.replicas} />
        )}
      </div>

      <Fieldset
        legend="Placement constraints"
        hint={
          <>
            A task runs only on nodes that match every constraint, e.g. <code className="font-mono">node.labels.pcidss == yes</code>.
          </>
        }
      >
        {form.constraints.length === 0 ? (
          <p className="text-sm text-zinc-500">No constraints: any node may run the tasks.</p>
        ) : (
          <ul className="space-y-2">
            {form.constraints.map((row, i) => (
              <ConstraintRow
                key={i}
                index={i}
                value={row}
                error={errors[`constraints.${i}`]}
                onChange={(v) => setRow("constraints", i, v)}
                onRemove={() => removeRow("constraints", i)}
              />
            ))}
          </ul>
        )}
        {errors.constraints && <FieldError id={`${modeId}-constraints`}>{errors.constraints}</FieldError>}
        <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => set("constraints", [...form.constraints, ""])}>
          + Type a constraint
        </Button>
        <ConstraintPicker options={keyOptions} onAdd={(expression) => appendRow("constraints", expression)} />
      </Fieldset>

      <Fieldset legend="Placement preferences" hint="Spread tasks evenly over the values of a label, outermost first.">
        {form.preferences.length > 0 && (
          <ul className="space-y-2">
            {form.preferences.map((row, i) => (
              <PreferenceRow
                key={i}
                index={i}
                value={row}
                error={errors[`preferences.${i}`]}
                onChange={(v) => setRow("preferences", i, v)}
                onRemove={() => removeRow("preferences", i)}
              />
            ))}
          </ul>
        )}
        {errors.preferences && <FieldError id={`${modeId}-preferences`}>{errors.preferences}</FieldError>}
        <SpreadPicker options={keyOptions} taken={form.preferences.map((p) => p.trim().replace(/^spread=/i, ""))} onAdd={(d) => appendRow("preferences", d)} />
      </Fieldset>

      {replicated && (
        <div className={grid}>
          <Field
            label="Max replicas per node"
            type="number"
            inputMode="numeric"
            min={0}
            value={form.maxReplicasPerNode}
            onChange={(e) => set("maxReplicasPerNode", e.target.value)}
            error={errors.maxReplicasPerNode}
            hint="Blank or 0 for no limit."
            placeholder="no limit"
          />
        </div>
      )}

      <Fieldset legend="Resources" hint="Reservations decide which nodes have room for a task; limits cap what a running task may use.">
        <div className={grid}>
          <Field
            label="Reserve CPUs"
            inputMode="decimal"
            value={form.reserveCpu}
            onChange={(e) => set("reserveCpu", e.target.value)}
            error={errors.reserveCpu}
            hint="Decimal CPUs, e.g. 0.5. A node must have this much free."
            placeholder="none"
            autoComplete="off"
          />
          <MemoryField
            label="Reserve memory"
            value={form.reserveMemory}
            unit={form.memoryUnit}
            onValue={(v) => set("reserveMemory", v)}
            onUnit={(u) => set("memoryUnit", u)}
            error={errors.reserveMemory}
            hint="At least 4 MiB when set."
          />
          <Field
            label="Limit CPUs"
            inputMode="decimal"
            value={form.limitCpu}
            onChange={(e) => set("limitCpu", e.target.value)}
            error={errors.limitCpu}
            hint="Decimal CPUs a task may use at most (--limit-cpu); it is throttled beyond."
            placeholder="no limit"
            autoComplete="off"
          />
          <MemoryField
            label="Limit memory"
            value={form.limitMemory}
            unit={form.limitMemoryUnit}
            onValue={(v) => set("limitMemory", v)}
            onUnit={(u) => set("limitMemoryUnit", u)}
            error={errors.limitMemory}
            hint="The most a task may use (--limit-memory); past it the task is killed. At least 4 MiB."
          />
        </div>
      </Fieldset>

      <GenericResourceRows rows={form.generic} onChange={(rows) => set("generic", rows)} errors={errors} />
      <PortRows rows={form.ports} onChange={(rows) => set("ports", rows)} errors={errors} />
      <RestartPolicyFields value={form.restart} onChange={(restart) => set("restart", restart)} errors={errors} grid={grid} />
    </div>
  );
}
