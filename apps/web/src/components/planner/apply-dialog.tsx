"use client";

import type { ServiceSpecInput } from "@rampart/api/schema";
import type { PlanResult } from "@rampart/core/planner";
import Link from "next/link";
import { envHref, useEnv } from "~/lib/env";
import type { SandboxEdit } from "~/lib/planner";
import { describeEdit } from "~/lib/planner";
import { specChanges, type SpecOutput } from "~/lib/services";
import { TableBox } from "../list";
import { Alert, Button, Dialog, linkClass } from "../ui";

/**
 * Apply's confirmation: what the spec change is, what the placement will be, and a
 * plain statement that the sandbox's node changes stay in the sandbox.
 */
export function ApplyDialog({
  open,
  onClose,
  onConfirm,
  busy,
  error,
  conflict,
  onReload,
  reloading,
  before,
  spec,
  focus,
  withoutSandbox,
  edits,
}: {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  busy: boolean;
  error: string | null;
  conflict: string | null;
  onReload: () => void;
  reloading: boolean;
  /** The service as it was read; null for a draft. */
  before: SpecOutput | null;
  spec: ServiceSpecInput;
  focus: PlanResult["focus"];
  /** The placement without the sandbox's node changes, when there are any. */
  withoutSandbox: PlanResult["focus"] | null;
  edits: readonly SandboxEdit[];
}) {
  const env = useEnv();
  const changes = specChanges(before, spec);
  const unchanged = before !== null && changes.length === 0;
  const diff = focus?.diff;
  const placed = diff ? Object.values(diff.after).reduce((n, c) => n + c, 0) : 0;
  const nodes = diff ? Object.values(diff.after).filter((c) => c > 0).length : 0;
  return (
    <Dialog open={open} onClose={onClose} title={before ? `Update ${before.name}?` : `Create ${spec.name}?`}>
      <div className="space-y-4 text-sm">
        {unchanged ? (
          <p>The spec is the same as the service&apos;s: there is nothing to apply.</p>
        ) : (
          <TableBox className="max-h-64 overflow-y-auto">
            <table data-testid="apply-changes" className="min-w-full text-xs">
              <caption className="sr-only">Spec changes</caption>
              <thead className="bg-zinc-50 text-left uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
                <tr>
                  <th scope="col" className="px-3 py-1.5">Field</th>
                  {before && <th scope="col" className="px-3 py-1.5">Now</th>}
                  <th scope="col" className="px-3 py-1.5">{before ? "After" : "Value"}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {changes.map((c) => (
                  <tr key={c.label}>
                    <th scope="row" className="px-3 py-1.5 text-left font-medium">
                      {c.label}
                    </th>
                    {before && <td className="min-w-40 px-3 py-1.5 font-mono break-all text-zinc-500 line-through">{c.before}</td>}
                    <td className="min-w-40 px-3 py-1.5 font-mono break-all">{c.after}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
        )}
        {diff && (
          <p data-testid="apply-placement">
            Preview: {placed} task{placed === 1 ? "" : "s"} on {nodes} node{nodes === 1 ? "" : "s"}
            {diff.moved > 0 && `, ${diff.moved} moved`}
            {diff.pending > 0 && (
              <>
                , <strong className="text-amber-700 dark:text-amber-400">{diff.pending} pending</strong>
              </>
            )}
            . The scheduler then places them for real.
          </p>
        )}
        {edits.length > 0 && (
          <Alert tone="warning" title={`The sandbox's ${edits.length} node change${edits.length === 1 ? " is" : "s are"} not applied`}>
            <p>
              Apply saves the service only. Node labels, availability and roles are changed on the{" "}
              <Link href={envHref(env, "/nodes")} className={linkClass}>
                Nodes page
              </Link>
              .
            </p>
            <ul className="mt-1 list-disc pl-5 text-xs">
              {edits.slice(0, 5).map((e) => (
                <li key={`${e.nodeId}-${e.kind}-${"key" in e ? e.key : ""}`}>
                  {e.hostname}: {describeEdit(e)}
                </li>
              ))}
              {edits.length > 5 && <li>and {edits.length - 5} more</li>}
            </ul>
            {withoutSandbox && (
              <p className="mt-2" data-testid="apply-without-sandbox">
                On the cluster as it is, {withoutSandbox.diff.pending > 0 ? `${withoutSandbox.diff.pending} task${withoutSandbox.diff.pending === 1 ? " would" : "s would"} wait for a node` : "every task would find a node"}.
              </p>
            )}
          </Alert>
        )}
        {conflict && (
          <Alert tone="warning" title="Someone else changed this service">
            <p>{conflict}</p>
            <p className="mt-1">Reload to plan against the latest version; your edits are kept.</p>
            <Button variant="secondary" className="mt-2" busy={reloading} onClick={onReload}>
              Reload
            </Button>
          </Alert>
        )}
        {error && <Alert>{error}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={onConfirm} busy={busy} disabled={unchanged || conflict !== null}>
            {before ? "Update service" : "Create service"}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
