"use client";

import { describeError } from "~/lib/errors";
import { Alert, Button, Skeleton } from "./ui";

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
