import type { EnvironmentOutput } from "@rampart/api/schema";
import { formatDateTime } from "./format";

export type Connection = EnvironmentOutput["connection"];

/**
 * How Rampart reaches a swarm's manager: its Unix socket (local, guarded by the file's
 * permissions), TCP with TLS both ways, or plain TCP, which anyone on the path can read
 * and change. A connection to an engine is root on its host, so plain TCP is always flagged.
 */
export type Security = "socket" | "tls" | "insecure";

export function securityOf(env: Pick<EnvironmentOutput, "dockerHost" | "insecure" | "tlsCa">): Security {
  if (env.dockerHost.startsWith("unix://")) return "socket";
  return env.insecure || env.tlsCa === null ? "insecure" : "tls";
}

export const SECURITY_TEXT: Record<Security, { label: string; about: string }> = {
  socket: { label: "Socket", about: "The engine's Unix socket on this machine: only who may open the file reaches it." },
  tls: { label: "TLS", about: "TCP with TLS both ways: Rampart checks the engine's certificate against the CA given, and the engine checks Rampart's." },
  insecure: {
    label: "INSECURE",
    about:
      "Plain TCP without TLS: anyone on the network path can read what Rampart sends, and anyone who reaches the port controls the engine, which is root on its host.",
  },
};

/** The tone a connection's dot and badge take. */
export function connectionTone(connection: Connection): "good" | "bad" | "warn" {
  if (connection.state === "connected") return "good";
  return connection.checkedAt === null ? "warn" : "bad";
}

const STATE_WORD: Record<Connection["state"], string> = { connected: "Connected", unreachable: "Unreachable", "manager-lost": "Manager lost" };

/** A connection's state in a word or two; "Not checked yet" for a swarm the server has not tried since it started. */
export function connectionWord(connection: Connection): string {
  return connection.checkedAt === null ? "Not checked yet" : STATE_WORD[connection.state];
}

/** A connection's state in words, with when a lost one was lost: "Unreachable since 7 Dec 2026, 10:02". */
export function connectionLabel(connection: Connection): string {
  const word = connectionWord(connection);
  return connection.checkedAt !== null && connection.state !== "connected" && connection.since ? `${word} since ${formatDateTime(connection.since)}` : word;
}

/** Environments whose name, Docker host or swarm ID holds the search, case-insensitively. */
export function filterEnvironments<T extends Pick<EnvironmentOutput, "name" | "dockerHost" | "clusterId">>(list: readonly T[], search: string): T[] {
  const needle = search.trim().toLowerCase();
  if (!needle) return [...list];
  return list.filter((e) => e.name.includes(needle) || e.dockerHost.toLowerCase().includes(needle) || e.clusterId.toLowerCase().startsWith(needle));
}
