"use client";

import { useId, useState, type ReactNode } from "react";
import { Alert, Button, Dialog } from "./ui";

/**
 * A destructive action confirmed by typing the name of what it destroys: the button
 * stays disabled until the name matches, Enter submits, Esc or Cancel closes and
 * forgets what was typed.
 */
export function ConfirmByName({
  open,
  onClose,
  name,
  title = `Remove ${name}?`,
  action,
  busy,
  error,
  errorTitle,
  onConfirm,
  children,
}: {
  open: boolean;
  onClose: () => void;
  name: string;
  title?: string;
  /** The confirm button's label. */
  action: string;
  busy: boolean;
  /** Why the last attempt failed, shown above the buttons. */
  error: ReactNode;
  errorTitle?: string;
  onConfirm: () => void | Promise<void>;
  /** What the action does. */
  children: ReactNode;
}) {
  const [typed, setTyped] = useState("");
  const inputId = useId();
  const close = () => (setTyped(""), onClose());
  return (
    <Dialog open={open} onClose={close} title={title}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name) void onConfirm();
        }}
      >
        <div className="text-sm">{children}</div>
        <div className="space-y-1">
          <label htmlFor={inputId} className="block text-sm font-medium">
            Type <code className="font-mono">{name}</code> to confirm
          </label>
          <input
            id={inputId}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </div>
        {error && (
          <Alert title={errorTitle}>
            <span data-testid="confirm-error">{error}</span>
          </Alert>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" busy={busy} disabled={typed !== name}>
            {action}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
