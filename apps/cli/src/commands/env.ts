import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type { AppRouter } from "@rampart/api";
import { formatTable, humanDuration, naturalCompare, safeJson } from "@rampart/core";
import type { inferRouterOutputs } from "@trpc/server";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";

/**
 * `rampart env …`: the Docker Swarms this server administers beside its own cluster
 * (ADR 0020). `native` is Rampart's own cluster and is always listed first.
 */

type Outputs = inferRouterOutputs<AppRouter>;
export type EnvironmentView = Outputs["environment"]["list"][number];

const STATE: Record<EnvironmentView["connection"]["state"], string> = { connected: "Connected", unreachable: "Unreachable", "manager-lost": "Manager lost" };

/** The connection's state in a few words: "Unreachable for 3 minutes". */
export function connectionText(c: EnvironmentView["connection"], now: Date): string {
  if (c.state === "connected") return STATE.connected;
  const since = c.since ? ` for ${humanDuration(Math.max(0, now.getTime() - c.since.getTime())).toLowerCase()}` : "";
  return `${STATE[c.state]}${since}`;
}

function security(e: EnvironmentView): string {
  if (e.dockerHost.startsWith("unix://")) return "socket";
  return e.insecure ? "INSECURE (no TLS)" : "TLS";
}

export function formatEnvironmentList(environments: readonly EnvironmentView[], now: Date): string {
  const rows = [["NAME", "KIND", "DOCKER HOST", "SECURITY", "SWARM ID", "STATE"]];
  rows.push(["native", "rampart", "", "mTLS", "", "Connected"]);
  for (const e of [...environments].sort((a, b) => naturalCompare(a.name, b.name))) {
    rows.push([e.name, "docker", e.dockerHost, security(e), e.clusterId, connectionText(e.connection, now)]);
  }
  return formatTable(rows);
}

export function formatEnvironmentPretty(e: EnvironmentView, now: Date): string[] {
  const c = e.connection;
  return [
    `Name:\t\t\t${e.name}`,
    `ID:\t\t\t${e.id}`,
    `Kind:\t\t\tDocker Swarm`,
    `Docker host:\t\t${e.dockerHost}`,
    `Security:\t\t${security(e)}${e.insecure ? ": everything, this server's calls included, crosses the network in clear" : ""}`,
    `Client certificate:\t${e.tlsCert ? "yes (the key is sealed in the store)" : "none"}`,
    `Swarm ID:\t\t${e.clusterId}`,
    `State:\t\t\t${connectionText(c, now)}`,
    ...(c.detail ? [`Reason:\t\t\t${c.detail}`] : []),
    ...(c.engineVersion ? [`Engine version:\t\t${c.engineVersion}`] : []),
    ...(c.apiVersion ? [`API version:\t\t${c.apiVersion}`] : []),
    `Connected by:\t\t${e.createdBy}`,
    `Connected at:\t\t${e.createdAt.toISOString()}`,
  ];
}

export async function envLs(client: AdminClient, out: Out, quiet: boolean): Promise<number> {
  const environments = await client.environment.list.query();
  if (quiet) {
    out("native");
    for (const e of environments) out(e.name);
    return 0;
  }
  out(formatEnvironmentList(environments, new Date()));
  return 0;
}

export async function envInspect(client: AdminClient, out: Out, names: string[], pretty: boolean): Promise<number> {
  if (names.length === 0) throw new UsageError('"rampart env inspect" requires at least 1 argument.');
  const found: EnvironmentView[] = [];
  for (const name of names) found.push(await client.environment.get.query({ name }));
  if (pretty) {
    const now = new Date();
    found.forEach((e, i) => {
      if (i > 0) out("");
      for (const line of formatEnvironmentPretty(e, now)) out(line);
    });
  } else out(safeJson(found));
  return 0;
}

export interface EnvAddFlags {
  "docker-host"?: string | undefined;
  tlscacert?: string | undefined;
  tlscert?: string | undefined;
  tlskey?: string | undefined;
  insecure?: boolean | undefined;
}

/** A PEM file given by a flag, read as text; a missing file names the flag. */
/** The largest PEM file read: a CA, a certificate or a key is a few KiB; anything bigger is not one. */
export const MAX_PEM_FILE_BYTES = 64 * 1024;

/**
 * A PEM file named by a flag: a regular file (never a device, a FIFO or a directory, which
 * could be read for ever or block) of at most MAX_PEM_FILE_BYTES, read through one open
 * descriptor so the file checked is the file read.
 */
function pemFile(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const refuse = (why: string) => new UsageError(`--${flag}: ${path} ${why}`);
  let fd: number;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer before it can be refused.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refuse("is not a regular file: give the PEM file itself");
    if (stat.size > MAX_PEM_FILE_BYTES) throw refuse(`is ${stat.size} bytes: a PEM file here is at most ${MAX_PEM_FILE_BYTES} bytes`);
    const buffer = Buffer.alloc(MAX_PEM_FILE_BYTES + 1);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    // It grew since it was looked at: refused all the same.
    if (read > MAX_PEM_FILE_BYTES) throw refuse(`is over ${MAX_PEM_FILE_BYTES} bytes: a PEM file here is at most ${MAX_PEM_FILE_BYTES} bytes`);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

export async function envAdd(client: AdminClient, out: Out, positionals: string[], flags: EnvAddFlags): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('"rampart env add" requires exactly 1 argument: the environment\'s name.');
  const dockerHost = flags["docker-host"];
  if (!dockerHost) throw new UsageError("--docker-host is required: unix:///var/run/docker.sock or tcp://HOST:2376");
  const tls = { tlsCa: pemFile("tlscacert", flags.tlscacert), tlsCert: pemFile("tlscert", flags.tlscert), tlsKey: pemFile("tlskey", flags.tlskey) };
  const added = await client.environment.add.mutate({
    name: positionals[0]!,
    dockerHost,
    ...Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)),
    insecure: flags.insecure ?? false,
  });
  if (added.insecure) out(`WARNING: ${added.name} is reached over TCP without TLS: whoever is on the network between can read and change every call.`);
  out(added.clusterId);
  return 0;
}

export async function envRm(client: AdminClient, out: Out, names: string[]): Promise<number> {
  if (names.length === 0) throw new UsageError('"rampart env rm" requires at least 1 argument.');
  for (const name of names) {
    await client.environment.remove.mutate({ name });
    out(name);
  }
  return 0;
}
