import { escapeUnsafeText, EXTERNAL_ACTOR, RampartError, SYSTEM_ACTOR, type AuditEnv, type AuditEventInput } from "@rampart/core";
import { setEnvironmentEventsSince, type EnvironmentRecord } from "@rampart/db";
import Docker from "dockerode";
import { z } from "zod";
import type { AuditService } from "../../audit/index.js";
import type { ManagerDeps } from "../../deps.js";
import type { ConnectedEnvironment, EnvironmentService } from "../index.js";

/**
 * Each connected swarm's own event stream, recorded as `env.observed` audit events
 * (ADR 0020): whatever changes a node, service, secret, config or network, through
 * Rampart or not. Docker does not say who acted, so the actor is `external`; a change
 * Rampart made shows twice, once as the user's action and once as Docker's account of
 * it. Only swarm-scoped events are followed: an engine's local network events (its own
 * containers attaching) are not changes to the swarm.
 *
 * The stream resumes where it stopped. Each event is recorded together with its time
 * (`timeNano`, as a decimal string) as the environment's resume point, in one
 * transaction; after a disconnect the stream is asked again from RESUME_MARGIN before
 * that time, so an event that reaches the engine late with an earlier time (managers'
 * clocks differ) is not passed over. What the replay repeats is recognised: by its key
 * (type, actor ID, action, time) among the events this process recorded in that window,
 * and after a restart among the audit rows last recorded for the environment. Docker
 * keeps only its last 256 events: when the last one seen is no longer among them, events
 * may have been missed, and that is recorded too rather than passed over; so is a line of
 * the stream too long to read (over MAX_LINE), which is dropped unread.
 */

/** Types of events followed: the swarm's objects. */
export const OBSERVED_TYPES = ["node", "service", "secret", "config", "network"] as const;

/** How often the list of environments (added, removed) and their connections are looked at. */
const POLL_MS = 3_000;
/** Reconnection delays after a failure: doubling from the first to the last. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_LAST_MS = 30_000;
/** A stream that stayed up this long was a good connection: the next failure starts the backoff afresh. */
const HEALTHY_STREAM_MS = 10_000;
/** How long the connection may take to answer (the stream itself may then be quiet for hours). */
const CONNECT_TIMEOUT_MS = 15_000;
/** How far before the resume point a resumed stream starts: more than managers' clocks are expected to differ. */
export const RESUME_MARGIN_NS = 5_000_000_000n;
/** Keys of recorded events kept in memory to recognise a replay: those within the margin, at most this many. */
const RECENT_KEYS = 4_096;
/** Audit rows read after a restart to recognise a replay: Docker replays at most its last 256 events. */
const STORED_ROWS = 256;
/** The longest line of the stream read (an event is a few hundred characters); a longer one is dropped unread. */
export const MAX_LINE = 1024 * 1024;

const eventSchema = z.looseObject({
  Type: z.string(),
  Action: z.string(),
  Actor: z.looseObject({ ID: z.string(), Attributes: z.record(z.string(), z.string()).nullish() }),
  time: z.number().optional(),
});

/** One event of the stream, with its time exact (JSON numbers cannot hold nanoseconds since 1970). */
export interface DockerEvent {
  type: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
  /** Unix nanoseconds, as a decimal string. */
  timeNano: string;
}

/** Reads one line of the stream; undefined for a line that is not an event. */
export function parseEventLine(line: string): DockerEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const nano = /"timeNano"\s*:\s*(\d+)/.exec(line)?.[1] ?? (parsed.data.time !== undefined ? `${parsed.data.time}000000000` : undefined);
  if (nano === undefined) return undefined;
  return { type: parsed.data.Type, action: parsed.data.Action, id: parsed.data.Actor.ID, attributes: { ...(parsed.data.Actor.Attributes ?? {}) }, timeNano: BigInt(nano).toString() };
}

/** Docker's `since` for a time in nanoseconds: `seconds.nanoseconds`, which it reads exactly. */
export function sinceParam(timeNano: string): string {
  const t = BigInt(timeNano);
  return `${t / 1_000_000_000n}.${(t % 1_000_000_000n).toString().padStart(9, "0")}`;
}

/**
 * What the audit log says of an event: Docker's action, and the names of the attributes
 * it says changed (`update: availability, role`). Never their values: a service's image
 * or a label's value is not the audit log's to copy.
 */
export function observedReason(event: Pick<DockerEvent, "action" | "attributes">): string {
  const changed = Object.keys(event.attributes)
    .filter((k) => k.endsWith(".new"))
    .map((k) => k.slice(0, -".new".length))
    .sort();
  return changed.length > 0 ? `${event.action}: ${changed.join(", ")}` : event.action;
}

export function observedEvent(event: DockerEvent, env: AuditEnv): AuditEventInput {
  const name = event.attributes.name;
  return {
    actor: EXTERNAL_ACTOR,
    action: "env.observed",
    target: { type: event.type, id: event.id, name: name ? escapeUnsafeText(name) : null },
    outcome: "success",
    reason: observedReason(event),
    ip: null,
    env,
  };
}

/** An event's identity: what it was about, what happened, and when to the nanosecond. */
export const eventKey = (e: DockerEvent) => JSON.stringify([e.type, e.id, e.action, e.timeNano]);

/** What an audit row keeps of an event: its object and reason (Docker's time is not in the row). */
export const storedKey = (type: string, id: string | null, reason: string | null) => JSON.stringify([type, id, reason]);
const storedKeyOf = (e: DockerEvent) => storedKey(e.type, e.id, observedReason(e));

/**
 * Where a stream resumes: the time of the latest event recorded (`since`), and what was
 * recorded at or before it, to recognise the replay: the keys of the events this process
 * recorded within RESUME_MARGIN of `since` (with their times), and after a restart the
 * environment's last audit rows, counted by `storedKey`. `replayed` is whether `since` is
 * an event's, which Docker should send again if it still has it.
 */
export interface ResumePoint {
  since: string;
  recent: ReadonlyMap<string, bigint>;
  stored: ReadonlyMap<string, number>;
  replayed: boolean;
}

/** The resume point of an environment this process has not followed yet; `stored` counts its last audit rows. */
export function initialResumePoint(record: Pick<EnvironmentRecord, "eventsSince" | "createdAt">, stored: ReadonlyMap<string, number> = new Map()): ResumePoint {
  if (record.eventsSince !== null) return { since: record.eventsSince, recent: new Map(), stored, replayed: true };
  // Never followed: from the moment it was connected.
  return { since: (BigInt(record.createdAt.getTime()) * 1_000_000n).toString(), recent: new Map(), stored: new Map(), replayed: false };
}

/** Docker's `since` for a stream that resumes at `point`: RESUME_MARGIN earlier, unless nothing was recorded yet. */
export function streamSince(point: ResumePoint): string {
  const since = BigInt(point.since);
  return sinceParam((point.replayed && since > RESUME_MARGIN_NS ? since - RESUME_MARGIN_NS : since).toString());
}

/** What to do with an event: record it (and where the resume point moves), or skip it as recorded already. */
export function admit(point: ResumePoint, event: DockerEvent): { record: boolean; next: ResumePoint } {
  const at = BigInt(event.timeNano);
  const since = BigInt(point.since);
  const key = eventKey(event);
  if (point.recent.has(key)) return { record: false, next: point };
  if (at <= since) {
    // A replay of what the store holds from before a restart: each row stands for one event.
    const stored = storedKeyOf(event);
    const left = point.stored.get(stored) ?? 0;
    if (left > 0) return { record: false, next: { ...point, stored: new Map(point.stored).set(stored, left - 1) } };
  }
  // New (or live from a clock behind the others: recorded, and the resume point stays).
  const next = at > since ? at : since;
  const recent = new Map(point.recent).set(key, at);
  for (const [k, t] of recent) if (t < next - RESUME_MARGIN_NS) recent.delete(k);
  while (recent.size > RECENT_KEYS) recent.delete(recent.keys().next().value!);
  return { record: true, next: { since: next.toString(), recent, stored: point.stored, replayed: true } };
}

/**
 * Whether the first event of a resumed stream shows that Docker still had the last one
 * recorded (it replays from before that time): if not, events between may be lost.
 */
export const resumedWithoutGap = (point: ResumePoint, first: DockerEvent) => !point.replayed || BigInt(first.timeNano) <= BigInt(point.since);

/**
 * The lines of a stream: each complete line at most `max` characters long; a longer one
 * is dropped (its start and its rest), and `dropped` is called once for it. The buffer
 * never holds more than `max` characters and one chunk.
 */
export async function* streamLines(stream: AsyncIterable<unknown>, max: number, dropped: () => Promise<void>): AsyncGenerator<string> {
  let buffered = "";
  let dropping = false;
  for await (const chunk of stream) {
    buffered += String(chunk);
    for (let newline = buffered.indexOf("\n"); newline !== -1; newline = buffered.indexOf("\n")) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (dropping) dropping = false;
      else if (line.length > max) await dropped();
      else yield line;
    }
    if (buffered.length > max) {
      if (!dropping) await dropped();
      dropping = true;
      buffered = "";
    }
  }
}

/**
 * A client for a stream that may stay quiet for hours: the connection's own settings,
 * without the idle timeout that ends ordinary calls, but with a limit on the connection
 * itself.
 */
function streamClient(docker: Docker): Docker {
  const modem = Object.assign(Object.create(Object.getPrototypeOf(docker.modem) as object) as object, docker.modem, { timeout: undefined, connectionTimeout: CONNECT_TIMEOUT_MS });
  return new Docker({ modem } as Docker.DockerOptions);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });

interface Follower {
  stop: AbortController;
  /** The stream now open, to be cut when its connection is seen lost; undefined between streams. */
  stream: { cut: AbortController; openedAt: number } | undefined;
  done: Promise<void>;
}

export function createEventRecorder(deps: ManagerDeps, audit: AuditService, environments: EnvironmentService) {
  /** By environment ID: one removed and added again under its name is another environment, with a follower of its own. */
  const followers = new Map<string, Follower>();
  /** Resume points by environment ID: kept across stop and start, so a restart of the recorder skips what was recorded. */
  const points = new Map<string, ResumePoint>();
  let poll: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  /** The environment's resume point; first read from the store (its time, and its last audit rows to recognise a replay). */
  async function pointOf(record: EnvironmentRecord): Promise<ResumePoint> {
    const known = points.get(record.id);
    if (known) return known;
    const stored = new Map<string, number>();
    if (record.eventsSince !== null) {
      const rows = await audit.list({ env: record.id, action: "env.observed", outcome: "success", limit: STORED_ROWS });
      for (const row of rows) {
        if (row.actorType !== "external") continue;
        const key = storedKey(row.targetType, row.targetId, row.reason);
        stored.set(key, (stored.get(key) ?? 0) + 1);
      }
    }
    const point = initialResumePoint(record, stored);
    points.set(record.id, point);
    return point;
  }

  async function recordEvent(record: EnvironmentRecord, auditEnv: AuditEnv, event: DockerEvent): Promise<void> {
    const { record: fresh, next } = admit(await pointOf(record), event);
    if (fresh) {
      await deps.store.transaction(async (tx) => {
        await audit.record(observedEvent(event, auditEnv), tx);
        await setEnvironmentEventsSince(tx, record.id, next.since);
      });
    }
    points.set(record.id, next);
  }

  /** What the audit log says of events the recorder could not read: that some may be missing, and why. */
  const missing = (record: EnvironmentRecord, env: ConnectedEnvironment, reason: string) =>
    audit.record({ actor: SYSTEM_ACTOR, action: "env.observed", target: { type: "environment", id: record.id, name: record.name }, outcome: "failure", reason, ip: null, env: env.auditEnv });

  /** Reads one stream to its end, recording each event in order. */
  async function consume(stream: NodeJS.ReadableStream, record: EnvironmentRecord, env: ConnectedEnvironment, resumedFrom: ResumePoint): Promise<boolean> {
    let first = true;
    let any = false;
    stream.setEncoding("utf8");
    const dropped = async () => {
      deps.log.warn({ env: record.name, maxCharacters: MAX_LINE }, "environment event stream: a line too long to read was dropped");
      await missing(record, env, `an event may be missing: a line of the engine's event stream longer than ${MAX_LINE} characters was dropped unread`);
    };
    for await (const line of streamLines(stream, MAX_LINE, dropped)) {
      const event = parseEventLine(line);
      if (!event) continue;
      any = true;
      if (first && !resumedWithoutGap(resumedFrom, event)) {
        await missing(
          record,
          env,
          `events between ${sinceParam(resumedFrom.since)} and ${sinceParam(event.timeNano)} may be missing: the engine no longer had the last event recorded (Docker keeps its last 256)`,
        );
      }
      first = false;
      await recordEvent(record, env.auditEnv, event);
    }
    return any;
  }

  /**
   * Follows one environment until stopped: connects, reads, and reconnects with a
   * backoff. The environment is reached by name: once that name is another environment's
   * (this one removed, another added under its name) or no one's, this follower ends.
   */
  async function follow(record: EnvironmentRecord, follower: Follower): Promise<void> {
    const { signal } = follower.stop;
    let backoff = BACKOFF_FIRST_MS;
    let env: ConnectedEnvironment | undefined;
    while (!signal.aborted) {
      const cut = new AbortController();
      const onStop = () => cut.abort();
      signal.addEventListener("abort", onStop, { once: true });
      const startedAt = Date.now();
      try {
        const view = await environments.get(record.name);
        if (view.id !== record.id) return;
        if (view.connection.state === "manager-lost") throw new Error("the engine is no longer a manager of this swarm");
        env ??= await environments.open(record.name, SYSTEM_ACTOR, null);
        if (env.record.id !== record.id) return;
        const connected = env;
        const point = await pointOf(record);
        const client = streamClient(connected.docker);
        // The query apart from the options (dockerode would put every option in it), and the stream cut by `cut`.
        const options = { _query: { since: streamSince(point), filters: { type: [...OBSERVED_TYPES], scope: ["swarm"] } }, abortSignal: cut.signal };
        const stream = await connected.call(() => client.getEvents(options as Docker.GetEventsOptions));
        follower.stream = { cut, openedAt: startedAt };
        if (await consume(stream, record, connected, point)) backoff = BACKOFF_FIRST_MS;
      } catch (error) {
        if (error instanceof RampartError && error.code === "not_found" && /^environment /.test(error.message)) return;
        if (!signal.aborted && !cut.signal.aborted) deps.log.warn({ env: record.name, err: error instanceof Error ? error.message : String(error) }, "environment event stream failed");
      } finally {
        signal.removeEventListener("abort", onStop);
        follower.stream = undefined;
      }
      if (Date.now() - startedAt >= HEALTHY_STREAM_MS) backoff = BACKOFF_FIRST_MS;
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, BACKOFF_LAST_MS);
    }
  }

  /** Starts following new environments, stops following removed ones, and cuts streams whose connection was seen lost. */
  async function sync(): Promise<void> {
    const listed = await environments.list();
    const ids = new Set(listed.map((e) => e.id));
    for (const [id, follower] of followers) {
      if (ids.has(id)) continue;
      follower.stop.abort();
      followers.delete(id);
      points.delete(id);
    }
    for (const view of listed) {
      const existing = followers.get(view.id);
      if (existing) {
        // A TCP connection can die without a word: the connection checks notice first.
        const stream = existing.stream;
        const lostAt = view.connection.state !== "connected" ? view.connection.since?.getTime() : undefined;
        if (stream && lostAt !== undefined && lostAt >= stream.openedAt && !stream.cut.signal.aborted) {
          stream.cut.abort();
          deps.log.info({ env: view.name, state: view.connection.state }, "environment event stream cut: its connection was seen lost; it resumes once the engine answers");
        }
        continue;
      }
      const follower: Follower = { stop: new AbortController(), stream: undefined, done: Promise.resolve() };
      follower.done = follow(view, follower);
      followers.set(view.id, follower);
    }
  }

  return {
    /** Follows every connected environment's events, picking up environments added or removed every few seconds. */
    start(): void {
      if (poll) return;
      const tick = () => {
        if (polling) return;
        polling = sync()
          .catch((error: unknown) => deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, "environment event recorder: listing environments failed"))
          .finally(() => (polling = undefined));
      };
      tick();
      poll = setInterval(tick, POLL_MS);
      poll.unref();
    },

    /** Stops every stream; resolves once none is recording any more. A later start resumes where each stopped. */
    async stop(): Promise<void> {
      if (poll) clearInterval(poll);
      poll = undefined;
      await polling;
      const stopping = [...followers.values()];
      followers.clear();
      for (const f of stopping) f.stop.abort();
      await Promise.all(stopping.map((f) => f.done));
    },
  };
}

export type EventRecorder = ReturnType<typeof createEventRecorder>;
