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
  "ca.update",
  "ca.rotate",
  "ca.rotate.stop",
  "ca.rotated",
  "token.reveal",
  "token.rotate",
  /** Autolock turned on: the KEK and the manager's node key encrypted under a new unlock key (ADR 0022). */
  "autolock.enable",
  /** Autolock turned off: the KEK back in its file, the node key in the clear. */
  "autolock.disable",
  /** Someone was given the unlock key: revealed, or in the answer to turning autolock on or rotating it. */
  "unlockkey.reveal",
  "unlockkey.rotate",
  /** An attempt to unlock a locked server (`rampart swarm unlock`, the unlock page): its outcome, never the key. */
  "swarm.unlock",
  "node.join",
  "node.refused",
  "cert.issue",
  "cert.renew",
  "cert.pending",
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
  /** An overlay network was created on a connected swarm (Rampart's own cluster has none). */
  "network.create",
  "network.remove",
  /** Someone downloaded the audit log's rows for a set of filters (the reason names them and the count). */
  "audit.export",
  /** A Docker Swarm was connected as an environment (ADR 0020), or a connection was refused. */
  "env.connect",
  "env.remove",
  /** Someone read a connected swarm through Rampart (recorded at most once per reader and environment every 10 minutes). */
  "env.use",
  /**
   * An event from a connected swarm's own event stream: something changed there, done by
   * someone outside Rampart or by Rampart itself; Docker does not say who. The target is
   * Docker's object (type, ID, name) and the reason is Docker's action.
   */
  "env.observed",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = "success" | "failure" | "denied";
/** `external`: whoever acted on a connected swarm outside Rampart, as its event stream reports (unknown). */
export type ActorType = "user" | "apitoken" | "local" | "anonymous" | "system" | "node" | "external";

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
  /** The connected swarm it happened in (ADR 0020); absent for Rampart's own cluster. */
  env?: AuditEnv | null;
}

/** An environment as the audit log names it. */
export interface AuditEnv {
  id: string;
  name: string;
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
  envId: string | null;
  envName: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, name: "rampart" };

/** The actor of events a connected swarm's event stream reports: Docker does not say who acted. */
export const EXTERNAL_ACTOR: Actor = { type: "external", id: null, name: "outside Rampart" };
