"use client";

import { decodeNodeList, type fidelityResultSchema, type serviceDetailSchema } from "@rampart/api/schema";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { z } from "zod";
import { backgroundPoll } from "~/lib/background";
import { useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { formatPort } from "~/lib/services";
import { useTRPC } from "~/lib/trpc";
import { WhyNotMatrix } from "./planner/why-not-matrix";
import { Alert, Badge, Card, Spinner } from "./ui";

/**
 * What the scheduler does not say, on the service page: why its tasks wait, node by node
 * (core's why-not matrix over the cluster as it is now; Swarm's own `no suitable node`
 * only counts refusals), and on a connected Docker Swarm whether Swarm placed the tasks
 * of Rampart's latest change where the planner predicted, and what only Docker reports
 * of the service (ADR 0020).
 */

type ServiceDetail = z.infer<typeof serviceDetailSchema>;
type Fidelity = z.infer<typeof fidelityResultSchema>;
type DockerPart = NonNullable<ServiceDetail["docker"]>;

export function PlacementCheck({ service }: { service: ServiceDetail }) {
  const env = useEnv();
  return (
    <>
      {service.pending > 0 && <PendingExplained service={service} />}
      {env !== undefined && <PredictionCheck service={service} env={env} />}
      {service.docker && <DockerFacts docker={service.docker} />}
    </>
  );
}

/** The scheduler's errors, then each node with the filter that refuses it one more task and why. */
function PendingExplained({ service }: { service: ServiceDetail }) {
  const trpc = useTRPC();
  const env = useEnv();
  const explained = useQuery({ ...trpc.service.pending.queryOptions({ env, ref: service.id }, backgroundPoll), refetchInterval: 5_000 });
  return (
    <Card title="Why tasks wait">
      <div data-testid="pending-explained" className="space-y-3 text-sm">
        {explained.isPending && <Spinner />}
        {explained.isError && <Alert tone="error">The explanation could not be read: {describeError(explained.error).message}</Alert>}
        {explained.data === null && <p className="text-zinc-500">The planner does not plan this service (a job), so it cannot explain its tasks.</p>}
        {explained.data && (
          <>
            <p>
              {explained.data.pending} task{explained.data.pending === 1 ? "" : "s"} wait{explained.data.pending === 1 ? "s" : ""} for a node.{" "}
              {env !== undefined ? "Docker says:" : "The scheduler says:"}
            </p>
            <ul className="space-y-1">
              {explained.data.errors.map((e) => (
                <li key={e} className="font-mono text-xs break-words" data-testid="pending-error">
                  {e}
                </li>
              ))}
            </ul>
            {explained.data.problems.length > 0 ? (
              <Alert tone="warning">The planner cannot read this spec: {explained.data.problems.join("; ")}</Alert>
            ) : (
              <>
                <p className="text-zinc-600 dark:text-zinc-400">
                  That counts the nodes each filter refused, and names none. Here is each node, from the {env !== undefined ? "swarm" : "cluster"} as it is now and the
                  service&apos;s spec as it is
                  {explained.data.plannerPending > 0 && explained.data.plannerReason ? (
                    <>
                      {" "}
                      (the planner leaves {explained.data.plannerPending} waiting too: <span className="font-mono text-xs">{explained.data.plannerReason}</span>):
                    </>
                  ) : (
                    ":"
                  )}
                </p>
                <WhyNotMatrix rows={explained.data.matrix} constraints={service.spec.constraints} />
              </>
            )}
          </>
        )}
      </div>
    </Card>
  );
}

const CHANGE: Record<Fidelity["change"], string> = { create: "creation", update: "update", scale: "scaling", apply: "planner's Apply" };

/** The planner's prediction for Rampart's latest change against Swarm's placement, polled while Swarm settles. */
function PredictionCheck({ service, env }: { service: ServiceDetail; env: string }) {
  const trpc = useTRPC();
  const fidelity = useQuery({
    ...trpc.service.fidelity.queryOptions({ env, ref: service.id }, backgroundPoll),
    refetchInterval: (query) => (query.state.data?.state === "checking" ? 1_500 : 15_000),
  });
  const nodes = useQuery({ ...trpc.node.list.queryOptions({ env }, backgroundPoll), select: decodeNodeList, staleTime: 30_000 });
  const hostname = (id: string) => nodes.data?.find((n) => n.id === id)?.hostname ?? id.slice(0, 12);
  const result = fidelity.data;
  return (
    <Card title="Prediction against Swarm">
      <div data-testid="fidelity" className="space-y-3 text-sm">
        {fidelity.isPending && <Spinner />}
        {fidelity.isError && <Alert tone="error">The check could not be read: {describeError(fidelity.error).message}</Alert>}
        {result === null && (
          <p className="text-zinc-500">
            Rampart has not changed this service since the server started, so there is no prediction to compare. After a change made here (create, edit, scale or the
            planner&apos;s Apply), the planner&apos;s placement is checked against Swarm&apos;s.
          </p>
        )}
        {result && (
          <>
            <p className="flex flex-wrap items-center gap-2">
              <Verdict result={result} />
              <span className="text-zinc-600 dark:text-zinc-400">
                after the {CHANGE[result.change]} at {formatDateTime(result.startedAt)}
              </span>
            </p>
            {result.detail && <p className="text-zinc-600 dark:text-zinc-400">{result.detail}</p>}
            {result.differences.length > 0 && (
              <Section title="Where Swarm left the prediction">
                {result.differences.map((d, i) => (
                  <li key={i} data-testid="fidelity-difference">
                    {d.text}
                  </li>
                ))}
              </Section>
            )}
            {result.placement && (
              <Section title="Swarm's placement">
                {Object.entries(result.placement.placed)
                  .sort(([a], [b]) => hostname(a).localeCompare(hostname(b)))
                  .map(([id, count]) => (
                    <li key={id}>
                      {hostname(id)}: {count} task{count === 1 ? "" : "s"}
                    </li>
                  ))}
                {result.placement.pendingErrors.length > 0 && (
                  <li>
                    {result.placement.pendingErrors.length} waiting: <span className="font-mono text-xs">{[...new Set(result.placement.pendingErrors)].join("; ")}</span>
                  </li>
                )}
                {Object.keys(result.placement.placed).length === 0 && result.placement.pendingErrors.length === 0 && <li>no tasks</li>}
              </Section>
            )}
            {result.undetermined.length > 0 && (
              <Section title="Left to chance by Swarm (not compared)">
                {result.undetermined.map((u, i) => (
                  <li key={i} data-testid="fidelity-undetermined">
                    {u.reason}
                  </li>
                ))}
              </Section>
            )}
          </>
        )}
      </div>
    </Card>
  );
}

function Verdict({ result }: { result: Fidelity }) {
  switch (result.state) {
    case "checking":
      return (
        <span className="inline-flex items-center gap-2" role="status">
          <Spinner /> checking: waiting for Swarm to settle
        </span>
      );
    case "matched":
      return <Badge tone="good">prediction matched</Badge>;
    case "differs":
      return <Badge tone="bad">prediction differed</Badge>;
    case "unsettled":
      return <Badge tone="warn">not compared: Swarm did not settle</Badge>;
    case "failed":
      return <Badge tone="warn">not compared</Badge>;
  }
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <p className="font-medium">{title}</p>
      <ul className="mt-1 list-disc space-y-1 pl-5">{children}</ul>
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-[11rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

/** What only Docker reports of the service: its engine's hardening, its rolling update, its endpoint and networks, and what Rampart keeps untouched. */
function DockerFacts({ docker }: { docker: DockerPart }) {
  const status = docker.updateStatus;
  return (
    <Card title="On Docker">
      {!docker.hardening.carried && docker.hardening.note && (
        <div className="mb-3" data-testid="hardening-not-carried">
          <Alert tone="warning" title="Hardening this engine cannot carry">
            {docker.hardening.note}
          </Alert>
        </div>
      )}
      <dl className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
        <Row label="Rolling update">
          {status ? (
            <>
              {status.state}
              {status.message && <span className="text-zinc-500"> · {status.message}</span>}
              {status.startedAt && <span className="text-zinc-500"> · started {formatDateTime(status.startedAt)}</span>}
            </>
          ) : (
            <span className="text-zinc-500">none reported</span>
          )}
        </Row>
        <Row label="Networks">
          {docker.networks.length === 0 ? (
            <span className="text-zinc-500">none</span>
          ) : (
            <ul data-testid="service-networks">
              {docker.networks.map((n) => (
                <li key={n.id}>
                  {n.name ?? <span className="text-zinc-500">unnamed</span>} <span className="font-mono text-xs text-zinc-500">{n.id}</span>
                  {n.aliases.length > 0 && <span className="text-xs text-zinc-500"> · aliases {n.aliases.join(", ")}</span>}
                </li>
              ))}
            </ul>
          )}
        </Row>
        <Row label="Endpoint">
          {docker.endpoint.mode}
          {docker.endpoint.ports.length > 0 && <span> · {docker.endpoint.ports.map(formatPort).join(", ")}</span>}
          {docker.endpoint.virtualIps.length > 0 && (
            <ul className="mt-1 font-mono text-xs">
              {docker.endpoint.virtualIps.map((v) => (
                <li key={v.networkId}>
                  {v.addr ?? "no address"} on {v.networkName ?? v.networkId}
                </li>
              ))}
            </ul>
          )}
        </Row>
        <Row label="Kept as Docker holds them">
          {docker.dockerOnly.length === 0 ? (
            <span className="text-zinc-500">nothing beyond what this page shows</span>
          ) : (
            <ul className="flex flex-wrap gap-1">
              {docker.dockerOnly.map((path) => (
                <li key={path} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs dark:bg-zinc-800">
                  {path}
                </li>
              ))}
            </ul>
          )}
        </Row>
        <Row label="Not reported by Docker">
          <ul className="list-disc space-y-1 pl-5 text-zinc-600 dark:text-zinc-400">
            {docker.notReported.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        </Row>
      </dl>
    </Card>
  );
}
