import type { AuditEventOutput, NodeViewOutput } from "@rampart/api/schema";
import { Badge } from "./ui";

type Tone = "neutral" | "good" | "bad" | "warn";

const STATE: Record<NodeViewOutput["state"], { label: string; tone: Tone }> = {
  ready: { label: "Ready", tone: "good" },
  down: { label: "Down", tone: "bad" },
  unknown: { label: "Unknown", tone: "warn" },
};

/** A node's status, as `docker node ls` names it. Tests find it by `node-state`. */
export function NodeStateBadge({ state }: { state: NodeViewOutput["state"] }) {
  return (
    <span data-testid="node-state" className="inline-flex">
      <Badge tone={STATE[state].tone}>{STATE[state].label}</Badge>
    </span>
  );
}

const TLS: Record<NodeViewOutput["tls"]["status"], { label: string; tone: Tone }> = {
  ready: { label: "Ready", tone: "good" },
  "needs-rotation": { label: "Needs rotation", tone: "warn" },
  unknown: { label: "Unknown", tone: "neutral" },
};

export function TlsBadge({ status }: { status: NodeViewOutput["tls"]["status"] }) {
  return <Badge tone={TLS[status].tone}>{TLS[status].label}</Badge>;
}

/**
 * A Docker node whose certificate was not issued by the swarm's current root (its
 * issuer's name or key differ): it was issued before a root rotation and not renewed
 * since. Tests find it by `old-root`.
 */
export function OldRootBadge({ node }: { node: Pick<NodeViewOutput, "docker"> }) {
  if (node.docker?.chainsToCurrentRoot !== false) return null;
  return (
    <span data-testid="old-root" title="This node's certificate does not chain to the swarm's current root CA" className="inline-flex">
      <Badge tone="bad">Not current root</Badge>
    </span>
  );
}

const OUTCOME: Record<AuditEventOutput["outcome"], { label: string; tone: Tone }> = {
  success: { label: "Success", tone: "good" },
  failure: { label: "Failure", tone: "warn" },
  denied: { label: "Denied", tone: "bad" },
};

export function OutcomeBadge({ outcome }: { outcome: AuditEventOutput["outcome"] }) {
  return <Badge tone={OUTCOME[outcome].tone}>{OUTCOME[outcome].label}</Badge>;
}

/**
 * A protection the spec gives up (core's `weakenedProtections`): shown beside the field
 * that gives it up, and on the service page. Tests find it by `weakened-flag`.
 */
export function WeakenedFlag({ texts }: { texts: readonly string[] }) {
  if (texts.length === 0) return null;
  return (
    <p data-testid="weakened-flag" className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-xs text-amber-800 dark:text-amber-300">
      <Badge tone="warn">
        <span aria-hidden="true">⚠&nbsp;</span>Weakened
      </Badge>
      <span>{texts.join("; ")}</span>
    </p>
  );
}

const RUNTIME: Record<NodeViewOutput["runtime"]["kind"], { label: string; tone: Tone }> = {
  docker: { label: "Docker", tone: "good" },
  simulated: { label: "simulated — nothing runs", tone: "neutral" },
  none: { label: "no container runtime", tone: "bad" },
};

/**
 * What runs a node's tasks: its Docker Engine, nothing (a simulated node), or no engine
 * at all (the node gets no tasks; `detail` says why, as the tooltip and for screen readers).
 */
export function RuntimeBadge({ runtime, showDocker = true }: { runtime: Pick<NodeViewOutput["runtime"], "kind" | "detail">; showDocker?: boolean }) {
  if (runtime.kind === "docker" && !showDocker) return null;
  const { label, tone } = RUNTIME[runtime.kind];
  const title =
    runtime.kind === "none"
      ? `No container runtime: ${runtime.detail || "no engine was reached"}. The node gets no tasks.`
      : runtime.kind === "simulated"
        ? "A simulated node (rampart agent simulate): tasks are reported, nothing runs."
        : runtime.detail
          ? `Docker Engine at ${runtime.detail}`
          : "Docker Engine";
  return (
    <span data-testid="node-runtime" data-kind={runtime.kind} title={title} className="inline-flex max-w-full">
      <Badge tone={tone}>{label}</Badge>
      {runtime.kind === "none" && <span className="sr-only">: {runtime.detail}</span>}
    </span>
  );
}
