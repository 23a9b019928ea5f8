import type { ConstraintNode } from "../constraint/index.js";
import type { Availability } from "../node/index.js";
import type { NodeResources, SchedulerNodeState } from "../scheduler/index.js";
import type { ServiceSpec, TaskState } from "../service/index.js";

/**
 * What the orchestrators, the restart supervisor, the task reaper and the constraint
 * enforcer read. The types are structural, so the store's records satisfy them as they
 * are, and the placement planner builds them from its sandbox.
 */

/** What the orchestrators read about a node: what constraints read, plus whether it takes tasks. */
export interface OrchestratorNode extends ConstraintNode {
  state: SchedulerNodeState;
  availability: Availability;
  /** Totals, for the constraint enforcer's resource check; absent reads as none. */
  resources?: NodeResources | null;
}

/** A service as the orchestrators read it. */
export interface OrchestratorService {
  id: string;
  specVersion: number;
  spec: ServiceSpec;
}

/** A task as the orchestrators read it. */
export interface OrchestratorTask {
  id: string;
  serviceId: string;
  /** Replicated services' slot; null for global tasks. */
  slot: number | null;
  nodeId: string | null;
  specVersion: number;
  state: TaskState;
  desiredState: TaskState;
  /** Status.Err, when the store has one. */
  err?: string | null;
  /** The spec the task was made with (its TaskSpec); absent in the planner's sandbox. */
  spec?: ServiceSpec;
  /** Meta.CreatedAt. */
  createdAt?: Date;
  /** When its status last changed (Status.Timestamp): orders a slot's history. */
  updatedAt?: Date;
}

/**
 * A change to one task; fields left out stay as they are. The one shape every writer
 * uses, from the orchestrators to the store's repositories.
 */
export interface TaskChange {
  id: string;
  nodeId?: string | null;
  state?: TaskState;
  desiredState?: TaskState;
  message?: string | null;
  err?: string | null;
  specVersion?: number;
}

/** A task to create; its id (and time) are the caller's to give. */
export interface OrchestratorNewTask {
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  specVersion: number;
  desiredState: TaskState;
  state: TaskState;
}

export interface Plan {
  create: OrchestratorNewTask[];
  update: TaskChange[];
  /** Tasks to delete: the history of slots that are gone for good (dead slots). */
  remove: string[];
  /**
   * Ids of the tasks `update` shuts down because the spec they run changed (IsTaskDirty),
   * each replaced by a task of the new spec: the planner counts them as restarts, unlike
   * tasks stopped by a scale-down or taken off a node the service may no longer use.
   */
  replaced: string[];
}

export const emptyPlan = (): Plan => ({ create: [], update: [], remove: [], replaced: [] });
