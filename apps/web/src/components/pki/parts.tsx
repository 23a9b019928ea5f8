"use client";

import { ROOT_EXPIRY_WARNING_MS } from "@rampart/core";
import type { ReactNode } from "react";
import { NotReported } from "~/components/states";
import { CopyButton } from "~/components/ui";
import { formatDateTime, fromNow } from "~/lib/format";
import type { PkiRoot, PkiStatus } from "./model";

/** The PKI cards' small pieces: a fact's row, a long value, a date with its distance, a bar of progress, a root. */

export function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 text-sm sm:grid-cols-[11rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

export function Facts({ children }: { children: ReactNode }) {
  return <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</dl>;
}

export function Mono({ children }: { children: ReactNode }) {
  return <span className="font-mono text-xs break-all">{children}</span>;
}

/** A date, and how far it is from now; amber when `warn`. */
export function When({ date, now, warn = false }: { date: Date; now: Date; warn?: boolean }) {
  return (
    <>
      <time dateTime={date.toISOString()}>{formatDateTime(date)}</time>{" "}
      <span className={warn ? "font-medium text-amber-700 dark:text-amber-400" : "text-zinc-500 dark:text-zinc-400"}>({fromNow(date, now)})</span>
    </>
  );
}

/**
 * A value the environment may not give: on a connected Docker Swarm a null is "not
 * reported by Docker" (the page's list of `notReported` sentences says what and why);
 * on Rampart's own cluster a null has a meaning of its own, which `native` says.
 */
export function OrNotReported({ kind, value, native, children }: { kind: PkiStatus["kind"]; value: unknown; native: ReactNode; children?: ReactNode }) {
  if (value !== null && value !== undefined) return <>{children}</>;
  return kind === "docker" ? <NotReported /> : <>{native}</>;
}

/** A labelled bar: "rotated TLS certificates 3/5", read as a progress bar by screen readers. */
export function ProgressBar({ label, done, total, testId }: { label: string; done: number; total: number; testId: string }) {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const text = `${label} ${done.toLocaleString("en")}/${total.toLocaleString("en")}`;
  return (
    <div className="space-y-1" data-testid={testId}>
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <span className="font-medium">{label}</span>
        <span className="tabular-nums" data-testid={`${testId}-count`}>
          {done.toLocaleString("en")}/{total.toLocaleString("en")}
        </span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={text}
        className="h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div className={`h-full rounded-full ${share >= 1 ? "bg-emerald-600 dark:bg-emerald-500" : "bg-sky-600 dark:bg-sky-500"}`} style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

/** Whether the swarm holds a root's key, in words: the swarm signs, or an external CA does. */
function keyHeldText(held: boolean): string {
  return held ? "Held by the swarm: it signs node certificates itself" : "Not held: an external CA signs node certificates";
}

/**
 * A root certificate's facts, the trust root's and a rotation's target alike: subject,
 * digest (what join tokens carry), fingerprint, validity, key, who signs, and the PEM
 * with a copy button.
 */
export function RootFacts({ root, kind, now, testId }: { root: PkiRoot; kind: PkiStatus["kind"]; now: Date; testId: string }) {
  const ending = root.notAfter.getTime() - now.getTime() <= ROOT_EXPIRY_WARNING_MS;
  return (
    <div className="space-y-3" data-testid={testId}>
      <Facts>
        <Fact label="Subject">
          <Mono>{root.subject}</Mono>
        </Fact>
        <Fact label="Digest" testId={`${testId}-digest`}>
          <Mono>{root.digest}</Mono>
        </Fact>
        <Fact label="SHA-256 fingerprint">
          <Mono>{root.fingerprintSha256}</Mono>
        </Fact>
        <Fact label="Valid from">
          <When date={root.notBefore} now={now} />
        </Fact>
        <Fact label="Valid to">
          <When date={root.notAfter} now={now} warn={ending} />
        </Fact>
        <Fact label="Key">{root.key}</Fact>
        <Fact label="Signing key">
          <OrNotReported kind={kind} value={root.keyHeld} native="not known">
            {root.keyHeld !== null && keyHeldText(root.keyHeld)}
          </OrNotReported>
        </Fact>
      </Facts>
      <details className="rounded-md border border-zinc-200 dark:border-zinc-800">
        <summary className="cursor-pointer rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-600">Certificate (PEM)</summary>
        <div className="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
          <pre className="max-h-64 overflow-auto rounded bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-800">{root.pem}</pre>
        </div>
      </details>
      <CopyButton value={root.pem} label="Copy PEM" />
    </div>
  );
}
