"use client";

import { decodeNodeList } from "@rampart/api/schema";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { Badge, Card, linkClass } from "~/components/ui";
import { envHref } from "~/lib/env";
import { shortId } from "~/lib/nodes";
import { useTRPC } from "~/lib/trpc";
import type { PkiWarning } from "./model";
import { When } from "./parts";

/** Nodes named in a warning before the rest are counted. */
const NAMED = 5;

const SEVERITY: Record<PkiWarning["severity"], { label: string; tone: "bad" | "warn"; bar: string }> = {
  critical: { label: "Critical", tone: "bad", bar: "border-l-red-600 dark:border-l-red-500" },
  warning: { label: "Warning", tone: "warn", bar: "border-l-amber-500 dark:border-l-amber-400" },
};

/** The nodes a warning is about, each a link to its page (by hostname, once the node list is in). */
function WarningNodes({ ids, hostOf, env }: { ids: readonly string[]; hostOf: ReadonlyMap<string, string>; env: string | undefined }) {
  const more = ids.length - NAMED;
  return (
    <p className="mt-1 text-sm">
      <span className="text-zinc-600 dark:text-zinc-400">{ids.length === 1 ? "Node: " : "Nodes: "}</span>
      {ids.slice(0, NAMED).map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <Link href={envHref(env, `/nodes/${id}`)} className={`break-all ${linkClass}`} title={id}>
            {hostOf.get(id) ?? shortId(id)}
          </Link>
        </span>
      ))}
      {more > 0 && <span className="text-zinc-600 dark:text-zinc-400">{`, and ${more.toLocaleString("en")} more`}</span>}
    </p>
  );
}

/**
 * What is worth a warning about the swarm's certificates, keys and tokens (core's
 * `pkiWarnings`): severity, the sentence, the date it turns on, and the nodes it is about.
 */
export function PkiWarnings({ warnings, now, env }: { warnings: readonly PkiWarning[]; now: Date; env: string | undefined }) {
  const trpc = useTRPC();
  const aboutNodes = warnings.some((w) => (w.nodeIds?.length ?? 0) > 0);
  const nodes = useQuery({ ...trpc.node.list.queryOptions({ env }), select: decodeNodeList, enabled: aboutNodes, staleTime: 30_000 });
  const hostOf = useMemo(() => new Map((nodes.data ?? []).map((n) => [n.id, n.hostname])), [nodes.data]);
  const critical = warnings.filter((w) => w.severity === "critical").length;
  return (
    <Card
      title="Warnings"
      actions={
        warnings.length === 0 ? (
          <Badge tone="good">None</Badge>
        ) : (
          <Badge tone={critical > 0 ? "bad" : "warn"}>
            {critical > 0 ? `${critical} critical · ` : ""}
            {warnings.length} in all
          </Badge>
        )
      }
    >
      {warnings.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="pki-warnings-none">
          Nothing to warn about: no node certificate expires within 7 days or renewed late, the root is good for more than a year, and no key or token is older than
          90 days.
        </p>
      ) : (
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="PKI warnings">
          {warnings.map((w, i) => {
            const severity = SEVERITY[w.severity];
            return (
              <li key={`${w.id}-${i}`} data-testid="pki-warning" data-kind={w.id} className={`border-l-4 py-3 pl-3 ${severity.bar}`}>
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={severity.tone}>{severity.label}</Badge>
                  <p className="min-w-0 font-medium break-words">{w.text}</p>
                </div>
                {w.at && (
                  <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
                    <When date={w.at} now={now} />
                  </p>
                )}
                {w.nodeIds && w.nodeIds.length > 0 && <WarningNodes ids={w.nodeIds} hostOf={hostOf} env={env} />}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
