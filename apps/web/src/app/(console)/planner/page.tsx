"use client";

import type { ServiceViewOutput } from "@rampart/api/schema";
import { pciDssScenario, planPlacement, type PlannerCluster, type PlanResult, type Sandbox } from "@rampart/core/planner";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { ApplyDialog } from "~/components/planner/apply-dialog";
import { NodeSandbox } from "~/components/planner/node-sandbox";
import { OtherServices, PlacementPreview } from "~/components/planner/placement-preview";
import { WhyNotMatrix } from "~/components/planner/why-not-matrix";
import { ServiceSpecFields } from "~/components/service-spec";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Badge, Button, Card, linkClass, PageHeader, Spinner } from "~/components/ui";
import { useKeyOptions, useSnapshot } from "~/lib/cluster";
import { envHref, useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import type { FieldErrors } from "~/lib/forms";
import { buildSandbox, effectiveNode, formatMs, listEdits, otherChanges, planSignature, type NodeChanges } from "~/lib/planner";
import { checkForm, coreSpec, DRAFT_FALLBACK, EMPTY_FORM, formField, formFromSpec, previewSpec, serverErrorField, updateSpec, type ServiceForm, type SpecOutput } from "~/lib/services";
import { useTRPC, useTRPCClient } from "~/lib/trpc";

/** How long the sandbox must stay still before the server's audited what-if runs. */
const WHAT_IF_DEBOUNCE_MS = 800;

type Plan = { result: PlanResult; error: null } | { result: null; error: string };

/** The browser's plan; the planner never throws for what a user types, but a bug should not blank the page. */
function planLocally(cluster: PlannerCluster, sandbox: Sandbox): Plan {
  try {
    return { result: planPlacement(cluster, sandbox), error: null };
  } catch (error) {
    return { result: null, error: error instanceof Error ? error.message : String(error) };
  }
}

interface Base {
  id: string;
  version: number;
  spec: SpecOutput;
}

function PlanStatus({
  local,
  server,
  checking,
  serverError,
  scenario,
  changedCluster,
}: {
  local: Plan;
  server: PlanResult | null;
  checking: boolean;
  serverError: string | null;
  scenario: boolean;
  changedCluster: boolean;
}) {
  return (
    <div data-testid="plan-status" role="status" aria-live="polite" className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
      {local.result && (
        <span>
          Computed in your browser in <strong data-testid="plan-time">{formatMs(local.result.tookMs)}</strong>
        </span>
      )}
      {scenario ? (
        <span>The server what-if is skipped for the example cluster.</span>
      ) : checking ? (
        <span className="inline-flex items-center gap-1">
          <Spinner className="size-3" /> Checking with the server…
        </span>
      ) : server ? (
        <span data-testid="plan-verified">
          <span aria-hidden="true" className="text-emerald-600 dark:text-emerald-400">
            ✓{" "}
          </span>
          Confirmed by the server&apos;s what-if in {formatMs(server.tookMs)} (recorded in the audit log)
        </span>
      ) : serverError ? (
        <span className="text-red-700 dark:text-red-400">The server what-if failed: {serverError}</span>
      ) : (
        <span>Change the spec or a node; the server checks the plan once you pause.</span>
      )}
      {changedCluster && <span className="font-medium text-amber-700 dark:text-amber-400">The cluster changed since it was loaded; the planner read it again.</span>}
    </div>
  );
}

function Planner({
  snapshot,
  service,
  refetchSnapshot,
  reloadService,
}: {
  snapshot: PlannerCluster;
  service: ServiceViewOutput | null;
  refetchSnapshot: () => Promise<unknown>;
  reloadService: () => Promise<ServiceViewOutput | undefined>;
}) {
  const trpc = useTRPC();
  const env = useEnv();
  const client = useTRPCClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const apply = useMutation(trpc.planner.applyPlan.mutationOptions());

  const [base, setBase] = useState<Base | null>(service ? { id: service.id, version: service.version, spec: service.spec } : null);
  const [form, setForm] = useState<ServiceForm>(() => (service ? formFromSpec(service.spec) : EMPTY_FORM));
  const [changes, setChanges] = useState<NodeChanges>({});
  const [past, setPast] = useState<NodeChanges[]>([]);
  const [scenario, setScenario] = useState<{ cluster: PlannerCluster; fallback: SpecOutput; savedForm: ServiceForm } | null>(null);
  const [server, setServer] = useState<{ key: string; result: PlanResult | null; error: string | null } | null>(null);
  const [changedCluster, setChangedCluster] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [dialog, setDialog] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);
  const [applyError, setApplyError] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);

  const cluster = scenario?.cluster ?? snapshot;
  const checked = useMemo(() => checkForm(form), [form]);
  const fallback = scenario?.fallback ?? base?.spec ?? DRAFT_FALLBACK;
  const preview = useMemo(() => previewSpec(checked, fallback), [checked, fallback]);
  const serviceId = scenario ? undefined : base?.id;
  const sandbox = useMemo(() => buildSandbox(changes, { ...(serviceId ? { serviceId } : {}), spec: coreSpec(preview.spec) }), [changes, serviceId, preview]);
  // The sandbox as text: what the server is asked about, and whether its answer is still current.
  const key = useMemo(() => JSON.stringify(sandbox), [sandbox]);
  // Typing stays instant on a big cluster: the plan catches up when the browser is free.
  const deferredSandbox = useDeferredValue(sandbox);
  const deferredCluster = useDeferredValue(cluster);
  const local = useMemo(() => planLocally(deferredCluster, deferredSandbox), [deferredCluster, deferredSandbox]);
  const stale = deferredSandbox !== sandbox || deferredCluster !== cluster;

  // The server's what-if, once the sandbox has stayed still: audited, and authoritative when it answers.
  const [initialKey] = useState(key);
  const clusterRef = useRef(cluster);
  useEffect(() => {
    clusterRef.current = cluster;
  }, [cluster]);
  useEffect(() => {
    if (scenario || key === initialKey) return;
    let cancelled = false;
    const asked = JSON.parse(key) as Sandbox;
    const timer = setTimeout(async () => {
      try {
        const result = await client.planner.whatIf.mutate({ ...asked, env });
        if (cancelled) return;
        setServer({ key, result, error: null });
        // Same code, same input: a different answer means the cluster moved under the snapshot.
        const mine = planLocally(clusterRef.current, asked);
        if (mine.result && planSignature(mine.result) !== planSignature(result)) {
          setChangedCluster(true);
          await refetchSnapshot();
        }
      } catch (error) {
        if (!cancelled) setServer({ key, result: null, error: describeError(error).message });
      }
    }, WHAT_IF_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [key, initialKey, scenario, client, env, refetchSnapshot]);

  const current = !scenario && server?.key === key ? server : null;
  const shown: PlanResult | null = current?.result ?? local.result;
  const checking = !scenario && key !== initialKey && !current;

  const nodesById = useMemo(() => new Map(cluster.nodes.map((n) => [n.id, n])), [cluster.nodes]);
  const hostnames = useMemo(() => new Map(cluster.nodes.map((n) => [n.id, n.hostname])), [cluster.nodes]);
  const runtimes = useMemo(() => new Map(cluster.nodes.map((n) => [n.id, n.runtimeKind])), [cluster.nodes]);
  const restartPolicies = useMemo(() => new Map(cluster.services.map((s) => [s.id, s.spec.restartPolicy])), [cluster.services]);
  const sandboxNodes = useMemo(() => cluster.nodes.map((n) => effectiveNode(n, changes[n.id])), [cluster.nodes, changes]);
  const options = useKeyOptions(sandboxNodes);
  const edits = useMemo(() => listEdits(nodesById, changes), [nodesById, changes]);

  const focus = shown?.focus ?? null;
  const problems = focus?.problems ?? [];
  const problemErrors: FieldErrors = Object.fromEntries(problems.map((p) => [formField(p.field), p.message]));
  const live = Object.fromEntries(Object.entries(checked.errors).filter(([k]) => submitted || k.startsWith("constraints.") || k.startsWith("preferences.")));
  const errors: FieldErrors = { ...problemErrors, ...live, ...serverErrors };
  const constraintColumns = focus?.matrix[0]?.constraints.map((c) => `${c.constraint.key} ${c.constraint.op} ${c.constraint.value}`) ?? preview.spec.constraints;
  const others = shown ? otherChanges(shown) : [];

  function editNodes(next: NodeChanges) {
    setPast((p) => [...p.slice(-99), changes]);
    setChanges(next);
  }
  function undo() {
    const previous = past.at(-1);
    if (previous === undefined) return;
    setPast(past.slice(0, -1));
    setChanges(previous);
  }
  function reset() {
    if (Object.keys(changes).length > 0) setPast((p) => [...p.slice(-99), changes]);
    setChanges({});
  }
  function editForm(next: ServiceForm) {
    setForm(next);
    setServerErrors({});
  }

  function loadScenario() {
    const example = pciDssScenario();
    const spec = example.sandbox.service?.spec ?? DRAFT_FALLBACK;
    setScenario({ cluster: example.cluster, fallback: spec, savedForm: form });
    setForm(formFromSpec(spec));
    setChanges({});
    setPast([]);
    setSubmitted(false);
    setServerErrors({});
  }
  function leaveScenario() {
    if (scenario) setForm(scenario.savedForm);
    setScenario(null);
    setChanges({});
    setPast([]);
  }

  // Without the sandbox's node changes, for the apply dialog: what will really happen.
  const withoutSandbox = useMemo(() => {
    if (!dialog || edits.length === 0) return null;
    return planLocally(cluster, buildSandbox({}, sandbox.service ?? null)).result?.focus ?? null;
  }, [dialog, edits.length, sandbox.service, cluster]);

  function openApply() {
    setSubmitted(true);
    if (Object.keys(checked.errors).length > 0 || problems.length > 0) return;
    setConflict(null);
    setApplyError(null);
    apply.reset();
    setDialog(true);
  }

  async function confirmApply() {
    setApplyError(null);
    try {
      const applied = await apply.mutateAsync(base ? { env, serviceId: base.id, version: base.version, spec: updateSpec(checked.spec) } : { env, spec: checked.spec });
      await queryClient.invalidateQueries({ queryKey: trpc.service.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.planner.pathKey() });
      router.push(envHref(env, `/services/${applied.id}`));
    } catch (error) {
      const info = describeError(error);
      if (info.code === "CONFLICT") return setConflict(info.message);
      const field = serverErrorField(info, checked);
      // The planner edits placement, not the container: a refusal about the container is the dialog's to say.
      if (field === "form" || field.startsWith("container")) return setApplyError(info.message);
      setServerErrors({ [field]: info.message });
      setDialog(false);
    }
  }

  async function reload() {
    setReloading(true);
    try {
      const fresh = await reloadService();
      if (fresh) {
        setBase({ id: fresh.id, version: fresh.version, spec: fresh.spec });
        setConflict(null);
      }
      await refetchSnapshot();
    } finally {
      setReloading(false);
    }
  }

  const applyBlocked = scenario
    ? "Apply is off for the example: its nodes are not real. Go back to the real cluster to apply."
    : null;

  return (
    <>
      <PageHeader
        title="Placement planner"
        description={
          scenario ? (
            "An example cluster: plan freely, nothing here touches the swarm."
          ) : base ? (
            <>
              Planning{" "}
              <Link href={envHref(env, `/services/${base.id}`)} className={linkClass}>
                {base.spec.name}
              </Link>{" "}
              (version {base.version}). Change its spec or the nodes, and see where its tasks would go and why.
            </>
          ) : (
            "Plan a new service: see where its tasks would go, and why each node is or is not used, before anything runs."
          )
        }
        actions={
          <div className="flex flex-wrap items-center gap-2">
            {scenario ? (
              <Button variant="secondary" onClick={leaveScenario}>
                Back to the real cluster
              </Button>
            ) : (
              <>
                <Button variant="ghost" onClick={() => void refetchSnapshot()}>
                  Refresh cluster
                </Button>
                <Button variant="secondary" onClick={loadScenario}>
                  Load PCI-DSS example
                </Button>
              </>
            )}
            <Button onClick={openApply} disabled={scenario !== null} aria-describedby={applyBlocked ? "apply-blocked" : undefined} title={applyBlocked ?? undefined}>
              {base && !scenario ? "Apply update…" : "Apply: create service…"}
            </Button>
          </div>
        }
      />
      {scenario && (
        <div className="mb-4" data-testid="scenario-banner">
          <Alert tone="info" title="Example cluster: PCI-DSS">
            <p>
              Six example nodes, three labelled <code className="font-mono">pcidss=yes</code>, and a draft service <code className="font-mono">web-fe</code> pinned to
              them with <code className="font-mono">node.labels.pcidss == yes</code>. Try changing a node&apos;s label.
            </p>
            <p id="apply-blocked" className="mt-1 font-medium">
              {applyBlocked}
            </p>
          </Alert>
        </div>
      )}
      {submitted && Object.keys(checked.errors).length > 0 && (
        <div className="mb-4">
          <Alert>Fix the fields marked in the spec, then apply.</Alert>
        </div>
      )}
      {/* From 1280 px: the spec and the node what-ifs on the left, the results held in view
          on the right while either is edited, and the matrix across the whole width below.
          Narrower, one column in the same order. */}
      <div className="grid grid-cols-1 items-start gap-4 xl:grid-cols-[minmax(22rem,26rem)_minmax(0,1fr)] 2xl:grid-cols-[minmax(26rem,32rem)_minmax(0,1fr)]">
        <div className="min-w-0 space-y-4">
          <Card
            title={
              <span className="flex items-center gap-2">
                Service spec {scenario ? <Badge tone="warn">example</Badge> : base ? <Badge>v{base.version}</Badge> : <Badge>draft</Badge>}
              </span>
            }
          >
            <ServiceSpecFields form={form} onChange={editForm} errors={errors} keyOptions={options} editing={base !== null && !scenario} compact />
          </Card>
          <Card title={<span className="flex items-center gap-2">What-if: nodes {scenario && <Badge tone="warn">example</Badge>}</span>}>
            <NodeSandbox nodes={cluster.nodes} changes={changes} onChange={editNodes} onUndo={undo} onReset={reset} canUndo={past.length > 0} scenario={scenario !== null} />
          </Card>
        </div>
        <section
          aria-label="Plan results"
          data-testid="plan-results"
          className="min-w-0 space-y-4 xl:sticky xl:top-4 xl:max-h-[calc(100dvh-2rem)] xl:overflow-y-auto xl:overscroll-contain"
        >
          <PlanStatus local={local} server={current?.result ?? null} checking={checking} serverError={current?.error ?? null} scenario={scenario !== null} changedCluster={changedCluster} />
          {preview.ignored.length > 0 && (
            <Alert tone="warning">The preview leaves out what has an error: {preview.ignored.join(", ")}. Fix it to see its effect.</Alert>
          )}
          <Card
            title={
              <span className="flex min-w-0 flex-wrap items-center gap-x-2">
                Placement preview {focus && <span className="min-w-0 break-all font-normal text-zinc-500">· {focus.name}</span>}
                {stale && <Spinner className="size-3" />}
              </span>
            }
          >
            {local.error && !shown ? (
              <Alert title="The planner could not compute this plan">{local.error}</Alert>
            ) : !focus ? (
              <p className="text-sm text-zinc-500">Nothing planned yet.</p>
            ) : problems.length > 0 ? (
              <Alert tone="warning" title="The manager would refuse this spec">
                <ul className="list-disc pl-5">
                  {problems.map((p) => (
                    <li key={`${p.field}-${p.message}`}>{p.message}</li>
                  ))}
                </ul>
              </Alert>
            ) : (
              <PlacementPreview
                focus={focus}
                desired={preview.spec.mode === "replicated" ? preview.spec.replicas : null}
                hostnames={hostnames}
                restartPolicy={preview.spec.restartPolicy}
              />
            )}
          </Card>
          <Card title={`Other services affected (${others.length})`}>
            <OtherServices diffs={others} hostnames={hostnames} restartPolicies={restartPolicies} />
          </Card>
        </section>
      </div>
      <Card title="Why-not matrix" className="mt-4">
        {focus && problems.length === 0 ? (
          <WhyNotMatrix rows={focus.matrix} constraints={constraintColumns} runtimes={runtimes} />
        ) : (
          <p className="text-sm text-zinc-500">The matrix appears once the spec is one the manager would accept.</p>
        )}
      </Card>
      <ApplyDialog
        open={dialog}
        onClose={() => setDialog(false)}
        onConfirm={confirmApply}
        busy={apply.isPending}
        error={applyError}
        conflict={conflict}
        onReload={reload}
        reloading={reloading}
        before={base?.spec ?? null}
        spec={checked.spec}
        focus={focus}
        withoutSandbox={withoutSandbox}
        edits={edits}
      />
    </>
  );
}

function PlannerLoader() {
  const params = useSearchParams();
  const ref = params.get("service");
  const trpc = useTRPC();
  const env = useEnv();
  const snapshot = useSnapshot();
  // Read once: the planner keeps the version it opened, so Apply never overwrites a change made meanwhile.
  const service = useQuery({
    ...trpc.service.get.queryOptions({ env, ref: ref ?? "" }),
    enabled: ref !== null && ref !== "",
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const refetchSnapshot = snapshot.refetch;

  if (snapshot.isPending || (ref && service.isPending)) return <Loading label="Loading the cluster" blocks={4} className="h-32" />;
  if (snapshot.isError) {
    return (
      <>
        <PageHeader title="Placement planner" />
        <ErrorState title="The cluster cannot be read" error={snapshot.error} onRetry={() => snapshot.refetch()} />
      </>
    );
  }
  if (ref && service.isError) {
    return (
      <>
        <PageHeader title="Placement planner" />
        <ErrorState title={`Service ${ref} cannot be planned`} error={service.error} onRetry={() => service.refetch()} />
        <p className="mt-4 text-sm">
          <Link href={envHref(env, "/planner")} className={linkClass}>
            Plan a new service instead
          </Link>
        </p>
      </>
    );
  }
  return (
    <Planner
      key={ref ?? "draft"}
      snapshot={snapshot.data}
      service={ref ? (service.data ?? null) : null}
      refetchSnapshot={refetchSnapshot}
      reloadService={async () => (await service.refetch()).data}
    />
  );
}

export default function PlannerPage() {
  return (
    <Suspense fallback={<Loading label="Loading the planner" blocks={4} className="h-32" />}>
      <PlannerLoader />
    </Suspense>
  );
}
