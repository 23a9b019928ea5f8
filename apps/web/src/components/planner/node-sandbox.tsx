"use client";

import { labelKey, labelValue } from "@rampart/api/schema";
import { LABEL_KEY_MAX_LENGTH, LABEL_VALUE_MAX_LENGTH } from "@rampart/core/node";
import type { PlannerNode } from "@rampart/core/planner";
import Link from "next/link";
import { envHref, useEnv } from "~/lib/env";
import { useDeferredValue, useId, useMemo, useState, type FormEvent } from "react";
import { z } from "zod";
import { titleCase } from "~/lib/format";
import { validate } from "~/lib/forms";
import { naturalCompare } from "~/lib/nodes";
import {
  describeEdit,
  effectiveNode,
  listEdits,
  removeLabel,
  revertEdit,
  setAvailability,
  setLabel,
  setRole,
  type Availability,
  type NodeChanges,
  type Role,
} from "~/lib/planner";
import { Badge, Button, Field, linkClass } from "../ui";

/** A label set in the sandbox, checked with the node update procedure's own rules. */
const sandboxLabel = z.object({ key: labelKey, value: labelValue });

/**
 * The what-if sandbox for nodes: find a node, change its labels, availability or role,
 * and see the plan follow. Nothing here is saved; node changes are made for real on the
 * Nodes page.
 */

const SHOWN = 25;

function NodeEditor({ node, base, changes, onChange }: { node: PlannerNode; base: PlannerNode; changes: NodeChanges; onChange: (next: NodeChanges) => void }) {
  const id = useId();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | undefined>();
  const keys = Object.keys(node.labels).sort(naturalCompare);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { data, errors } = validate(sandboxLabel, { key: key.trim(), value: value.trim() });
    if (!data) return setError(errors.key ?? errors.value ?? errors.form);
    setError(undefined);
    onChange(setLabel(changes, base, data.key, data.value));
    setKey("");
    setValue("");
  }

  return (
    <div role="region" aria-label={`Sandbox changes for ${node.hostname}`} className="space-y-3 border-t border-zinc-200 bg-zinc-50/60 p-3 dark:border-zinc-800 dark:bg-zinc-900/40">
      <div className="space-y-1">
        <p className="text-xs font-medium text-zinc-700 dark:text-zinc-300">Labels</p>
        {keys.length === 0 ? (
          <p className="text-xs text-zinc-500">No labels.</p>
        ) : (
          <ul className="space-y-1">
            {keys.map((k) => {
              const changed = base.labels[k] !== node.labels[k];
              return (
                <li key={k} className="flex items-center justify-between gap-2 text-xs">
                  <span className="min-w-0 break-all font-mono">
                    {k}={node.labels[k]}
                    {changed && (
                      <span className="ml-1">
                        <Badge tone="warn">{k in base.labels ? "changed" : "added"}</Badge>
                      </span>
                    )}
                  </span>
                  <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={() => onChange(removeLabel(changes, base, k))} aria-label={`Remove label ${k} from ${node.hostname}`}>
                    Remove
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <form onSubmit={submit} noValidate className="grid items-start gap-2 sm:grid-cols-[1fr_1fr_auto]">
        <div>
          <Field label="Label key" list={`${id}-keys`} value={key} onChange={(e) => setKey(e.target.value)} error={error} autoComplete="off" spellCheck={false} maxLength={LABEL_KEY_MAX_LENGTH} />
          <datalist id={`${id}-keys`}>
            {keys.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </div>
        <Field label="Label value" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} maxLength={LABEL_VALUE_MAX_LENGTH} />
        <Button type="submit" variant="secondary" className="sm:mt-6">
          Set label
        </Button>
      </form>
      <div className="grid gap-2 sm:grid-cols-2">
        <div className="space-y-1">
          <label htmlFor={`${id}-availability`} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            Availability
          </label>
          <select
            id={`${id}-availability`}
            value={node.availability}
            onChange={(e) => onChange(setAvailability(changes, base, e.target.value as Availability))}
            className="block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            {(["active", "pause", "drain"] as const).map((a) => (
              <option key={a} value={a}>
                {titleCase(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-role`} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
            Role
          </label>
          <select
            id={`${id}-role`}
            value={node.role}
            onChange={(e) => onChange(setRole(changes, base, e.target.value as Role))}
            className="block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            <option value="worker">Worker</option>
            <option value="manager">Manager</option>
          </select>
        </div>
      </div>
    </div>
  );
}

function matches(node: PlannerNode, needle: string): boolean {
  if (!needle) return true;
  if (node.hostname.toLowerCase().includes(needle) || node.id.toLowerCase().startsWith(needle)) return true;
  for (const [k, v] of Object.entries(node.labels)) if (`${k}=${v}`.toLowerCase().includes(needle)) return true;
  return false;
}

export function NodeSandbox({
  nodes,
  changes,
  onChange,
  onUndo,
  onReset,
  canUndo,
  scenario,
}: {
  nodes: readonly PlannerNode[];
  changes: NodeChanges;
  onChange: (next: NodeChanges) => void;
  onUndo: () => void;
  onReset: () => void;
  canUndo: boolean;
  scenario: boolean;
}) {
  const env = useEnv();
  const [search, setSearch] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const deferred = useDeferredValue(search.trim().toLowerCase());
  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n])), [nodes]);
  const sorted = useMemo(() => [...nodes].sort((a, b) => naturalCompare(a.hostname, b.hostname)), [nodes]);
  // Search what the sandbox shows, so a label added here is findable too.
  const found = useMemo(() => sorted.filter((n) => matches(effectiveNode(n, changes[n.id]), deferred)), [sorted, changes, deferred]);
  const edits = useMemo(() => listEdits(byId, changes), [byId, changes]);

  return (
    <div className="space-y-4">
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Change nodes here to see what the scheduler would do. {scenario ? "These are example nodes." : "Nothing is saved: to change a node for real, use the "}
        {!scenario && (
          <>
            <Link href={envHref(env, "/nodes")} className={linkClass}>
              Nodes page
            </Link>
            .
          </>
        )}
      </p>
      <Field label="Find a node" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Hostname, ID prefix or key=value" autoComplete="off" spellCheck={false} />
      <p aria-live="polite" className="text-xs text-zinc-500">
        {found.length} of {nodes.length} nodes{found.length > SHOWN ? `; showing the first ${SHOWN}, search to narrow` : ""}
      </p>
      <ul className="max-h-[28rem] divide-y divide-zinc-200 overflow-y-auto rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
        {found.slice(0, SHOWN).map((base) => {
          const node = effectiveNode(base, changes[base.id]);
          const expanded = open === base.id;
          const changed = base.id in changes;
          const labelText = Object.entries(node.labels)
            .sort(([a], [b]) => naturalCompare(a, b))
            .map(([k, v]) => `${k}=${v}`);
          return (
            <li key={base.id} data-testid={`sandbox-node-${base.hostname}`}>
              <div className="flex items-start justify-between gap-2 px-3 py-2">
                <div className="min-w-0 text-sm">
                  <p className="flex items-center gap-2">
                    <span className="truncate font-medium">{base.hostname}</span>
                    {changed && <Badge tone="warn">changed</Badge>}
                    {base.state !== "ready" && <Badge tone="bad">{titleCase(base.state)}</Badge>}
                    {base.runtimeKind === "simulated" && (
                      <span title="A simulated node: tasks are placed and reported, nothing runs" data-testid="sandbox-runtime">
                        <Badge>simulated</Badge>
                      </span>
                    )}
                    {base.runtimeKind === "none" && (
                      <span title={base.runtimeProblem ?? "no container runtime: the node gets no tasks"} data-testid="sandbox-runtime">
                        <Badge tone="bad">no container runtime</Badge>
                      </span>
                    )}
                  </p>
                  <p className="text-xs text-zinc-500">
                    {titleCase(node.role)} · {titleCase(node.availability)}
                  </p>
                  {labelText.length > 0 && <p className="truncate font-mono text-xs text-zinc-600 dark:text-zinc-400" title={labelText.join(", ")}>{labelText.join(" ")}</p>}
                </div>
                <Button variant="secondary" className="shrink-0 px-2 py-1 text-xs" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : base.id)} aria-label={`${expanded ? "Close" : "Change"} ${base.hostname}`}>
                  {expanded ? "Close" : "Change"}
                </Button>
              </div>
              {expanded && <NodeEditor node={node} base={base} changes={changes} onChange={onChange} />}
            </li>
          );
        })}
      </ul>
      <section aria-labelledby="sandbox-changes" className="space-y-2">
        <div className="flex items-center justify-between gap-2">
          <h3 id="sandbox-changes" className="text-sm font-semibold">
            Sandbox changes ({edits.length})
          </h3>
          <div className="flex gap-1">
            <Button variant="ghost" className="px-2 py-1 text-xs" onClick={onUndo} disabled={!canUndo}>
              Undo last
            </Button>
            <Button variant="ghost" className="px-2 py-1 text-xs" onClick={onReset} disabled={edits.length === 0}>
              Reset sandbox
            </Button>
          </div>
        </div>
        {edits.length === 0 ? (
          <p className="text-xs text-zinc-500">None: the nodes are as they are in the cluster.</p>
        ) : (
          <ul data-testid="sandbox-changes" className="space-y-1">
            {edits.map((edit) => {
              const text = describeEdit(edit);
              const base = byId.get(edit.nodeId);
              return (
                <li key={`${edit.nodeId}-${edit.kind}-${"key" in edit ? edit.key : ""}`} className="flex items-center justify-between gap-2 rounded bg-amber-50 px-2 py-1 text-xs dark:bg-amber-950/40">
                  <span className="min-w-0 break-all">
                    <strong>{edit.hostname}</strong>: <span className="font-mono">{text}</span>
                  </span>
                  {base && (
                    <Button variant="ghost" className="shrink-0 px-2 py-0.5 text-xs" onClick={() => onChange(revertEdit(changes, base, edit))} aria-label={`Undo ${text} on ${edit.hostname}`}>
                      Undo
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
