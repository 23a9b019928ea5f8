/**
 * Audit events record who did what to which target, when, and how it ended, and
 * nothing else: never a value, token, key or password. The action names are a closed
 * list so the audit viewer can offer them as filters.
 */
export const AUDIT_ACTIONS = [
  "setup.complete",
  "auth.login",
  "auth.logout",
  /** An address was locked out of an account (or of all), or an account started to be slowed. */
  "auth.lockout",
  /** The admin socket lifted an account's sign-in locks. */
  "user.unlock",
  /** The admin socket set a user's password, ending their sessions. */
  "user.reset-password",
  "apitoken.create",
  "apitoken.revoke",
  "cluster.init",
  "cluster.update",
  "token.reveal",
  "token.rotate",
  "node.join",
  "node.refused",
  "cert.issue",
  "cert.renew",
  "node.update",
  "node.promote",
  "node.demote",
  /** A node reported a new hostname (a heartbeat's description): self-reported, so on the record. */
  "node.rename",
  "node.remove",
  "service.create",
  "service.update",
  "service.remove",
  /** Someone read a service's or task's container logs (the lines themselves are not recorded). */
  "service.logs",
  /** The runtime policy changed: which host paths services may mount, host network, privileged. */
  "runtime.policy",
  "seccomp.create",
  "seccomp.remove",
  "planner.whatif",
  "planner.apply",
  "secret.create",
  "secret.update",
  "secret.remove",
  /** A service's spec starts referencing a secret; the service is the event's context. */
  "secret.grant",
  /** A service's spec stops referencing a secret (or the service is removed). */
  "secret.revoke",
  "secret.deliver",
  "secret.withdraw",
  "secret.rotate",
  /** A node asked for a secret none of its assigned tasks references. */
  "secret.refused",
  /** Someone downloaded the audit log's rows for a set of filters (the reason names them and the count). */
  "audit.export",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = "success" | "failure" | "denied";
export type ActorType = "user" | "apitoken" | "local" | "anonymous" | "system" | "node";

export interface Actor {
  type: ActorType;
  id: string | null;
  name: string;
}

/** An object an event names: what it was done to, or the context it was done in. */
export interface AuditObject {
  type: string;
  id?: string | null;
  name?: string | null;
}

export interface AuditEventInput {
  actor: Actor;
  action: AuditAction;
  target: AuditObject;
  /**
   * A second object the action involved, e.g. the service a secret was granted to or
   * the node it was delivered to, so a secret's history reads whole from its own events.
   */
  context?: AuditObject | null;
  outcome: AuditOutcome;
  /** A short, value-free reason for a failure or denial, e.g. `bad password`. */
  reason?: string | null;
  ip?: string | null;
}

export interface AuditEvent {
  id: string;
  at: Date;
  actorType: ActorType;
  actorId: string | null;
  actorName: string;
  action: AuditAction;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  contextType: string | null;
  contextId: string | null;
  contextName: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  ip: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, name: "rampart" };
