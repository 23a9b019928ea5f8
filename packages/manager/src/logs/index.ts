import { RampartError, type Actor } from "@rampart/core";
import { getTask, type TaskRecord } from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import type { ServiceService } from "../services/index.js";

/**
 * Container logs, from the agents that run the tasks (Swarm's log broker). A reader opens
 * a session for a service or a task; each node running one of its tasks is handed a
 * subscription on its next poll of `GET /v1/logs/subscriptions`, and publishes the lines
 * it reads from its engine with `POST /v1/logs/publish`, over the node's own mTLS
 * channel. The reader takes the lines with a cursor, waiting briefly when there are
 * none yet. Lines are the application's own: Rampart neither scans nor stores them.
 */
export interface LogOptions {
  follow: boolean;
  /** Lines from the end of each task's log; null for all. */
  tail: number | null;
  /** Only lines after this time. */
  since: Date | null;
}

export interface LogLine {
  taskId: string;
  serviceName: string;
  /** The task's slot, or its node for a global service's task. */
  slot: number | null;
  nodeId: string;
  stream: "stdout" | "stderr";
  time: Date;
  line: string;
}

/** What a node is asked to send. */
export interface LogSubscription {
  id: string;
  taskIds: string[];
  follow: boolean;
  tail: number | null;
  since: string | null;
}

export interface LogPage {
  cursor: string;
  lines: LogLine[];
  /** Lines that were dropped because the reader fell behind. */
  dropped: number;
  /** Nothing more will come (not following, and every node has finished). */
  done: boolean;
}

/** Lines, and characters, a session holds for its reader; older lines are dropped past either (the next read counts them). */
const SESSION_BUFFER_LINES = 10_000;
const SESSION_BUFFER_CHARS = 4 * 1024 * 1024;
/** Sessions open at once: per reader, and in all. */
const SESSIONS_PER_OWNER = 8;
const MAX_SESSIONS = 256;
/** Subscription polls one node may hold at once. */
const SUBSCRIPTION_POLLS_PER_NODE = 2;
/** A session nobody reads for this long is closed, and its nodes stop sending. */
const SESSION_IDLE_MS = 60_000;
/** How long a read waits for the first new line. */
const READ_WAIT_MS = 20_000;
/** How long a node's poll for subscriptions is held. */
const SUBSCRIPTION_POLL_MS = 50_000;
/** One line, at most (longer ones are cut, as the engine's json-file driver splits at 16 KiB). */
export const MAX_LOG_LINE = 16 * 1024;

interface Session {
  id: string;
  owner: string;
  lines: LogLine[];
  /** Sequence number of `lines[0]`. */
  first: number;
  /** Characters held in `lines`. */
  chars: number;
  /** Nodes still sending, by node ID. */
  sending: Set<string>;
  follow: boolean;
  lastRead: number;
  wake: Set<() => void>;
  tasks: Map<string, TaskRecord>;
}

const ownerOf = (actor: Actor) => `${actor.type}:${actor.id ?? actor.name}`;

export function createLogService(deps: ManagerDeps, audit: AuditService, services: ServiceService) {
  const db = deps.store.prisma;
  const sessions = new Map<string, Session>();
  /** Subscriptions a node has not picked up yet, and the polls waiting for one. */
  const pending = new Map<string, LogSubscription[]>();
  const pollers = new Map<string, Set<() => void>>();

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const session of sessions.values()) if (now - session.lastRead > SESSION_IDLE_MS) close(session);
  }, 10_000);
  sweep.unref();

  function close(session: Session): void {
    sessions.delete(session.id);
    session.sending.clear();
    for (const wake of session.wake) wake();
    // What nodes have not picked up yet goes too.
    for (const [nodeId, list] of pending) {
      const left = list.filter((s) => s.id !== session.id);
      if (left.length === 0) pending.delete(nodeId);
      else pending.set(nodeId, left);
    }
  }

  function wakeSession(session: Session): void {
    const waiting = [...session.wake];
    session.wake.clear();
    for (const wake of waiting) wake();
  }

  /** The tasks a reference names: one task by its ID, or a service's tasks that have a container. */
  async function tasksOf(ref: string): Promise<{ tasks: TaskRecord[]; target: { type: string; id: string; name: string } }> {
    if (/^[0-9a-z]{25}$/.test(ref)) {
      const task = await getTask(db, ref);
      if (task) return { tasks: [task], target: { type: "task", id: task.id, name: `${task.serviceName}.${task.slot ?? task.nodeId}` } };
    }
    const service = await services.get(ref);
    return { tasks: service.tasks, target: { type: "service", id: service.id, name: service.name } };
  }

  return {
    /** Opens a log session (audited); the first page comes from `read`. */
    async open(ref: string, options: LogOptions, actor: Actor, ip: string | null): Promise<string> {
      const owner = ownerOf(actor);
      if ([...sessions.values()].filter((s) => s.owner === owner).length >= SESSIONS_PER_OWNER) {
        throw new RampartError("rate_limited", `at most ${SESSIONS_PER_OWNER} log sessions may be open at once; close one (stop following) and try again`);
      }
      if (sessions.size >= MAX_SESSIONS) throw new RampartError("unavailable", "too many log sessions are open on this server; try again shortly");
      if (options.since !== null && Number.isNaN(options.since.getTime())) {
        throw new RampartError("invalid_argument", "since is out of range", { field: "since" });
      }
      const { tasks, target } = await tasksOf(ref);
      // A container exists from the moment its task is running; ended tasks' containers are gone.
      const live = tasks.filter((t) => t.nodeId !== null && (t.state === "starting" || t.state === "running"));
      await audit.record({ actor, action: "service.logs", target, outcome: "success", reason: options.follow ? "follow" : null, ip });
      const id = Buffer.from(deps.random(18)).toString("base64url");
      const session: Session = {
        id,
        owner,
        lines: [],
        first: 0,
        chars: 0,
        sending: new Set(),
        follow: options.follow,
        lastRead: Date.now(),
        wake: new Set(),
        tasks: new Map(live.map((t) => [t.id, t])),
      };
      const byNode = new Map<string, string[]>();
      for (const t of live) (byNode.get(t.nodeId!) ?? byNode.set(t.nodeId!, []).get(t.nodeId!)!).push(t.id);
      for (const [nodeId, taskIds] of byNode) {
        session.sending.add(nodeId);
        const list = pending.get(nodeId) ?? [];
        list.push({ id, taskIds, follow: options.follow, tail: options.tail, since: options.since?.toISOString() ?? null });
        pending.set(nodeId, list);
        for (const wake of pollers.get(nodeId) ?? []) wake();
      }
      sessions.set(id, session);
      return `${id}.0`;
    },

    /** The lines after `cursor`; waits up to 20 s for one while nodes are still sending. */
    async read(cursor: string, actor: Actor): Promise<LogPage> {
      const match = /^([A-Za-z0-9_-]{24})\.(\d{1,15})$/.exec(cursor);
      const found = match ? sessions.get(match[1]!) : undefined;
      if (!found || found.owner !== ownerOf(actor)) {
        throw new RampartError("not_found", "this log session has ended or is not yours; open the logs again", { field: "cursor" });
      }
      const session = found;
      session.lastRead = Date.now();
      const seq = Number(match![2]);
      const available = () => session.first + session.lines.length > seq;
      if (!available() && session.sending.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, READ_WAIT_MS);
          function done() {
            clearTimeout(timer);
            session.wake.delete(done);
            resolve();
          }
          session.wake.add(done);
        });
      }
      session.lastRead = Date.now();
      const dropped = Math.max(0, session.first - seq);
      const lines = session.lines.slice(Math.max(0, seq - session.first));
      const next = session.first + session.lines.length;
      // What the reader has taken is no longer held for it.
      session.lines = [];
      session.first = next;
      session.chars = 0;
      const done = session.sending.size === 0;
      if (done) sessions.delete(session.id);
      return { cursor: `${session.id}.${next}`, lines, dropped, done };
    },

    /** A reader is gone: its nodes stop sending. */
    cancel(cursor: string, actor: Actor): void {
      const session = sessions.get(cursor.split(".")[0] ?? "");
      if (session && session.owner === ownerOf(actor)) close(session);
    },

    /** A node's new subscriptions; waits up to 50 s for one. */
    async subscriptions(nodeId: string): Promise<LogSubscription[]> {
      if ((pollers.get(nodeId)?.size ?? 0) >= SUBSCRIPTION_POLLS_PER_NODE) {
        throw new RampartError("rate_limited", `a node may hold at most ${SUBSCRIPTION_POLLS_PER_NODE} log polls at once`);
      }
      if (!pending.get(nodeId)?.length) {
        await new Promise<void>((resolve) => {
          const set = pollers.get(nodeId) ?? new Set();
          pollers.set(nodeId, set);
          const timer = setTimeout(done, SUBSCRIPTION_POLL_MS);
          timer.unref();
          function done() {
            clearTimeout(timer);
            set.delete(done);
            if (set.size === 0) pollers.delete(nodeId);
            resolve();
          }
          set.add(done);
        });
      }
      const list = (pending.get(nodeId) ?? []).filter((s) => sessions.has(s.id));
      pending.delete(nodeId);
      return list;
    },

    /**
     * Lines a node sends for a subscription it was given. Only its own tasks of that
     * subscription are taken. Answers whether the reader still wants more.
     */
    publish(nodeId: string, subscriptionId: string, lines: ReadonlyArray<Omit<LogLine, "nodeId" | "slot" | "serviceName">>, finished: boolean): boolean {
      const session = sessions.get(subscriptionId);
      if (!session || !session.sending.has(nodeId)) return false;
      for (const l of lines) {
        const task = session.tasks.get(l.taskId);
        if (!task || task.nodeId !== nodeId) continue;
        const line = l.line.slice(0, MAX_LOG_LINE);
        session.lines.push({ ...l, line, nodeId, slot: task.slot, serviceName: task.serviceName });
        session.chars += line.length;
      }
      let excess = 0;
      let chars = session.chars;
      while (excess < session.lines.length && (session.lines.length - excess > SESSION_BUFFER_LINES || chars > SESSION_BUFFER_CHARS)) {
        chars -= session.lines[excess]!.line.length;
        excess++;
      }
      if (excess > 0) {
        session.lines.splice(0, excess);
        session.chars = chars;
        session.first += excess;
      }
      if (finished) session.sending.delete(nodeId);
      wakeSession(session);
      return !finished;
    },

    close(): void {
      clearInterval(sweep);
      for (const session of [...sessions.values()]) close(session);
      for (const set of pollers.values()) for (const wake of [...set]) wake();
    },
  };
}

export type LogService = ReturnType<typeof createLogService>;
