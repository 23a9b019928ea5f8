"use client";

import { createNetworkInput, NETWORK_NAME_MAX_LENGTH, type NetworkOutput } from "@rampart/api/schema";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useMemo, useState } from "react";
import { ConfirmByName } from "~/components/confirm-by-name";
import { CheckField } from "~/components/form-parts";
import { DataTable, ListStates, NoMatches, SearchBox, usePage } from "~/components/list";
import { Alert, Badge, Button, Card, EmptyState, Field, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref, useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { naturalCompare } from "~/lib/nodes";
import { useCan } from "~/lib/session";
import { useTRPC } from "~/lib/trpc";

const COLUMNS = ["Name", "Driver", "Encrypted", "Internal", "Attachable", "Subnets", "Services", "Created", ""];

const FIELDS = ["name", "encrypted", "internal", "attachable", "subnet"] as const;

/** Traffic between nodes on an overlay network crosses the hosts' own network: encrypted, or in the clear. */
const ENCRYPTED_TEXT = "IPsec between the nodes (the overlay driver's encrypted option). Without it, traffic between tasks on different nodes crosses the hosts' network in the clear.";

type Tone = "good" | "warn" | "neutral";

/** A network's flag, in the tone its value deserves: unencrypted overlay traffic is a warning, attachable a caution. */
function Flag({ on, yes, no, testId }: { on: boolean; yes: Tone; no: Tone; testId: string }) {
  return (
    <span data-testid={testId} data-on={on}>
      <Badge tone={on ? yes : no}>{on ? "yes" : "no"}</Badge>
    </span>
  );
}

function matches(network: NetworkOutput, needle: string): boolean {
  if (!needle) return true;
  return network.name.toLowerCase().includes(needle) || network.id.startsWith(needle) || network.services.some((s) => s.name.toLowerCase().includes(needle));
}

function Row({ network, canAdmin, onRemove }: { network: NetworkOutput; canAdmin: boolean; onRemove: () => void }) {
  const env = useEnv();
  const overlay = network.driver === "overlay";
  return (
    <tr data-testid={`network-row-${network.name}`}>
      <td className="px-4 py-2">
        <span className="font-mono text-xs font-medium">{network.name}</span>
        {network.ingress && (
          <span className="ml-2" title="The routing mesh: published ports reach the services through it">
            <Badge>ingress</Badge>
          </span>
        )}
        <span className="block font-mono text-xs text-zinc-500" title={network.id}>
          {network.id.slice(0, 12)}
        </span>
      </td>
      <td className="px-4 py-2 text-xs">
        {network.driver} <span className="text-zinc-500">({network.scope})</span>
      </td>
      <td className="px-4 py-2" title={ENCRYPTED_TEXT}>
        {/* Only an overlay network carries traffic between nodes; encryption means nothing for the others. */}
        {overlay ? <Flag on={network.encrypted} yes="good" no="warn" testId="network-encrypted" /> : <span className="text-xs text-zinc-500">not overlay</span>}
      </td>
      <td className="px-4 py-2" title="No route out of the swarm: its tasks reach only each other">
        <Flag on={network.internal} yes="good" no="neutral" testId="network-internal" />
      </td>
      <td className="px-4 py-2" title="Standalone containers may join it too, not only the swarm's services">
        <Flag on={network.attachable} yes="warn" no="neutral" testId="network-attachable" />
      </td>
      <td className="px-4 py-2 font-mono text-xs">
        {network.subnets.length === 0 ? <span className="font-sans text-zinc-500">none</span> : network.subnets.map((s) => <span key={s.subnet} className="block">{s.subnet}</span>)}
      </td>
      <td className="px-4 py-2" data-testid="network-services">
        {network.services.length === 0 ? (
          <span className="text-zinc-500">none</span>
        ) : (
          [...network.services]
            .sort((a, b) => naturalCompare(a.name, b.name))
            .map((s, i) => (
              <span key={s.id}>
                {i > 0 && ", "}
                <Link href={envHref(env, `/services/${s.id}`)} className={linkClass}>
                  {s.name}
                </Link>
              </span>
            ))
        )}
      </td>
      <td className="px-4 py-2 text-xs whitespace-nowrap">{network.createdAt ? formatDateTime(network.createdAt) : <span className="text-zinc-500">not reported by Docker</span>}</td>
      <td className="px-4 py-2 text-right">
        {canAdmin && !network.ingress && (
          <Button variant="ghost" className="text-red-700 dark:text-red-400" onClick={onRemove} aria-label={`Remove ${network.name}`}>
            Remove
          </Button>
        )}
      </td>
    </tr>
  );
}

/** `docker network create -d overlay`, encrypted unless unticked. */
function CreateForm({ env }: { env: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.network.create.mutationOptions());
  const form = useZodForm(createNetworkInput, { name: "", encrypted: true, internal: false, attachable: false });
  const errors = form.formState.errors;
  const values = form.watch();
  const [created, setCreated] = useState<string | null>(null);

  const submit = form.handleSubmit(async (input) => {
    setCreated(null);
    try {
      const network = await create.mutateAsync({ ...input, env });
      form.reset();
      setCreated(network.name);
      await queryClient.invalidateQueries({ queryKey: trpc.network.pathKey() });
    } catch (error) {
      showServerError(form, error, FIELDS);
    }
  });

  const check = (name: "encrypted" | "internal" | "attachable") => ({
    checked: values[name] ?? false,
    onChange: (checked: boolean) => form.setValue(name, checked, { shouldDirty: true }),
    error: errors[name]?.message,
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Create a network" className="space-y-4">
      {formError(errors) && <Alert title="The network was not created">{formError(errors)}</Alert>}
      {created && <Alert tone="success">Network {created} created.</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" {...form.register("name")} error={errors.name?.message} maxLength={NETWORK_NAME_MAX_LENGTH} placeholder="backend" autoComplete="off" spellCheck={false} className="font-mono" />
        <Field
          label="Subnet"
          {...form.register("subnet", { setValueAs: (v: string) => (v.trim() === "" ? undefined : v.trim()) })}
          error={errors.subnet?.message}
          hint="Optional, in CIDR form (10.20.0.0/24): Docker picks one from its address pool when blank."
          maxLength={64}
          placeholder="10.20.0.0/24"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <CheckField label="Encrypted" hint={ENCRYPTED_TEXT} testId="field-encrypted" {...check("encrypted")}>
          {!values.encrypted && (
            <Alert tone="warning">Traffic between this network&apos;s tasks on different nodes will cross the hosts&apos; network unencrypted.</Alert>
          )}
        </CheckField>
        <CheckField label="Internal" hint="No route out of the swarm: its tasks reach only each other." {...check("internal")} />
        <CheckField label="Attachable" hint="Standalone containers (docker run --network) may join it, not only services." {...check("attachable")} />
      </div>
      <div className="flex justify-end">
        <Button type="submit" busy={create.isPending}>
          Create network
        </Button>
      </div>
    </form>
  );
}

function RemoveDialog({ env, network, onClose }: { env: string; network: NetworkOutput | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.network.remove.mutationOptions());
  return (
    <ConfirmByName
      open={network !== null}
      onClose={() => (remove.reset(), onClose())}
      name={network?.name ?? ""}
      action="Remove network"
      busy={remove.isPending}
      error={remove.isError && describeError(remove.error).message}
      errorTitle="The network was not removed"
      onConfirm={async () => {
        if (!network) return;
        try {
          await remove.mutateAsync({ env, ref: network.id });
        } catch {
          return;
        }
        await queryClient.invalidateQueries({ queryKey: trpc.network.pathKey() });
        onClose();
      }}
    >
      Docker removes the network from every node. It refuses while a service is attached to it.
    </ConfirmByName>
  );
}

/**
 * A connected swarm's networks (ADR 0020): each with the flags that decide who can read
 * and reach its traffic, and the services on it. Rampart's own cluster has none, so its
 * menu has no Networks.
 */
export default function NetworksPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const canAdmin = useCan("cluster:admin");
  const networks = useQuery({ ...trpc.network.list.queryOptions({ env }, backgroundPoll), refetchInterval: 5_000, enabled: env !== undefined });
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search);
  const [removing, setRemoving] = useState<NetworkOutput | null>(null);
  const visible = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    return (networks.data ?? []).filter((n) => matches(n, needle)).sort((a, b) => naturalCompare(a.name, b.name));
  }, [networks.data, deferred]);
  const total = networks.data?.length ?? 0;
  const page = usePage(visible, deferred);
  if (env === undefined) return null;

  const plain = (networks.data ?? []).filter((n) => n.driver === "overlay" && !n.encrypted && !n.ingress);
  return (
    <>
      <PageHeader title="Networks" description="The swarm's networks: whether traffic between nodes is encrypted, whether it can leave the swarm, who may join, and the services on each." />
      <div className="space-y-6">
        <ListStates
          query={networks}
          what="Networks"
          total={total}
          empty={<EmptyState title="No swarm networks">Services are on the ingress network only. Create an overlay network below to connect services to each other.</EmptyState>}
        >
          <SearchBox value={search} onChange={setSearch} placeholder="Name, ID prefix or service" />
          {visible.length === 0 ? (
            <NoMatches title="No networks match this search" onClear={() => setSearch("")} />
          ) : (
            <>
              <DataTable testId="networks-table" columns={COLUMNS}>
                {page.rows.map((network) => (
                  <Row key={network.id} network={network} canAdmin={canAdmin === true} onRemove={() => setRemoving(network)} />
                ))}
              </DataTable>
              {page.pager}
            </>
          )}
          {plain.length > 0 && (
            <Alert tone="warning" title={`${plain.length === 1 ? "1 overlay network is" : `${plain.length} overlay networks are`} not encrypted`}>
              {plain.map((n) => n.name).join(", ")}: traffic between their tasks on different nodes crosses the hosts&apos; network in the clear.
            </Alert>
          )}
        </ListStates>
        {canAdmin && (
          <Card title="Create an overlay network" className="max-w-4xl">
            <CreateForm env={env} />
          </Card>
        )}
      </div>
      <RemoveDialog env={env} network={removing} onClose={() => setRemoving(null)} />
    </>
  );
}
