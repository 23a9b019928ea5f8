"use client";

import type { ServiceViewOutput } from "@rampart/api/schema";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useKeyOptions, useSnapshot } from "~/lib/cluster";
import { weakeningsByField, type ContainerForm } from "~/lib/containers";
import { envHref, useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { shown, type FieldErrors } from "~/lib/forms";
import { checkGrants, grantField, grantRowsFromSpec, type GrantRow } from "~/lib/secrets";
import { checkForm, EMPTY_FORM, formFromSpec, serverErrorField, updateSpec, type ServiceForm } from "~/lib/services";
import { useTRPC } from "~/lib/trpc";
import { SecretGrantsFields } from "./secret-grants";
import { ContainerFields, MountRows } from "./service-container";
import { ServiceNetworksFields } from "./service-networks";
import { SECCOMP_PROFILES_NOT_ON_DOCKER, SecurityFields } from "./service-security";
import { ServiceSpecFields } from "./service-spec";
import { Alert, Badge, Button, buttonClass, Card } from "./ui";

/** Only the constraint rows are checked as you type; the rest once you submit. */
function shownErrors(client: FieldErrors, server: FieldErrors, submitted: boolean): FieldErrors {
  const live = Object.fromEntries(Object.entries(client).filter(([k]) => submitted || k.startsWith("constraints.") || k.startsWith("preferences.")));
  // Swarm's words (core's checks, the grants' checks) with their plain meaning beside them.
  return Object.fromEntries(Object.entries({ ...live, ...server }).map(([k, v]) => [k, v === undefined ? v : shown(v)]));
}

/**
 * Create a service, or edit one at the version it was read: a stale version is refused
 * by the server, and the page says so and offers to reload instead of overwriting.
 */
export function ServiceFormCard({ service, reload }: { service?: ServiceViewOutput; reload?: () => Promise<ServiceViewOutput | undefined> }) {
  const trpc = useTRPC();
  const env = useEnv();
  const router = useRouter();
  const queryClient = useQueryClient();
  const snapshot = useSnapshot();
  const options = useKeyOptions(snapshot.data?.nodes);
  const create = useMutation(trpc.service.create.mutationOptions());
  const update = useMutation(trpc.service.update.mutationOptions());
  const secrets = useQuery(trpc.secret.list.queryOptions({ env }));
  // The runtime policy and the seccomp profiles are Rampart's own: a Docker Swarm has neither.
  const native = env === undefined;
  const policy = useQuery({ ...trpc.swarm.runtimePolicy.queryOptions(), enabled: native });
  const profiles = useQuery({ ...trpc.swarm.seccompProfiles.queryOptions(), enabled: native });
  const formRef = useRef<HTMLFormElement>(null);
  const [form, setForm] = useState<ServiceForm>(() => (service ? formFromSpec(service.spec) : EMPTY_FORM));
  const [grants, setGrants] = useState<GrantRow[]>(() => grantRowsFromSpec(service?.spec.secrets));
  const [known, setKnown] = useState(service?.spec.secrets ?? []);
  // A swarm service's overlay networks, by name (Docker's ID when it gave no name).
  const networksOf = (s: ServiceViewOutput | undefined) => s?.docker?.networks.map((n) => n.name ?? n.id) ?? [];
  const [networks, setNetworks] = useState<string[]>(() => networksOf(service));
  const [version, setVersion] = useState(service?.version);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [conflict, setConflict] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);
  const checked = checkForm(form);
  const checkedGrants = checkGrants(grants, secrets.data, known);
  const clientErrors = { ...checked.errors, ...checkedGrants.errors };
  const errors = shownErrors(clientErrors, serverErrors, submitted);
  const busy = create.isPending || update.isPending;
  // Live, as the form is changed: what the spec gives up, by field, in core's words (the manager records the same list).
  const weak = checked.spec.container ? weakeningsByField(checked.spec.container) : new Map<string, never[]>();
  const weakenings = [...weak.values()].flat();
  const grid = "grid gap-4 sm:grid-cols-2";

  // After a refused submit, the first field marked takes the focus, so a keyboard user lands on what to fix.
  const [focusTick, setFocusTick] = useState(0);
  useEffect(() => {
    if (focusTick === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusTick]);

  function changeContainer(next: ContainerForm) {
    change({ ...form, container: next });
  }

  function change(next: ServiceForm) {
    setForm(next);
    setServerErrors({});
  }

  function changeGrants(next: GrantRow[]) {
    setGrants(next);
    setServerErrors({});
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    setConflict(null);
    if (Object.keys(clientErrors).length > 0) {
      setFocusTick((t) => t + 1);
      return;
    }
    // The grants are always sent, so removing the last row revokes it (`[]`); the planner leaves them out and keeps them.
    // So are a swarm service's networks; the native cluster has none to send.
    const spec = { ...checked.spec, secrets: checkedGrants.secrets, ...(env !== undefined ? { networks } : {}) };
    try {
      const saved =
        service && version !== undefined ? await update.mutateAsync({ env, ref: service.id, version, spec: updateSpec(spec) }) : await create.mutateAsync({ ...spec, env });
      await queryClient.invalidateQueries({ queryKey: trpc.service.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.planner.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() });
      // A seccomp profile's users may have changed.
      void queryClient.invalidateQueries({ queryKey: trpc.swarm.seccompProfile.queryKey() });
      router.push(envHref(env, `/services/${saved.id}`));
    } catch (error) {
      const info = describeError(error);
      if (info.code === "CONFLICT") {
        setConflict(info.message);
        return;
      }
      const grant = grantField(info.field);
      const field = info.field?.startsWith("networks") ? "networks" : grant !== "form" ? grant : serverErrorField(info, checked);
      setServerErrors({ [field]: info.message });
      setFocusTick((t) => t + 1);
    }
  }

  async function reloadService(keepEdits: boolean) {
    if (!reload) return;
    setReloading(true);
    try {
      const fresh = await reload();
      if (fresh) {
        setVersion(fresh.version);
        setKnown(fresh.spec.secrets ?? []);
        if (!keepEdits) {
          setForm(formFromSpec(fresh.spec));
          setGrants(grantRowsFromSpec(fresh.spec.secrets));
          setNetworks(networksOf(fresh));
        }
        setConflict(null);
      }
    } finally {
      setReloading(false);
    }
  }

  const cancelHref = envHref(env, service ? `/services/${service.id}` : "/services");
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={service ? `Edit ${service.name}` : "Create a service"} className="space-y-4">
      <Card>
        <ServiceSpecFields form={form} onChange={change} errors={errors} keyOptions={options} editing={Boolean(service)} />
        {snapshot.isError && (
          <p className="mt-4 text-xs text-zinc-500">The label picker is empty: the cluster could not be read ({describeError(snapshot.error).message}).</p>
        )}
      </Card>
      <Card title="Container">
        <div className="space-y-6">
          <ContainerFields value={form.container} onChange={changeContainer} errors={errors} grid={grid} />
          <MountRows rows={form.container.mounts} onChange={(mounts) => changeContainer({ ...form.container, mounts })} errors={errors} policy={policy.data} />
        </div>
      </Card>
      <Card
        title="Security"
        actions={
          weakenings.length === 0 ? (
            <Badge tone="good">Secure defaults</Badge>
          ) : (
            <Badge tone="warn">{`${weakenings.length} protection${weakenings.length === 1 ? "" : "s"} given up`}</Badge>
          )
        }
      >
        <SecurityFields
          value={form.container}
          onChange={changeContainer}
          errors={errors}
          weak={weak}
          policy={policy.data}
          profiles={
            native
              ? {
                  names: profiles.data?.map((p) => p.name),
                  loading: profiles.isPending,
                  error: profiles.isError ? describeError(profiles.error).message : null,
                  retry: () => void profiles.refetch(),
                }
              : { names: [], loading: false, error: null, retry: () => undefined, unavailable: SECCOMP_PROFILES_NOT_ON_DOCKER }
          }
        />
        {policy.isError && <p className="mt-4 text-xs text-zinc-500">The runtime policy could not be read ({describeError(policy.error).message}); the server still checks it on save.</p>}
      </Card>
      <Card>
        <SecretGrantsFields
          rows={grants}
          onChange={changeGrants}
          errors={errors}
          secrets={secrets.data}
          loadError={secrets.isError ? describeError(secrets.error).message : null}
        />
      </Card>
      {env !== undefined && (
        <Card>
          <ServiceNetworksFields env={env} value={networks} onChange={(next) => (setNetworks(next), setServerErrors({}))} error={errors.networks} />
        </Card>
      )}
      {conflict && (
        <Alert tone="warning" title="Someone else changed this service">
          <p>{conflict}</p>
          <p className="mt-1">
            Reload to save over the latest version (your edits are kept, so check them against what changed), or start again from the
            latest version.
          </p>
          <div className="mt-2 flex flex-wrap gap-2">
            <Button variant="secondary" busy={reloading} onClick={() => reloadService(true)}>
              Reload and keep my edits
            </Button>
            <Button variant="ghost" disabled={reloading} onClick={() => reloadService(false)}>
              Discard my edits
            </Button>
          </div>
        </Alert>
      )}
      {submitted && Object.keys(clientErrors).length > 0 && <Alert>Fix the fields marked above, then try again.</Alert>}
      {weakenings.length > 0 && (
        <div data-testid="weakened-summary">
          <Alert tone="warning" title={`This spec gives up ${weakenings.length === 1 ? "a protection" : `${weakenings.length} protections`} every task would otherwise have`}>
            <ul className="list-disc space-y-0.5 pl-5">
              {weakenings.map((w, i) => (
                <li key={i}>{w.text}</li>
              ))}
            </ul>
            <p className="mt-2">Saving records this list with the change in the audit log.</p>
          </Alert>
        </div>
      )}
      <div className="flex flex-wrap justify-end gap-2">
        {service && (
          <Link href={envHref(env, `/planner?service=${encodeURIComponent(service.id)}`)} className={buttonClass("ghost")}>
            Open in planner
          </Link>
        )}
        <Link href={cancelHref} className={buttonClass("secondary")}>
          Cancel
        </Link>
        <Button type="submit" busy={busy} disabled={conflict !== null}>
          {service ? "Save changes" : "Create service"}
        </Button>
      </div>
    </form>
  );
}
