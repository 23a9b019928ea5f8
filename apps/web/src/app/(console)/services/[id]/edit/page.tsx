"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { Breadcrumb } from "~/components/breadcrumb";
import { ServiceFormCard } from "~/components/service-form";
import { ErrorState, Loading } from "~/components/states";
import { PageHeader } from "~/components/ui";
import { envHref, useEnv } from "~/lib/env";
import { useTRPC } from "~/lib/trpc";

export default function EditServicePage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const env = useEnv();
  // Read once: the form keeps the version it was opened at, so a later change elsewhere is a conflict, not an overwrite.
  const service = useQuery({ ...trpc.service.get.queryOptions({ env, ref: id }), staleTime: Infinity, refetchOnWindowFocus: false });

  return (
    <div className="max-w-4xl">
      <Breadcrumb
        trail={[
          { href: envHref(env, "/services"), label: "Services" },
          { href: envHref(env, `/services/${service.data?.id ?? id}`), label: service.data?.name ?? id },
        ]}
        current="Edit"
      />
      <PageHeader title={service.data ? `Edit ${service.data.name}` : "Edit service"} description={service.data && `Version ${service.data.version}. Saving updates the service like docker service update.`} />
      {service.isPending ? (
        <Loading label="Loading service" blocks={3} className="h-24" />
      ) : service.isError ? (
        <ErrorState title="This service is not available" error={service.error} onRetry={() => service.refetch()} />
      ) : (
        <ServiceFormCard key={service.data.id} service={service.data} reload={async () => (await service.refetch()).data} />
      )}
    </div>
  );
}
