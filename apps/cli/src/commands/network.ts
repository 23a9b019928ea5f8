import { formatTable, naturalCompare, parseLabel, safeJson } from "@rampart/core";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import { answerOf } from "./service.js";
import type { Out } from "./swarm.js";

/** docker's short ID: the first 12 characters. */
const shortId = (id: string) => id.slice(0, 12);

/**
 * `rampart network ls [-q]`: docker's columns (NETWORK ID, NAME, DRIVER, SCOPE), then
 * ENCRYPTED, the overlay driver's IPsec between nodes, which docker shows only on inspect.
 */
export async function networkLs(client: AdminClient, out: Out, quiet: boolean): Promise<number> {
  const networks = (await client.network.list.query()).sort((a, b) => naturalCompare(a.name, b.name));
  if (quiet) {
    for (const n of networks) out(shortId(n.id));
    return 0;
  }
  const rows = [["NETWORK ID", "NAME", "DRIVER", "SCOPE", "ENCRYPTED"]];
  for (const n of networks) rows.push([shortId(n.id), n.name, n.driver, n.scope, n.encrypted ? "yes" : "no"]);
  out(formatTable(rows));
  return 0;
}

const yesNo = (value: boolean) => (value ? "Yes" : "No");

/** `rampart network inspect [--pretty] NETWORK...`: JSON by default, as docker prints. */
export async function networkInspect(client: AdminClient, out: Out, refs: string[], pretty: boolean): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart network inspect" requires at least 1 argument');
  const networks = [];
  for (const ref of refs) networks.push(await client.network.get.query({ ref }));
  if (!pretty) {
    out(safeJson(networks));
    return 0;
  }
  for (const n of networks) {
    out(`ID:\t\t${n.id}`);
    out(`Name:\t\t${n.name}`);
    out(`Driver:\t\t${n.driver}`);
    out(`Scope:\t\t${n.scope}`);
    if (n.createdAt) out(`Created:\t${n.createdAt.toISOString()}`);
    out(`Encrypted:\t${yesNo(n.encrypted)}`);
    out(`Internal:\t${yesNo(n.internal)}`);
    out(`Attachable:\t${yesNo(n.attachable)}`);
    out(`Ingress:\t${yesNo(n.ingress)}`);
    out("Subnets:");
    for (const s of n.subnets) out(` ${s.subnet}${s.gateway ? ` (gateway ${s.gateway})` : ""}`);
    const labels = Object.entries(n.labels).sort(([a], [b]) => (a < b ? -1 : 1));
    if (labels.length > 0) {
      out("Labels:");
      for (const [k, v] of labels) out(` - ${k}${v ? `=${v}` : ""}`);
    }
    out(`Services:${n.services.length === 0 ? "\tnone" : ""}`);
    for (const s of n.services) out(` ${s.name} (${s.id})`);
  }
  return 0;
}

export interface NetworkCreateFlags {
  driver?: string | undefined;
  opt?: string[] | undefined;
  encrypted?: boolean | undefined;
  internal?: boolean | undefined;
  attachable?: boolean | undefined;
  subnet?: string[] | undefined;
  label?: string[] | undefined;
}

/**
 * The flags of `network create`, checked before any request: docker's `--driver` and
 * `--opt encrypted`, and Rampart's `--encrypted=false`, since a network is encrypted
 * unless that is asked for. Only overlay networks, with the one driver option, are made.
 */
export function parseNetworkCreate(positionals: string[], flags: NetworkCreateFlags) {
  if (positionals.length !== 1) throw new UsageError('"rampart network create" requires exactly 1 argument');
  const driver = flags.driver ?? "overlay";
  if (driver !== "overlay") throw new UsageError(`driver ${driver} is not supported: Rampart creates overlay networks, the ones a swarm's services attach to`);
  let encryptedOpt = false;
  for (const opt of flags.opt ?? []) {
    const [key, value] = [opt.split("=")[0], opt.includes("=") ? opt.slice(opt.indexOf("=") + 1) : ""];
    if (key !== "encrypted") throw new UsageError(`option ${key} is not supported: the one driver option Rampart sets is encrypted`);
    if (value !== "" && value !== "true") throw new UsageError(`invalid argument "${opt}" for "--opt" flag: give --opt encrypted, or --encrypted=false for a network without encryption`);
    encryptedOpt = true;
  }
  if (encryptedOpt && flags.encrypted === false) throw new UsageError("--opt encrypted and --encrypted=false contradict each other");
  const subnets = flags.subnet ?? [];
  if (subnets.length > 1) throw new UsageError("give at most one --subnet: Rampart creates a network with one subnet");
  const labels = flags.label ?? [];
  return {
    name: positionals[0]!,
    encrypted: flags.encrypted ?? true,
    internal: flags.internal ?? false,
    attachable: flags.attachable ?? false,
    ...(subnets[0] !== undefined ? { subnet: subnets[0] } : {}),
    ...(labels.length > 0 ? { labels: Object.fromEntries(labels.map((l) => parseLabel(l, "label"))) } : {}),
  };
}

/** `rampart network create [OPTIONS] NETWORK`: prints the new network's ID, as docker does. */
export async function networkCreate(client: AdminClient, out: Out, positionals: string[], flags: NetworkCreateFlags): Promise<number> {
  const created = await client.network.create.mutate(parseNetworkCreate(positionals, flags));
  out(created.id);
  return 0;
}

/** `rampart network rm NETWORK...`: each removed is printed; each refusal is Docker's own, and the rest go on. */
export async function networkRm(client: AdminClient, out: Out, refs: string[]): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart network rm" requires at least 1 argument');
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await client.network.remove.mutate({ ref });
      out(ref);
    } catch (error) {
      errors.push(answerOf(error));
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}
