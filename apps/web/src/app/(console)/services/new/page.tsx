"use client";

import Link from "next/link";
import { Breadcrumb } from "~/components/breadcrumb";
import { ServiceFormCard } from "~/components/service-form";
import { linkClass, PageHeader } from "~/components/ui";
import { envHref, useEnv } from "~/lib/env";

export default function NewServicePage() {
  const env = useEnv();
  return (
    <div className="max-w-4xl">
      <Breadcrumb trail={[{ href: envHref(env, "/services"), label: "Services" }]} current="New" />
      <PageHeader
        title="Create a service"
        description={
          <>
            Like <code className="font-mono">docker service create</code>. To see where its tasks would go first, use the{" "}
            <Link href={envHref(env, "/planner")} className={linkClass}>
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
