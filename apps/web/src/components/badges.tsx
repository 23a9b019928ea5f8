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

const OUTCOME: Record<AuditEventOutput["outcome"], { label: string; tone: Tone }> = {
  success: { label: "Success", tone: "good" },
  failure: { label: "Failure", tone: "warn" },
  denied: { label: "Denied", tone: "bad" },
};

export function OutcomeBadge({ outcome }: { outcome: AuditEventOutput["outcome"] }) {
  return <Badge tone={OUTCOME[outcome].tone}>{OUTCOME[outcome].label}</Badge>;
}
