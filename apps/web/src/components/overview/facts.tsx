import type { ReactNode } from "react";

/**
 * The Overview panels' facts: a label and its value on one line, in titled sections.
 * `wrap`: a long value (an ID, a digest) breaks onto more lines instead of being cut.
 */
export function Row({ label, children, wrap = false }: { label: string; children: ReactNode; wrap?: boolean }) {
  return (
    <div className="flex justify-between gap-4 py-1 text-sm">
      <dt className="shrink-0 text-zinc-600 dark:text-zinc-400">{label}</dt>
      {wrap ? (
        <dd className="min-w-0 text-right font-medium break-words">{children}</dd>
      ) : (
        <dd className="min-w-0 truncate text-right font-medium" title={typeof children === "string" ? children : undefined}>
          {children}
        </dd>
      )}
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="min-w-0">
      <h3 className="mb-1 text-sm font-semibold">{title}</h3>
      <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</dl>
    </section>
  );
}

export const yesNo = (value: boolean) => (value ? "Yes" : "No");
