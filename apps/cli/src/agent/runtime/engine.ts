import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import type { NodeDescription, NodeRuntime } from "@rampart/core";

/**
 * Where the node's container engine is, and what it says about the machine. The address
 * comes from `--docker-host`, else `DOCKER_HOST`, else `/var/run/docker.sock`, as the
 * docker CLI finds it; Podman's Docker-compatible socket is reached the same way.
 */
export const DEFAULT_ENGINE_SOCKET = "/var/run/docker.sock";

export interface EngineAddress {
  /** As the user gave it (or the default), for messages. */
  text: string;
  options: Docker.DockerOptions;
}

export class EngineAddressError extends Error {}

/** Parses `unix:///path`, `/path`, `tcp://host:port`, `http(s)://host:port` or `ssh://user@host`. */
export interface EngineEnv {
  DOCKER_HOST?: string | undefined;
  DOCKER_TLS_VERIFY?: string | undefined;
  DOCKER_CERT_PATH?: string | undefined;
}

export function engineAddress(flag: string | undefined, env: EngineEnv): EngineAddress {
  const text = flag ?? env.DOCKER_HOST ?? `unix://${DEFAULT_ENGINE_SOCKET}`;
  if (text.startsWith("/")) return { text, options: { socketPath: text } };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EngineAddressError(`the engine address ${JSON.stringify(text)} is not unix:///path, tcp://host:port or ssh://host`);
  }
  switch (url.protocol) {
    case "unix:":
      if (!url.pathname) throw new EngineAddressError(`the engine address ${JSON.stringify(text)} names no socket`);
      return { text, options: { socketPath: decodeURIComponent(url.pathname) } };
    case "tcp:":
    case "http:":
    case "https:": {
      const tls = url.protocol === "https:" || env.DOCKER_TLS_VERIFY === "1";
      const port = Number(url.port || (tls ? 2376 : 2375));
      if (!tls) return { text, options: { host: url.hostname, port, protocol: "http" } };
      const dir = env.DOCKER_CERT_PATH;
      const read = (name: string) => (dir ? readFileSync(join(dir, name)) : undefined);
      return { text, options: { host: url.hostname, port, protocol: "https", ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") } };
    }
    case "ssh:":
      return { text, options: { host: url.hostname, port: Number(url.port || 22), username: url.username || undefined, protocol: "ssh" } };
    default:
      throw new EngineAddressError(`the engine address ${JSON.stringify(text)} uses ${url.protocol.slice(0, -1)}, which is not unix, tcp or ssh`);
  }
}

/** A client with no request timeout: waiting for a container to exit, or following its logs, may take as long as it runs. */
export function connectEngine(address: EngineAddress): Docker {
  return new Docker(address.options);
}

/** The engine's error text, as the docker CLI prints it (`No such image: x:1`). */
export function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: unknown } | null; reason?: unknown; message?: unknown; statusCode?: number };
  if (e?.json && typeof e.json === "object" && typeof e.json.message === "string") return e.json.message;
  if (Buffer.isBuffer(e?.json)) {
    try {
      const parsed = JSON.parse(e.json.toString("utf8")) as { message?: unknown };
      if (typeof parsed.message === "string") return parsed.message;
    } catch {
      // not JSON: fall through
    }
  }
  if (typeof e?.message === "string") {
    // docker-modem prefixes "(HTTP code 404) no such container - " before the engine's words.
    const match = /^\(HTTP code \d+\) [^-]*- (.*)$/s.exec(e.message);
    return (match ? match[1]! : e.message).trim();
  }
  return String(error);
}

export const engineStatus = (error: unknown): number | undefined => (error as { statusCode?: number })?.statusCode;

/** Security options as `docker info` lists them (`name=seccomp,profile=default`), by name. */
export function securityOptionNames(options: readonly string[] | undefined): string[] {
  return (options ?? [])
    .map((o) => /(?:^|,)name=([^,]+)/.exec(o)?.[1] ?? o)
    .map((name) => name.slice(0, 64))
    .slice(0, 16);
}

/** `key=value` engine labels; a label without `=` has an empty value, as the engine keeps it. */
export function engineLabels(labels: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of (labels ?? []).slice(0, 64)) {
    const at = label.indexOf("=");
    const key = (at < 0 ? label : label.slice(0, at)).slice(0, 128);
    if (key) out[key] = at < 0 ? "" : label.slice(at + 1, at + 1 + 1024);
  }
  return out;
}

interface EngineInfo {
  Name?: string;
  OSType?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal?: number;
  ServerVersion?: string;
  Labels?: string[];
  SecurityOptions?: string[];
}

/**
 * The node's description from the engine's `info`, where Swarm takes it from: hostname,
 * platform, CPUs, memory, engine version and engine labels. The agent's own `--label`s
 * are added to the engine's.
 */
export function describeFromEngine(info: EngineInfo, address: string, extra: { hostname?: string | undefined; labels: Record<string, string> }): NodeDescription {
  const version = info.ServerVersion ?? "unknown";
  const runtime: NodeRuntime = {
    kind: "docker",
    detail: `Docker Engine ${version} at ${address}`.slice(0, 256),
    securityOptions: securityOptionNames(info.SecurityOptions),
  };
  return {
    hostname: (extra.hostname ?? info.Name ?? "node").replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 254),
    os: info.OSType ?? "linux",
    arch: info.Architecture ?? "unknown",
    nanoCpus: Math.max(0, Math.round(info.NCPU ?? 0)) * 1e9,
    memoryBytes: Math.max(0, Math.round(info.MemTotal ?? 0)),
    engineVersion: version,
    engineLabels: { ...engineLabels(info.Labels), ...extra.labels },
    runtime,
  };
}

/** The engine's info, or why it could not be reached, within `timeoutMs`. */
export async function probeEngine(address: EngineAddress, timeoutMs = 5000): Promise<{ docker: Docker; info: EngineInfo } | { problem: string }> {
  const docker = new Docker({ ...address.options, timeout: timeoutMs });
  try {
    const info = (await docker.info()) as EngineInfo;
    return { docker: connectEngine(address), info };
  } catch (error) {
    const text = error instanceof Error && "code" in error ? `${(error as NodeJS.ErrnoException).code}` : engineMessage(error);
    return { problem: `cannot reach the Docker Engine at ${address.text} (${text.slice(0, 200)})` };
  }
}
