import type { AuditAction } from "../audit/index.js";

/**
 * The audit actions the Overview lists as recent security events: who signed in or
 * failed to, who saw or changed a credential, which nodes joined, left or changed role,
 * and what happened to secrets and who was granted them. Routine traffic (certificate
 * renewals, deliveries to nodes, service edits) stays on the Audit page.
 */
export const SECURITY_AUDIT_ACTIONS = [
  "setup.complete",
  "auth.login",
  "auth.lockout",
  "user.unlock",
  "user.reset-password",
  "apitoken.create",
  "apitoken.revoke",
  "cluster.init",
  "cluster.update",
  "token.reveal",
  "token.rotate",
  "autolock.enable",
  "autolock.disable",
  "unlockkey.reveal",
  "unlockkey.rotate",
  "swarm.unlock",
  "node.join",
  "node.refused",
  "node.update",
  "node.promote",
  "node.demote",
  "node.remove",
  "runtime.policy",
  "seccomp.create",
  "seccomp.remove",
  "secret.create",
  "secret.update",
  "secret.remove",
  "secret.grant",
  "secret.revoke",
  "secret.rotate",
  "secret.refused",
] as const satisfies readonly AuditAction[];
