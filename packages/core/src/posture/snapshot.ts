import type { Availability, NodeRole, NodeState } from "../node/index.js";
import type { ServiceMode, TaskState } from "../service/index.js";

/**
 * What the warning producers and the counts read: a plain copy of what the store holds
 * at one moment, gathered by the manager. Producers see only this and a clock, so each
 * is a pure function a table-driven test can feed directly.
 */
export interface PostureSnapshot {
  cluster: {
    createdAt: Date;
    /** Whether the managers start locked (the key-encryption key sealed under an unlock key). */
    autolock: boolean;
  };
  nodes: readonly PostureNode[];
  services: readonly PostureService[];
  tasks: readonly PostureTask[];
  secrets: readonly PostureSecret[];
  /** When each join token was last rotated; null if it never was since the swarm was created. */
  tokenRotations: Record<NodeRole, Date | null>;
  /**
   * Failed sign-ins from the audit log over `FAILED_LOGIN_LOOKBACK_MS`, or null when the
   * caller may not read the audit log (the check is then reported as not run).
   */
  failedLogins: readonly FailedLogin[] | null;
}

export interface PostureNode {
  id: string;
  hostname: string;
  role: NodeRole;
  availability: Availability;
  state: NodeState;
  lastHeartbeatAt: Date | null;
  /** The end of the node's current certificate; null before it has one. */
  certificateNotAfter: Date | null;
  /** Node labels (set by an administrator) and engine labels (reported by the node), for the engine-label hint. */
  labels: Readonly<Record<string, string>>;
  engineLabels: Readonly<Record<string, string>>;
}

export interface PostureService {
  id: string;
  name: string;
  mode: ServiceMode;
  /** A replicated service's replicas; null for a global service (one task per eligible node). */
  replicas: number | null;
  constraints: readonly string[];
  /** How many secret references the spec holds. */
  secrets: number;
}

export interface PostureTask {
  id: string;
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  state: TaskState;
  desiredState: TaskState;
  /** The scheduler's reason a pending task has no node, or the node's error for a failed one. */
  err: string | null;
  message: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PostureSecret {
  id: string;
  name: string;
  createdAt: Date;
  /** The services whose specs reference it. */
  services: ReadonlyArray<{ id: string; name: string }>;
}

/** One `auth.login` failure as the audit log holds it: never what was typed as the password. */
export interface FailedLogin {
  at: Date;
  /** The client's address, when known. */
  address: string | null;
  /** The account, only when the typed name is one (a typed name may be a mistyped password). */
  account: string | null;
}
