import { createHash } from "node:crypto";
import { RampartError, TASK_STATES, type TaskState } from "@rampart/core";
import { getTask, listNodeAssignments, updateTasks } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";

/**
 * What each node is told to run (the dispatcher's Assignments and UpdateTaskStatus): a
 * node sees only tasks assigned to it, long-polls for changes, and reports each task's
 * progress. Rampart runs no containers, so an agent acknowledges a task (accepted), then
 * reports it running, and reports it shut down when told to stop.
 */
export interface Assignment {
  id: string;
  serviceId: string;
  serviceName: string;
  slot: number | null;
  specVersion: number;
  desiredState: TaskState;
  state: TaskState;
}

/** States a node may report, in the order a task goes through them. */
export const REPORTABLE_STATES = ["accepted", "preparing", "ready", "starting", "running", "complete", "shutdown", "failed"] as const;
export type ReportableState = (typeof REPORTABLE_STATES)[number];

const LONG_POLL_MS = 25_000;

export function createAssignmentService(deps: ManagerDeps, onTaskChanged: () => void) {
  const db = deps.store.prisma;
  const waiters = new Map<string, Set<() => void>>();
  let closed = false;

  function wake(nodeId: string): void {
    const set = waiters.get(nodeId);
    if (!set) return;
    waiters.delete(nodeId);
    for (const resolve of set) resolve();
  }

  return {
    /** Wakes the long polls of these nodes (new assignments or shutdowns), or of every node. */
    notify(nodeIds: ReadonlySet<string> | "all"): void {
      if (nodeIds === "all") for (const id of [...waiters.keys()]) wake(id);
      else for (const id of nodeIds) wake(id);
    },

    /** Answers every long poll now and every later one at once (the server is stopping). */
    close(): void {
      closed = true;
      for (const id of [...waiters.keys()]) wake(id);
    },

    async list(nodeId: string): Promise<Assignment[]> {
      return (await listNodeAssignments(db, nodeId)).map((t) => ({
        id: t.id,
        serviceId: t.serviceId,
        serviceName: t.serviceName,
        slot: t.slot,
        specVersion: t.specVersion,
        desiredState: t.desiredState,
        state: t.state,
      }));
    },

    /**
     * The node's assignments. With `knownDigest` (what the node last saw), waits up to 25 s
     * for a change before answering, so an agent learns of a new task at once.
     */
    async poll(nodeId: string, knownDigest: string | undefined): Promise<{ digest: string; tasks: Assignment[] }> {
      const deadline = Date.now() + LONG_POLL_MS;
      for (;;) {
        const tasks = await this.list(nodeId);
        const digest = createHash("sha256")
          .update(tasks.map((t) => `${t.id}:${t.specVersion}:${t.desiredState}:${t.state}`).join(","))
          .digest("base64url");
        if (closed || knownDigest === undefined || digest !== knownDigest || Date.now() >= deadline) return { digest, tasks };
        await new Promise<void>((resolve) => {
          const set = waiters.get(nodeId) ?? new Set();
          waiters.set(nodeId, set);
          const timer = setTimeout(() => {
            set.delete(resolve);
            resolve();
          }, deadline - Date.now());
          timer.unref();
          set.add(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },

    /** A node reports a task's progress; it may only report its own tasks, and only forward. */
    async report(nodeId: string, taskId: string, state: ReportableState, message: string | null): Promise<void> {
      const task = await getTask(db, taskId);
      if (!task || task.nodeId !== nodeId) {
        throw new RampartError("permission_denied", "cannot update a task not assigned this node");
      }
      if (TASK_STATES[state] < TASK_STATES[task.state]) {
        throw new RampartError("failed_precondition", `task ${taskId} is already ${task.state}; it cannot go back to ${state}`);
      }
      if (state === task.state) return;
      await updateTasks(db, [{ id: taskId, state, message: message ?? `task ${state}` }], deps.now());
      onTaskChanged();
    },
  };
}

export type AssignmentService = ReturnType<typeof createAssignmentService>;
