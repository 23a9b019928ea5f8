import { readFileSync } from "node:fs";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";

/**
 * `rampart swarm ca [--rotate] [--ca-cert F] [--ca-key F] [--external-ca …] [--cert-expiry D] [-d] [-q]`
 * as `docker swarm ca` (swarm-semantics.md §4.8, §8.5): without --rotate the trust root;
 * with it, a rotation, followed until it finishes with Swarm's two progress lines.
 */
export interface SwarmCaFlags {
  rotate?: boolean | undefined;
  "ca-cert"?: string | undefined;
  "ca-key"?: string | undefined;
  "external-ca"?: string[] | undefined;
  "cert-expiry"?: string | undefined;
  detach?: boolean | undefined;
  quiet?: boolean | undefined;
}

export interface ExternalCaFlag {
  protocol: string;
  url: string;
  caCert: string;
  options?: Record<string, string>;
}

/** One CSV record, as Go's encoding/csv reads it: fields split on commas, double quotes allowed. */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  if (quoted) throw new UsageError(`invalid argument "${text}" for "--external-ca" flag: extraneous or missing " in quoted-field`);
  fields.push(field);
  return fields;
}

/**
 * `--external-ca protocol=cfssl,url=URL[,cacert=FILE]` (docker's parseExternalCA): keys
 * case-insensitive, other keys kept as options, the CA certificate read from its file.
 */
export function parseExternalCa(text: string, read: (path: string) => string = (p) => readFileSync(p, "utf8")): ExternalCaFlag {
  const options: Record<string, string> = {};
  let protocol: string | undefined;
  let url: string | undefined;
  let caCert = "";
  for (const field of csvFields(text)) {
    const at = field.indexOf("=");
    if (at === -1) throw new UsageError(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, at);
    const value = field.slice(at + 1);
    switch (key.toLowerCase()) {
      case "protocol":
        if (value.toLowerCase() !== "cfssl") throw new UsageError(`unrecognized external CA protocol ${value}`);
        protocol = "cfssl";
        break;
      case "url":
        url = value;
        break;
      case "cacert": {
        let content: string;
        try {
          content = read(value);
        } catch (error) {
          throw new UsageError(`unable to read CA cert for external CA: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (!/-----BEGIN [A-Z0-9 ]+-----[\s\S]*-----END [A-Z0-9 ]+-----/.test(content)) throw new UsageError("CA cert for external CA must be in PEM format");
        caCert = content;
        break;
      }
      default:
        options[key] = value;
    }
  }
  if (protocol === undefined) throw new UsageError("the external-ca option needs a protocol= parameter");
  if (url === undefined) throw new UsageError("the external-ca option needs a url= parameter");
  return { protocol, url, caCert, ...(Object.keys(options).length > 0 ? { options } : {}) };
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const BAR_WIDTH = 50;

/** Docker's progress bar: `[=====>     ] 1/2 nodes`. */
export function progressBar(current: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.floor((BAR_WIDTH * current) / total);
  const bar = filled >= BAR_WIDTH ? "=".repeat(BAR_WIDTH) : `${"=".repeat(filled)}>${" ".repeat(BAR_WIDTH - filled - 1)}`;
  return `[${bar}] ${current}/${total} nodes`;
}

interface Progress {
  digest: string;
  certs: number;
  roots: number;
  total: number;
  done: boolean;
}

/**
 * What `docker swarm ca`'s progress shows (cli/command/swarm/progress/root_rotation.go):
 * nodes whose certificate comes from the wanted root, and nodes holding the current
 * trust root, shown as 0 until every certificate is rotated and the rotation is over.
 */
async function readProgress(client: AdminClient): Promise<Progress> {
  const status = await client.pki.status.query();
  const total = status.counts.nodes;
  const certs = status.rotation ? status.rotation.rotatedTls : status.counts.ready;
  const roots = status.counts.trustRootCurrent ?? 0;
  const settled = certs === total && status.rotation === null;
  return { digest: status.trustRoot.digest, certs, roots: settled ? roots : 0, total, done: settled && roots === total };
}

export async function swarmCaCommand(
  client: AdminClient,
  out: Out,
  flags: SwarmCaFlags,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const externalCas = flags["external-ca"]?.map((text) => parseExternalCa(text));
  if (!flags.rotate) {
    for (const [flag, given] of [
      ["ca-cert", flags["ca-cert"]],
      ["ca-key", flags["ca-key"]],
      ["cert-expiry", flags["cert-expiry"]],
      ["external-ca", flags["external-ca"]],
    ] as const) {
      if (given !== undefined) throw new UsageError(`\`--${flag}\` flag requires the \`--rotate\` flag to update the CA`);
    }
    const { pem } = await client.swarm.ca.query();
    out(pem.trim());
    return 0;
  }
  if (externalCas && externalCas.length > 0 && flags["ca-cert"] === undefined) {
    throw new UsageError(
      "rotating to an external CA requires the `--ca-cert` flag to specify the external CA's cert - to add an external CA with the current root CA certificate, use the `update` command instead",
    );
  }
  if (flags["ca-cert"] !== undefined && (externalCas ?? []).length === 0 && flags["ca-key"] === undefined) {
    throw new UsageError("the --ca-cert flag requires that a --ca-key flag and/or --external-ca flag be provided as well");
  }
  const caCert = flags["ca-cert"] === undefined ? "" : readPem("ca-cert", flags["ca-cert"]);
  const caKey = flags["ca-key"] === undefined ? "" : readPem("ca-key", flags["ca-key"]);
  const { version } = await client.pki.status.query();
  await client.pki.rotate.mutate({
    version,
    caCert,
    caKey,
    // An external CA given without its own certificate signs under the new one (mergeSwarmSpecCAFlags).
    ...(externalCas ? { externalCas: externalCas.map((ca) => ({ ...ca, caCert: ca.caCert === "" ? caCert : ca.caCert })) } : {}),
    ...(flags["cert-expiry"] !== undefined ? { certExpiry: flags["cert-expiry"] } : {}),
  });
  if (flags.detach) return 0;
  let shown = "";
  for (;;) {
    const p = await readProgress(client);
    const lines = [
      `desired root digest: ${p.digest}`,
      `  rotated TLS certificates:  ${progressBar(p.certs, p.total)}`,
      `  rotated CA certificates:   ${progressBar(p.roots, p.total)}`,
    ].join("\n");
    if (!flags.quiet && lines !== shown) {
      out(lines);
      shown = lines;
    }
    if (p.done) break;
    if (options.signal?.aborted) {
      out("Operation continuing in background.");
      out("Use `rampart swarm ca` or the PKI page to check progress.");
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  const { pem } = await client.swarm.ca.query();
  out(pem.trim());
  return 0;
}
