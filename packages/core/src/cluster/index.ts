import type { RuntimePolicy } from "../service/container.js";
import { invalidArgument } from "../errors/index.js";
import type { ExternalCa } from "./ca-config.js";
import { formatGoDuration } from "./duration.js";

export * from "./duration.js";
export * from "./ca-config.js";
export * from "./pki.js";

/** Swarm's defaults (swarm-semantics.md §9). */
export const DEFAULT_CERT_EXPIRY_MS = 2160 * 3_600_000;
export const MIN_CERT_EXPIRY_MS = 3_600_000;
export const CERT_BACKDATE_MS = 3_600_000;
export const DEFAULT_HEARTBEAT_PERIOD_MS = 5_000;
export const ROOT_CA_VALIDITY_MS = 630_720_000_000;
export const ROOT_CA_BACKDATE_MS = 5 * 60_000;
export const ROOT_CA_COMMON_NAME = "swarm-ca";
/** A node with no heartbeat for this many periods is Down. */
export const HEARTBEAT_MISSES_FOR_DOWN = 3;

/** `minimum certificate expiry time is: 1h0m0s`, as the Swarm API says. */
export function checkCertExpiry(ms: number): void {
  if (ms < MIN_CERT_EXPIRY_MS) {
    throw invalidArgument("certExpiry", `minimum certificate expiry time is: ${formatGoDuration(MIN_CERT_EXPIRY_MS)}`);
  }
  // Ten years: past that a node certificate is effectively permanent, which defeats rotation.
  if (ms > 87_600 * 3_600_000) throw invalidArgument("certExpiry", "maximum certificate expiry time is: 87600h0m0s");
}

/** Heartbeats between one second and one minute; Swarm's default is five seconds. */
export function checkHeartbeatPeriod(ms: number): void {
  if (ms < 1000 || ms > 60_000) {
    throw invalidArgument("heartbeatPeriod", "heartbeat period must be between 1s and 1m0s");
  }
}

/**
 * `--task-history-limit`: Swarm takes any int64 (a negative one keeps every task). The
 * store keeps it as a 32-bit integer, which no real history needs more than.
 */
export function checkTaskHistoryLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < -(2 ** 31) || limit >= 2 ** 31) {
    throw invalidArgument("taskHistoryLimit", "task history limit must be a whole number (negative keeps every task)");
  }
}

/**
 * When a node renews (ca/config.go calculateRandomExpiry): a uniformly random whole
 * number of minutes in [50 %, 80 %) of the certificate's lifetime after NotBefore, or
 * at once if that moment has passed. `random` is a number in [0, 1).
 */
export function renewalTime(notBefore: Date, notAfter: Date, random: number, now: Date): Date {
  const totalMinutes = Math.floor((notAfter.getTime() - notBefore.getTime()) / 60_000);
  const lower = Math.floor(totalMinutes * 0.5);
  const upper = Math.floor(totalMinutes * 0.8);
  const minutes = upper - lower < 1 ? lower : lower + Math.floor(random * (upper - lower));
  const at = new Date(notBefore.getTime() + minutes * 60_000);
  return at < now ? now : at;
}

/** The swarm's settings and trust root. Keys and tokens are not here: they stay sealed. */
export interface ClusterRecord {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  certExpiryMs: number;
  heartbeatPeriodMs: number;
  rootCaCert: string;
  forceRotate: number;
  /** TaskHistoryRetentionLimit: ended tasks kept per slot; negative keeps all. */
  taskHistoryLimit: number;
  /** What services may reach of their nodes (host paths, host network, privileged): ADR 0019. */
  runtimePolicy: RuntimePolicy;
  /** RootCA.LastForcedRotation: the `forceRotate` the current root, or the rotation under way, answers. */
  lastForcedRotation: number;
  /** Spec.CAConfig.ExternalCAs. */
  externalCas: ExternalCa[];
  /** The rotation under way (its key stays sealed), or null. */
  rootRotation: { caCert: string; crossSignedCaCert: string; startedAt: Date } | null;
  /** When the last rotation finished; null for the root the swarm was made with. */
  rootRotatedAt: Date | null;
  workerTokenRotatedAt: Date;
  managerTokenRotatedAt: Date;
  /** Spec.EncryptionConfig.AutoLockManagers. */
  autolock: boolean;
  /** When the unlock key was made; null without autolock. */
  unlockKeyRotatedAt: Date | null;
}
