"use client";

import Link from "next/link";
import { NOT_REPORTED_BY_DOCKER } from "~/lib/env";
import { describeError } from "~/lib/errors";
import type { ReactNode } from "react";
import { Alert, Button, Card, linkClass, PageHeader, Skeleton } from "./ui";

/** A failed load: the server's own message and a way to try again. */
export function ErrorState({ title, error, onRetry }: { title?: string; error: unknown; onRetry: () => void }) {
  return (
    <div className="space-y-3">
      <Alert title={title}>{describeError(error).message}</Alert>
      <Button variant="secondary" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}

/**
 * A part of a page that means nothing on a connected Docker Swarm (Rampart's runtime
 * policy, its seccomp profiles): said plainly, instead of asking the API for a refusal.
 */
export function NotOnDocker({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  return (
    <Card title={title} className={className}>
      <p data-testid="not-on-docker" className="text-sm text-zinc-600 dark:text-zinc-400">
        {children}
      </p>
    </Card>
  );
}

/** A value Docker's Engine API does not give, said so in place of the value. */
export function NotReported() {
  return (
    <span data-testid="not-reported" className="text-zinc-500 italic dark:text-zinc-400">
      {NOT_REPORTED_BY_DOCKER}
    </span>
  );
}

/** Placeholder blocks shown while something loads, announced to screen readers. */
export function Loading({ label, blocks, className }: { label: string; blocks: number; className: string }) {
  return (
    <div className="space-y-3" aria-busy="true" aria-label={label}>
      {Array.from({ length: blocks }, (_, i) => (
        <Skeleton key={i} className={className} />
      ))}
    </div>
  );
}

/** A detail page whose item does not exist (any more). */
export function NotFoundState({ what, id, hint, back }: { what: string; id: string; hint: string; back: { href: string; label: string } }) {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <p className="text-sm font-semibold text-sky-700 dark:text-sky-400">404</p>
      <h1 className="mt-2 text-xl font-semibold">{what} not found</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        No {what.toLowerCase()} matches <code className="font-mono break-all">{id}</code>. {hint}
      </p>
      <Link href={back.href} className={`mt-6 inline-block text-sm ${linkClass}`}>
        {back.label}
      </Link>
    </div>
  );
}

/**
 * What a detail page shows before it has its item: not found (it was removed), loading,
 * or the server's error with a retry. Null once the item is there.
 */
export function detailState(
  query: { isPending: boolean; isError: boolean; error: unknown; data: unknown; refetch: () => unknown },
  page: { what: string; id: string; hint: string; back: { href: string; label: string }; loadingBlocks?: number },
): ReactNode | null {
  const noun = page.what.toLowerCase();
  if (query.isError && describeError(query.error).code === "NOT_FOUND") return <NotFoundState what={page.what} id={page.id} hint={page.hint} back={page.back} />;
  if (query.isPending) return <Loading label={`Loading ${noun}`} blocks={page.loadingBlocks ?? 3} className="h-32" />;
  if (query.data) return null;
  return (
    <>
      <PageHeader title={page.what} />
      <ErrorState title={`This ${noun} is not available`} error={query.error} onRetry={() => void query.refetch()} />
    </>
  );
}
