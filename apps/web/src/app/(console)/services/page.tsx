"use client";

import type { ServiceViewOutput } from "@rampart/api/schema";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo, useState, type MouseEvent } from "react";
import { ErrorState, Loading } from "~/components/states";
import { Button, buttonClass, EmptyState, Field, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { titleCase } from "~/lib/format";
import { naturalCompare } from "~/lib/nodes";
import { constraintsSummary } from "~/lib/services";
import { useTRPC } from "~/lib/trpc";

const primaryLink = buttonClass("primary");

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
  const router = useRouter();
  const href = `/services/${service.id}`;
  const { spec } = service;
  function open(event: MouseEvent<HTMLTableRowElement>) {
    if ((event.target as HTMLElement).closest("a, button")) return;
    router.push(href);
  }
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
  const services = useQuery({ ...trpc.service.list.queryOptions(undefined, backgroundPoll), refetchInterval: 5_000 });
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search);
  const visible = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    return (services.data ?? []).filter((s) => matches(s, needle)).sort((a, b) => naturalCompare(a.name, b.name));
  }, [services.data, deferred]);
  const total = services.data?.length ?? 0;
  const pending = services.data?.reduce((n, s) => n + s.pending, 0) ?? 0;

  return (
    <>
      <PageHeader
        title="Services"
        description="What runs in the swarm: each service's tasks, where the scheduler put them, and what is still waiting for a node."
        actions={
          <div className="flex gap-2">
            <Link href="/planner" className={buttonClass("secondary")}>
              Plan a placement
            </Link>
            <Link href="/services/new" className={primaryLink}>
              Create service
            </Link>
          </div>
        }
      />
      {services.isPending ? (
        <Loading label="Loading services" blocks={4} className="h-10" />
      ) : services.isError ? (
        <ErrorState title="Services are not available" error={services.error} onRetry={() => services.refetch()} />
      ) : total === 0 ? (
        <EmptyState
          title="No services yet"
          action={
            <Link href="/services/new" className={primaryLink}>
              Create service
            </Link>
          }
        >
          A service runs a number of tasks on the nodes its constraints allow. Create one, or try a placement first in the planner.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <form role="search" onSubmit={(e) => e.preventDefault()} className="max-w-md">
            <Field
              label="Search"
              type="search"
              placeholder="Name, ID prefix, image or constraint"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </form>
          <p aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
            {visible.length} of {total} services
            {pending > 0 && (
              <span className="ml-2 font-medium text-amber-700 dark:text-amber-400">
                · {pending} task{pending === 1 ? "" : "s"} waiting for a node
              </span>
            )}
          </p>
          {visible.length === 0 ? (
            <EmptyState
              title="No services match this search"
              action={
                <Button variant="secondary" onClick={() => setSearch("")}>
                  Clear search
                </Button>
              }
            />
          ) : (
            <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
              <table data-testid="services-table" className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
                <thead className="bg-zinc-50 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 dark:bg-zinc-900">
                  <tr>
                    <th scope="col" className="px-4 py-2">Name</th>
                    <th scope="col" className="px-4 py-2">Mode</th>
                    <th scope="col" className="px-4 py-2">Replicas</th>
                    <th scope="col" className="px-4 py-2">Pending</th>
                    <th scope="col" className="px-4 py-2">Image</th>
                    <th scope="col" className="px-4 py-2">Constraints</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
                  {visible.map((service) => (
                    <Row key={service.id} service={service} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </>
  );
}
