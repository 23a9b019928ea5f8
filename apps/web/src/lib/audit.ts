import type { AuditEventOutput, AuditObjectNowOutput } from "@rampart/api/schema";

const PAGES: Partial<Record<string, string>> = { service: "/services", node: "/nodes", secret: "/secrets" };

/** Where an audited object has a page, if it does. */
export function objectHref(type: string, id: string | null): string | null {
  const base = PAGES[type];
  return base && id ? `${base}/${encodeURIComponent(id)}` : null;
}

/** Docker's short form of an ID, as its tables show them. */
export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

export const REMOVED = "(removed)";

/**
 * Who did what Docker's event stream reported (ADR 0020): Docker does not say, so the
 * actor is "outside Rampart", and the page says where the event was seen.
 */
export const EXTERNAL_ACTOR_TEXT = { name: "outside Rampart", where: "observed in Docker's event stream" } as const;

/** How to show an object an event names: its name now, linked while it exists, beside its ID. */
export interface ObjectLabel {
  /** The name now; once removed, the name the event recorded, or "(removed)" if it recorded none. */
  label: string;
  href: string | null;
  removed: boolean;
  /** The name the event recorded, when the object has been renamed since. */
  recordedAs: string | null;
  /** The ID, unless the label already is it. */
  id: string | null;
}

/**
 * Chooses what to show for an event's actor, target or context. A live object shows its
 * name today, linked to its page; a removed one the name recorded at the time (or
 * "(removed)"), never linked; a kind with no lookup (the cluster, a route) what the event recorded.
 */
export function describeObject(type: string, id: string | null, recorded: string | null, now: AuditObjectNowOutput | null): ObjectLabel {
  if (now?.exists) {
    const label = now.name ?? recorded ?? id ?? "";
    return { label, href: objectHref(type, id), removed: false, recordedAs: recorded && recorded !== label ? recorded : null, id: id !== label ? id : null };
  }
  if (now) return { label: recorded ?? REMOVED, href: null, removed: true, recordedAs: null, id };
  const label = recorded ?? id ?? "";
  return { label, href: null, removed: false, recordedAs: null, id: id !== label ? id : null };
}

/** The name an export records beside an ID: the name now, "(removed)", or nothing when there is no lookup. */
function nameNow(now: AuditObjectNowOutput | null): string {
  if (!now) return "";
  return now.exists ? (now.name ?? "") : REMOVED;
}

/** The export's columns, in order, with how each is read from an event. */
const COLUMNS: ReadonlyArray<readonly [string, (e: AuditEventOutput) => string | null]> = [
  ["id", (e) => e.id],
  ["time", (e) => e.at.toISOString()],
  ["actor_type", (e) => e.actorType],
  ["actor_id", (e) => e.actorId],
  ["actor_name", (e) => e.actorName],
  ["actor_name_now", (e) => nameNow(e.actorNow)],
  ["action", (e) => e.action],
  ["target_type", (e) => e.targetType],
  ["target_id", (e) => e.targetId],
  ["target_name", (e) => e.targetName],
  ["target_name_now", (e) => nameNow(e.targetNow)],
  ["context_type", (e) => e.contextType],
  ["context_id", (e) => e.contextId],
  ["context_name", (e) => e.contextName],
  ["context_name_now", (e) => nameNow(e.contextNow)],
  ["outcome", (e) => e.outcome],
  ["reason", (e) => e.reason],
  ["ip", (e) => e.ip],
  ["env_id", (e) => e.envId],
  ["env_name", (e) => e.envName],
];

export const AUDIT_CSV_COLUMNS = COLUMNS.map(([name]) => name);

/**
 * One CSV cell. A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage
 * return before one) as a formula, so such a cell gets a leading apostrophe, which
 * spreadsheets show as text; then RFC 4180: a cell holding a comma, quote, CR or LF is
 * quoted, its quotes doubled.
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows as RFC 4180 CSV: a header line, then one line per row, each ended by CRLF. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null | undefined>>): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}

/** The audit events as the export's CSV: every column, IDs beside the names. */
export function auditCsv(events: readonly AuditEventOutput[]): string {
  return toCsv(
    AUDIT_CSV_COLUMNS,
    events.map((e) => COLUMNS.map(([, read]) => read(e))),
  );
}

export interface AuditExportFilters {
  action?: string | undefined;
  outcome?: string | undefined;
  search?: string | undefined;
  targetId?: string | undefined;
  env?: string | undefined;
}

/** The audit events as the export's JSON document, saying which filters made it and whether it was capped. */
export function auditJson(events: readonly AuditEventOutput[], meta: { exportedAt: Date; filters: AuditExportFilters; truncated: boolean; cap: number }): string {
  const filters = Object.fromEntries(Object.entries(meta.filters).filter(([, v]) => v));
  return `${JSON.stringify({ exportedAt: meta.exportedAt.toISOString(), filters, truncated: meta.truncated, cap: meta.cap, count: events.length, events }, null, 2)}\n`;
}

/** `rampart-audit-20261128T120000Z.csv`: sortable, and no character a file system refuses. */
export function auditFileName(at: Date, format: "csv" | "json"): string {
  return `rampart-audit-${at.toISOString().replace(/\.\d{3}Z$/, "Z").replaceAll(/[-:]/g, "")}.${format}`;
}

/** Hands the browser a file to save. */
export function downloadFile(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the file over; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
