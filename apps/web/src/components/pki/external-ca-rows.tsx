"use client";

import type { ReactNode } from "react";
import { AddRowButton } from "~/components/form-parts";
import { Button } from "~/components/ui";
import { EXTERNAL_CAS_MAX } from "./model";

/**
 * The external CAs of a form, one row each, with a button to add one (up to the API's 16)
 * and one to remove each. `row` draws a row's own fields; the list's own error (none
 * given, or the server's refusal of the list) is shown under it.
 */
export function ExternalCaRows({
  ids,
  onAdd,
  onRemove,
  error,
  row,
  minimum = 0,
}: {
  /** The rows' keys (react-hook-form's field IDs), in order. */
  ids: readonly string[];
  onAdd: () => void;
  onRemove: (index: number) => void;
  error: string | undefined;
  row: (index: number) => ReactNode;
  /** Rows that cannot be removed (the rotate dialog's external mode needs one). */
  minimum?: number;
}) {
  const count = ids.length;
  return (
    <div className="space-y-3" data-testid="external-ca-rows">
      {count === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No external CA: the swarm signs node certificates with its own key.</p>}
      {ids.map((id, i) => (
        <div key={id} className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800" role="group" aria-label={`External CA ${i + 1}`}>
          {row(i)}
          {count > minimum && (
            <div className="flex justify-end">
              <Button variant="ghost" className="px-2 py-1 text-xs text-red-700 dark:text-red-400" onClick={() => onRemove(i)} aria-label={`Remove external CA ${i + 1}`}>
                Remove
              </Button>
            </div>
          )}
        </div>
      ))}
      {error && (
        <p role="alert" className="text-sm break-words text-red-700 dark:text-red-400" data-testid="external-cas-error">
          {error}
        </p>
      )}
      {count < EXTERNAL_CAS_MAX && <AddRowButton onClick={onAdd}>+ Add an external CA</AddRowButton>}
    </div>
  );
}
