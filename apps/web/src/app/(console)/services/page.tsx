"use client";

import type { ServiceViewOutput } from "@rampart/api/schema";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useMemo, useState } from "react";
import { DataTable, ListStates, NoMatches, SearchBox, usePage, useRowLink } from "~/components/list";
import { buttonClass, EmptyState, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref, useEnv } from "~/lib/env";
import { titleCase } from "~/lib/format";
import { naturalCompare } from "~/lib/nodes";
import { constraintsSummary } from "~/lib/services";
import { useTRPC } from "~/lib/trpc";

const primaryLink = buttonClass("primary");
const COLUMNS = ["Name", "Mode", "Replicas", "Pending", "Image", "Constraints"];

function matches(service: ServiceViewOutput, needle: string): boolean {
  if (!needle) return true;
  const { spec } = service;
  return (
    service.name.toLowerCase().includes(needle) ||
    service.id.toLowerCase().startsWith(needle) ||
    spec.image.toLowerCase().includes(needle) ||
    spec.constraints.some((c) => c.toLowerCase().includes(needle))
  );
}

function Row({ service }: { service: ServiceViewOutput }) {
  const href = envHref(useEnv(), `/services/${service.id}`);
  const open = useRowLink(href);
  const { spec } = service;
  const short = service.running < service.desired;
  return (
    <tr data-testid={`service-row-${service.name}`} onClick={open} className="cursor-pointer hover:bg-zinc-50 dark:hover:bg-zinc-900">
      <td className="px-4 py-2">
        <Link href={href} className={linkClass}>
          {service.name}
        </Link>
      </td>
      <td className="px-4 py-2">{titleCase(spec.mode)}</td>
      <td className="px-4 py-2 tabular-nums">
        <span className={short ? "font-medium text-amber-700 dark:text-amber-400" : undefined}>
          {service.running}/{service.desired}
        </span>
        <span className="sr-only"> running of desired</span>
      </td>
      <td className="px-4 py-2 tabular-nums">
        {service.pending > 0 ? (
          <span
            data-testid="pending-count"
            className="inline-flex items-center rounded bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/60 dark:text-amber-100"
          >
            {service.pending} pending
          </span>
        ) : (
          <span className="text-zinc-400">0</span>
        )}
      </td>
      <td className="max-w-56 truncate px-4 py-2 font-mono text-xs" title={spec.image}>
        {spec.image}
      </td>
      <td className="max-w-80 truncate px-4 py-2 font-mono text-xs" title={constraintsSummary(spec.constraints)}>
        {constraintsSummary(spec.constraints)}
      </td>
    </tr>
  );
}

export default function ServicesPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const services = useQuery({ ...trpc.service.list.queryOptions({ env }, backgroundPoll), refetchInterval: 5_000 });
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search);
  const visible = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    return (services.data ?? []).filter((s) => matches(s, needle)).sort((a, b) => naturalCompare(a.name, b.name));
  }, [services.data, deferred]);
  const total = services.data?.length ?? 0;
  const pending = services.data?.reduce((n, s) => n + s.pending, 0) ?? 0;
  const page = usePage(visible, deferred);

  return (
    <>
      <PageHeader
        title="Services"
        description="What runs in the swarm: each service's tasks, where the scheduler put them, and what is still waiting for a node."
        actions={
          <div className="flex gap-2">
            <Link href={envHref(env, "/planner")} className={buttonClass("secondary")}>
              Plan a placement
            </Link>
            <Link href={envHref(env, "/services/new")} className={primaryLink}>
              Create service
            </Link>
          </div>
        }
      />
      <ListStates
        query={services}
        what="Services"
        total={total}
        empty={
          <EmptyState
            title="No services yet"
            action={
              <Link href={envHref(env, "/services/new")} className={primaryLink}>
                Create service
              </Link>
            }
          >
            A service runs a number of tasks on the nodes its constraints allow. Create one, or try a placement first in the planner.
          </EmptyState>
        }
      >
        <SearchBox value={search} onChange={setSearch} placeholder="Name, ID prefix, image or constraint" />
        <p aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
          {visible.length} of {total} services
          {pending > 0 && (
            <span className="ml-2 font-medium text-amber-700 dark:text-amber-400">
              · {pending} task{pending === 1 ? "" : "s"} waiting for a node
            </span>
          )}
        </p>
        {visible.length === 0 ? (
          <NoMatches title="No services match this search" onClear={() => setSearch("")} />
        ) : (
          <>
            <DataTable testId="services-table" columns={COLUMNS}>
              {page.rows.map((service) => (
                <Row key={service.id} service={service} />
              ))}
            </DataTable>
            {page.pager}
          </>
        )}
      </ListStates>
    </>
  );
}
