/**
 * The Overview's security posture: counts with their trouble, and warnings from a
 * registry of producers, each a pure function of one snapshot of the store and a clock.
 * docs/decisions/0017-overview-warnings.md explains how to add a producer.
 */
export { CERT_WARN_DAYS, certExpiresSoon, expiringBy } from "./certificates.js";
export { failingSlots, isCurrentTask, postureCounts, type FailingSlot, type PostureCounts } from "./counts.js";
export { SECURITY_AUDIT_ACTIONS } from "./events.js";
export {
  FAILED_LOGIN_BURST,
  FAILED_LOGIN_LOOKBACK_MS,
  FAILED_LOGIN_WINDOW_MS,
  PENDING_GRACE_MS,
  SECRET_ROTATION_DAYS,
  WARNING_PRODUCERS,
} from "./producers.js";
export type { FailedLogin, PostureNode, PostureSecret, PostureService, PostureSnapshot, PostureTask } from "./snapshot.js";
export {
  MAX_WARNINGS_PER_KIND,
  WARNING_SEVERITIES,
  collectWarnings,
  type PostureCheck,
  type Warning,
  type WarningProducer,
  type WarningSeverity,
  type WarningSubject,
} from "./warning.js";
