import type { AuditEventOutput } from "@rampart/api/schema";
import Link from "next/link";
import { linkClass } from "./ui";

const PAGES: Record<string, string> = { service: "/services", node: "/nodes", secret: "/secrets" };

/** Where an audited object has a page, if it does. */
export function objectHref(type: string, id: string | null): string | null {
  const base = PAGES[type];
  return base && id ? `${base}/${encodeURIComponent(id)}` : null;
}

/**
 * The second object an event involved, e.g. "service web" for a grant or "node
 * worker-1" for a delivery, linked to its page. Nothing when the event has none.
 */
export function AuditContext({ event, plain = false }: { event: Pick<AuditEventOutput, "contextType" | "contextId" | "contextName">; plain?: boolean }) {
  if (!event.contextType) return null;
  const label = event.contextName ?? event.contextId;
  const href = plain ? null : objectHref(event.contextType, event.contextId);
  return (
    <span data-testid="audit-context" title={event.contextId ?? undefined}>
      <span className="text-zinc-500 dark:text-zinc-400">{event.contextType}</span>
      {label && (
        <>
          {" "}
          {href ? (
            <Link href={href} className={linkClass}>
              {label}
            </Link>
          ) : (
            <span className={event.contextName ? "" : "font-mono text-xs"}>{label}</span>
          )}
        </>
      )}
    </span>
  );
}
