"use client";

import { useId, useState, type InputHTMLAttributes, type ReactNode, type Ref } from "react";
import { Button, CharCount, useCharLimit } from "./ui";

/** The spec editor's shared pieces: input classes, a field's error line, a titled group. */

export const inputClass = "block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm placeholder:text-zinc-400 dark:bg-zinc-900";
export const okBorder = "border-zinc-300 dark:border-zinc-700";
export const badBorder = "border-red-600 dark:border-red-500";
export const labelClass = "block text-sm font-medium text-zinc-800 dark:text-zinc-200";
export const hintClass = "text-xs text-zinc-500 dark:text-zinc-400";

export function FieldError({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p id={id} className="text-sm text-red-700 dark:text-red-400">
      {children}
    </p>
  );
}

export function Fieldset({ legend, hint, children }: { legend: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <fieldset className="space-y-2">
      <legend className={labelClass}>{legend}</legend>
      {hint && <p className={hintClass}>{hint}</p>}
      {children}
    </fieldset>
  );
}

/**
 * Rows added with a "+ Add …" button: `focusLast` is set once the button was used, so
 * the new row's first field can take the focus and a keyboard user types straight in.
 */
export function useAddRow<T>(rows: readonly T[], onChange: (rows: T[]) => void, empty: T): { focusLast: boolean; add: () => void } {
  const [focusLast, setFocusLast] = useState(false);
  return {
    focusLast,
    add: () => {
      setFocusLast(true);
      onChange([...rows, empty]);
    },
  };
}

export function AddRowButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <Button variant="ghost" className="px-2 py-1 text-xs" onClick={onClick}>
      {children}
    </Button>
  );
}

/**
 * A bare input (rows of key and value, where the label is an accessible name) that counts
 * its characters near `maxLength` and says when a paste was cut, as `Field` does.
 */
export function LimitedInput({ ref, ...props }: InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> }) {
  const id = useId();
  const { count, cut, shown, inputProps } = useCharLimit(props, ref);
  return (
    <div className="min-w-0 space-y-0.5">
      <input
        {...props}
        {...inputProps}
        aria-describedby={[props["aria-describedby"], shown ? `${id}-count` : undefined].filter(Boolean).join(" ") || undefined}
      />
      <CharCount id={`${id}-count`} count={count} max={props.maxLength} shown={shown} cut={cut} />
    </div>
  );
}

/**
 * A labelled checkbox with its hint, error and whatever belongs under it (a weakening
 * flag, the runtime policy's word). The hint and error describe the box.
 */
export function CheckField({
  label,
  checked,
  onChange,
  hint,
  error,
  disabled = false,
  children,
  testId,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  error?: string | undefined;
  disabled?: boolean;
  children?: ReactNode;
  testId?: string;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1" data-testid={testId}>
      <div className="flex items-start gap-2">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className="mt-0.5 size-4 shrink-0 rounded border-zinc-300 accent-sky-700 disabled:opacity-60 dark:border-zinc-700"
        />
        <div className="min-w-0 space-y-0.5">
          <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
            {label}
          </label>
          {hint && (
            <p id={`${id}-hint`} className={hintClass}>
              {hint}
            </p>
          )}
        </div>
      </div>
      <div className="space-y-1 pl-6">
        {error && (
          <p id={`${id}-error`} role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        {children}
      </div>
    </div>
  );
}
