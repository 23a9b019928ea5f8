import { createPrivateKey, X509Certificate } from "node:crypto";
import { parseDockerHost, RampartError, type DockerHost } from "@rampart/core";
import Docker from "dockerode";

/**
 * The Engine API client for one connected swarm (ADR 0020): dockerode over a unix socket
 * or TCP with client TLS, speaking the API version both sides know (negotiated as the
 * docker CLI does: the engine's own version, capped at the newest this code is written
 * against), and every failure turned into a sentence that names the address and, for
 * TLS, which side refused.
 */

/** The newest Engine API this code is written against, and the oldest it accepts. */
export const CLIENT_API_VERSION = "1.45";
export const OLDEST_API_VERSION = "1.30";

export interface DockerTls {
  ca: string;
  cert: string;
  key: string;
}

export interface ConnectionTarget {
  dockerHost: string;
  tls: DockerTls | null;
  insecure: boolean;
}

/** How long a call may take before the engine counts as unreachable. */
const TIMEOUT_MS = 15_000;

export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split(".").map(Number);
  const [bm = 0, bn = 0] = b.split(".").map(Number);
  return am - bm || an - bn;
}

/** Checks what an administrator gave before any connection is tried: each problem names its field. */
export function checkTarget(target: ConnectionTarget): DockerHost {
  const host = parseDockerHost(target.dockerHost);
  const given = target.tls;
  if (host.kind === "tcp" && !given && !target.insecure) {
    throw new RampartError("invalid_argument", `${target.dockerHost} is TCP without TLS: give the engine's CA, a client certificate and its key, or --insecure to send everything in clear`, {
      field: "dockerHost",
    });
  }
  if (host.kind === "unix" && given) {
    throw new RampartError("invalid_argument", "TLS material is for tcp:// hosts: a unix socket takes none", { field: "tlsCa" });
  }
  if (given) {
    let cert: X509Certificate;
    try {
      new X509Certificate(given.ca);
    } catch {
      throw new RampartError("invalid_argument", "the CA certificate is not a PEM certificate", { field: "tlsCa" });
    }
    try {
      cert = new X509Certificate(given.cert);
    } catch {
      throw new RampartError("invalid_argument", "the client certificate is not a PEM certificate", { field: "tlsCert" });
    }
    let key;
    try {
      key = createPrivateKey(given.key);
    } catch {
      throw new RampartError("invalid_argument", "the client key is not an unencrypted PEM private key", { field: "tlsKey" });
    }
    if (!cert.checkPrivateKey(key)) throw new RampartError("invalid_argument", "the client key does not belong to the client certificate", { field: "tlsKey" });
  }
  return host;
}

export function addressOf(host: DockerHost): string {
  return host.kind === "unix" ? host.path : `${host.host.includes(":") ? `[${host.host}]` : host.host}:${host.port}`;
}

function clientOf(host: DockerHost, target: ConnectionTarget, version?: string): Docker {
  const common = { timeout: TIMEOUT_MS, ...(version ? { version: `v${version}` } : {}) };
  if (host.kind === "unix") return new Docker({ socketPath: host.path, ...common });
  const tls = target.tls;
  return new Docker({
    host: host.host,
    port: host.port,
    protocol: tls ? "https" : "http",
    ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
    ...common,
  });
}

/** Node's TLS error codes that mean this side refused the engine's certificate. */
const OUR_REFUSALS = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Node's network error codes, as the sentence each means. */
const UNREACHABLE: Record<string, string> = {
  ENOENT: "no such socket",
  ECONNREFUSED: "connection refused",
  EACCES: "permission denied",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name did not resolve",
  ECONNRESET: "the connection was reset",
  EPIPE: "the connection was closed",
  ESOCKETTIMEDOUT: "timed out",
};

/**
 * A failure to reach the engine, as a sentence naming the address; undefined when the
 * error is the engine's own answer (an HTTP status), which `dockerError` reads, or is no
 * network failure at all. `handshake`: the error came from the first call of a new
 * connection, so a TLS failure can be told apart (which side refused); later, a reset is
 * only a reset (a restarted engine), not a refused certificate.
 */
export function connectionProblem(error: unknown, host: DockerHost, target: Pick<ConnectionTarget, "tls">, { handshake = false } = {}): RampartError | undefined {
  const e = error as { code?: unknown; message?: unknown; statusCode?: unknown } | null;
  if (typeof e?.statusCode === "number") {
    // Plain HTTP to a TLS port: the engine's Go server answers 400 with this sentence.
    if (e.statusCode === 400 && /HTTP request to an HTTPS server/i.test(String(e.message))) {
      return new RampartError("unavailable", `the engine at ${addressOf(host)} speaks TLS: give its CA, a client certificate and key`, { field: "dockerHost" });
    }
    return undefined;
  }
  const address = addressOf(host);
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  if (OUR_REFUSALS.has(code)) {
    return new RampartError("unavailable", `Rampart refused the certificate of the engine at ${address}: ${message} (check the CA certificate, and that the engine's certificate names this address)`, {
      field: "tlsCa",
    });
  }
  if (handshake && target.tls) {
    if (/alert (bad certificate|certificate required|unknown ca|certificate unknown|handshake failure)/i.test(message) || code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED") {
      return new RampartError("unavailable", `the engine at ${address} refused Rampart's client certificate: ${message}`, { field: "tlsCert" });
    }
    if (/wrong version number|packet length too long|unknown protocol/i.test(message)) {
      return new RampartError("unavailable", `the engine at ${address} does not speak TLS there: ${message}`, { field: "dockerHost" });
    }
    if (code === "ECONNRESET") {
      return new RampartError("unavailable", `the engine at ${address} closed the TLS handshake: it refused Rampart's client certificate, or does not speak TLS`, { field: "tlsCert" });
    }
  }
  const reason = UNREACHABLE[code] ?? (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") ? `TLS failed (${code})` : /timeout/i.test(message) ? "timed out" : undefined);
  if (reason === undefined) return undefined;
  return new RampartError("unavailable", `cannot reach the Docker Engine at ${address}: ${reason}`, { field: "dockerHost" });
}

export interface NegotiatedClient {
  docker: Docker;
  host: DockerHost;
  apiVersion: string;
  engineVersion: string;
}

/**
 * Connects: asks the engine's version (an unversioned call every engine answers), then
 * makes the client at the version both speak. Throws the connection's problem as a
 * sentence.
 */
export async function connect(target: ConnectionTarget): Promise<NegotiatedClient> {
  const host = checkTarget(target);
  const probe = clientOf(host, target);
  let version: { ApiVersion?: unknown; Version?: unknown } | null;
  try {
    version = (await probe.version()) as typeof version;
  } catch (error) {
    throw connectionProblem(error, host, target, { handshake: true }) ?? new RampartError("unavailable", `the server at ${addressOf(host)} did not answer /version as a Docker Engine does`);
  }
  const theirs = version?.ApiVersion;
  if (typeof theirs !== "string" || !/^\d+\.\d+$/.test(theirs)) {
    throw new RampartError("failed_precondition", `the server at ${addressOf(host)} did not answer /version as a Docker Engine does (no API version)`, { field: "dockerHost" });
  }
  if (compareVersions(theirs, OLDEST_API_VERSION) < 0) {
    throw new RampartError("failed_precondition", `the engine at ${addressOf(host)} speaks Engine API ${theirs}: Rampart needs ${OLDEST_API_VERSION} or newer`);
  }
  const apiVersion = compareVersions(theirs, CLIENT_API_VERSION) < 0 ? theirs : CLIENT_API_VERSION;
  return { docker: clientOf(host, target, apiVersion), host, apiVersion, engineVersion: typeof version?.Version === "string" ? version.Version : "unknown" };
}
