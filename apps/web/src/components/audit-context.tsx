import type { AuditEventOutput, AuditObjectNowOutput } from "@rampart/api/schema";
import Link from "next/link";
import { describeObject, EXTERNAL_ACTOR_TEXT, REMOVED, shortId } from "~/lib/audit";
import { linkClass } from "./ui";

export { objectHref } from "~/lib/audit";

const muted = "text-zinc-500 dark:text-zinc-400";

/**
 * An object an audit event names (its actor, target or context): its name now, linked
 * to its page while it exists; once removed, the name recorded at the time marked
 * "(removed)"; and its ID beside it in Docker's short form (the full ID on hover). The
 * type and name carry `testId`, so a test can read them apart from the ID.
 */
export function AuditObject({
  type,
  id,
  recorded,
  now,
  showType = "before",
  plain = false,
  testId,
}: {
  type: string;
  id: string | null;
  recorded: string | null;
  now: AuditObjectNowOutput | null;
  /** The type before the name ("service web"), after it ("admin user"), or not at all. */
  showType?: "before" | "after" | false;
  plain?: boolean;
  testId?: string;
}) {
  const o = describeObject(type, id, recorded, now);
  const href = plain ? null : o.href;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1.5">
      <span data-testid={testId}>
        {showType === "before" && (
          <>
            <span className={muted}>{type}</span>{" "}
          </>
        )}
        {href ? (
          <Link href={href} className={linkClass}>
            {o.label}
          </Link>
        ) : (
          <span className={o.removed && o.label === REMOVED ? muted : o.label === id ? "font-mono text-xs" : undefined}>{o.label}</span>
        )}
      </span>
      {showType === "after" && <span className={`text-xs ${muted}`}>{type}</span>}
      {o.removed && o.label !== REMOVED && <span className={`text-xs ${muted}`}>{REMOVED}</span>}
      {o.recordedAs && <span className={`text-xs ${muted}`}>(was {o.recordedAs})</span>}
      {o.id && (
        <code data-testid="audit-id" title={o.id} className={`font-mono text-xs ${muted}`}>
          {shortId(o.id)}
        </code>
      )}
    </span>
  );
}

/**
 * The second object an event involved, e.g. "service web" for a grant or "node
 * worker-1" for a delivery, linked to its page. Nothing when the event has none.
 */
export function AuditContext({ event, plain = false }: { event: Pick<AuditEventOutput, "contextType" | "contextId" | "contextName" | "contextNow">; plain?: boolean }) {
  if (!event.contextType) return null;
  return <AuditObject type={event.contextType} id={event.contextId} recorded={event.contextName} now={event.contextNow} plain={plain} testId="audit-context" />;
}

/** What the event was done to. */
export function AuditTarget({ event }: { event: Pick<AuditEventOutput, "targetType" | "targetId" | "targetName" | "targetNow"> }) {
  return <AuditObject type={event.targetType} id={event.targetId} recorded={event.targetName} now={event.targetNow} testId="audit-target" />;
}

/**
 * Who did it: a user, an API token (shown by its owner's username), a node, the system,
 * or, for what a connected swarm's event stream reported, someone outside Rampart.
 */
export function AuditActor({ event }: { event: Pick<AuditEventOutput, "actorType" | "actorId" | "actorName" | "actorNow"> }) {
  if (event.actorType === "external") {
    return (
      <span className="inline-flex flex-wrap items-baseline gap-x-1.5">
        <span data-testid="audit-actor">{EXTERNAL_ACTOR_TEXT.name}</span>
        <span className={`text-xs ${muted}`}>({EXTERNAL_ACTOR_TEXT.where})</span>
      </span>
    );
  }
  return <AuditObject type={event.actorType} id={event.actorId} recorded={event.actorName} now={event.actorNow} showType="after" testId="audit-actor" />;
}
