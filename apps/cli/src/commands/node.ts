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
import { bytesSize } from "./units.js";

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
  if (nodes.some((n) => n.docker)) {
    dockerNodeTable(nodes, out);
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

type ListedNode = ReturnType<typeof decodeNodeList>[number];

/**
 * A connected Docker Swarm's `node ls`: docker's own columns with Docker's words for the
 * state and the raft's reachability, then TLS STATUS as docker's formatter has it (Ready:
 * the node's certificate chains to the swarm's current root and it holds that root).
 * Docker reports no certificate expiry, so that column is left out, not shown empty.
 */
function dockerNodeTable(nodes: readonly ListedNode[], out: Out): void {
  const shared = duplicateHostnames(nodes);
  const rows = [["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION", "TLS STATUS"]];
  for (const n of nodes) {
    const reachability = n.docker?.reachability;
    rows.push([
      `${n.id} ${n.isLeader ? "*" : " "}`,
      shared.has(n.hostname.toLowerCase()) ? `${n.hostname} ${DUPLICATE_HOSTNAME_MARK}` : n.hostname,
      capitalise(n.docker?.state ?? n.state),
      capitalise(n.availability),
      n.isLeader ? "Leader" : reachability ? capitalise(reachability) : "",
      n.engineVersion,
      TLS[n.tls.status] ?? "Unknown",
    ]);
  }
  out(formatTable(rows));
  if (shared.size > 0) out(DUPLICATE_HOSTNAME_NOTE);
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
    if (n.docker) {
      for (const line of dockerPrettyLines({ ...n, docker: n.docker })) out(line);
      continue;
    }
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
    out("TLS Info:");
    if (n.certificate) {
      const c = n.certificate;
      out(` Subject:\t\t${c.subject}`);
      out(` Issuer:\t\t${c.issuer}`);
      out(` Serial:\t\t${c.serialNumber}`);
      out(` Not Before:\t\t${c.validFrom.toISOString()}`);
      out(` Not After:\t\t${c.validTo.toISOString()}`);
      out(` SANs:\t\t\t${c.subjectAltNames.join(", ")}`);
      out(` SHA-256 Fingerprint:\t${c.fingerprintSha256}`);
    }
    out(` TLS Status:\t\t${TLS[n.tls.status] ?? "Unknown"}`);
    if (n.tls.issuance && n.tls.issuance.state !== "issued") out(` Issuance:\t\t${n.tls.issuance.state}${n.tls.issuance.reason ? ` (${n.tls.issuance.reason})` : ""}`);
    if (n.chain) for (const line of chainLines(n.chain)) out(line);
  }
  return 0;
}

type InspectedNode = Awaited<ReturnType<AdminClient["node"]["get"]["query"]>>;

/** Where a native node's certificate chains to, and whether it holds the current trust root. */
export function chainLines(chain: NonNullable<InspectedNode["chain"]>): string[] {
  const root =
    chain.root === "unknown"
      ? "unknown (no certificate of the node names its issuer yet)"
      : chain.root === "another root"
        ? "another root (not the swarm's: the node needs a certificate from the current root)"
        : `${chain.root === "current root" ? "the current root" : "the new root of the rotation in progress"}, ${chain.rootSubject} (${chain.rootDigest})`;
  const trust = chain.trustRootCurrent === null ? "not yet reported" : chain.trustRootCurrent ? "Yes" : "No (it still trusts an earlier root)";
  return [` Chains To:\t\t${root}`, ` Holds Trust Root:\t${trust}`];
}

const yesNo = (value: boolean) => (value ? "Yes" : "No");

/**
 * `node inspect --pretty` of a connected Docker Swarm's node: docker's own layout, its
 * `TLS Info:` with Docker's base64 fields, then what Rampart reads from them (the
 * issuer's name, its key's fingerprint, whether it is the swarm's current root) and what
 * Docker does not report.
 */
export function dockerPrettyLines(n: InspectedNode & { docker: NonNullable<InspectedNode["docker"]> }): string[] {
  const d = n.docker;
  const lines = [`ID:\t\t\t${n.id}`];
  const labels = Object.entries(n.labels).sort(([a], [b]) => (a < b ? -1 : 1));
  if (labels.length > 0) lines.push("Labels:", ...labels.map(([k, v]) => ` - ${k}${v ? `=${v}` : ""}`));
  lines.push(`Hostname:\t\t${n.hostname}`, `Joined at:\t\t${n.createdAt.toISOString()}`, "Status:", ` State:\t\t\t${capitalise(d.state)}`);
  if (d.message) lines.push(` Message:\t\t${d.message}`);
  lines.push(` Availability:\t\t${capitalise(n.availability)}`);
  if (n.addr) lines.push(` Address:\t\t${n.addr}`);
  if (d.managerAddr !== null || d.reachability !== null) {
    lines.push("Manager Status:", ` Address:\t\t${d.managerAddr ?? ""}`, ` Raft Status:\t\t${capitalise(d.reachability ?? "unknown")}`, ` Leader:\t\t${yesNo(n.isLeader)}`);
  }
  lines.push(
    "Platform:",
    ` Operating System:\t${n.platform.os}`,
    ` Architecture:\t\t${n.platform.arch}`,
    "Resources:",
    ` CPUs:\t\t\t${n.resources.nanoCpus / 1e9}`,
    ` Memory:\t\t${bytesSize(n.resources.memoryBytes)}`,
  );
  const generic = [
    ...Object.entries(n.resources.generic ?? {}).map(([kind, count]) => `${kind}=${count}`),
    ...Object.entries(d.namedResources).map(([kind, values]) => `${kind}=${values.join(",")}`),
  ].sort();
  if (generic.length > 0) lines.push(" Generic Resources:", ...generic.map((g) => `  ${g}`));
  lines.push(`Engine Version:\t\t${n.engineVersion}`);
  const engineLabels = Object.entries(n.engineLabels).sort(([a], [b]) => (a < b ? -1 : 1));
  if (engineLabels.length > 0) lines.push("Engine Labels:", ...engineLabels.map(([k, v]) => ` - ${k}${v ? `=${v}` : ""}`));
  if (d.tlsInfo) {
    const t = d.tlsInfo;
    lines.push(
      "TLS Info:",
      " TrustRoot:",
      t.trustRoot.trimEnd(),
      "",
      ` Issuer Subject:\t${t.certIssuerSubject}`,
      ` Issuer Public Key:\t${t.certIssuerPublicKey}`,
      ` Issuer:\t\t${t.issuerSubject ?? "(Docker's DER could not be read)"}`,
      ` Issuer Key SHA-256:\t${t.issuerPublicKeyFingerprint}`,
      ` Current Root:\t\t${d.chainsToCurrentRoot === null ? "unknown" : d.chainsToCurrentRoot ? "Yes (the certificate chains to the swarm's current root)" : "No (issued by another CA: the node needs a certificate from the current root)"}`,
    );
  }
  lines.push("Not Reported By Docker:", ...d.notReported.map((what) => ` - ${what}`));
  return lines;
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
