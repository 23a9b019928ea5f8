import type Docker from "dockerode";
import { realpath } from "node:fs/promises";
import { cleanPath, escapeUnsafeText, type MountSpec, type TaskState } from "@rampart/core";
import { EndpointError, type AssignedTask, type LogMessage, type TaskUpdate } from "../client.js";
import { containerConfig, LABEL, type SecretBind } from "./container-config.js";
import { engineMessage, engineStatus } from "./engine.js";
import { LogDecoder, MAX_BATCH_BYTES } from "./logs.js";
import { beyond, isAfter, step, wantsStop, type TaskExecutor, type TaskHost } from "./executor.js";

/**
 * Runs each task as a container through the node's Docker Engine (ADR 0019), with
 * Swarm's steps and words: accepted, preparing (the image pulled if missing), prepared,
 * starting, started; then finished, `task: non-zero exit (N)`, or shutdown when told to
 * stop (the stop signal, then a kill after the grace period). A task the engine refuses
 * before it starts is rejected with the engine's own error.
 *
 * The agent owns the containers labelled with its node ID: after a restart it adopts
 * them instead of starting duplicates, reports one removed behind its back as failed,
 * and removes any that belongs to no task it is given.
 */
export function dockerExecutor(docker: Docker, host: TaskHost): TaskExecutor {
  const runs = new Map<string, TaskRun>();
  /** Stray containers being removed, so a second sync does not remove one twice. */
  const removing = new Set<string>();
  /** Log subscriptions being served, stopped when the agent stops. */
  const streams = new Set<{ stop(): void }>();
  let closed = false;

  /** This node's containers by task ID, as the engine has them now. */
  async function owned(): Promise<Map<string, Docker.ContainerInfo>> {
    const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL.node}=${host.nodeId}`] } });
    return new Map(list.map((c) => [c.Labels[LABEL.task] ?? "", c]));
  }

  return {
    async sync(tasks) {
      if (closed) return;
      let containers: Map<string, Docker.ContainerInfo>;
      try {
        containers = await owned();
      } catch (error) {
        host.warn(`cannot list this node's containers: ${engineMessage(error)}`);
        return;
      }
      const wanted = new Set(tasks.map((t) => t.id));
      // A container that belongs to no task this node was given is stopped and removed.
      for (const [taskId, info] of containers) {
        if (wanted.has(taskId) || runs.has(taskId) || removing.has(info.Id)) continue;
        removing.add(info.Id);
        void removeContainer(docker, info.Id, 0)
          .catch((error: unknown) => host.warn(`removing stray container ${info.Id.slice(0, 12)}: ${engineMessage(error)}`))
          .finally(() => {
            removing.delete(info.Id);
            return host.removeSecrets(taskId).catch(() => undefined);
          });
      }
      for (const task of tasks) {
        let run = runs.get(task.id);
        if (!run) {
          run = new TaskRun(docker, host, task, containers.get(task.id)?.Id, () => runs.delete(task.id));
          runs.set(task.id, run);
        }
        run.update(task);
      }
      // Runs whose task left the list (ended, or removed by the manager) finish on their own.
      for (const [id, run] of runs) if (!wanted.has(id)) run.forget();
    },
    async close() {
      closed = true;
      for (const run of runs.values()) run.detach();
      runs.clear();
      for (const stream of streams) stream.stop();
    },

    async logs(subscription, send) {
      if (closed || streams.size >= MAX_LOG_STREAMS) {
        await send([], true).catch(() => false);
        return;
      }
      const containers = await owned().catch(() => new Map<string, Docker.ContainerInfo>());
      let open = true;
      let batch: LogMessage[] = [];
      let bytes = 0;
      let sending: Promise<void> = Promise.resolve();
      let inFlight = 0;
      const destroyers = new Set<() => void>();
      const handle = {
        stop() {
          open = false;
          for (const destroy of destroyers) destroy();
        },
      };
      streams.add(handle);
      /** Sends what is batched (or, with `keepalive`, nothing), and stops everything once the reader is gone. */
      const flush = (keepalive = false) => {
        if (batch.length === 0 && !keepalive) return sending;
        const lines = batch;
        batch = [];
        bytes = 0;
        inFlight += lines.length;
        sending = sending
          .then(async () => {
            if (open && !(await send(lines, false))) handle.stop();
          })
          // The manager is gone or refused: stop reading.
          .catch(() => handle.stop())
          .finally(() => void (inFlight -= lines.length));
        return sending;
      };
      const timer = setInterval(() => void flush(), 250);
      // A quiet container sends nothing; this asks now and then whether the reader is still there.
      const keepalive = setInterval(() => void flush(true), 10_000);
      const served = subscription.taskIds.map(async (taskId) => {
        const id = runs.get(taskId)?.container ?? containers.get(taskId)?.Id;
        if (!id || !open) return;
        const decoder = new LogDecoder(taskId, MAX_LOG_CHARS);
        const take = (messages: LogMessage[]) => {
          for (const m of messages) {
            const size = Buffer.byteLength(JSON.stringify(m)) + 1;
            // Flushed before it would overflow the endpoint's 64 KiB body limit.
            if (bytes + size > MAX_BATCH_BYTES) void flush();
            batch.push(m);
            bytes += size;
          }
        };
        const tail = subscription.tail ?? (subscription.follow ? undefined : MAX_WHOLE_LOG_LINES);
        const options = {
          stdout: true,
          stderr: true,
          timestamps: true,
          // A log read once is bounded: the last lines of a log that may never have been rotated.
          ...(tail !== undefined ? { tail } : {}),
          ...(subscription.since ? { since: Math.floor(Date.parse(subscription.since) / 1000) } : {}),
        };
        try {
          if (!subscription.follow) {
            const whole = (await docker.getContainer(id).logs({ ...options, follow: false })) as unknown as Buffer;
            take(decoder.push(Buffer.isBuffer(whole) ? whole : Buffer.from(String(whole))));
            take(decoder.end());
            return;
          }
          const stream = (await docker.getContainer(id).logs({ ...options, follow: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
          await new Promise<void>((resolve) => {
            const destroy = () => {
              stream.destroy();
              resolve();
            };
            destroyers.add(destroy);
            if (!open) return destroy();
            stream.on("data", (chunk: Buffer) => {
              take(decoder.push(chunk));
              // Backpressure: reading waits while too much is queued for the manager.
              if (inFlight + batch.length > MAX_QUEUED_LINES) {
                stream.pause();
                void sending.then(() => stream.resume());
              }
            });
            const done = () => {
              destroyers.delete(destroy);
              take(decoder.end());
              resolve();
            };
            stream.on("end", done);
            stream.on("close", done);
            stream.on("error", done);
          });
        } catch (error) {
          if (engineStatus(error) !== 404) host.warn(`logs of task ${taskId}: ${engineMessage(error)}`);
        }
      });
      await Promise.all(served);
      clearInterval(timer);
      clearInterval(keepalive);
      streams.delete(handle);
      await flush();
      await sending;
      await send([], true).catch(() => false);
    },
  };
}

/** Log subscriptions an agent serves at once; more are answered as finished at once. */
const MAX_LOG_STREAMS = 32;
/** Lines read ahead of what the manager has taken, before the engine's stream is paused. */
const MAX_QUEUED_LINES = 5000;
/** A log read once without `--tail` ends with its last this-many lines. */
const MAX_WHOLE_LOG_LINES = 10_000;

/** Longest line sent; as JSON it stays under the batch size even with escapes. */
const MAX_LOG_CHARS = 8 * 1024;

/** Stops (signal, then a kill after `graceSeconds`) and removes a container; one already gone is not an error. */
async function removeContainer(docker: Docker, id: string, graceSeconds: number): Promise<void> {
  const container = docker.getContainer(id);
  try {
    await container.stop({ t: graceSeconds });
  } catch (error) {
    const status = engineStatus(error);
    if (status !== 304 && status !== 404) throw error;
  }
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    if (engineStatus(error) !== 404) throw error;
  }
}

const RETRY_MS = 2000;

/**
 * One task on this node. Its steps run one at a time: each `update` (a new picture from
 * the manager) wakes the loop, which moves the container one stage at a time towards
 * what the manager wants and reports each stage.
 */
class TaskRun {
  private state: TaskState;
  private running = false;
  private again = false;
  private detached = false;
  private stopping = false;
  private watching = false;
  private ended = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly host: TaskHost,
    private task: AssignedTask,
    private containerId: string | undefined,
    private readonly done: () => void,
  ) {
    this.state = task.state as TaskState;
  }

  /** The task's container on this node, when it has one. */
  get container(): string | undefined {
    return this.containerId;
  }

  update(task: AssignedTask): void {
    this.task = task;
    // The manager's state may be behind what this run reported (a report in flight), never ahead.
    if (isAfter(task.state as TaskState, this.state)) this.state = task.state as TaskState;
    this.kick();
  }

  /** The task left this node's list: nothing more is reported; its container and secrets go. */
  forget(): void {
    if (this.ended) return;
    this.ended = true;
    void this.cleanUp().finally(() => this.done());
  }

  /** The agent is stopping: leave the container as it is. */
  detach(): void {
    this.detached = true;
    clearTimeout(this.retry);
  }

  private retryLater(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.kick(), RETRY_MS);
    this.retry.unref();
  }

  private kick(): void {
    if (this.detached || this.ended) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.advance();
        } while (this.again && !this.detached && !this.ended);
      } catch (error) {
        // A lost engine or manager: try again shortly, from what is known.
        this.host.warn(`task ${this.task.id}: ${error instanceof Error ? error.message : String(error)}`);
        this.retryLater();
      } finally {
        this.running = false;
      }
    })();
  }

  /**
   * Reports the steps the manager has not seen yet. An engine's error is sent as text the
   * manager takes (escaped, cut to its limit). A report the manager refuses (the task
   * moved or ended meanwhile) is final: this run stops, and the next picture says what
   * is wanted.
   */
  private async report(updates: readonly TaskUpdate[]): Promise<void> {
    const fresh = beyond(this.state, updates).map((u) => (u.err === undefined ? u : { ...u, err: reportableError(u.err) }));
    if (fresh.length === 0 || this.detached) return;
    try {
      await this.host.report(fresh);
    } catch (error) {
      if (error instanceof EndpointError && error.status >= 400 && error.status < 500) {
        this.host.warn(`task ${this.task.id}: the manager refused its report: ${error.message}`);
        this.state = "orphaned";
        return;
      }
      throw error;
    }
    for (const u of fresh) this.host.reported?.(this.task, u);
    this.state = fresh[fresh.length - 1]!.state as TaskState;
  }

  /** The task was removed, or told to stop, while this run waited on the engine. */
  private get overtaken(): boolean {
    return this.ended || this.detached || wantsStop(this.task);
  }

  private async advance(): Promise<void> {
    const task = this.task;
    if (isAfter(this.state, "running")) return;
    if (wantsStop(task)) return this.shutdown();
    if (this.containerId) return this.adopt(this.containerId);
    if (isAfter(this.state, "preparing")) {
      // The manager saw this task past preparing, yet no container of it exists here.
      return this.end("failed", { err: "No such container: the task's container was removed" });
    }
    await this.report([step(task.id, "accepted"), step(task.id, "preparing")]);
    let id: string;
    try {
      id = await this.create();
    } catch (error) {
      if (error instanceof HostError) throw error.cause;
      return this.end("rejected", { message: "preparing", err: engineMessage(error) });
    }
    this.containerId = id;
    // Removed or told to stop while the image was pulled and the container made: the
    // loop's next turn stops it (or forget() has removed it), and nothing starts.
    if (this.overtaken) {
      if (this.ended) await this.cleanUp();
      this.again = true;
      return;
    }
    await this.report([step(task.id, "ready", { containerId: id })]);
    if (this.task.desiredState === "ready") return; // a restart holding until its delay is over
    if (this.overtaken) return void (this.again = true);
    await this.start(id);
  }

  /** Pulls the image when missing, writes the secrets, and creates the container. */
  private async create(): Promise<string> {
    const task = this.task;
    const { image, container } = task.runtime;
    let binds: SecretBind[];
    let profile: string | undefined;
    try {
      const files = await this.host.prepareSecrets(task);
      binds = task.secrets.map((ref) => {
        const source = files.get(ref.target);
        if (!source) throw new Error(`secret ${ref.secretName} cannot be mounted: this node keeps secrets in memory only`);
        return { source, target: ref.target };
      });
      if (container.seccomp.mode === "custom") profile = await this.host.seccompProfile(container.seccomp.profile ?? "");
    } catch (error) {
      // The manager or the network may come back: try again. Anything else (a secret
      // that cannot be kept here) rejects the task.
      if (isTransient(error)) throw new HostError(error);
      throw error;
    }
    // Judged before anything is made: the engine would follow a link the policy never saw.
    await checkBindSources(this.docker, container.mounts);
    try {
      await this.pullIfMissing(image);
      const created = await this.docker.createContainer(containerConfig(task, this.host.nodeId, binds, profile));
      return created.id;
    } catch (error) {
      // The engine itself is out of reach (restarting, its socket gone): not the task's fault.
      if (typeof (error as NodeJS.ErrnoException)?.code === "string") throw new HostError(error);
      throw error;
    }
  }

  /** As Swarm's executor: a missing image is pulled; a pull that fails is not fatal, the create says what is wrong. */
  private async pullIfMissing(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
      return;
    } catch (error) {
      if (engineStatus(error) !== 404) throw error;
    }
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) => this.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    } catch (error) {
      this.host.warn(`task ${this.task.id}: pulling ${image}: ${engineMessage(error)}`);
    }
  }

  private async start(id: string): Promise<void> {
    await this.report([step(this.task.id, "starting")]);
    try {
      await this.docker.getContainer(id).start();
    } catch (error) {
      if (engineStatus(error) !== 304) return this.end("failed", { message: "starting", err: engineMessage(error) });
    }
    await this.report([step(this.task.id, "running", { containerId: id })]);
    this.watch(id);
  }

  /** A container found on the engine for this task (after an agent restart): carry on from where it is. */
  private async adopt(id: string): Promise<void> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (error) {
      if (engineStatus(error) !== 404) throw error;
      this.containerId = undefined;
      if (isAfter(this.state, "preparing")) return this.end("failed", { err: engineMessage(error) });
      return this.advance();
    }
    if (info.State.Running) {
      await this.report([step(this.task.id, "accepted"), step(this.task.id, "preparing"), step(this.task.id, "ready"), step(this.task.id, "starting"), step(this.task.id, "running", { containerId: id })]);
      this.watch(id);
      return;
    }
    if (info.State.Status === "created") {
      await this.report([step(this.task.id, "accepted"), step(this.task.id, "preparing"), step(this.task.id, "ready", { containerId: id })]);
      if (this.task.desiredState === "running") await this.start(id);
      return;
    }
    await this.exited(info.State.ExitCode);
  }

  /** Waits for the container to exit, in the background. */
  private watch(id: string): void {
    if (this.watching) return;
    this.watching = true;
    this.docker
      .getContainer(id)
      .wait()
      .then(
        async (result: { StatusCode?: number }) => {
          this.watching = false;
          if (this.detached || this.ended || this.stopping) return;
          // Removed behind the agent's back: the engine no longer knows it.
          try {
            await this.docker.getContainer(id).inspect();
          } catch (error) {
            if (engineStatus(error) === 404) return this.end("failed", { err: engineMessage(error) });
          }
          await this.exited(result.StatusCode ?? 0);
        },
        async (error: unknown) => {
          this.watching = false;
          if (this.detached || this.ended || this.stopping) return;
          if (engineStatus(error) === 404) return this.end("failed", { err: engineMessage(error) });
          this.host.warn(`task ${this.task.id}: lost track of container ${id.slice(0, 12)}: ${engineMessage(error)}`);
          this.kick();
        },
      )
      .catch((error: unknown) => {
        // The exit could not be reported: look at the container again shortly, and report it then.
        this.host.warn(`task ${this.task.id}: ${error instanceof Error ? error.message : String(error)}`);
        this.retryLater();
      });
  }

  private async exited(code: number): Promise<void> {
    if (code === 0) return this.end("complete", { exitCode: 0 });
    return this.end("failed", { message: "started", err: `task: non-zero exit (${code})`, exitCode: code });
  }

  /** Stops the container (signal, then kill after the grace period), removes it, and reports shutdown. */
  private async shutdown(): Promise<void> {
    this.stopping = true;
    const grace = Math.ceil(this.task.runtime.container.stopGracePeriodNs / 1e9);
    if (this.containerId) await removeContainer(this.docker, this.containerId, grace);
    await this.host.removeSecrets(this.task.id);
    this.containerId = undefined;
    await this.report([step(this.task.id, "shutdown")]);
  }

  /** Reports a final state (Swarm keeps the last step's message beside the error), then removes the container and the task's secrets. */
  private async end(state: "complete" | "failed" | "rejected", extra: Omit<TaskUpdate, "taskId" | "state">): Promise<void> {
    const message = state === "complete" ? "finished" : state === "rejected" ? "preparing" : "started";
    await this.report([{ taskId: this.task.id, state, message, ...extra }]);
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    const id = this.containerId;
    this.containerId = undefined;
    if (id) await removeContainer(this.docker, id, 0).catch((error: unknown) => this.host.warn(`removing container ${id.slice(0, 12)}: ${engineMessage(error)}`));
    await this.host.removeSecrets(this.task.id).catch(() => undefined);
  }
}

/**
 * The runtime policy allows host paths as they are written; a bind source that leads
 * through a symbolic link (one a task wrote into an allowed folder, say) could reach
 * anything, the engine's socket included. On an engine of this machine (a unix socket)
 * each source must be its own real path.
 */
async function checkBindSources(docker: Docker, mounts: readonly MountSpec[]): Promise<void> {
  if (!(docker.modem as { socketPath?: unknown }).socketPath) return;
  for (const mount of mounts) {
    if (mount.type !== "bind") continue;
    const real = await realpath(mount.source).catch(() => undefined);
    if (real !== undefined && real !== cleanPath(mount.source)) {
      throw new Error(`bind source ${mount.source} leads through a symbolic link to ${real}; the runtime policy allows paths as written, so name the real path`);
    }
  }
}

/** Longest error the manager takes with a report. */
const MAX_REPORTED_ERROR = 1024;

/** An engine's error as a report carries it: control and bidirectional characters escaped, cut to the manager's limit. */
export function reportableError(text: string): string {
  const safe = escapeUnsafeText(text);
  return safe.length > MAX_REPORTED_ERROR ? `${safe.slice(0, MAX_REPORTED_ERROR - 1)}…` : safe;
}

function isTransient(error: unknown): boolean {
  if (error instanceof EndpointError) return error.status >= 500;
  return typeof (error as NodeJS.ErrnoException)?.code === "string";
}

/** A failure on this node's side (secrets, a profile), not the engine's: retried, not a rejection. */
class HostError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}
