import type { EndedTask } from "@rampart/db";

/**
 * What the manager's loops tell each other, as SwarmKit's components learn of changes
 * through the store's watch queue: each loop subscribes to the events it acts on, and
 * none holds a reference to another. Listeners run synchronously and must not throw;
 * work they start is their own to finish and to log.
 */
export interface ManagerEvents {
  /** Services were created, changed or (`removed`) removed. */
  servicesChanged: { serviceIds: readonly string[]; removed?: boolean };
  /** Tasks were created (by an orchestrator, a restart or an update). */
  tasksCreated: { tasks: ReadonlyArray<{ serviceId: string; slot: number | null; nodeId: string | null }> };
  /** A task stopped on its node or was stopped by the manager (failed, rejected, complete, shutdown, orphaned). */
  taskEnded: EndedTask;
  /** Tasks' desired states changed (told to stop, to go, or to start after a delay): their nodes should look. */
  desiredStatesChanged: Record<string, never>;
  /** Tasks were deleted (by the task reaper, or at start). */
  tasksDeleted: { ids: readonly string[] };
  /** The scheduler assigned tasks to these nodes. */
  tasksAssigned: { nodeIds: ReadonlySet<string> };
  /** A node's placement-relevant facts changed (labels, role, availability, state, removal). */
  nodeChanged: { nodeId: string };
  /** The swarm's settings changed (the task history limit among them). */
  clusterChanged: Record<string, never>;
}

type Listener<E, K extends keyof E> = (event: E[K]) => void;

export interface EventBus<E> {
  on<K extends keyof E>(name: K, listener: Listener<E, K>): () => void;
  emit<K extends keyof E>(name: K, event: E[K]): void;
}

export function createEventBus<E>(): EventBus<E> {
  const listeners = new Map<keyof E, Set<(event: never) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (event: never) => void);
      return () => set.delete(listener as (event: never) => void);
    },
    emit(name, event) {
      for (const listener of listeners.get(name) ?? []) (listener as Listener<E, typeof name>)(event);
    },
  };
}

export type ManagerBus = EventBus<ManagerEvents>;
