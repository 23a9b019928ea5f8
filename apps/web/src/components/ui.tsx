"use client";

import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type ChangeEvent,
  type ClipboardEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type RefObject,
  type SelectHTMLAttributes,
} from "react";

function cx(...parts: Array<string | false | null | undefined>): string {
  return parts.filter(Boolean).join(" ");
}

type Variant = "primary" | "secondary" | "danger" | "ghost";

const variants: Record<Variant, string> = {
  primary: "bg-sky-700 text-white hover:bg-sky-800 dark:bg-sky-600 dark:hover:bg-sky-500",
  secondary:
    "border border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800",
  danger: "bg-red-700 text-white hover:bg-red-800 dark:bg-red-600 dark:hover:bg-red-500",
  ghost: "text-zinc-700 hover:bg-zinc-200/70 dark:text-zinc-300 dark:hover:bg-zinc-800",
};

/** The classes of a Button, for a Link that looks like one. */
export function buttonClass(variant: Variant = "primary", className?: string): string {
  return cx(
    "inline-flex items-center justify-center gap-2 rounded-md px-3 py-2 text-sm font-medium transition-colors",
    variants[variant],
    className,
  );
}

/** An inline link in running text or a table cell. */
export const linkClass = "rounded font-medium text-sky-800 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-300";

export function Button({
  variant = "primary",
  busy = false,
  className,
  children,
  disabled,
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }) {
  return (
    <button
      type="button"
      {...props}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={cx(
        "inline-flex items-center justify-center gap-2 rounded-md px-3 py-2 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-60",
        variants[variant],
        className,
      )}
    >
      {busy && <Spinner className="size-4" />}
      {children}
    </button>
  );
}

export function Spinner({ className }: { className?: string }) {
  return (
    <svg className={cx("animate-spin", className ?? "size-5")} viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity="0.25" strokeWidth="4" />
      <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}

/** From what share of its limit an input shows how many characters it holds. */
const COUNT_FROM = 0.8;

/**
 * Counts an input's characters against its `maxLength`, the server's own limit. The
 * count is read after every render (so values set by a form library or a reset are
 * counted too) and on every change. A paste longer than the room left is cut by the
 * browser; `cut` says so, so nothing is shortened silently.
 */
export function useCharLimit(
  { maxLength, onChange, onPaste }: Pick<InputHTMLAttributes<HTMLInputElement>, "maxLength" | "onChange" | "onPaste">,
  given?: Ref<HTMLInputElement>,
) {
  const inputRef = useRef<HTMLInputElement | null>(null);
  const [count, setCount] = useState(0);
  const [cut, setCut] = useState(false);
  // No dependencies on purpose: the value may change without an event (a form's reset), so it is read after every render.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => {
    const length = inputRef.current?.value.length ?? 0;
    if (length !== count) setCount(length);
  });
  const attach = useCallback(
    (node: HTMLInputElement | null) => {
      inputRef.current = node;
      passRef(given, node);
    },
    [given],
  );
  return {
    count,
    cut,
    shown: maxLength !== undefined && maxLength > 0 && count >= Math.ceil(maxLength * COUNT_FROM),
    /** Spread on the input after the caller's props: the ref (ours and the caller's, react-hook-form's `register` too) and the handlers, which call the caller's. */
    inputProps: {
      ref: attach,
      onChange(event: ChangeEvent<HTMLInputElement>) {
        const length = event.target.value.length;
        setCount(length);
        if (maxLength !== undefined && length < maxLength) setCut(false);
        onChange?.(event);
      },
      // Before the browser inserts the text: would it go past the limit?
      onPaste(event: ClipboardEvent<HTMLInputElement>) {
        const element = event.currentTarget;
        if (maxLength !== undefined) {
          const selected = (element.selectionEnd ?? element.value.length) - (element.selectionStart ?? element.value.length);
          if (element.value.length - selected + event.clipboardData.getData("text").length > maxLength) setCut(true);
        }
        onPaste?.(event);
      },
    },
  };
}

/** Hands a node to a ref given by a caller, whichever kind it is. */
function passRef<T>(target: Ref<T> | undefined, node: T | null): void {
  if (typeof target === "function") target(node);
  else if (target) (target as RefObject<T | null>).current = node;
}

/**
 * "58/63" under an input near its limit, read out politely by screen readers. The live
 * region is always there, empty until the count matters, so the first change is heard.
 */
export function CharCount({ id, count, max, shown, cut }: { id: string; count: number; max: number | undefined; shown: boolean; cut: boolean }) {
  return (
    <p id={id} aria-live="polite" className="shrink-0 text-right text-xs tabular-nums text-zinc-500 dark:text-zinc-400">
      {shown && max !== undefined && (
        <>
          {cut && (
            <span data-testid="pasted-cut" className="mr-2 font-medium text-amber-800 dark:text-amber-300">
              Pasted text was cut to {max.toLocaleString("en")} characters.
            </span>
          )}
          <span aria-hidden="true" className={count >= max ? "font-medium text-amber-800 dark:text-amber-300" : undefined}>
            {count.toLocaleString("en")}/{max.toLocaleString("en")}
          </span>
          <span className="sr-only">
            {count.toLocaleString("en")} of {max.toLocaleString("en")} characters
          </span>
        </>
      )}
    </p>
  );
}

/**
 * A labelled input with its error or hint below. With `maxLength` (the server's own
 * limit, from the constant the API's schema uses) it counts characters near the limit
 * and says when a paste was cut, so no text is shortened silently.
 */
export function Field({
  label,
  error,
  hint,
  ref,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string | undefined; hint?: ReactNode; ref?: Ref<HTMLInputElement> }) {
  const id = useId();
  const { count, cut, shown, inputProps } = useCharLimit(props, ref);
  const describedBy = [error ? `${id}-error` : hint ? `${id}-hint` : undefined, shown ? `${id}-count` : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      <input
        id={id}
        {...props}
        {...inputProps}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cx(
          "block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm placeholder:text-zinc-400 dark:bg-zinc-900",
          error ? "border-red-600 dark:border-red-500" : "border-zinc-300 dark:border-zinc-700",
          props.className,
        )}
      />
      {(error || hint || props.maxLength !== undefined) && (
      <div className="flex items-start justify-between gap-3">
        {error ? (
          <p id={`${id}-error`} role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        ) : hint ? (
          <p id={`${id}-hint`} className="text-xs text-zinc-500 dark:text-zinc-400">
            {hint}
          </p>
        ) : (
          <span />
        )}
        {props.maxLength !== undefined && <CharCount id={`${id}-count`} count={count} max={props.maxLength} shown={shown} cut={cut} />}
      </div>
      )}
    </div>
  );
}

/** A labelled <select>; `options` are value and label pairs, the first usually "All". */
export function Select({
  label,
  options,
  className,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; options: ReadonlyArray<{ value: string; label: string }> }) {
  const id = useId();
  return (
    <div className={cx("space-y-1", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      <select
        id={id}
        {...props}
        className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm dark:border-zinc-700 dark:bg-zinc-900"
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Alert({ tone = "error", title, children }: { tone?: "error" | "warning" | "info" | "success"; title?: string; children: ReactNode }) {
  const tones = {
    error: "border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200",
    warning: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950/50 dark:text-amber-200",
    info: "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-900 dark:bg-sky-950/50 dark:text-sky-200",
    success: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-200",
  };
  return (
    <div role={tone === "error" ? "alert" : "status"} className={cx("rounded-md border px-4 py-3 text-sm", tones[tone])}>
      {title && <p className="font-semibold">{title}</p>}
      <div className={title ? "mt-1" : undefined}>{children}</div>
    </div>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={cx("rounded-lg border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900", className)}>
      {(title || actions) && (
        <header className="flex items-center justify-between gap-4 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
          {title && <h2 className="text-sm font-semibold">{title}</h2>}
          {actions}
        </header>
      )}
      <div className="p-4">{children}</div>
    </section>
  );
}

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cx("animate-pulse rounded bg-zinc-200 dark:bg-zinc-800", className ?? "h-4 w-full")} />;
}

export function Badge({ tone = "neutral", children }: { tone?: "neutral" | "good" | "bad" | "warn"; children: ReactNode }) {
  const tones = {
    neutral: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
    good: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
    bad: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
    warn: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  };
  return <span className={cx("inline-flex items-center rounded px-2 py-0.5 text-xs font-medium", tones[tone])}>{children}</span>;
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-2 rounded-lg border border-dashed border-zinc-300 px-6 py-10 text-center dark:border-zinc-700">
      <p className="font-medium">{title}</p>
      {children && <div className="max-w-md text-sm text-zinc-600 dark:text-zinc-400">{children}</div>}
      {action && <div className="mt-2">{action}</div>}
    </div>
  );
}

/**
 * A modal built on <dialog>: the browser traps focus, Esc closes it, and the page
 * behind is inert.
 */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-full max-w-lg rounded-lg border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {open && (
        <div className="space-y-4 p-5">
          <h2 id={titleId} className="text-base font-semibold">
            {title}
          </h2>
          {children}
        </div>
      )}
    </dialog>
  );
}

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      onClick={async () => {
        await navigator.clipboard.writeText(value);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? "Copied" : label}
    </Button>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
      </div>
      {actions}
    </div>
  );
}
