"use client";

import { DOCKER_HOST_MAX_LENGTH, ENV_NAME_MAX_LENGTH } from "@rampart/core";
import { addEnvironmentInput, PEM_MAX_LENGTH, type EnvironmentOutput } from "@rampart/api/schema";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useMemo, useState } from "react";
import type { UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import { ConfirmByName } from "~/components/confirm-by-name";
import { StateDot } from "~/components/env-switcher";
import { CheckField } from "~/components/form-parts";
import { PemField } from "~/components/pem-field";
import { DataTable, ListStates, NoMatches, SearchBox, usePage } from "~/components/list";
import { Alert, Badge, Button, Card, EmptyState, Field, linkClass, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref } from "~/lib/env";
import { connectionLabel, connectionTone, filterEnvironments, securityOf, SECURITY_TEXT } from "~/lib/environments";
import { describeError } from "~/lib/errors";
import { formatDateTime, fromNow } from "~/lib/format";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { naturalCompare } from "~/lib/nodes";
import { useCan } from "~/lib/session";
import { useTRPC, useTRPCClient } from "~/lib/trpc";

/** From how many swarms the list gets a search box. */
const SEARCH_FROM = 8;

const COLUMNS = ["Name", "Docker host", "Security", "Swarm ID", "State", "Connected by", ""];

const FIELDS = ["name", "dockerHost", "tlsCa", "tlsCert", "tlsKey", "insecure"] as const;

type ConnectValues = z.input<typeof addEnvironmentInput>;

function SecurityBadge({ env }: { env: EnvironmentOutput }) {
  const security = securityOf(env);
  const { label, about } = SECURITY_TEXT[security];
  return (
    <span title={about} data-testid="env-security" data-security={security}>
      <Badge tone={security === "insecure" ? "bad" : security === "tls" ? "good" : "neutral"}>{label}</Badge>
    </span>
  );
}

function Row({ env, now, canAdmin, onRemove }: { env: EnvironmentOutput; now: Date; canAdmin: boolean; onRemove: () => void }) {
  const { connection } = env;
  return (
    <tr data-testid={`env-row-${env.name}`}>
      <td className="px-4 py-2">
        <Link href={envHref(env.name, "/")} className={`${linkClass} font-mono text-xs`}>
          {env.name}
        </Link>
      </td>
      <td className="max-w-72 px-4 py-2 font-mono text-xs break-all">{env.dockerHost}</td>
      <td className="px-4 py-2">
        <SecurityBadge env={env} />
      </td>
      <td className="px-4 py-2 font-mono text-xs" title={env.clusterId}>
        {env.clusterId.slice(0, 12)}
      </td>
      <td className="max-w-80 px-4 py-2" data-testid="env-state" data-state={connection.state}>
        <span className="inline-flex items-center gap-1.5">
          <StateDot tone={connectionTone(connection)} />
          {connectionLabel(connection)}
        </span>
        {connection.state !== "connected" && connection.detail && <span className="block text-xs break-words text-zinc-500">{connection.detail}</span>}
      </td>
      <td className="px-4 py-2 whitespace-nowrap">
        {env.createdBy}
        <span className="block text-xs text-zinc-500" title={formatDateTime(env.createdAt)}>
          {fromNow(env.createdAt, now)}
        </span>
      </td>
      <td className="px-4 py-2 text-right">
        {canAdmin && (
          <Button variant="ghost" className="text-red-700 dark:text-red-400" onClick={onRemove} aria-label={`Remove ${env.name}`}>
            Remove
          </Button>
        )}
      </td>
    </tr>
  );
}

/** One piece of TLS material: the shared PEM field, its value and errors kept in the connect form. */
function TlsPemField({
  form,
  name,
  label,
  hint,
  secret = false,
}: {
  form: UseFormReturn<ConnectValues, unknown, z.output<typeof addEnvironmentInput>>;
  name: "tlsCa" | "tlsCert" | "tlsKey";
  label: string;
  hint: string;
  /** The client key: written once, never displayed. */
  secret?: boolean;
}) {
  return (
    <PemField
      label={label}
      hint={hint}
      error={form.formState.errors[name]?.message}
      // An empty box is no material at all, as the API takes it.
      registration={form.register(name, { setValueAs: (v: string) => (v === "" ? undefined : v) })}
      onLoad={(text) => form.setValue(name, text, { shouldDirty: true, shouldValidate: form.formState.isSubmitted })}
      onFileError={(message) => form.setError(name, { type: "file", message })}
      maxLength={PEM_MAX_LENGTH}
      secret={secret}
      masked={false}
      rows={secret ? 3 : 4}
      fileTestId={`${name}-file`}
    />
  );
}

/**
 * Connects a swarm: its name, its manager's Docker host, and TLS material or the
 * explicit choice of plain TCP. The server checks it answers as a swarm manager before
 * storing anything; each refusal lands at the field it names. The client key is sent
 * once and never shown again: the call goes through the tRPC client, not a TanStack
 * mutation, so no cache keeps it, and the form forgets it on success.
 */
function ConnectForm() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const form = useZodForm(addEnvironmentInput, { name: "", dockerHost: "", insecure: false });
  const errors = form.formState.errors;
  const insecure = form.watch("insecure") ?? false;
  const [connected, setConnected] = useState<EnvironmentOutput | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = form.handleSubmit(async (values) => {
    setConnected(null);
    setBusy(true);
    try {
      const env = await client.environment.add.mutate(values);
      form.reset();
      setConnected(env);
      await queryClient.invalidateQueries({ queryKey: trpc.environment.pathKey() });
    } catch (error) {
      showServerError(form, error, FIELDS);
    } finally {
      setBusy(false);
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Connect a swarm" className="space-y-5">
      {formError(errors) && (
        <Alert title="The swarm was not connected">
          <span data-testid="connect-error">{formError(errors)}</span>
        </Alert>
      )}
      {connected && (
        <Alert tone="success" title={`Connected ${connected.name}`}>
          <p data-testid="connected-notice">
            Swarm <code className="font-mono text-xs">{connected.clusterId}</code> at <code className="font-mono text-xs">{connected.dockerHost}</code>.{" "}
            <Link href={envHref(connected.name, "/")} className={linkClass}>
              Open {connected.name}
            </Link>
          </p>
        </Alert>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Name"
          {...form.register("name")}
          error={errors.name?.message}
          hint="Lower-case letters, digits, '_', '.' and '-': the name in the address and in rampart --env."
          maxLength={ENV_NAME_MAX_LENGTH}
          placeholder="prod"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <Field
          label="Docker host"
          {...form.register("dockerHost")}
          error={errors.dockerHost?.message}
          hint="A manager's Engine API, as DOCKER_HOST writes it: unix:///var/run/docker.sock, or tcp://HOST:2376 with TLS."
          maxLength={DOCKER_HOST_MAX_LENGTH}
          placeholder="unix:///var/run/docker.sock"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
      </div>
      <fieldset className="space-y-3">
        <legend className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">TLS (tcp:// only)</legend>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          The three files <code className="font-mono">docker --tlsverify</code> uses: Rampart checks the engine&apos;s certificate against the CA, and
          shows the engine its own certificate. Give all three, or none for a Unix socket.
        </p>
        <div className="grid gap-4 lg:grid-cols-3">
          <TlsPemField form={form} name="tlsCa" label="CA certificate" hint="ca.pem: the CA that signed the engine's certificate." />
          <TlsPemField form={form} name="tlsCert" label="Client certificate" hint="cert.pem: Rampart's certificate, which the engine trusts." />
          <TlsPemField form={form} name="tlsKey" label="Client key" secret hint="key.pem: sealed in the store and never shown again, by any page, the API or the CLI." />
        </div>
      </fieldset>
      <CheckField
        label="Insecure: plain TCP without TLS"
        checked={insecure}
        onChange={(checked) => form.setValue("insecure", checked, { shouldValidate: form.formState.isSubmitted })}
        error={errors.insecure?.message}
        hint="Only for a tcp:// engine that does not speak TLS."
        testId="field-insecure"
      >
        {insecure && (
          <Alert tone="warning" title="What this means">
            {SECURITY_TEXT.insecure.about} Every page of this swarm will say so.
          </Alert>
        )}
      </CheckField>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Rampart first checks that the engine answers, that its TLS material fits, and that it is a manager of a swarm not connected already;
        nothing is stored unless every check passes. A connection to an engine is root on its host: only administrators connect swarms, and each
        attempt is recorded in the audit log.
      </p>
      <div className="flex justify-end">
        <Button type="submit" busy={busy}>
          Connect swarm
        </Button>
      </div>
    </form>
  );
}

function RemoveDialog({ env, onClose }: { env: EnvironmentOutput | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.environment.remove.mutationOptions());
  return (
    <ConfirmByName
      open={env !== null}
      onClose={() => (remove.reset(), onClose())}
      name={env?.name ?? ""}
      title={env ? `Disconnect ${env.name}?` : ""}
      action="Remove connection"
      busy={remove.isPending}
      error={remove.isError && describeError(remove.error).message}
      errorTitle="The connection was not removed"
      onConfirm={async () => {
        if (!env) return;
        try {
          await remove.mutateAsync({ name: env.name });
        } catch {
          return;
        }
        await queryClient.invalidateQueries({ queryKey: trpc.environment.pathKey() });
        onClose();
      }}
    >
      Rampart forgets the connection and its client key. The swarm itself is untouched: its nodes, services and secrets keep running, and the audit
      log keeps its events. Connecting it again needs its TLS material again.
    </ConfirmByName>
  );
}

/**
 * Environments (ADR 0020): the Docker Swarms this server administers beside its own
 * cluster. Everyone sees the list; only administrators connect and remove swarms (the
 * API refuses anyone else with 403, which the form shows where it happened).
 */
export default function EnvironmentsPage() {
  const trpc = useTRPC();
  const environments = useQuery({ ...trpc.environment.list.queryOptions(undefined, backgroundPoll), refetchInterval: 5_000 });
  const canAdmin = useCan("environments:admin");
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search);
  const [removing, setRemoving] = useState<EnvironmentOutput | null>(null);
  const visible = useMemo(() => filterEnvironments(environments.data ?? [], deferred).sort((a, b) => naturalCompare(a.name, b.name)), [environments.data, deferred]);
  const total = environments.data?.length ?? 0;
  const page = usePage(visible, deferred);
  const now = new Date(environments.dataUpdatedAt);

  return (
    <>
      <PageHeader
        title="Environments"
        description="The Docker Swarms this server administers beside its own cluster, through a manager's Engine API. Choose one in the switcher above the menu."
      />
      <div className="space-y-6">
        <ListStates
          query={environments}
          what="Environments"
          total={total}
          loadingRows={2}
          empty={
            <EmptyState title="No swarm connected">
              Only Rampart&apos;s own cluster is here. {canAdmin ? "Connect a Docker Swarm below to administer it with the same pages." : "An administrator can connect a Docker Swarm."}
            </EmptyState>
          }
        >
          {total >= SEARCH_FROM && <SearchBox value={search} onChange={setSearch} placeholder="Name, Docker host or swarm ID" />}
          {visible.length === 0 ? (
            <NoMatches title="No swarm matches this search" onClear={() => setSearch("")} />
          ) : (
            <>
              <DataTable testId="environments-table" columns={COLUMNS}>
                {page.rows.map((env) => (
                  <Row key={env.id} env={env} now={now} canAdmin={canAdmin === true} onRemove={() => setRemoving(env)} />
                ))}
              </DataTable>
              {page.pager}
            </>
          )}
        </ListStates>
        {canAdmin === false ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="env-read-only">
            Your role can see the connected swarms. Only an administrator connects or removes one: a connection to an engine is root on its host.
          </p>
        ) : (
          canAdmin && (
            <Card title="Connect a swarm" className="max-w-4xl">
              <ConnectForm />
            </Card>
          )
        )}
      </div>
      <RemoveDialog env={removing} onClose={() => setRemoving(null)} />
    </>
  );
}
