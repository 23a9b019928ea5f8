import { TASK_STATES, type TaskState } from "@rampart/core";
import type { AssignedTask, LogMessage, LogSubscription, TaskProgress, TaskUpdate } from "../client.js";

/**
 * What runs a node's tasks (ADR 0019). The agent hands it the node's whole task list
 * after every change; it starts, watches and stops what the list asks for, and reports
 * each step through the host. `sync` returns quickly: the work goes on in the background.
 */
export interface TaskExecutor {
  sync(tasks: readonly AssignedTask[]): Promise<void>;
  /** Stops watching. Containers are left running, as Swarm's agent leaves them: the next start adopts them. */
  close(): Promise<void>;
  /**
   * Sends the logs a reader asked for, from this node's containers of those tasks, until
   * they end (or, following, until `send` answers that the reader is gone). `send` with
   * `finished` says this node has nothing more.
   */
  logs?(subscription: LogSubscription, send: (lines: LogMessage[], finished: boolean) => Promise<boolean>): Promise<void>;
}

/** What an executor needs from its agent. */
export interface TaskHost {
  readonly nodeId: string;
  /** Sends steps to the manager, in order; throws as the client does. */
  report(updates: readonly TaskUpdate[]): Promise<void>;
  /** Fetches the task's secrets into the node's store; returns each target's file on this node (undefined: memory only). */
  prepareSecrets(task: AssignedTask): Promise<Map<string, string | undefined>>;
  removeSecrets(taskId: string): Promise<void>;
  seccompProfile(name: string): Promise<string>;
  /** Something went wrong that no report carries (a lost engine, a refused report). */
  warn(message: string): void;
  /** A step was reported. */
  reported?(task: AssignedTask, update: TaskUpdate): void;
}

export const isAfter = (a: TaskState, b: TaskState) => TASK_STATES[a] > TASK_STATES[b];

/** The steps of `updates` the manager has not seen yet, given the state it holds. */
export function beyond(state: TaskState, updates: readonly TaskUpdate[]): TaskUpdate[] {
  return updates.filter((u) => isAfter(u.state as TaskState, state));
}

/** Whether the manager wants the task stopped (SHUTDOWN, REMOVE and later). */
export const wantsStop = (task: Pick<AssignedTask, "desiredState">) => task.desiredState !== "running" && task.desiredState !== "ready";

/** Swarm's status messages for each step (agent/exec/controller.go). */
export const STEP_MESSAGES: Partial<Record<TaskProgress, string>> = {
  accepted: "accepted",
  preparing: "preparing",
  ready: "prepared",
  starting: "starting",
  running: "started",
  complete: "finished",
  shutdown: "shutdown",
};

export const step = (taskId: string, state: TaskProgress, extra: Omit<TaskUpdate, "taskId" | "state"> = {}): TaskUpdate => ({
  taskId,
  state,
  message: STEP_MESSAGES[state] ?? state,
  ...extra,
});

/**
 * A node with no container engine: it joins, says why it runs nothing, and rejects every
 * task it is given with that reason (the scheduler does not place tasks on it, but a
 * task can reach it before its description does).
 */
export function refusingExecutor(host: TaskHost, problem: string): TaskExecutor {
  const refused = new Set<string>();
  return {
    async sync(tasks) {
      for (const task of tasks) {
        if (refused.has(task.id)) continue;
        const updates = wantsStop(task)
          ? [step(task.id, "shutdown")]
          : [step(task.id, "accepted"), { taskId: task.id, state: "rejected" as const, message: "accepted", err: problem }];
        try {
          await host.report(beyond(task.state as TaskState, updates));
          refused.add(task.id);
        } catch (error) {
          host.warn(`task ${task.id}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
    async close() {},
  };
}
