"use client";

import Link from "next/link";
import { ServiceFormCard } from "~/components/service-form";
import { linkClass, PageHeader } from "~/components/ui";

export default function NewServicePage() {
  return (
    <div className="max-w-4xl">
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/services" className={linkClass}>
          Services
        </Link>
        <span aria-hidden="true" className="mx-1 text-zinc-400">
          /
        </span>
        <span aria-current="page">New</span>
      </nav>
      <PageHeader
        title="Create a service"
        description={
          <>
            Like <code className="font-mono">docker service create</code>. To see where its tasks would go first, use the{" "}
            <Link href="/planner" className={linkClass}>
              planner
            </Link>
            .
          </>
        }
      />
      <ServiceFormCard />
    </div>
  );
}
