"use client";

import { LABEL_KEY_MAX_LENGTH, LABEL_VALUE_MAX_LENGTH } from "@rampart/core/node";
import type { FieldErrors } from "~/lib/forms";
import type { LabelRow } from "~/lib/secrets";
import { AddRowButton, LimitedInput, useAddRow } from "./form-parts";
import { Button } from "./ui";

const inputClass = "block w-full rounded-md border bg-white px-3 py-2 font-mono text-sm shadow-sm placeholder:font-sans placeholder:text-zinc-400 dark:bg-zinc-900";
const border = (bad: boolean) => (bad ? "border-red-600 dark:border-red-500" : "border-zinc-300 dark:border-zinc-700");

/** What a row's two fields are called; labels by default, e.g. `kind` and `count` for generic resources. */
export interface RowWords {
  /** Each field's accessible name is `${name} ${row} ${key}`. */
  key: string;
  value: string;
  /** Errors are read from `${errorPrefix}.<row>.key` and `.value`. */
  errorPrefix: string;
  empty: string;
  add: string;
  keyPlaceholder: string;
  valuePlaceholder: string;
  /** The key's limit; a label key's by default. */
  keyMaxLength?: number;
  valueMaxLength: number;
  valueInputMode?: "numeric";
}

const LABEL_WORDS: RowWords = {
  key: "key",
  value: "value",
  errorPrefix: "labels",
  empty: "No labels.",
  add: "+ Add label",
  keyPlaceholder: "key",
  valuePlaceholder: "value",
  valueMaxLength: LABEL_VALUE_MAX_LENGTH,
};

/** Key and value rows for labels, with core's messages under each field (`labels.<row>.key`). */
export function LabelRows({
  rows,
  onChange,
  errors,
  name = "Label",
  words = LABEL_WORDS,
}: {
  rows: LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  errors: FieldErrors;
  name?: string;
  words?: RowWords;
}) {
  const { focusLast, add } = useAddRow(rows, onChange, { key: "", value: "" });
  function set(index: number, row: LabelRow) {
    onChange(rows.map((r, i) => (i === index ? row : r)));
  }
  return (
    <div className="space-y-2">
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500">{words.empty}</p>
      ) : (
        <ul className="space-y-2">
          {rows.map((row, i) => {
            const keyError = errors[`${words.errorPrefix}.${i}.key`];
            const valueError = errors[`${words.errorPrefix}.${i}.value`];
            return (
              <li key={i} className="space-y-1" data-testid="label-row">
                <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] items-start gap-2">
                  <LimitedInput
                    aria-label={`${name} ${i + 1} ${words.key}`}
                    value={row.key}
                    onChange={(e) => set(i, { ...row, key: e.target.value })}
                    placeholder={words.keyPlaceholder}
                    autoFocus={focusLast && i === rows.length - 1}
                    maxLength={words.keyMaxLength ?? LABEL_KEY_MAX_LENGTH}
                    autoComplete="off"
                    spellCheck={false}
                    aria-invalid={keyError ? true : undefined}
                    className={`${inputClass} ${border(Boolean(keyError))}`}
                  />
                  <LimitedInput
                    aria-label={`${name} ${i + 1} ${words.value}`}
                    value={row.value}
                    onChange={(e) => set(i, { ...row, value: e.target.value })}
                    placeholder={words.valuePlaceholder}
                    maxLength={words.valueMaxLength}
                    inputMode={words.valueInputMode}
                    autoComplete="off"
                    spellCheck={false}
                    aria-invalid={valueError ? true : undefined}
                    className={`${inputClass} ${border(Boolean(valueError))}`}
                  />
                  <Button variant="ghost" className="px-2 py-1 text-xs" aria-label={`Remove ${name.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                    Remove
                  </Button>
                </div>
                {(keyError || valueError) && (
                  <p role="alert" className="text-sm text-red-700 dark:text-red-400">
                    {keyError ?? valueError}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <AddRowButton onClick={add}>{words.add}</AddRowButton>
    </div>
  );
}
