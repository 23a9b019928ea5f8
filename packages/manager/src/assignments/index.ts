import { createHash } from "node:crypto";
import { RampartError, TASK_STATES, taskRuntimeOf, taskStatesBetween, type SecretReference, type TaskRuntime, type TaskState } from "@rampart/core";
import { getTask, listManyNodeAssignments, updateTasksIf, type ConditionalTaskChange, type NodeAssignment } from "@rampart/db";
import { batched } from "../batch.js";
import type { ManagerDeps } from "../deps.js";
import type { ManagerBus } from "../events.js";

/**
 * What each node is told to run (the dispatcher's Assignments and UpdateTaskStatus): a
 * node sees only tasks assigned to it, long-polls for changes, and reports each task's
 * progress as its container goes (ADR 0019): accepted, preparing, starting, running, and
 * then complete, failed, rejected or shutdown.
 */
export interface Assignment {
  id: string;
  serviceId: string;
  serviceName: string;
  slot: number | null;
  specVersion: number;
  desiredState: TaskState;
  state: TaskState;
  /** The secrets the task reads (no values: the node fetches each with `GET /v1/secrets/ID`). */
  secrets: SecretReference[];
  /** What the node runs: image, container, resources, host ports (from the spec the task was made with). */
  runtime: TaskRuntime;
}

/** States a node may report, in the order a task goes through them. */
export const REPORTABLE_STATES = ["accepted", "preparing", "ready", "starting", "running", "complete", "shutdown", "failed", "rejected"] as const;
export type ReportableState = (typeof REPORTABLE_STATES)[number];

/** One step of a task's life as its node reports it. */
export interface TaskReport {
  taskId: string;
  state: ReportableState;
  message?: string | undefined;
  /** The runtime's error, for a failed or rejected task. */
  err?: string | undefined;
  containerId?: string | undefined;
  exitCode?: number | undefined;
}

/** Under the 60 s idle timeout common to proxies; the agent waits 65 s for an answer. */
const LONG_POLL_MS = 50_000;
/** Polls one node may hold open at once; more is a misbehaving (or hostile) client. */
const MAX_POLLS_PER_NODE = 4;
/** Dispatcher.UpdateTaskStatus's refusal (manager/dispatcher/dispatcher.go). */
const NOT_THIS_NODES_TASK = "cannot update a task not assigned this node";

/** What a node is told beside its tasks: renew now (a root rotation), and the trust root it should hold. */
export interface NodeSession {
  rotate: boolean;
  /** Hex SHA-256 of the trust root PEM. */
  rootDigest: string;
}

function digestOf(tasks: readonly Assignment[], session: NodeSession): string {
  return createHash("sha256")
    // Not the state: the node moves it itself, and the manager's own moves (orphaned,
    // rejected) take a task out of the list. So a node's reports never wake its own poll.
    .update(tasks.map((t) => `${t.id}:${t.specVersion}:${t.desiredState}`).join(","))
    .update(`|${session.rotate ? "rotate" : ""}|${session.rootDigest}`)
    .digest("base64url");
}

/** Broad notifications ("something may have changed anywhere") are coalesced this long. */
const SWEEP_DELAY_MS = 50;

interface Waiter {
  known: string;
  done: () => void;
}

export function createAssignmentService(
  deps: ManagerDeps,
  /** Where a task that stopped on its node is announced (`taskEnded`). */
  bus: ManagerBus,
  /** A node is about to be told of a changed task set (secrets it no longer needs are withdrawn). */
  onChanged: (nodeId: string, tasks: readonly Assignment[]) => Promise<void>,
) {
  const db = deps.store.prisma;
  /** Per node: a counter bumped on every precise change, and the polls waiting with what they know. */
  const generation = new Map<string, number>();
  const waiters = new Map<string, Set<Waiter>>();
  const open = new Map<string, number>();
  let sweepTimer: NodeJS.Timeout | undefined;
  let closed = false;
  /**
   * What else a node must hear at once, beside its tasks (the dispatcher session's
   * messages): a request to renew for a root rotation, and the trust root's digest.
   */
  let sessionOf: (nodeId: string) => NodeSession = () => ({ rotate: false, rootDigest: "" });

  function wake(nodeId: string): void {
    generation.set(nodeId, (generation.get(nodeId) ?? 0) + 1);
    const set = waiters.get(nodeId);
    if (!set) return;
    waiters.delete(nodeId);
    for (const waiter of set) waiter.done();
  }

  const toAssignment = (t: NodeAssignment): Assignment => ({
    id: t.id,
    serviceId: t.serviceId,
    serviceName: t.serviceName,
    slot: t.slot,
    specVersion: t.specVersion,
    desiredState: t.desiredState,
    state: t.state,
    secrets: t.secrets,
    runtime: taskRuntimeOf(t.spec),
  });

  /**
   * After a broad change, one query reads the task sets of every waiting node, and only
   * the nodes whose set differs from what they know are woken: a burst of node joins
   * costs one query per sweep, not one per waiting node.
   */
  async function sweep(): Promise<void> {
    sweepTimer = undefined;
    const nodeIds = [...waiters.keys()];
    if (nodeIds.length === 0) return;
    const byNode = await listManyNodeAssignments(db, nodeIds);
    for (const nodeId of nodeIds) {
      const digest = digestOf((byNode.get(nodeId) ?? []).map(toAssignment), sessionOf(nodeId));
      const set = waiters.get(nodeId);
      if (set && [...set].some((w) => w.known !== digest)) wake(nodeId);
    }
  }

  function scheduleSweep(): void {
    if (sweepTimer || closed) return;
    sweepTimer = setTimeout(() => {
      sweep().catch((error: unknown) => {
        // Polls still end at their deadline; log, and wake everyone so nothing waits on a lost sweep.
        deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, "assignment sweep failed");
        for (const id of [...waiters.keys()]) wake(id);
      });
    }, SWEEP_DELAY_MS);
    sweepTimer.unref();
  }

  /** Waits for a change to this node after `seen`, or until `ms` pass. */
  function waitForChange(nodeId: string, seen: number, known: string, ms: number): Promise<void> {
    if ((generation.get(nodeId) ?? 0) !== seen || closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const set = waiters.get(nodeId) ?? new Set();
      waiters.set(nodeId, set);
      const waiter: Waiter = {
        known,
        done: () => {
          clearTimeout(timer);
          set.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, ms);
      timer.unref();
      set.add(waiter);
    });
  }

  // A fleet's polls and reports arrive in bursts (every node woken by one scheduling
  // pass): each burst is read, or written, in one statement.
  const lists = batched(async (nodeIds: string[]) => {
    const byNode = await listManyNodeAssignments(db, [...new Set(nodeIds)]);
    return nodeIds.map((id) => byNode.get(id) ?? []);
  });
  const reports = batched((changes: ConditionalTaskChange[]) => updateTasksIf(db, changes, deps.now()));

  async function list(nodeId: string): Promise<Assignment[]> {
    return (await lists.add(nodeId)).map(toAssignment);
  }

  return {
    /** Where each node's session messages come from (the cluster's CA state). */
    useSession(of: (nodeId: string) => NodeSession): void {
      sessionOf = of;
    },

    /** Wakes the long polls of these nodes (new assignments or shutdowns), or of every node. */
    notify(nodeIds: ReadonlySet<string> | "all"): void {
      if (nodeIds === "all") scheduleSweep();
      else for (const id of nodeIds) wake(id);
    },

    /** Answers every waiting poll now; later polls are refused (the server is stopping). */
    close(): void {
      closed = true;
      clearTimeout(sweepTimer);
      for (const id of [...waiters.keys()]) wake(id);
    },

    list,

    /**
     * The node's assignments. With `knownDigest` (what the node last saw), waits up to 50 s
     * for a change before answering, so an agent learns of a new task at once; an answer
     * without `tasks` means nothing changed. The change counter is read before the store,
     * so a change that lands while reading is not missed.
     */
    async poll(nodeId: string, knownDigest: string | undefined): Promise<{ digest: string; tasks?: Assignment[]; session: NodeSession }> {
      // A stopped dispatcher's words (manager/dispatcher/dispatcher.go).
      if (closed) throw new RampartError("unavailable", "dispatcher is stopped");
      if ((open.get(nodeId) ?? 0) >= MAX_POLLS_PER_NODE) {
        throw new RampartError("rate_limited", `a node may hold at most ${MAX_POLLS_PER_NODE} assignment polls at once`);
      }
      open.set(nodeId, (open.get(nodeId) ?? 0) + 1);
      try {
        const deadline = Date.now() + LONG_POLL_MS;
        for (;;) {
          const seen = generation.get(nodeId) ?? 0;
          const tasks = await list(nodeId);
          const session = sessionOf(nodeId);
          const digest = digestOf(tasks, session);
          if (closed || knownDigest === undefined || digest !== knownDigest) {
            await onChanged(nodeId, tasks);
            return { digest, tasks, session };
          }
          // Nothing changed in the whole wait: say so without reading the store again.
          if (Date.now() >= deadline) return { digest, session };
          await waitForChange(nodeId, seen, digest, deadline - Date.now());
          if ((generation.get(nodeId) ?? 0) === seen && !closed) return { digest, session };
        }
      } finally {
        const left = (open.get(nodeId) ?? 1) - 1;
        if (left > 0) open.set(nodeId, left);
        else open.delete(nodeId);
      }
    },

    /**
     * A node reports a task's progress. It may report only its own tasks, only once the
     * scheduler has assigned them, only forward, and never after the task ended. The
     * write is conditional (this node, a state before the reported one, not ended), so a
     * concurrent orphaning or rejection by the manager is never overwritten.
     */
    async report(nodeId: string, { taskId, state, message, err, containerId, exitCode }: TaskReport): Promise<void> {
      // The common case in one statement: a forward move from ASSIGNED..RUNNING.
      const from = taskStatesBetween("assigned", "running").filter((s) => TASK_STATES[s] < TASK_STATES[state]);
      const written = await reports.add({
        id: taskId,
        nodeId,
        from,
        state,
        message: message ?? `task ${state}`,
        err: err ?? null,
        containerId: containerId ?? null,
        exitCode: exitCode ?? null,
      });
      if (written) {
        if (TASK_STATES[state] > TASK_STATES.running) {
          bus.emit("taskEnded", { id: taskId, nodeId, state, ...written });
        }
        return;
      }
      // Refused: read the task to say why.
      const task = await getTask(db, taskId);
      // A task that does not exist is not this node's either: one answer for both, in
      // Swarm's words, so a node cannot learn which task IDs exist (ADR 0011).
      if (!task || task.nodeId !== nodeId) throw new RampartError("permission_denied", NOT_THIS_NODES_TASK);
      if (state === task.state) return;
      if (TASK_STATES[task.state] < TASK_STATES.assigned) {
        throw new RampartError("failed_precondition", `task ${taskId} is not assigned yet`);
      }
      if (TASK_STATES[task.state] > TASK_STATES.running) {
        throw new RampartError("failed_precondition", `task ${taskId} is already ${task.state}`);
      }
      throw new RampartError("failed_precondition", `task ${taskId} is already ${task.state}; it cannot go back to ${state}`);
    },
  };
}

export type AssignmentService = ReturnType<typeof createAssignmentService>;
