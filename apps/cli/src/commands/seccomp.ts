import type { AppRouter } from "@rampart/api";
import { formatTable, humanDuration, naturalCompare, safeJson } from "@rampart/core";
import type { inferRouterOutputs } from "@trpc/server";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import { goFileError, type PayloadSource } from "./secret.js";
import { answerOf } from "./service.js";
import type { Out } from "./swarm.js";
import { bytesSize } from "./units.js";

/**
 * `rampart seccomp …`: the custom seccomp profiles stored in the swarm, which a service
 * names with `--security-opt seccomp=NAME` (ADR 0019). Docker reads a profile from a file
 * on each `docker run`; a swarm's services run on other machines, so the profile is
 * stored once, by name, and sent to the nodes whose tasks use it. A profile never
 * changes: a new version is a new name.
 */

type Outputs = inferRouterOutputs<AppRouter>;
export type SeccompProfileView = Outputs["swarm"]["seccompProfiles"][number];
export type SeccompProfileDetail = Outputs["swarm"]["seccompProfile"];

/** The digest as docker prints image digests: `sha256:` and the hex. */
function digestOf(profile: Pick<SeccompProfileView, "digest">): string {
  return profile.digest.startsWith("sha256:") ? profile.digest : `sha256:${profile.digest}`;
}

/** `seccomp ls`: sorted by name (natural order), the digest cut to 12 hex digits as docker cuts IDs. */
export function formatProfileList(profiles: readonly SeccompProfileView[], now: Date): string {
  const rows = [["ID", "NAME", "DIGEST", "SIZE", "CREATED"]];
  for (const p of [...profiles].sort((a, b) => naturalCompare(a.name, b.name))) {
    rows.push([p.id, p.name, digestOf(p).slice(0, "sha256:".length + 12), bytesSize(p.size), `${humanDuration(Math.max(0, now.getTime() - p.createdAt.getTime()))} ago`]);
  }
  return formatTable(rows);
}

/** `seccomp inspect --pretty`: the profile's facts and the services that name it, not its content. */
export function formatProfilePretty(p: SeccompProfileDetail): string[] {
  return [
    `ID:\t\t${p.id}`,
    `Name:\t\t${p.name}`,
    `Digest:\t\t${digestOf(p)}`,
    `Size:\t\t${bytesSize(p.size)}`,
    `Created at:\t${p.createdAt.toISOString()}`,
    `Used by:\t${p.usedBy.length > 0 ? p.usedBy.join(", ") : "no service"}`,
  ];
}

/** The profile's text: a file, or standard input for `-`; it must be UTF-8, as JSON is. */
export async function readProfile(source: PayloadSource, file: string): Promise<string> {
  let data: Uint8Array;
  try {
    data = file === "-" ? await source.readStdin() : await source.readFile(file);
  } catch (error) {
    throw new Error(`Error reading content from "${file}": ${goFileError(file, error)}`, { cause: error });
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    throw new Error(`Error reading content from "${file}": a seccomp profile is JSON, which is UTF-8 text`);
  }
}

/** `rampart seccomp create NAME FILE|-`: the server checks the JSON; prints the new profile's ID. */
export async function seccompCreate(client: AdminClient, out: Out, args: string[], source: PayloadSource): Promise<number> {
  if (args.length !== 2) throw new UsageError('"rampart seccomp create" requires exactly 2 arguments: NAME FILE|-');
  const content = await readProfile(source, args[1]!);
  const created = await client.swarm.createSeccompProfile.mutate({ name: args[0]!, content });
  out(created.id);
  return 0;
}

/** `rampart seccomp ls [-q]`. */
export async function seccompLs(client: AdminClient, out: Out, args: string[], quiet: boolean): Promise<number> {
  if (args.length > 0) throw new UsageError('"rampart seccomp ls" accepts no arguments');
  const profiles = await client.swarm.seccompProfiles.query();
  if (quiet) {
    for (const p of [...profiles].sort((a, b) => naturalCompare(a.name, b.name))) out(p.name);
    return 0;
  }
  out(formatProfileList(profiles, new Date()));
  return 0;
}

/** `rampart seccomp inspect [--pretty] NAME...`: a JSON array with each profile's content; the ones not found are reported after. */
export async function seccompInspect(client: AdminClient, out: Out, names: string[], pretty: boolean): Promise<number> {
  if (names.length === 0) throw new UsageError('"rampart seccomp inspect" requires at least 1 argument');
  const found: SeccompProfileDetail[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      found.push(await client.swarm.seccompProfile.query({ name }));
    } catch (error) {
      errors.push(answerOf(error));
    }
  }
  if (pretty) {
    found.forEach((p, i) => {
      if (i > 0) out("");
      for (const line of formatProfilePretty(p)) out(line);
    });
  } else if (found.length > 0 || errors.length === 0) out(safeJson(found));
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}

/** `rampart seccomp rm NAME...`: prints each one removed; a profile a service names is not removed, and says which. */
export async function seccompRm(client: AdminClient, out: Out, names: string[]): Promise<number> {
  if (names.length === 0) throw new UsageError('"rampart seccomp rm" requires at least 1 argument');
  const errors: string[] = [];
  for (const name of names) {
    try {
      await client.swarm.removeSeccompProfile.mutate({ name });
      out(name);
    } catch (error) {
      errors.push(answerOf(error));
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}
