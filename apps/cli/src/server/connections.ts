import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Server, Socket } from "node:net";
import { createAuditThrottle, type Logger } from "@rampart/manager";

/**
 * Limits on the public listeners (HTTP(S) and the node endpoint), so that idle
 * connections cannot use up the process's file descriptors: the store, certificate
 * renewal, `/healthz` and the admin socket always keep some (ADR 0012).
 */

/** A TLS client that has not finished its handshake by then is cut off (Node's default is 120 s). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How often Node looks for connections past their header or request timeout (its default is 30 s). */
const CONNECTIONS_CHECKING_INTERVAL_MS = 5_000;
/** Connections one client address may hold on one listener: a browser opens six, an agent one. */
export const PER_ADDRESS_CAP = 64;
/** Descriptors kept out of the listeners' budget: the store, logs, Next, the admin socket, renewal. */
const RESERVED_DESCRIPTORS = 256;
/** Bounds on each listener's total, whatever the descriptor limit. */
const MIN_TOTAL_CAP = 32;
const MAX_TOTAL_CAP = 16_384;
/** Without a known descriptor limit, each listener's total. */
const DEFAULT_TOTAL_CAP = 1_024;
/** A cap that is hit is logged at most once a minute per listener and cap. */
const CAP_LOG_INTERVAL_MS = 60_000;
/**
 * The addresses health checks and local tools use. They still have the per-address cap,
 * but are not counted against the total, so a flood from elsewhere that fills the total
 * leaves `/healthz` answering on 127.0.0.1 (at most PER_ADDRESS_CAP more descriptors).
 */
const PROBE_ADDRESSES = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Constructor options every public listener takes (TLS ones use the handshake timeout). */
export const PUBLIC_LISTENER_OPTIONS = {
  handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
} as const;

export interface ConnectionCaps {
  perAddress: number;
  total: number;
}

export interface DescriptorLimit {
  soft: number;
  hard: number;
}

/** The process's open-file limits, from /proc/self/limits (Linux); undefined elsewhere. */
export function descriptorLimit(): DescriptorLimit | undefined {
  let text: string;
  try {
    text = readFileSync("/proc/self/limits", "utf8");
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!match) return undefined;
  const value = (v: string) => (v === "unlimited" ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: value(match[1]!), hard: value(match[2]!) };
}

/**
 * Raises the soft descriptor limit to the hard one. Node has no setrlimit; it raises the
 * soft limit itself at start-up, so this only acts if something lowered it since: it then
 * runs util-linux's `prlimit` on this process, when that is installed. Returns the limit
 * in force afterwards.
 */
export function raiseDescriptorLimit(log: Logger): DescriptorLimit | undefined {
  const before = descriptorLimit();
  if (!before || before.soft >= before.hard || !Number.isFinite(before.hard)) return before;
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${before.hard}:${before.hard}`], { stdio: "ignore", timeout: 5_000 });
  } catch {
    log.warn({ soft: before.soft, hard: before.hard }, "could not raise the open-file limit (prlimit is missing or failed)");
  }
  return descriptorLimit();
}

/**
 * Each public listener's caps for a descriptor limit: the limit, less a reserve for
 * everything else, shared by the two listeners, each also allowing the probe addresses'
 * own PER_ADDRESS_CAP.
 */
export function connectionCaps(limit: DescriptorLimit | undefined): ConnectionCaps {
  if (!limit || !Number.isFinite(limit.soft)) return { perAddress: PER_ADDRESS_CAP, total: DEFAULT_TOTAL_CAP };
  const share = Math.floor((limit.soft - RESERVED_DESCRIPTORS) / 2) - PER_ADDRESS_CAP;
  return { perAddress: PER_ADDRESS_CAP, total: Math.min(MAX_TOTAL_CAP, Math.max(MIN_TOTAL_CAP, share)) };
}

/**
 * Holds a public listener to its caps: a connection past its address's cap, or past the
 * listener's total, is closed as soon as it is accepted. Hitting a cap is logged once a
 * minute at most, naming the listener and the cap, with how many were refused since.
 */
export function capConnections(server: Server, listener: "http" | "node", caps: ConnectionCaps, log: Logger): void {
  const byAddress = new Map<string, number>();
  let counted = 0;
  const logNow = createAuditThrottle(() => new Date(), CAP_LOG_INTERVAL_MS);
  const refused = { perAddress: 0, total: 0 };
  const refuse = (socket: Socket, cap: keyof ConnectionCaps) => {
    refused[cap]++;
    socket.destroy();
    if (!logNow(cap)) return;
    log.warn({ listener, cap, limit: caps[cap], refused: refused[cap] }, `connection cap reached: ${listener} listener, ${cap} (${caps[cap]})`);
    refused[cap] = 0;
  };
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    const probe = PROBE_ADDRESSES.has(address);
    const held = byAddress.get(address) ?? 0;
    if (held >= caps.perAddress) return refuse(socket, "perAddress");
    if (!probe && counted >= caps.total) return refuse(socket, "total");
    byAddress.set(address, held + 1);
    if (!probe) counted++;
    socket.once("close", () => {
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left === 0) byAddress.delete(address);
      else byAddress.set(address, left);
      if (!probe) counted--;
    });
  });
}
