"use client";

import { DUPLICATE_HOSTNAME_NOTE, LABEL_KEY_MAX_LENGTH, LABEL_VALUE_MAX_LENGTH } from "@rampart/core/node";
import { labelKey, labelValue, type NodeDetailOutput } from "@rampart/api/schema";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { z } from "zod";
import { AuditActor } from "~/components/audit-context";
import { NodeStateBadge, OldRootBadge, OutcomeBadge, RuntimeBadge, TlsBadge } from "~/components/badges";
import { Breadcrumb } from "~/components/breadcrumb";
import { detailState, ErrorState, Loading, NotReported } from "~/components/states";
import { Alert, Badge, Button, Card, CopyButton, Dialog, Field, PageHeader } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { envHref, useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { formatDateTime, formatGiB, fromNow, titleCase } from "~/lib/format";
import { useZodForm } from "~/lib/forms";
import { certExpiresSoon, NODE_AVAILABILITIES, type NodeAvailability } from "~/lib/nodes";
import { useTRPC } from "~/lib/trpc";

type NodeDetail = NodeDetailOutput;

/** The add-label form checks what the server checks: the label key rule and the value limit. */
const labelForm = z.object({ key: labelKey, value: labelValue });

const linkClass = "font-medium text-sky-700 underline hover:no-underline dark:text-sky-400";

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 text-sm sm:grid-cols-[11rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

function Mono({ children }: { children: ReactNode }) {
  return <span className="font-mono text-xs break-all">{children}</span>;
}

function DateWithRelative({ date, now, warn = false }: { date: Date; now: Date; warn?: boolean }) {
  return (
    <>
      {formatDateTime(date)}{" "}
      <span className={warn ? "font-medium text-amber-700 dark:text-amber-400" : "text-zinc-500 dark:text-zinc-400"}>
        ({fromNow(date, now)})
      </span>
    </>
  );
}

function cpus(nanoCpus: number): string {
  const n = Number((nanoCpus / 1e9).toFixed(2));
  return `${n} CPU${n === 1 ? "" : "s"}`;
}

/** What the agent's runtime enforces of a spec's hardening, from the engine's security options. */
const ENFORCED: ReadonlyArray<{ option: string; missing: string }> = [
  { option: "seccomp", missing: "seccomp is not available: seccomp profiles cannot be enforced on this node." },
  { option: "apparmor", missing: "AppArmor is not available: AppArmor profiles cannot be enforced on this node." },
];

/** A reason as a sentence: its own full stop, once. */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function RuntimeView({ runtime, docker }: { runtime: NodeDetail["runtime"]; docker: boolean }) {
  const options = runtime.securityOptions.map((o) => o.replace(/^name=/, "").split(",")[0]!.toLowerCase());
  return (
    <div className="space-y-1" data-testid="node-runtime-detail">
      <p className="flex flex-wrap items-center gap-2">
        <RuntimeBadge runtime={runtime} />
        {runtime.kind === "docker" && runtime.detail && <Mono>{runtime.detail}</Mono>}
      </p>
      {runtime.kind === "none" && (
        <p className="text-sm text-red-800 dark:text-red-300">
          {sentence(runtime.detail || "No engine was reached")} The node gets no tasks until its agent reaches an engine.
        </p>
      )}
      {runtime.kind === "simulated" && <p className="text-sm text-zinc-600 dark:text-zinc-400">rampart agent simulate: tasks are placed and reported, but nothing runs.</p>}
      {runtime.kind === "docker" && docker && (
        <p className="text-xs text-zinc-500">
          Security options: <NotReported /> (Docker gives them only for the engine it answers from), so what this node can enforce is not known here.
        </p>
      )}
      {runtime.kind === "docker" && !docker && (
        <>
          <div className="flex flex-wrap items-center gap-1 text-xs">
            <span className="text-zinc-500">Security options:</span>
            {runtime.securityOptions.length === 0 ? (
              <span className="text-zinc-500">none reported</span>
            ) : (
              runtime.securityOptions.map((o) => (
                <span key={o} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono dark:bg-zinc-800">
                  {o}
                </span>
              ))
            )}
          </div>
          {ENFORCED.filter((e) => !options.includes(e.option)).map((e) => (
            <p key={e.option} className="text-sm text-amber-800 dark:text-amber-300" data-testid={`missing-${e.option}`}>
              {e.missing}
            </p>
          ))}
        </>
      )}
    </div>
  );
}

function Summary({ node, now }: { node: NodeDetail; now: Date }) {
  const docker = node.docker;
  return (
    <Card title="Summary">
      <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
        <Item label="Hostname">
          {node.hostname}
          {node.isLeader && <span className="ml-2 text-zinc-500 dark:text-zinc-400">{docker ? "* the swarm's leader" : "* this server"}</span>}
          {node.sharesHostname && (
            <p data-testid="duplicate-hostname-note" className="mt-1 text-sm text-amber-800 dark:text-amber-300">
              {DUPLICATE_HOSTNAME_NOTE}
            </p>
          )}
        </Item>
        <Item label="ID">
          <Mono>{node.id}</Mono>
        </Item>
        <Item label="Role">{titleCase(node.role)}</Item>
        <Item label="Status">
          <NodeStateBadge state={node.state} />
          {docker && (
            <span className="ml-2 text-xs text-zinc-500" data-testid="docker-state">
              Docker says {docker.state}
              {docker.message ? `: ${docker.message}` : ""}
            </span>
          )}
        </Item>
        <Item label="Availability">{titleCase(node.availability)}</Item>
        <Item label="Manager status">
          {node.managerStatus ? titleCase(node.managerStatus) : "—"}
          {docker?.managerAddr && (
            <span className="ml-2 text-xs text-zinc-500">
              raft at <Mono>{docker.managerAddr}</Mono>
              {docker.reachability ? `, ${docker.reachability}` : ""}
            </span>
          )}
        </Item>
        <Item label="Address">{node.addr ? <Mono>{node.addr}</Mono> : "—"}</Item>
        <Item label="Platform">{`${node.platform.os}/${node.platform.arch}`}</Item>
        <Item label="Resources">{`${cpus(node.resources.nanoCpus)} · ${formatGiB(node.resources.memoryBytes)} memory`}</Item>
        <Item label="Engine version">{node.engineVersion}</Item>
        <Item label="Container runtime">
          <RuntimeView runtime={node.runtime} docker={docker !== undefined} />
        </Item>
        <Item label="Joined at">{formatDateTime(node.createdAt)}</Item>
        <Item label="Last heartbeat">
          {node.lastHeartbeatAt ? (
            <span title={formatDateTime(node.lastHeartbeatAt)}>{fromNow(node.lastHeartbeatAt, now)}</span>
          ) : docker ? (
            <NotReported />
          ) : (
            "never"
          )}
        </Item>
        <Item label="TLS">
          <span className="inline-flex flex-wrap gap-1">
            <TlsBadge status={node.tls.status} />
            <OldRootBadge node={node} />
          </span>
        </Item>
        {docker && Object.keys(docker.namedResources).length > 0 && (
          <Item label="Named resources">
            <Mono>
              {Object.entries(docker.namedResources)
                .map(([kind, values]) => `${kind}=${values.join(",")}`)
                .join(" ")}
            </Mono>
          </Item>
        )}
      </dl>
      {docker && docker.notReported.length > 0 && (
        <div className="mt-3 rounded-md bg-zinc-50 px-3 py-2 text-xs text-zinc-600 dark:bg-zinc-950 dark:text-zinc-400" data-testid="not-reported-list">
          <p className="font-medium">Not reported by Docker&apos;s Engine API, so not shown for this node:</p>
          <ul className="mt-1 list-disc space-y-0.5 pl-4">
            {docker.notReported.map((what) => (
              <li key={what}>{what}</li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

type TlsInfo = NonNullable<NonNullable<NodeDetail["docker"]>["tlsInfo"]>;

/**
 * A Docker node's TLS: Docker reports the CA that issued the node's certificate (its
 * trust root, the issuer's name and key), not the certificate itself, so this says
 * whether that CA is the swarm's current root.
 */
function DockerTls({ docker }: { docker: NonNullable<NodeDetail["docker"]> }) {
  const tls: TlsInfo | null = docker.tlsInfo;
  return (
    <Card title="Certificate">
      <div className="space-y-3" data-testid="docker-tls">
        {docker.chainsToCurrentRoot === false && (
          <Alert tone="error" title="Does not chain to the current root">
            This node&apos;s certificate was issued by a CA that is not the swarm&apos;s current root: it has not renewed since the root was
            rotated, and managers that trust only the new root will refuse it. Docker renews it at its next rotation; a node that stays behind
            must leave and join again.
          </Alert>
        )}
        {docker.chainsToCurrentRoot === true && <p className="text-sm text-emerald-800 dark:text-emerald-300">Issued by the swarm&apos;s current root CA.</p>}
        {!tls ? (
          <p className="text-sm">
            TLS info: <NotReported />
          </p>
        ) : (
          <>
            <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
              <Item label="Issuer">{tls.issuerSubject ? <Mono>{tls.issuerSubject}</Mono> : <Mono>{tls.certIssuerSubject}</Mono>}</Item>
              <Item label="Issuer key (SHA-256)">
                <Mono>{tls.issuerPublicKeyFingerprint}</Mono>
              </Item>
              <Item label="The node's certificate">
                <NotReported />
                <span className="block text-xs text-zinc-500">Docker gives only its issuer: not its subject, serial, role or validity.</span>
              </Item>
            </dl>
            <details className="group rounded-md border border-zinc-200 dark:border-zinc-800">
              <summary className="cursor-pointer rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-600">Trust root (PEM)</summary>
              <div className="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
                <pre className="max-h-64 overflow-auto rounded bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-800">{tls.trustRoot}</pre>
                <CopyButton value={tls.trustRoot} label="Copy PEM" />
              </div>
            </details>
          </>
        )}
      </div>
    </Card>
  );
}

/** The root a native node's certificate chains to, as `node inspect` says it. */
function ChainsTo({ chain }: { chain: NonNullable<NodeDetail["chain"]> }) {
  if (chain.root === "unknown") return <>Unknown: no certificate of the node names its issuer yet</>;
  if (chain.root === "another root") {
    return <span className="text-amber-700 dark:text-amber-400">Another root, not the swarm&apos;s: the node needs a certificate from the current root</span>;
  }
  return (
    <span>
      {chain.root === "current root" ? "The current root" : "The new root of the rotation in progress"}, <Mono>{chain.rootSubject}</Mono>{" "}
      <Mono>{chain.rootDigest}</Mono>
    </span>
  );
}

function Certificate({ node, now }: { node: NodeDetail; now: Date }) {
  if (node.docker) return <DockerTls docker={node.docker} />;
  const cert = node.certificate;
  return (
    <Card title="Certificate">
      {!cert ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No certificate</p>
      ) : (
        <div className="space-y-3">
          <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
            <Item label="Subject">
              <Mono>{cert.subject}</Mono>
            </Item>
            <Item label="Issuer">
              <Mono>{cert.issuer}</Mono>
            </Item>
            <Item label="Role">{titleCase(cert.role)}</Item>
            <Item label="Serial number">
              <Mono>{cert.serialNumber}</Mono>
            </Item>
            <Item label="Valid from">
              <DateWithRelative date={cert.validFrom} now={now} />
            </Item>
            <Item label="Valid to">
              <DateWithRelative date={cert.validTo} now={now} warn={certExpiresSoon(cert.validTo, now)} />
            </Item>
            <Item label="Subject alternative names">
              {cert.subjectAltNames.length === 0 ? (
                "none"
              ) : (
                <ul className="flex flex-wrap gap-1">
                  {cert.subjectAltNames.map((san) => (
                    <li key={san} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs dark:bg-zinc-800">
                      {san}
                    </li>
                  ))}
                </ul>
              )}
            </Item>
            <Item label="SHA-256 fingerprint">
              <Mono>{cert.fingerprintSha256}</Mono>
            </Item>
            {node.chain && (
              <>
                <Item label="Chains to">
                  <span data-testid="chains-to">
                    <ChainsTo chain={node.chain} />
                  </span>
                </Item>
                <Item label="Holds the trust root">
                  <span data-testid="holds-trust-root">
                  {node.chain.trustRootCurrent === null
                    ? "Not yet reported"
                    : node.chain.trustRootCurrent
                      ? "Yes"
                      : "No: it still trusts an earlier root"}
                  </span>
                </Item>
              </>
            )}
          </dl>
          <details className="group rounded-md border border-zinc-200 dark:border-zinc-800">
            <summary className="cursor-pointer rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-600">
              PEM
            </summary>
            <div className="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
              <pre className="max-h-64 overflow-auto rounded bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-800">{cert.pem}</pre>
              <CopyButton value={cert.pem} label="Copy PEM" />
            </div>
          </details>
        </div>
      )}
    </Card>
  );
}

/**
 * Label changes are staged here and sent in one update, carrying the version the node
 * had when the first change was staged: if someone else changed the node meanwhile, the
 * server answers CONFLICT instead of silently overwriting their change.
 */
function LabelsEditor({ node, reload }: { node: NodeDetail; reload: () => Promise<NodeDetail | undefined> }) {
  const trpc = useTRPC();
  const env = useEnv();
  const queryClient = useQueryClient();
  const update = useMutation(trpc.node.update.mutationOptions());
  const [adds, setAdds] = useState<Record<string, string>>({});
  const [removes, setRemoves] = useState<string[]>([]);
  const [baseVersion, setBaseVersion] = useState<number | null>(null);
  const labelInput = useZodForm(labelForm, { key: "", value: "" });
  const errors = labelInput.formState.errors;
  const [saved, setSaved] = useState(false);
  const [reloading, setReloading] = useState(false);

  const dirty = Object.keys(adds).length > 0 || removes.length > 0;
  const conflict = update.isError && describeError(update.error).code === "CONFLICT";

  function staged() {
    setSaved(false);
    if (baseVersion === null) setBaseVersion(node.version);
  }

  const add = labelInput.handleSubmit((data) => {
    const next = { ...adds };
    if (node.labels[data.key] === data.value) delete next[data.key];
    else next[data.key] = data.value;
    setAdds(next);
    setRemoves(removes.filter((k) => k !== data.key));
    labelInput.reset();
    staged();
  });

  function remove(k: string) {
    const next = { ...adds };
    delete next[k];
    setAdds(next);
    if (k in node.labels && !removes.includes(k)) setRemoves([...removes, k]);
    staged();
  }

  function undo(k: string) {
    const next = { ...adds };
    delete next[k];
    setAdds(next);
    setRemoves(removes.filter((r) => r !== k));
  }

  function discard() {
    setAdds({});
    setRemoves([]);
    setBaseVersion(null);
    update.reset();
  }

  async function save() {
    setSaved(false);
    try {
      await update.mutateAsync({
        env,
        ref: node.id,
        version: baseVersion ?? node.version,
        ...(Object.keys(adds).length > 0 ? { labelAdd: adds } : {}),
        ...(removes.length > 0 ? { labelRm: removes } : {}),
      });
      setAdds({});
      setRemoves([]);
      setBaseVersion(null);
      setSaved(true);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.node.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
      ]);
    } catch {
      // The error is shown from update.error.
    }
  }

  async function reloadNode() {
    setReloading(true);
    try {
      const fresh = await reload();
      if (fresh) {
        setBaseVersion(fresh.version);
        setRemoves(removes.filter((k) => k in fresh.labels));
      }
      update.reset();
    } finally {
      setReloading(false);
    }
  }

  const keys = Object.keys(node.labels).sort();
  const newKeys = Object.keys(adds)
    .filter((k) => !(k in node.labels))
    .sort();
  const engineKeys = Object.keys(node.engineLabels).sort();

  return (
    <Card title="Labels">
      <div data-testid="labels-editor" className="space-y-4">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Node labels are set by administrators and used in placement constraints (<code className="font-mono">node.labels.zone==eu</code>).
          Changes are staged below and saved together.
        </p>
        {keys.length === 0 && newKeys.length === 0 ? (
          <p className="text-sm text-zinc-500">No labels.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
            {keys.map((k) => {
              const removed = removes.includes(k);
              const changed = k in adds;
              return (
                <li key={k} className="flex items-center justify-between gap-3 px-3 py-2 text-sm">
                  <span className={`min-w-0 break-all font-mono text-xs ${removed ? "text-zinc-400 line-through" : ""}`}>
                    {k}={changed ? <><span className="text-zinc-400 line-through">{node.labels[k]}</span> {adds[k]}</> : node.labels[k]}
                  </span>
                  <span className="flex shrink-0 items-center gap-2">
                    {removed && <Badge tone="bad">To remove</Badge>}
                    {changed && <Badge tone="warn">Changed</Badge>}
                    {removed || changed ? (
                      <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => undo(k)} aria-label={`Undo change to label ${k}`}>
                        Undo
                      </Button>
                    ) : (
                      <Button variant="ghost" className="px-2 py-1 text-xs text-red-700 dark:text-red-400" onClick={() => remove(k)} aria-label={`Remove label ${k}`}>
                        Remove
                      </Button>
                    )}
                  </span>
                </li>
              );
            })}
            {newKeys.map((k) => (
              <li key={k} className="flex items-center justify-between gap-3 px-3 py-2 text-sm">
                <span className="min-w-0 break-all font-mono text-xs">
                  {k}={adds[k]}
                </span>
                <span className="flex shrink-0 items-center gap-2">
                  <Badge tone="good">To add</Badge>
                  <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => undo(k)} aria-label={`Do not add label ${k}`}>
                    Undo
                  </Button>
                </span>
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={add} noValidate className="grid items-start gap-3 sm:grid-cols-[1fr_1fr_auto]">
          <Field
            label="Key"
            {...labelInput.register("key")}
            error={errors.key?.message}
            maxLength={LABEL_KEY_MAX_LENGTH}
            autoComplete="off"
            spellCheck={false}
          />
          <Field
            label="Value"
            {...labelInput.register("value")}
            error={errors.value?.message}
            maxLength={LABEL_VALUE_MAX_LENGTH}
            autoComplete="off"
            spellCheck={false}
          />
          <Button type="submit" variant="secondary" className="sm:mt-6">
            Add label
          </Button>
        </form>
        {conflict ? (
          <Alert tone="warning" title="Someone else changed this node">
            <p>{describeError(update.error).message}</p>
            <p className="mt-1">Reload to see the node as it is now. Your staged changes are kept, so you can check them and save again.</p>
            <Button variant="secondary" className="mt-2" busy={reloading} onClick={reloadNode}>
              Reload
            </Button>
          </Alert>
        ) : (
          update.isError && <Alert>{describeError(update.error).message}</Alert>
        )}
        {saved && !dirty && <Alert tone="success">Labels saved.</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={discard} disabled={!dirty || update.isPending}>
            Discard changes
          </Button>
          <Button onClick={save} disabled={!dirty || conflict} busy={update.isPending}>
            Save labels
          </Button>
        </div>
        <div className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <h3 className="text-sm font-medium">Engine labels</h3>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Reported by the node itself; read-only here.</p>
          {engineKeys.length === 0 ? (
            <p className="mt-2 text-sm text-zinc-500">None.</p>
          ) : (
            <ul className="mt-2 flex flex-wrap gap-1">
              {engineKeys.map((k) => (
                <li key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs dark:bg-zinc-800">
                  {k}={node.engineLabels[k]}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </Card>
  );
}

const AVAILABILITY_TEXT: Record<NodeAvailability, string> = {
  active: "The scheduler may place new tasks on this node again.",
  pause: "The scheduler places no new tasks on this node. Tasks already running there keep running.",
  drain:
    "The scheduler places no new tasks on this node, and the tasks running there are stopped and moved to other nodes. Use this before maintenance.",
};

function DialogButtons({ onCancel, children }: { onCancel: () => void; children: ReactNode }) {
  return (
    <div className="flex justify-end gap-2">
      <Button variant="secondary" onClick={onCancel}>
        Cancel
      </Button>
      {children}
    </div>
  );
}

function useInvalidateNode() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.node.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.swarm.info.queryKey() }),
    ]);
}

function AvailabilityDialog({ node, to, onClose }: { node: NodeDetail; to: NodeAvailability | null; onClose: () => void }) {
  const trpc = useTRPC();
  const env = useEnv();
  const update = useMutation(trpc.node.update.mutationOptions());
  const invalidate = useInvalidateNode();
  const close = () => (update.reset(), onClose());
  return (
    <Dialog open={to !== null} onClose={close} title={to ? `Set ${node.hostname} to ${titleCase(to)}?` : ""}>
      {to && (
        <div className="space-y-4">
          <p className="text-sm">{AVAILABILITY_TEXT[to]}</p>
          {update.isError && <Alert>{describeError(update.error).message}</Alert>}
          <DialogButtons onCancel={close}>
            <Button
              variant={to === "drain" ? "danger" : "primary"}
              busy={update.isPending}
              onClick={async () => {
                try {
                  await update.mutateAsync({ env, ref: node.id, version: node.version, availability: to });
                } catch {
                  return;
                }
                close();
                void invalidate();
              }}
            >
              {`Set to ${titleCase(to)}`}
            </Button>
          </DialogButtons>
        </div>
      )}
    </Dialog>
  );
}

function RoleDialog({ node, open, onClose }: { node: NodeDetail; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const env = useEnv();
  const promote = useMutation(trpc.node.promote.mutationOptions());
  const demote = useMutation(trpc.node.demote.mutationOptions());
  const invalidate = useInvalidateNode();
  const toManager = node.role === "worker";
  const mutation = toManager ? promote : demote;
  const close = () => (promote.reset(), demote.reset(), onClose());
  return (
    <Dialog open={open} onClose={close} title={toManager ? `Promote ${node.hostname} to manager?` : `Demote ${node.hostname} to worker?`}>
      <div className="space-y-4">
        <p className="text-sm">
          {toManager
            ? "The node becomes a manager: it renews its certificate with the manager role on its next contact, and can then take part in managing the swarm."
            : "The node becomes a worker: it renews its certificate with the worker role on its next contact, and no longer takes part in managing the swarm."}
        </p>
        {mutation.isError && <Alert>{describeError(mutation.error).message}</Alert>}
        <DialogButtons onCancel={close}>
          <Button
            variant={toManager ? "primary" : "danger"}
            busy={mutation.isPending}
            onClick={async () => {
              try {
                await mutation.mutateAsync({ env, ref: node.id });
              } catch {
                return;
              }
              close();
              void invalidate();
            }}
          >
            {toManager ? "Promote" : "Demote"}
          </Button>
        </DialogButtons>
      </div>
    </Dialog>
  );
}

function RemoveDialog({ node, open, onClose }: { node: NodeDetail; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const env = useEnv();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.node.remove.mutationOptions());
  const [force, setForce] = useState(false);
  const ready = node.state === "ready";
  const close = () => (remove.reset(), setForce(false), onClose());
  return (
    <Dialog open={open} onClose={close} title={`Remove ${node.hostname} from the swarm?`}>
      <div className="space-y-4">
        <p className="text-sm">
          From then on the node&apos;s certificate is refused: it can no longer talk to the swarm, and to come back the machine
          must join again with a join token. This cannot be undone.
        </p>
        {node.role === "manager" && (
          <Alert tone="warning">This node is a manager. A manager must be demoted to a worker before it can be removed.</Alert>
        )}
        {ready && (
          <div className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-900 dark:bg-amber-950/40">
            <p>This node is Ready, so it is probably still running. A Ready node is removed only if you force it.</p>
            <label className="flex items-center gap-2 font-medium">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} className="size-4" />
              Force removal of a Ready node
            </label>
          </div>
        )}
        {remove.isError && <Alert>{describeError(remove.error).message}</Alert>}
        <DialogButtons onCancel={close}>
          <Button
            variant="danger"
            busy={remove.isPending}
            disabled={ready && !force}
            onClick={async () => {
              try {
                await remove.mutateAsync({ env, ref: node.id, force: ready && force });
              } catch {
                return;
              }
              await queryClient.invalidateQueries({ queryKey: trpc.node.list.queryKey() });
              void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
              router.push(envHref(env, "/nodes"));
            }}
          >
            Remove node
          </Button>
        </DialogButtons>
      </div>
    </Dialog>
  );
}

function Actions({ node }: { node: NodeDetail }) {
  const [availability, setAvailability] = useState<NodeAvailability | null>(null);
  const [changingRole, setChangingRole] = useState(false);
  const [removing, setRemoving] = useState(false);
  return (
    <Card title="Actions">
      <div className="space-y-5">
        <div className="space-y-2">
          <h3 id="availability-heading" className="text-sm font-medium">
            Availability
          </h3>
          <div role="group" aria-labelledby="availability-heading" className="inline-flex rounded-md border border-zinc-300 dark:border-zinc-700">
            {NODE_AVAILABILITIES.map((a) => {
              const current = node.availability === a;
              return (
                <button
                  key={a}
                  type="button"
                  aria-pressed={current}
                  onClick={() => !current && setAvailability(a)}
                  className={
                    "px-3 py-1.5 text-sm font-medium first:rounded-l-md last:rounded-r-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 " +
                    (current ? "bg-sky-700 text-white dark:bg-sky-600" : "hover:bg-zinc-100 dark:hover:bg-zinc-800")
                  }
                >
                  {titleCase(a)}
                </button>
              );
            })}
          </div>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{AVAILABILITY_TEXT[node.availability]}</p>
        </div>
        <div className="flex flex-wrap gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <Button variant="secondary" onClick={() => setChangingRole(true)}>
            {node.role === "worker" ? "Promote to manager" : "Demote to worker"}
          </Button>
          <Button variant="danger" onClick={() => setRemoving(true)}>
            Remove node
          </Button>
        </div>
      </div>
      <AvailabilityDialog node={node} to={availability} onClose={() => setAvailability(null)} />
      <RoleDialog node={node} open={changingRole} onClose={() => setChangingRole(false)} />
      <RemoveDialog node={node} open={removing} onClose={() => setRemoving(false)} />
    </Card>
  );
}

function History({ id, now }: { id: string; now: Date }) {
  const trpc = useTRPC();
  const events = useQuery({ ...trpc.audit.list.queryOptions({ targetId: id, limit: 20 }, backgroundPoll), refetchInterval: 15_000 });
  return (
    <Card
      title="History"
      actions={
        <Link href={`/audit?search=${encodeURIComponent(id)}`} className={`text-sm ${linkClass}`}>
          All events in the audit log
        </Link>
      }
    >
      {events.isPending ? (
        <Loading label="Loading history" blocks={3} className="h-6" />
      ) : events.isError ? (
        <ErrorState error={events.error} onRetry={() => events.refetch()} />
      ) : events.data.events.length === 0 ? (
        <p className="text-sm text-zinc-500">No events for this node yet.</p>
      ) : (
        <ol className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {events.data.events.map((e) => (
            <li key={e.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
              <time dateTime={e.at.toISOString()} title={formatDateTime(e.at)} className="w-28 shrink-0 text-zinc-500 dark:text-zinc-400">
                {fromNow(e.at, now)}
              </time>
              <span className="font-mono text-xs">{e.action}</span>
              <OutcomeBadge outcome={e.outcome} />
              <span className="text-zinc-600 dark:text-zinc-400">
                by <AuditActor event={e} />
              </span>
              {e.reason && <span className="text-zinc-500">— {e.reason}</span>}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export default function NodeDetailPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const env = useEnv();
  const node = useQuery({
    ...trpc.node.get.queryOptions({ env, ref: id }, backgroundPoll),
    // A removed node stops the polling; any other failure keeps trying.
    refetchInterval: (query) => (describeError(query.state.error).code === "NOT_FOUND" ? false : 5_000),
  });
  const gate = detailState(node, {
    what: "Node",
    id,
    hint: "It may have been removed from the swarm.",
    back: { href: envHref(env, "/nodes"), label: "Back to nodes" },
    loadingBlocks: 4,
  });
  if (gate || !node.data) return gate;

  const data = node.data;
  const now = new Date(node.dataUpdatedAt);
  return (
    <>
      <Breadcrumb trail={[{ href: envHref(env, "/nodes"), label: "Nodes" }]} current={data.hostname} />
      <PageHeader
        title={data.hostname}
        description={
          <>
            {titleCase(data.role)} · <span className="font-mono text-xs">{data.id}</span>
          </>
        }
      />
      {data.runtime.kind === "none" && (
        <div className="mb-4">
          <Alert tone="warning" title="No container runtime: this node gets no tasks">
            {data.runtime.detail || "Its agent reached no engine."}
          </Alert>
        </div>
      )}
      {node.isError && (
        <div className="mb-4">
          <Alert tone="warning">The latest refresh failed ({describeError(node.error).message}); showing the last known state.</Alert>
        </div>
      )}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Summary node={data} now={now} />
        <Certificate node={data} now={now} />
        <LabelsEditor node={data} reload={async () => (await node.refetch()).data} />
        <div className="space-y-4">
          <Actions node={data} />
          <History id={data.id} now={now} />
        </div>
      </div>
    </>
  );
}
