"use client";

import type { SwarmInfo } from "@rampart/api/schema";
import { humanDuration } from "@rampart/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorState, Loading, NotReported } from "~/components/states";
import { Badge, Card } from "~/components/ui";
import { backgroundPoll } from "~/lib/background";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/lib/trpc";
import { Row as Fact, Section, yesNo } from "./facts";

/** The swarm's facts wrap: IDs, digests and addresses are long and must be read whole. */
function Row(props: { label: string; children: ReactNode }) {
  return <Fact {...props} wrap />;
}

const orNotReported = (value: ReactNode | null) => (value === null ? <NotReported /> : value);
const code = (text: string) => <code className="font-mono text-xs break-all">{text}</code>;

function Sections({ info }: { info: SwarmInfo }) {
  const docker = info.docker;
  const taskHistory = info.taskHistoryLimit < 0 ? "every ended task" : `${info.taskHistoryLimit} per slot`;
  return (
    <div className="grid gap-6 md:grid-cols-2 xl:grid-cols-3">
      <Section title="Swarm">
        <Row label="Swarm ID">{code(info.clusterId)}</Row>
        <Row label="Managers / nodes">{`${info.managers} / ${info.nodes}`}</Row>
        <Row label="Autolock managers">{yesNo(info.autolock)}</Row>
        <Row label="Task history retention">{taskHistory}</Row>
        <Row label="Created">{formatDateTime(info.createdAt)}</Row>
        {docker && (
          <>
            <Row label="Default address pool">{orNotReported(docker.defaultAddrPool ? docker.defaultAddrPool.join(", ") : null)}</Row>
            <Row label="Subnet size">{orNotReported(docker.subnetSize)}</Row>
            <Row label="Data path port">{orNotReported(docker.dataPathPort)}</Row>
          </>
        )}
      </Section>
      <Section title="Certificate authority">
        <Row label="Node certificate expiry">{humanDuration(info.certExpiryMs)}</Row>
        <Row label="External CAs">
          {docker && docker.externalCas.length > 0 ? (
            <ul>
              {docker.externalCas.map((ca) => (
                <li key={ca.url}>{code(`${ca.protocol} ${ca.url}`)}</li>
              ))}
            </ul>
          ) : (
            "none: the swarm's own CA signs"
          )}
        </Row>
        <Row label="Root rotation in progress">
          {info.rootRotationInProgress ? <Badge tone="warn">Yes</Badge> : "No"}
        </Row>
        <Row label="Force rotate counter">{String(info.forceRotate)}</Row>
        <Row label="Root CA digest">{code(info.rootCaDigest)}</Row>
        {docker &&
          (docker.trustRoot ? (
            <>
              <Row label="Root subject">{code(docker.trustRoot.subject)}</Row>
              <Row label="Root expires">{formatDateTime(docker.trustRoot.notAfter)}</Row>
            </>
          ) : docker.trustRootProblem ? (
            <Row label="Trust root">
              <Badge tone="warn">Cannot be read</Badge> {docker.trustRootProblem}
            </Row>
          ) : (
            <Row label="Trust root">
              <NotReported />
            </Row>
          ))}
      </Section>
      {docker && (
        <Section title="Raft and dispatcher">
          <Row label="Heartbeat period">{humanDuration(info.heartbeatPeriodMs)}</Row>
          <Row label="Snapshot interval">{`${docker.raft.snapshotInterval.toLocaleString("en")} entries`}</Row>
          <Row label="Old snapshots kept">{orNotReported(docker.raft.keepOldSnapshots)}</Row>
          <Row label="Log entries for slow followers">{docker.raft.logEntriesForSlowFollowers.toLocaleString("en")}</Row>
          <Row label="Election tick">{docker.raft.electionTick}</Row>
          <Row label="Heartbeat tick">{docker.raft.heartbeatTick}</Row>
        </Section>
      )}
      {docker && (
        <Section title="The connected manager">
          <Row label="Node ID">{code(info.nodeId)}</Row>
          <Row label="Address">{code(docker.nodeAddr)}</Row>
          <Row label="Engine version">{docker.serverVersion}</Row>
          <Row label="Swarm state">{docker.localNodeState}</Row>
          {docker.error && <Row label="Error">{docker.error}</Row>}
          <Row label="Manager addresses">{info.managerAddresses.join(", ") || "—"}</Row>
        </Section>
      )}
    </div>
  );
}

/**
 * A connected swarm on its Overview (ADR 0020): `docker info`'s Swarm section as
 * `swarm.info` gives it, with what only Docker says (raft, external CAs, the trust root,
 * address pools); what Docker leaves out is said to be left out.
 */
export function SwarmPanel({ env }: { env: string }) {
  const trpc = useTRPC();
  const info = useQuery({ ...trpc.swarm.info.queryOptions({ env }, backgroundPoll), refetchInterval: 30_000 });
  return (
    <Card title="Swarm" className="min-w-0">
      <div data-testid="swarm-panel">
        {info.isPending ? (
          <Loading label="Loading the swarm" blocks={3} className="h-6" />
        ) : info.isError ? (
          <ErrorState title="The swarm's details are not available" error={info.error} onRetry={() => void info.refetch()} />
        ) : (
          <Sections info={info.data} />
        )}
      </div>
    </Card>
  );
}
