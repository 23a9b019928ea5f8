import {
  DUPLICATE_HOSTNAME_MARK,
  DUPLICATE_HOSTNAME_NOTE,
  capitalise,
  duplicateHostnames,
  formatTable,
  humanDuration,
  naturalCompare,
  parseLabel,
  safeJson,
} from "@rampart/core";
import { decodeNodeList } from "@rampart/api/schema";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";

const TLS: Record<string, string> = { ready: "Ready", "needs-rotation": "Needs Rotation", unknown: "Unknown" };

function expiry(date: Date | null, now: Date): string {
  if (!date) return "";
  const ms = date.getTime() - now.getTime();
  return ms <= 0 ? "expired" : `in ${humanDuration(ms).toLowerCase()}`;
}

/**
 * What STATUS adds for a node whose tasks do not run as containers (ADR 0019): `simulated`
 * (`agent simulate`, `--runtime simulated`) takes tasks and runs nothing; `no runtime`
 * (no engine could be reached) takes none. Each mark in a list has its footnote.
 */
export const RUNTIME_MARKS: Readonly<Record<"simulated" | "none", { mark: string; note: string }>> = {
  simulated: { mark: "(simulated)", note: "(simulated) the node runs nothing: its tasks are only reported as running (agent simulate)" },
  none: { mark: "(no runtime)", note: "(no runtime) no container engine could be reached on the node, so it gets no tasks; 'rampart node inspect NODE' says why" },
};

/** STATUS: docker's state, and the runtime's mark when the node runs no containers. */
export function statusColumn(n: { state: string; runtime: { kind: string } }): string {
  const kind = n.runtime.kind;
  return kind === "simulated" || kind === "none" ? `${capitalise(n.state)} ${RUNTIME_MARKS[kind].mark}` : capitalise(n.state);
}

/**
 * `rampart node ls [-q]`: docker's columns (§8.3), then TLS status and certificate
 * expiry. A hostname more than one node reports is marked, and so is the STATUS of a
 * node that runs no containers, each with a footnote.
 */
export async function nodeLs(client: AdminClient, out: Out, quiet: boolean): Promise<number> {
  const nodes = decodeNodeList(await client.node.list.query()).sort((a, b) => naturalCompare(a.hostname, b.hostname));
  if (quiet) {
    for (const n of nodes) out(n.id);
    return 0;
  }
  const now = new Date();
  const shared = duplicateHostnames(nodes);
  const rows = [["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION", "TLS STATUS", "CERT EXPIRY"]];
  for (const n of nodes) {
    rows.push([
      `${n.id} ${n.isLeader ? "*" : " "}`,
      shared.has(n.hostname.toLowerCase()) ? `${n.hostname} ${DUPLICATE_HOSTNAME_MARK}` : n.hostname,
      statusColumn(n),
      capitalise(n.availability),
      n.managerStatus ? capitalise(n.managerStatus) : "",
      n.engineVersion,
      TLS[n.tls.status] ?? "Unknown",
      expiry(n.tls.notAfter, now),
    ]);
  }
  out(formatTable(rows));
  for (const kind of ["simulated", "none"] as const) if (nodes.some((n) => n.runtime.kind === kind)) out(RUNTIME_MARKS[kind].note);
  if (shared.size > 0) out(DUPLICATE_HOSTNAME_NOTE);
  return 0;
}

/** `rampart node inspect [--pretty] NODE...`: JSON by default, as docker prints. */
export async function nodeInspect(client: AdminClient, out: Out, refs: string[], pretty: boolean): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart node inspect" requires at least 1 argument');
  const nodes = [];
  for (const ref of refs) nodes.push(await client.node.get.query({ ref }));
  if (!pretty) {
    out(safeJson(nodes));
    return 0;
  }
  for (const n of nodes) {
    out(`ID:\t\t\t${n.id}`);
    out(`Hostname:\t\t${n.hostname}`);
    out(`Joined at:\t\t${n.createdAt.toISOString()}`);
    out("Status:");
    out(` State:\t\t\t${capitalise(n.state)}`);
    out(` Availability:\t\t${capitalise(n.availability)}`);
    out(` Address:\t\t${n.addr ?? ""}`);
    if (n.managerStatus) out(`Manager Status:\n Leader:\t\t${n.isLeader ? "Yes" : "No"}`);
    out(`Labels:${Object.keys(n.labels).length === 0 ? "" : ""}`);
    for (const [k, v] of Object.entries(n.labels)) out(` - ${k}=${v}`);
    out("Platform:");
    out(` Operating System:\t${n.platform.os}`);
    out(` Architecture:\t\t${n.platform.arch}`);
    out("Resources:");
    out(` CPUs:\t\t\t${n.resources.nanoCpus / 1e9}`);
    out(` Memory:\t\t${(n.resources.memoryBytes / 1024 ** 3).toFixed(1)}GiB`);
    const generic = Object.entries(n.resources.generic ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    if (generic.length > 0) {
      out(" Generic Resources:");
      for (const [kind, count] of generic) out(`  ${kind}=${count}`);
    }
    out(`Engine Version:\t\t${n.engineVersion}`);
    for (const line of runtimeLines(n.runtime)) out(line);
    if (Object.keys(n.engineLabels).length > 0) {
      out("Engine Labels:");
      for (const [k, v] of Object.entries(n.engineLabels)) out(` - ${k}=${v}`);
    }
    if (n.certificate) {
      const c = n.certificate;
      out("TLS Info:");
      out(` Subject:\t\t${c.subject}`);
      out(` Issuer:\t\t${c.issuer}`);
      out(` Serial:\t\t${c.serialNumber}`);
      out(` Not Before:\t\t${c.validFrom.toISOString()}`);
      out(` Not After:\t\t${c.validTo.toISOString()}`);
      out(` SANs:\t\t\t${c.subjectAltNames.join(", ")}`);
      out(` SHA-256 Fingerprint:\t${c.fingerprintSha256}`);
    }
  }
  return 0;
}

/**
 * Rampart's `Runtime:` section of `node inspect --pretty`, after the engine version: what
 * runs the node's tasks, the engine's address or why there is none, and the engine's
 * security options (docker info's `Security Options`).
 */
export function runtimeLines(runtime: { kind: string; detail: string; securityOptions: readonly string[] }): string[] {
  const kind = runtime.kind === "docker" ? "docker" : runtime.kind === "simulated" ? "simulated (nothing runs)" : "none (the node gets no tasks)";
  const lines = ["Runtime:", ` Kind:\t\t\t${kind}`];
  if (runtime.detail !== "") lines.push(` ${runtime.kind === "none" ? "Problem" : "Address"}:\t\t${runtime.detail}`);
  if (runtime.securityOptions.length > 0) lines.push(` Security Options:\t${runtime.securityOptions.join(", ")}`);
  return lines;
}

/** `rampart node update [--label-add k=v]... [--label-rm k]... [--availability a] NODE`. */
export async function nodeUpdate(
  client: AdminClient,
  out: Out,
  refs: string[],
  labelAdd: string[],
  labelRm: string[],
  availability: string | undefined,
): Promise<number> {
  if (refs.length !== 1) throw new UsageError('"rampart node update" requires exactly 1 argument');
  if (availability !== undefined && !["active", "pause", "drain"].includes(availability)) {
    throw new UsageError(`invalid availability "${availability}": use active, pause or drain`);
  }
  if (labelAdd.length === 0 && labelRm.length === 0 && availability === undefined) {
    throw new UsageError("nothing to update: give --label-add, --label-rm or --availability");
  }
  const node = await client.node.update.mutate({
    ref: refs[0]!,
    ...(labelAdd.length > 0 ? { labelAdd: Object.fromEntries(labelAdd.map((l) => parseLabel(l, "label-add"))) } : {}),
    ...(labelRm.length > 0 ? { labelRm } : {}),
    ...(availability ? { availability: availability as "active" | "pause" | "drain" } : {}),
  });
  out(node.id);
  return 0;
}

export async function nodePromote(client: AdminClient, out: Out, refs: string[]): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart node promote" requires at least 1 argument');
  for (const ref of refs) {
    await client.node.promote.mutate({ ref });
    out(`Node ${ref} promoted to a manager in the swarm.`);
  }
  return 0;
}

export async function nodeDemote(client: AdminClient, out: Out, refs: string[]): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart node demote" requires at least 1 argument');
  for (const ref of refs) {
    await client.node.demote.mutate({ ref });
    out(`Manager ${ref} demoted in the swarm.`);
  }
  return 0;
}

export async function nodeRm(client: AdminClient, out: Out, refs: string[], force: boolean): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart node rm" requires at least 1 argument');
  for (const ref of refs) {
    await client.node.remove.mutate({ ref, force });
    out(ref);
  }
  return 0;
}
