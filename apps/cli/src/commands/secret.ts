import { readFile } from "node:fs/promises";
import type { ParseArgsConfig } from "node:util";
import { checkPayloadSize, formatTable, humanDuration, naturalCompare, parseLabel, safeJson } from "@rampart/core";
import type { AppRouter } from "@rampart/api";
import type { inferRouterOutputs } from "@trpc/server";
import type { AdminClient } from "../client/index.js";
import { answerOf, badFlag } from "./service.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";

/**
 * `rampart secret …`: docker's secret commands (cli/command/secret), with their
 * arguments, columns and messages, plus `rotate`, which docker has no word for: a new
 * version, every service moved to it, and the rollout followed until no task holds the
 * old one. No command ever prints a payload; the server has no way to return one.
 */

type Outputs = inferRouterOutputs<AppRouter>;
export type SecretView = Outputs["secret"]["get"];
export type RotationProgress = Outputs["secret"]["rotation"];

// ---------------------------------------------------------------------------
// Reading a payload
// ---------------------------------------------------------------------------

/** Where a payload comes from: a file, or standard input for `-`. */
export interface PayloadSource {
  readFile(path: string): Promise<Uint8Array>;
  readStdin(): Promise<Uint8Array>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  const data = Buffer.concat(chunks);
  for (const chunk of chunks) chunk.fill(0);
  return data;
}

export const processPayloadSource: PayloadSource = {
  readFile: async (path) => new Uint8Array(await readFile(path)),
  readStdin: () => readAll(process.stdin),
};

/** Go's wording for the errors opening or reading a file can give, as docker prints them. */
export function goFileError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return `open ${path}: no such file or directory`;
    case "EACCES":
      return `open ${path}: permission denied`;
    case "EISDIR":
      return `read ${path}: is a directory`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * readSecretData: the file, or standard input for `-`; no file at all is an empty
 * payload, as docker sends it (and the server refuses). Checked here with Swarm's size
 * rule and message, so a payload that cannot be a secret is never sent.
 */
export async function readSecretData(source: PayloadSource, file: string | undefined): Promise<Uint8Array> {
  let data: Uint8Array;
  if (file === undefined) data = new Uint8Array(0);
  else {
    try {
      data = file === "-" ? await source.readStdin() : await source.readFile(file);
    } catch (error) {
      throw new Error(`Error reading content from "${file}": ${goFileError(file, error)}`, { cause: error });
    }
  }
  try {
    checkPayloadSize(data.length, "secret");
  } catch (error) {
    data.fill(0);
    throw error;
  }
  return data;
}

/** The payload as the API takes it (base64), the bytes wiped once encoded. */
function encode(data: Uint8Array): string {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
  data.fill(0);
  return text;
}

/** `--label k=v` (a bare `k` is an empty value, as docker's ConvertKVStringsToMap reads it). */
export function parseLabels(values: readonly string[] | undefined, flag = "label"): Record<string, string> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const value of values) {
    try {
      const [key, v] = parseLabel(value, flag);
      labels[key] = v;
    } catch (error) {
      throw badFlag(flag, value, (error as Error).message);
    }
  }
  return labels;
}

// ---------------------------------------------------------------------------
// ls and its filters
// ---------------------------------------------------------------------------

/** What `--filter` selects on: docker's `name` (a prefix), `id` (a prefix) and `label` (`key` or `key=value`). */
export type SecretFilters = Map<"name" | "id" | "label", string[]>;

/**
 * docker's FilterOpt: `key=value`, the key lower-cased and both trimmed; the daemon then
 * refuses keys it does not know (`invalid filter 'x'`).
 */
export function parseSecretFilters(values: readonly string[]): SecretFilters {
  const filters: SecretFilters = new Map();
  for (const value of values) {
    if (value === "") continue;
    const eq = value.indexOf("=");
    if (eq === -1) throw badFlag("filter", value, "bad format of filter (expected name=value)");
    const key = value.slice(0, eq).trim().toLowerCase();
    if (key !== "name" && key !== "id" && key !== "label") throw new Error(`invalid filter '${key}'`);
    const list = filters.get(key) ?? [];
    list.push(value.slice(eq + 1).trim());
    filters.set(key, list);
  }
  return filters;
}

/** Values of one key are alternatives; different keys must all match (Swarm's list filters). */
export function matchesSecretFilters(secret: Pick<SecretView, "id" | "name" | "labels">, filters: SecretFilters): boolean {
  const names = filters.get("name");
  if (names && !names.some((prefix) => secret.name.startsWith(prefix))) return false;
  const ids = filters.get("id");
  if (ids && !ids.some((prefix) => secret.id.startsWith(prefix))) return false;
  const labels = filters.get("label");
  if (labels) {
    const own = Object.entries(secret.labels);
    const ok = labels.every((l) => {
      const eq = l.indexOf("=");
      return eq === -1 ? own.some(([k]) => k === l) : own.some(([k, v]) => k === l.slice(0, eq) && v === l.slice(eq + 1));
    });
    if (!ok) return false;
  }
  return true;
}

/** docker's `secret ls` table: full IDs, sorted by name (natural order), times as "… ago". */
export function formatSecretList(secrets: readonly Pick<SecretView, "id" | "name" | "createdAt" | "updatedAt">[], now: Date): string {
  const ago = (d: Date) => `${humanDuration(Math.max(0, now.getTime() - d.getTime()))} ago`;
  const rows = [["ID", "NAME", "DRIVER", "CREATED", "UPDATED"]];
  for (const s of [...secrets].sort((a, b) => naturalCompare(a.name, b.name))) rows.push([s.id, s.name, "", ago(s.createdAt), ago(s.updatedAt)]);
  return formatTable(rows);
}

// ---------------------------------------------------------------------------
// inspect --pretty
// ---------------------------------------------------------------------------

/** Go's time.Time String() for a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeString(date: Date): string {
  const iso = date.toISOString();
  const ms = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${ms}` : ""} +0000 UTC`;
}

/** `0400`, as docker and chmod write a mode. */
export function octalMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}

/**
 * docker's `secret inspect --pretty` template (ID, name, labels sorted by key, driver,
 * times), then what only Rampart knows: the size (which a Docker Swarm does not report),
 * the services that reference the secret with their targets, and the nodes that hold it
 * now.
 */
export function formatSecretPretty(s: SecretView): string[] {
  const lines = [`ID:              ${s.id}`, `Name:              ${s.name}`];
  const labels = Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length > 0) {
    lines.push("Labels:");
    for (const [k, v] of labels) lines.push(` - ${k}${v ? `=${v}` : ""}`);
  }
  lines.push(
    `Driver:            ${s.docker?.driver ?? ""}`,
    `Created at:        ${goTimeString(s.createdAt)}`,
    `Updated at:        ${goTimeString(s.updatedAt)}`,
    `Size:              ${s.size === null ? "not reported by Docker" : `${s.size} bytes`}`,
  );
  if (s.services.length > 0) {
    lines.push("Services:");
    for (const u of s.services) {
      for (const r of u.references) lines.push(` - ${u.name}: target ${r.target}, uid ${r.uid}, gid ${r.gid}, mode ${octalMode(r.mode)}`);
    }
  }
  if (s.nodes.length > 0) {
    lines.push("Nodes:");
    for (const n of s.nodes) lines.push(` - ${n.hostname ?? n.nodeId}: ${n.tasks} ${n.tasks === 1 ? "task" : "tasks"}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------
// rotate
// ---------------------------------------------------------------------------

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line of a rollout's progress. */
export function formatRotationProgress(p: RotationProgress): string {
  const updated = p.services.filter((s) => s.updated).length;
  const nodes = p.nodesWithOld.map((n) => n.hostname ?? n.nodeId);
  const where = nodes.length > 0 ? ` on ${plural(nodes.length, "node")} (${nodes.join(", ")})` : "";
  return (
    `${updated}/${plural(p.services.length, "service")} moved; ` +
    `${plural(p.tasksOnOld, "task")} still with ${p.from.name}${where}; ` +
    `${plural(p.tasksOnNew, "task")} with ${p.to.name}`
  );
}

export interface RotateOptions {
  name?: string | undefined;
  labels?: Record<string, string> | undefined;
  detach: boolean;
  removeOld: boolean;
  /** How often the rollout is looked at while following it. */
  intervalMs: number;
  sleep(ms: number): Promise<void>;
}

/**
 * Whether there is nothing more to wait for: no service references the old version and
 * no task holds it, and on a Docker Swarm, Rampart has removed the old version too (or is
 * not following this rotation).
 */
export function rolloutOver(p: RotationProgress): boolean {
  return p.done && (p.docker === undefined || p.docker.phase === "complete" || p.docker.phase === "untracked");
}

/**
 * Follows a rollout: a line each time it changes, until it is over (`rolloutOver`).
 * Returns the last state seen; a rotation on a Docker Swarm that stopped is an error
 * saying where and why.
 */
export async function followRotation(
  client: { secret: { rotation: { query(input: { from: string; to: string }): Promise<RotationProgress> } } },
  out: Out,
  from: string,
  to: string,
  options: Pick<RotateOptions, "intervalMs" | "sleep">,
): Promise<RotationProgress> {
  let last = "";
  for (;;) {
    const progress = await client.secret.rotation.query({ from, to });
    const line = formatRotationProgress(progress);
    if (line !== last) out(line);
    last = line;
    if (progress.docker?.phase === "stopped") {
      throw new Error(`The rotation stopped: ${progress.docker.why ?? "no reason given"}. ${progress.from.name} stays while anything uses it.`);
    }
    if (rolloutOver(progress)) return progress;
    await options.sleep(options.intervalMs);
  }
}

/**
 * `rampart secret rotate [--name NEW] [--label k=v]... [--detach] [--remove-old] SECRET FILE|-`:
 * creates the new version and moves every service to it (one step on the server), prints
 * the new version's ID, then follows the rollout until no task holds the old version and
 * says how to remove it, or removes it with `--remove-old`.
 */
export async function secretRotate(client: AdminClient, out: Out, args: string[], source: PayloadSource, options: RotateOptions): Promise<number> {
  if (args.length !== 2) throw new UsageError('"rampart secret rotate" requires exactly 2 arguments: SECRET and FILE (or - for standard input)');
  if (options.detach && options.removeOld) {
    throw new UsageError("--remove-old waits for the rollout to finish, so it cannot be used with --detach");
  }
  const [ref, file] = args as [string, string];
  const data = await readSecretData(source, file);
  const rotated = await client.secret.rotate.mutate({
    ref,
    data: encode(data),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.labels !== undefined ? { labels: options.labels } : {}),
  });
  const { from, to } = rotated;
  out(to.id);
  const moved = rotated.services.map((s) => s.name);
  out(`Created ${to.name} to replace ${from.name}; ${plural(moved.length, "service")} moved to it${moved.length > 0 ? `: ${moved.join(", ")}` : ""}`);
  // On a Docker Swarm (its views have a `docker` part) the server follows the rollout and removes the old version itself.
  const onDocker = from.docker !== undefined;
  if (options.detach) {
    out(`Follow the rollout with: rampart secret inspect ${from.name}  (it lists the nodes that still hold it)`);
    out(onDocker ? `Rampart removes ${from.name} once no task holds it.` : `Once no task holds it, remove the old version with: rampart secret rm ${from.name}`);
    return 0;
  }
  const last = await followRotation(client, out, from.id, to.id, options);
  out(`Rollout complete: no service references ${from.name} and no task holds it.`);
  if (last.docker?.oldRemoved) {
    out(`Removed ${from.name}`);
  } else if (options.removeOld) {
    await client.secret.remove.mutate({ ref: from.id });
    out(`Removed ${from.name}`);
  } else {
    out(`To remove the old version: rampart secret rm ${from.name}`);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// create, ls, inspect, rm
// ---------------------------------------------------------------------------

export const SECRET_CREATE_OPTIONS = {
  label: { type: "string", short: "l", multiple: true },
} as const satisfies ParseArgsConfig["options"];

export const SECRET_LS_OPTIONS = {
  quiet: { type: "boolean", short: "q" },
  filter: { type: "string", short: "f", multiple: true },
} as const satisfies ParseArgsConfig["options"];

export const SECRET_ROTATE_OPTIONS = {
  name: { type: "string" },
  label: { type: "string", short: "l", multiple: true },
  detach: { type: "boolean", short: "d" },
  "remove-old": { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

/** `rampart secret create [--label k=v]... SECRET [FILE|-]`: prints the new secret's ID, never its value. */
export async function secretCreate(client: AdminClient, out: Out, args: string[], labelFlags: string[] | undefined, source: PayloadSource): Promise<number> {
  if (args.length < 1 || args.length > 2) throw new UsageError('"rampart secret create" requires at least 1 and at most 2 arguments');
  const labels = parseLabels(labelFlags) ?? {};
  const data = await readSecretData(source, args[1]);
  const created = await client.secret.create.mutate({ name: args[0]!, data: encode(data), labels });
  out(created.id);
  return 0;
}

/** `rampart secret ls [-q] [--filter name=…|id=…|label=…]...`. */
export async function secretLs(client: AdminClient, out: Out, args: string[], quiet: boolean, filterFlags: string[] | undefined): Promise<number> {
  if (args.length > 0) throw new UsageError('"rampart secret ls" accepts no arguments');
  const filters = parseSecretFilters(filterFlags ?? []);
  const secrets = (await client.secret.list.query()).filter((s) => matchesSecretFilters(s, filters));
  if (quiet) {
    for (const s of [...secrets].sort((a, b) => naturalCompare(a.name, b.name))) out(s.id);
    return 0;
  }
  out(formatSecretList(secrets, new Date()));
  return 0;
}

/** `rampart secret inspect [--pretty] SECRET...`: a JSON array of metadata; the ones not found are reported after. */
export async function secretInspect(client: AdminClient, out: Out, refs: string[], pretty: boolean): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart secret inspect" requires at least 1 argument');
  const found: SecretView[] = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      found.push(await client.secret.get.query({ ref }));
    } catch (error) {
      errors.push(answerOf(error));
    }
  }
  if (pretty) {
    found.forEach((s, i) => {
      if (i > 0) out("");
      for (const line of formatSecretPretty(s)) out(line);
    });
  } else if (found.length > 0 || errors.length === 0) out(safeJson(found));
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}

/** `rampart secret rm SECRET...`: prints each one removed; the others' errors (Swarm's words) come last. */
export async function secretRm(client: AdminClient, out: Out, refs: string[]): Promise<number> {
  if (refs.length === 0) throw new UsageError('"rampart secret rm" requires at least 1 argument');
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await client.secret.remove.mutate({ ref });
      out(ref);
    } catch (error) {
      errors.push(answerOf(error));
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return 0;
}
