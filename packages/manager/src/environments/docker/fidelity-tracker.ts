import { Worker } from "node:worker_threads";
import {
  comparePlacement,
  RampartError,
  TASK_STATES,
  type PlacementComparison,
  type PlacementDifference,
  type PlacementPrediction,
  type PlannerCluster,
  type Sandbox,
  type ServiceSpec,
  type SwarmPlacement,
  type UndeterminedPlacement,
} from "@rampart/core";
import type { EnvironmentRecord } from "@rampart/db";
import { z } from "zod";
import type { Logger, ManagerDeps } from "../../deps.js";
import type { ConnectedEnvironment } from "../index.js";
import { FIDELITY_WORKER, type PredictionReply, type PredictionRequest } from "./fidelity-worker.js";
import { dockerServiceSchema, dockerTaskSchema, readDocker, type DockerService, type DockerTask } from "./schema.js";
import { specKey, swarmPlacementOf, taskStateOf } from "./snapshot.js";

/**
 * The planner's prediction against reality (ADR 0020): after every service change
 * Rampart makes on a swarm, the placement core's planner predicts from the swarm as it
 * was just before (every outcome Swarm's random tie-breaks allow, `predictPlacement`) is
 * compared with the placement Swarm makes (`comparePlacement`) once Swarm has settled.
 * The latest result per environment and service is kept in this process's memory (the
 * service page shows it); a mismatch is a fidelity defect in the planner, logged as a
 * warning with both sides.
 *
 * Swarm has settled for a service when no rolling update is under way, every task meant
 * to run runs the service's current spec and is running or waits with Swarm's `no
 * suitable node`, every task told to stop has stopped, a replicated service has as many
 * tasks as replicas, and two reads in a row agree. A service that does not settle within
 * the bound (tasks rejected by their node again and again, a paused update) is reported
 * as unsettled, with what it was waiting for.
 */

export type FidelityChange = "create" | "update" | "scale" | "apply";

/** `checking` until Swarm settles; then `matched` or `differs`; `unsettled` past the bound; `failed` when Docker could not be read. */
export type FidelityState = "checking" | "matched" | "differs" | "unsettled" | "failed";

export interface FidelityResult {
  serviceId: string;
  serviceName: string;
  change: FidelityChange;
  state: FidelityState;
  startedAt: Date;
  finishedAt: Date | null;
  /** Where Swarm left what the planner allows (empty unless `differs`). */
  differences: PlacementDifference[];
  /** What Swarm leaves to chance, and what is determined all the same. */
  undetermined: UndeterminedPlacement[];
  /** Why the check did not compare (`unsettled`, `failed`), or what it waits for (`checking`). */
  detail: string | null;
  /** Swarm's placement as compared: tasks per node and the waiting tasks' errors. */
  placement: SwarmPlacement | null;
}

/** One change to check: the swarm read just before it, and the service's spec as Docker holds it after. */
export interface FidelityJob {
  serviceId: string;
  serviceName: string;
  change: FidelityChange;
  before: PlannerCluster;
  spec: ServiceSpec;
  /** A service that did not exist in `before`: planned as a draft. */
  draft: boolean;
}

export interface FidelityOptions {
  intervalMs: number;
  limitMs: number;
}

const DEFAULTS: FidelityOptions = { intervalMs: 500, limitMs: 90_000 };
/** Results remembered per environment; the oldest go first. */
const REMEMBERED = 1_000;

/** What a check needs of an environment: its identity, and calls to its manager. */
export type FidelityEnv = { record: Pick<EnvironmentRecord, "id" | "name"> } & Pick<ConnectedEnvironment, "call">;

/** The planner's prediction, made somewhere it cannot stop the server answering. */
export interface Predictor {
  /** The prediction, or null when `wanted` says no by the time the job's turn comes (a newer change, a stop). */
  predict(cluster: PlannerCluster, sandbox: Sandbox, wanted: () => boolean): Promise<PlacementPrediction | null>;
  stop(): Promise<void>;
}

/** What the tracker reaches outside itself; the predictor and the read have defaults for the server, tests give their own. */
export interface FidelityPorts {
  predictor: Predictor;
  /** One read of a service and its tasks, as Docker answers (checked here). */
  read(env: FidelityEnv, serviceId: string): Promise<{ service: unknown; tasks: unknown }>;
  /** The environments that exist now: a removed one's checks stop and its results go. */
  environmentIds(): Promise<ReadonlySet<string>>;
}

interface PredictionJob extends PredictionRequest {
  wanted: () => boolean;
  resolve: (prediction: PlacementPrediction | null) => void;
  reject: (error: Error) => void;
}

/**
 * The prediction in a worker thread (fidelity-worker.ts): one worker, started with the
 * first job and kept for the next ones; jobs take their turn one at a time, and a job
 * no longer wanted when its turn comes is dropped unrun. A worker that dies fails its
 * job, and the next job starts another.
 */
export function createWorkerPredictor(): Predictor {
  let worker: Worker | undefined;
  let running: PredictionJob | undefined;
  const queue: PredictionJob[] = [];
  let stopped = false;

  function settle(reply: { prediction: PlacementPrediction } | { error: string }): void {
    const job = running;
    running = undefined;
    if (job) {
      if ("prediction" in reply) job.resolve(reply.prediction);
      else job.reject(new Error(reply.error));
    }
    next();
  }

  function start(): Worker {
    const started = new Worker(new URL("./fidelity-worker.js", import.meta.url), { workerData: FIDELITY_WORKER });
    // A prediction under way does not keep the process alive: the server's own listeners do.
    started.unref();
    started.on("message", (reply: PredictionReply) => settle(reply));
    started.on("error", (error: Error) => settle({ error: `the prediction's worker failed: ${error.message}` }));
    started.on("exit", (code) => {
      if (worker !== started) return;
      worker = undefined;
      if (running) settle({ error: `the prediction's worker stopped (exit code ${code})` });
    });
    return started;
  }

  function next(): void {
    if (running || stopped) return;
    let job = queue.shift();
    while (job && !job.wanted()) {
      job.resolve(null);
      job = queue.shift();
    }
    if (!job) return;
    running = job;
    worker ??= start();
    worker.postMessage({ cluster: job.cluster, sandbox: job.sandbox } satisfies PredictionRequest);
  }

  return {
    predict(cluster, sandbox, wanted) {
      if (stopped) return Promise.resolve(null);
      return new Promise((resolve, reject) => {
        queue.push({ cluster, sandbox, wanted, resolve, reject });
        next();
      });
    },
    async stop() {
      stopped = true;
      for (const job of queue.splice(0)) job.resolve(null);
      running?.resolve(null);
      running = undefined;
      const ending = worker;
      worker = undefined;
      await ending?.terminate();
    },
  };
}

const ROLLING_OUT = new Set(["updating", "rollback_started"]);
const rank = (state: string) => TASK_STATES[taskStateOf(state)];

/**
 * One read of a service and its tasks: Swarm's placement once it has settled, or what it
 * is still waiting for (pure: the tests feed it Docker's own JSON).
 */
export function settledPlacement(service: DockerService, tasks: readonly DockerTask[]): { placement: SwarmPlacement } | { waiting: string } {
  if (service.UpdateStatus?.State && ROLLING_OUT.has(service.UpdateStatus.State)) return { waiting: `Docker's rolling update is ${service.UpdateStatus.State.replace("_", " ")}` };
  const template = service.Spec.TaskTemplate ?? {};
  const own = tasks.filter((t) => t.ServiceID === service.ID);
  const wanted = own.filter((t) => rank(t.DesiredState) <= TASK_STATES.running);
  for (const t of wanted) {
    if (specKey(t.Spec) !== specKey(template) && specKey(t.Spec) !== specKey(template, t.Spec?.Placement)) return { waiting: "tasks still run the previous spec" };
    const waitsForNode = t.Status.State === "pending" && (t.Status.Err ?? "").startsWith("no suitable node");
    if (t.Status.State !== "running" && !waitsForNode) return { waiting: `a task is ${t.Status.State}${t.Status.Err ? ` (${t.Status.Err})` : ""}` };
  }
  if (own.some((t) => rank(t.DesiredState) > TASK_STATES.running && rank(t.Status.State) <= TASK_STATES.running)) return { waiting: "tasks told to stop are still running" };
  const replicas = service.Spec.Mode?.Replicated ? (service.Spec.Mode.Replicated.Replicas ?? 1) : null;
  if (replicas !== null && wanted.length !== replicas) return { waiting: `${wanted.length} of ${replicas} tasks made` };
  return { placement: swarmPlacementOf(own, service.ID) };
}

/** The snapshot as logged: placement needs no container (its environment may hold values people keep private). */
function loggedSnapshot(cluster: PlannerCluster): PlannerCluster {
  return { ...cluster, services: cluster.services.map(({ spec: { container: _container, ...spec }, ...s }) => ({ ...s, spec })) };
}

/** The line a mismatch is logged as: both sides, so the planner's defect can be found from the log alone. */
export function logFidelityDefect(
  log: Pick<Logger, "warn">,
  env: FidelityEnv,
  job: FidelityJob,
  prediction: PlacementPrediction,
  placement: SwarmPlacement,
  comparison: PlacementComparison,
): void {
  log.warn(
    {
      env: env.record.name,
      serviceId: job.serviceId,
      service: job.serviceName,
      change: job.change,
      snapshot: loggedSnapshot(job.before),
      prediction: { outcomes: prediction.outcomes, alike: prediction.alike, orders: prediction.orders, concurrent: prediction.concurrent },
      swarm: placement,
      differences: comparison.differences,
    },
    `planner fidelity defect: Swarm placed service ${job.serviceName} where the planner did not predict (${comparison.differences.map((d) => d.text).join(" ")})`,
  );
}

const readFromDocker: FidelityPorts["read"] = async (env, serviceId) => {
  const [service, tasks] = await env.call((d) => Promise.all([d.getService(serviceId).inspect(), d.listTasks({ filters: { service: [serviceId] } })]));
  return { service, tasks };
};

/**
 * The tracker: one check per service at a time (a newer change supersedes it), results
 * in memory by environment ID, dropped with their environment.
 */
export function createFidelityTracker(deps: Pick<ManagerDeps, "log" | "now">, ports: Pick<FidelityPorts, "environmentIds"> & Partial<FidelityPorts>, options: FidelityOptions = DEFAULTS) {
  const predictor = ports.predictor ?? createWorkerPredictor();
  const read = ports.read ?? readFromDocker;
  const { environmentIds } = ports;
  const results = new Map<string, Map<string, { result: FidelityResult; token: symbol }>>();
  const timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  let stopped = false;

  const forEnv = (envId: string) => results.get(envId) ?? results.set(envId, new Map()).get(envId)!;

  function store(envId: string, token: symbol, result: FidelityResult): boolean {
    const entries = forEnv(envId);
    const entry = entries.get(result.serviceId);
    if (entry && entry.token !== token) return false;
    entries.delete(result.serviceId);
    entries.set(result.serviceId, { result, token });
    while (entries.size > REMEMBERED) entries.delete(entries.keys().next().value!);
    return true;
  }

  /** Forgets what belongs to environments removed since; says whether `envId` is still one. */
  async function keepLive(envId?: string): Promise<boolean> {
    const live = await environmentIds();
    for (const id of results.keys()) if (!live.has(id)) results.delete(id);
    return envId === undefined || live.has(envId);
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (timers.delete(entry), resolve()), ms), wake: resolve };
      entry.timer.unref();
      timers.add(entry);
    });

  async function run(env: FidelityEnv, job: FidelityJob, token: symbol, started: FidelityResult): Promise<void> {
    const current = () => !stopped && results.get(env.record.id)?.get(job.serviceId)?.token === token;
    const finish = (change: Partial<FidelityResult>) => store(env.record.id, token, { ...started, ...change, finishedAt: deps.now() });
    const prediction = await predictor.predict(job.before, { service: { ...(job.draft ? {} : { serviceId: job.serviceId }), spec: job.spec } }, current);
    if (prediction === null) return;
    const deadline = performance.now() + options.limitMs;
    let previous: string | null = null;
    let waiting = "Swarm has not answered yet";
    while (current()) {
      if (!(await keepLive(env.record.id))) return;
      const answer = await read(env, job.serviceId);
      const reading = settledPlacement(readDocker(dockerServiceSchema, answer.service, `service ${job.serviceName}`), readDocker(z.array(dockerTaskSchema), answer.tasks, `the tasks of service ${job.serviceName}`));
      if ("placement" in reading) {
        const key = JSON.stringify(reading.placement);
        if (key === previous) {
          if (!current()) return;
          const comparison = comparePlacement(prediction, reading.placement);
          finish({ state: comparison.matched ? "matched" : "differs", differences: comparison.differences, undetermined: comparison.undetermined, placement: reading.placement });
          if (!comparison.matched) logFidelityDefect(deps.log, env, job, prediction, reading.placement, comparison);
          return;
        }
        previous = key;
      } else {
        previous = null;
        waiting = reading.waiting;
        store(env.record.id, token, { ...started, detail: `waiting for Swarm to settle: ${waiting}` });
      }
      if (performance.now() > deadline) {
        finish({ state: "unsettled", detail: `Swarm had not settled after ${options.limitMs / 1000} s (${waiting}), so its placement was not compared` });
        return;
      }
      await sleep(options.intervalMs);
    }
  }

  return {
    /** Starts checking a change in the background; any earlier check of the service stops. */
    track(env: FidelityEnv, job: FidelityJob): void {
      if (stopped) return;
      const token = Symbol(job.serviceId);
      const started: FidelityResult = {
        serviceId: job.serviceId,
        serviceName: job.serviceName,
        change: job.change,
        state: "checking",
        startedAt: deps.now(),
        finishedAt: null,
        differences: [],
        undetermined: [],
        detail: null,
        placement: null,
      };
      forEnv(env.record.id).set(job.serviceId, { result: started, token });
      void run(env, job, token, started).catch((error: unknown) => {
        const entries = results.get(env.record.id);
        if (error instanceof RampartError && error.code === "not_found") {
          // The service was removed meanwhile: its result goes with it.
          if (entries?.get(job.serviceId)?.token === token) entries.delete(job.serviceId);
          return;
        }
        if (!(error instanceof RampartError)) deps.log.warn({ env: env.record.name, serviceId: job.serviceId, err: String(error) }, "planner fidelity check failed unexpectedly");
        const why = error instanceof RampartError ? `the check could not read the swarm: ${error.message}` : "the check failed unexpectedly; the server's log has the details";
        if (entries) store(env.record.id, token, { ...started, state: "failed", finishedAt: deps.now(), detail: why });
      });
    },

    /** The latest check of a service in this environment, or null when Rampart changed it in no way this process saw. */
    async latest(env: Pick<FidelityEnv, "record">, serviceId: string): Promise<FidelityResult | null> {
      await keepLive();
      return results.get(env.record.id)?.get(serviceId)?.result ?? null;
    },

    /** A removed service's result goes with it. */
    forget(env: Pick<FidelityEnv, "record">, serviceId: string): void {
      results.get(env.record.id)?.delete(serviceId);
    },

    /** Stops every check and the prediction's worker; resolves once the worker has ended. */
    async stop(): Promise<void> {
      stopped = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.wake();
      }
      timers.clear();
      await predictor.stop();
    },
  };
}

export type FidelityTracker = ReturnType<typeof createFidelityTracker>;
