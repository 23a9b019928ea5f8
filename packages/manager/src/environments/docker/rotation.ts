import { RampartError, type Actor } from "@rampart/core";
import type { AuditService } from "../../audit/index.js";
import type { ManagerDeps } from "../../deps.js";
import { checkLabels, secretTarget } from "../../secrets/index.js";
import { nextSecretVersionName, type RotationProgress, type SecretRotationRequest } from "../../secrets/rotation.js";
import type { ConnectedEnvironment } from "../index.js";
import type { FidelityTracker } from "./fidelity-tracker.js";
import { dockerServiceSchema, readDocker, type DockerSecret, type DockerService, type DockerServiceSpec } from "./schema.js";
import { createSecretIn, holdsSecrets, inspectSecret, readSecretUse, secretViewOf, serviceSecretRefs, taskSecretRefs, type DockerSecretView, type SwarmSecretUse } from "./secrets.js";
import { readSwarmSnapshot } from "./snapshot.js";
import { coreSpecOf } from "./spec.js";

/**
 * The guided rotation on a connected Docker Swarm (ADR 0020). Docker's secrets are
 * immutable, so a rotation creates the next version, then moves every service that
 * references the old one to it, one service update each (at the service's current
 * version index, with the same file name, owner and mode, the rest of the spec exactly
 * as Docker gave it), follows the rollout through the tasks, and removes the old version
 * once no service references it and no task holds it.
 *
 * Unlike the native rotation this is not one transaction: Docker has none across
 * services. A lost race on a service (`update out of sequence`) is retried at the fresh
 * version; any other refusal stops the rotation there, says where and why (Docker's
 * text), and leaves the old version in place while anything uses it, so nothing is lost.
 *
 * What a rotation is doing lives in this process's memory, per environment and old
 * secret; the counts are read from Docker on every look. After a restart a rotation's
 * progress is read from Docker alone, and the old version is no longer removed by itself.
 */

/** How often a rollout is looked at while it is followed, and for how long at most. */
const FOLLOW_INTERVAL_MS = 1_000;
const FOLLOW_LIMIT_MS = 60 * 60_000;
/** How many times a service update that lost a race is tried again at the fresh version. */
const UPDATE_ATTEMPTS = 5;
/** Rotations remembered per environment, finished ones dropped first. */
const REMEMBERED = 50;

type Named = { id: string; name: string };

/**
 * Where a rotation is: moving services to the new version, following their rollout,
 * complete (the old version removed), stopped (it needs someone: `why` says what Docker
 * said), or untracked (not started by this process, so read from Docker alone and the old
 * version left for a person to remove).
 */
export type RotationPhase = "moving" | "rolling-out" | "complete" | "stopped" | "untracked";

/** One service of a rotation: its tasks by version, and Docker's own account of its update. */
export interface RotatingService extends Named {
  updated: boolean;
  tasksOnOld: number;
  tasksOnNew: number;
  /** `UpdateStatus.State` (updating, paused, completed, rollback_started…), or null when Docker gives none. */
  updateState: string | null;
  updateMessage: string | null;
}

export interface DockerRotationPart {
  phase: RotationPhase;
  /** Where and why the rotation stopped or waits, in Docker's words; null while all goes well. */
  why: string | null;
  oldRemoved: boolean;
  services: RotatingService[];
}

export interface DockerRotationProgress extends RotationProgress {
  docker: DockerRotationPart;
}

export interface DockerSecretRotation {
  from: DockerSecretView;
  to: DockerSecretView;
  services: Named[];
}

/**
 * A service spec with every reference to `fromId` pointed at `to`, the file (name, UID,
 * GID, mode) and everything else kept as they are; null when nothing references `fromId`.
 */
export function moveSecretRefs(spec: DockerServiceSpec, fromId: string, to: Named): DockerServiceSpec | null {
  const refs = spec.TaskTemplate?.ContainerSpec?.Secrets ?? [];
  if (!refs.some((r) => r.SecretID === fromId)) return null;
  return {
    ...spec,
    TaskTemplate: {
      ...spec.TaskTemplate,
      ContainerSpec: {
        ...spec.TaskTemplate?.ContainerSpec,
        Secrets: refs.map((r) => (r.SecretID === fromId ? { ...r, SecretID: to.id, SecretName: to.name } : r)),
      },
    },
  };
}

const references = (service: DockerService, id: string) => serviceSecretRefs(service).some((r) => r.SecretID === id);

/** Update states in which a service's rollout waits for a person, or went back. */
const STALLED = new Set(["paused", "rollback_started", "rollback_paused", "rollback_completed"]);

/**
 * A rotation's progress from one read of the swarm: the services that reference either
 * version (and those the rotation moved, while they exist), each with its tasks by
 * version and Docker's update status, and the nodes that still hold the old version.
 */
export function rotationProgressOf(from: Named, to: Named, use: SwarmSecretUse, moved: readonly Named[] = []): Omit<DockerRotationProgress, "docker"> & { services: RotatingService[] } {
  const ids = new Set(moved.map((s) => s.id));
  const services = use.services.filter((s) => ids.has(s.ID) || references(s, from.id) || references(s, to.id));
  const holding = use.tasks.filter(holdsSecrets);
  const count = (serviceId: string | null, secretId: string) =>
    holding.filter((t) => (serviceId === null || t.ServiceID === serviceId) && taskSecretRefs(t).some((r) => r.SecretID === secretId)).length;
  const nodes = new Map<string, number>();
  for (const t of holding) if (taskSecretRefs(t).some((r) => r.SecretID === from.id)) nodes.set(t.NodeID, (nodes.get(t.NodeID) ?? 0) + 1);
  const onOld = services.filter((s) => references(s, from.id));
  const tasksOnOld = count(null, from.id);
  return {
    from: { id: from.id, name: from.name },
    to: { id: to.id, name: to.name },
    services: services
      .map((s) => ({
        id: s.ID,
        name: s.Spec.Name ?? "",
        updated: references(s, to.id) && !references(s, from.id),
        tasksOnOld: count(s.ID, from.id),
        tasksOnNew: count(s.ID, to.id),
        updateState: s.UpdateStatus?.State ?? null,
        updateMessage: s.UpdateStatus?.Message || null,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    tasksOnOld,
    tasksOnNew: count(null, to.id),
    nodesWithOld: [...nodes]
      .map(([nodeId, tasks]) => ({ nodeId, hostname: use.hostnames.get(nodeId) ?? null, tasks }))
      .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)),
    done: onOld.length === 0 && tasksOnOld === 0,
    canRemoveOld: onOld.length === 0,
  };
}

/** A service whose rollout waits for a person or went back, in Docker's words; null when none does. */
export function stalledRollout(services: readonly RotatingService[]): string | null {
  const stalled = services.find((s) => s.updateState !== null && STALLED.has(s.updateState));
  if (!stalled) return null;
  return `service ${stalled.name}: update ${stalled.updateState}${stalled.updateMessage ? `: ${stalled.updateMessage}` : ""}`;
}

/** Whether Docker refused an update because the service changed since it was read. */
const lostRace = (error: unknown) => error instanceof RampartError && (error.code === "conflict" || /update out of sequence/i.test(error.message));

interface Tracked {
  envId: string;
  from: Named;
  to: Named;
  moved: Named[];
  phase: Exclude<RotationPhase, "untracked">;
  why: string | null;
  oldRemoved: boolean;
  startedAt: number;
  timer?: NodeJS.Timeout | undefined;
}

const matches = (ref: string, s: Named) => s.id === ref || s.name === ref || s.id.startsWith(ref);

/** An error's sentence for a person: a RampartError's own, anything else a plain statement (the log has the rest). */
const sentenceOf = (error: unknown) => (error instanceof RampartError ? error.message : "it failed unexpectedly; the server's log has the details");

export function createDockerRotationService(deps: ManagerDeps, audit: AuditService, fidelity: FidelityTracker, environmentIds: () => Promise<ReadonlySet<string>>) {
  const rotations = new Map<string, Tracked[]>();
  /** Follow-ups under way: a stop waits for them, so none writes after the store closes. */
  const ticking = new Set<Promise<void>>();
  let stopped = false;

  function remember(tracked: Tracked): void {
    const list = (rotations.get(tracked.envId) ?? []).filter((r) => r.from.id !== tracked.from.id);
    list.push(tracked);
    while (list.length > REMEMBERED) {
      const finished = list.findIndex((r) => !r.timer && r.phase !== "moving");
      list.splice(finished === -1 ? 0 : finished, 1);
    }
    rotations.set(tracked.envId, list);
  }

  /**
   * Drops the rotations of environments removed since (they are keyed by the
   * environment's ID, so one added again under the same name starts afresh); says
   * whether `envId` is still connected.
   */
  async function dropRemoved(envId?: string): Promise<boolean> {
    const live = await environmentIds();
    for (const [id, list] of rotations) {
      if (live.has(id)) continue;
      for (const r of list) clearTimeout(r.timer);
      rotations.delete(id);
    }
    return envId === undefined || live.has(envId);
  }

  /**
   * Moves one service to the new version in one update at its current version index;
   * a lost race is tried again from a fresh read. False when the service no longer
   * references the old version: someone moved or removed it meanwhile. The update is
   * handed to the fidelity tracker as any service change Rampart makes.
   */
  async function moveService(env: ConnectedEnvironment, serviceId: string, from: DockerSecret, to: Named): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        const service = readDocker(dockerServiceSchema, await env.call((d) => d.getService(serviceId).inspect()), `service ${serviceId}`);
        const spec = moveSecretRefs(service.Spec, from.ID, to);
        if (!spec) return false;
        const prior = await readSwarmSnapshot(env);
        await env.call((d) => d.getService(serviceId).update({ _query: { version: service.Version.Index }, _body: spec }));
        fidelity.track(env, { serviceId, serviceName: service.Spec.Name ?? serviceId, change: "update", before: prior, spec: coreSpecOf({ Spec: spec }).spec, draft: false });
        return true;
      } catch (error) {
        if (error instanceof RampartError && error.code === "not_found" && /\bservice\b.*\bnot found\b/i.test(error.message)) return false;
        if (attempt < UPDATE_ATTEMPTS && lostRace(error)) continue;
        throw error;
      }
    }
  }

  /**
   * Follows a rollout: once no service references the old version and no task holds it,
   * removes it (audited as the rotation's actor). A stalled update is named in `why`
   * and followed on, as a person may resume it; after an hour the rotation stops. A
   * rotation whose environment was removed is dropped.
   */
  function follow(env: ConnectedEnvironment, tracked: Tracked, actor: Actor, ip: string | null): void {
    const tick = async () => {
      if (!(await dropRemoved(tracked.envId))) return;
      const progress = rotationProgressOf(tracked.from, tracked.to, await readSecretUse(env), tracked.moved);
      if (progress.done) {
        try {
          await env.call((d) => d.getSecret(tracked.from.id).remove());
          await audit.record({ actor, action: "secret.remove", target: secretTarget(tracked.from), context: secretTarget(tracked.to), outcome: "success", reason: "rotation complete: nothing uses it", ip, env: env.auditEnv });
        } catch (error) {
          // Removed meanwhile by someone else: the rotation is over all the same.
          if (!(error instanceof RampartError && error.code === "not_found")) throw error;
        }
        tracked.oldRemoved = true;
        tracked.phase = "complete";
        tracked.why = null;
        return;
      }
      const stalled = stalledRollout(progress.services);
      tracked.phase = stalled ? "stopped" : "rolling-out";
      tracked.why = stalled;
      schedule();
    };
    const schedule = () => {
      if (stopped) return;
      if (deps.now().getTime() - tracked.startedAt > FOLLOW_LIMIT_MS) {
        tracked.phase = "stopped";
        tracked.why = `the rollout did not finish within an hour${tracked.why ? ` (${tracked.why})` : ""}: ${tracked.from.name} stays while anything uses it`;
        return;
      }
      tracked.timer = setTimeout(() => {
        tracked.timer = undefined;
        const running: Promise<void> = tick()
          .catch((error: unknown) => {
            // Docker refused or was unreachable: say so, and look again.
            if (!(error instanceof RampartError)) deps.log.warn({ env: env.record.name, secret: tracked.from.name, err: String(error) }, "following a secret rotation failed unexpectedly");
            tracked.why = sentenceOf(error);
            schedule();
          })
          .finally(() => ticking.delete(running));
        ticking.add(running);
      }, FOLLOW_INTERVAL_MS);
      tracked.timer.unref();
    };
    schedule();
  }

  function find(envId: string, fromRef: string, toRef: string): Tracked | undefined {
    return (rotations.get(envId) ?? []).findLast((r) => matches(fromRef, r.from) && matches(toRef, r.to));
  }

  return {
    /**
     * Creates the next version and moves every service that references the old one to
     * it, then follows the rollout in the background. Anything that fails once the new
     * version exists (a refusal while moving, a read of the swarm) stops the rotation
     * there: the error says where and carries Docker's text, the rotation's progress
     * keeps saying it, and the failure is audited.
     */
    async rotate(env: ConnectedEnvironment, request: SecretRotationRequest, actor: Actor, ip: string | null): Promise<DockerSecretRotation> {
      let from: DockerSecret;
      let labels: Record<string, string>;
      try {
        await dropRemoved();
        from = await inspectSecret(env, request.ref);
        labels = checkLabels(request.labels ?? from.Spec.Labels ?? {});
      } catch (error) {
        request.data.fill(0);
        throw error;
      }
      const name = request.name ?? nextSecretVersionName(from.Spec.Name);
      const toId = await createSecretIn(env, { name, data: request.data, labels });
      const to: Named = { id: toId, name };
      const old: Named = { id: from.ID, name: from.Spec.Name };
      await audit.record({ actor, action: "secret.create", target: secretTarget(to), outcome: "success", ip, env: env.auditEnv });
      const tracked: Tracked = { envId: env.record.id, from: old, to, moved: [], phase: "moving", why: null, oldRemoved: false, startedAt: deps.now().getTime() };
      remember(tracked);

      let users: DockerService[] | undefined;
      let at: Named | undefined;
      try {
        users = (await readSecretUse(env)).services.filter((s) => references(s, from.ID)).sort((a, b) => ((a.Spec.Name ?? "") < (b.Spec.Name ?? "") ? -1 : 1));
        for (const user of users) {
          at = { id: user.ID, name: user.Spec.Name ?? user.ID };
          if (!(await moveService(env, user.ID, from, to))) continue;
          tracked.moved.push(at);
          await audit.record({ actor, action: "service.update", target: { type: "service", ...at }, context: secretTarget(to), outcome: "success", reason: `secret ${old.name} replaced by ${to.name}`, ip, env: env.auditEnv });
        }
        at = undefined;
        await audit.record({ actor, action: "secret.rotate", target: secretTarget(old), context: secretTarget(to), outcome: "success", reason: `${tracked.moved.length} of ${users.length} services moved`, ip, env: env.auditEnv });
      } catch (error) {
        const where =
          users === undefined
            ? `stopped before moving any service (${to.name} was created)`
            : at
              ? `stopped at service ${at.name} (${tracked.moved.length} of ${users.length} moved to ${to.name})`
              : `stopped after moving ${tracked.moved.length} of ${users.length} services to ${to.name}`;
        if (!(error instanceof RampartError)) deps.log.warn({ env: env.record.name, secret: old.name, err: String(error) }, "a secret rotation failed unexpectedly");
        tracked.phase = "stopped";
        tracked.why = at ? `service ${at.name}: ${sentenceOf(error)}` : sentenceOf(error);
        await audit
          .record({ actor, action: "secret.rotate", target: secretTarget(old), context: secretTarget(to), outcome: "failure", reason: `${where}: ${sentenceOf(error)}`, ip, env: env.auditEnv })
          .catch((failed: unknown) => deps.log.warn({ env: env.record.name, secret: old.name, err: String(failed) }, "auditing a stopped secret rotation failed"));
        if (!(error instanceof RampartError)) throw error;
        throw new RampartError(error.code, `the rotation of secret ${old.name} ${where}: Docker says: ${error.message}. ${old.name} stays while anything uses it`);
      }
      tracked.phase = "rolling-out";
      follow(env, tracked, actor, ip);

      const [fromNow, toNow, use] = await Promise.all([inspectSecret(env, old.id), inspectSecret(env, to.id), readSecretUse(env)]);
      return { from: secretViewOf(fromNow, use), to: secretViewOf(toNow, use), services: tracked.moved };
    },

    /**
     * Where a rotation stands, counted from Docker now; what this process did (moved
     * services, a stop and its reason, the old version removed) from its memory. The old
     * version may be gone by then: it is named as the rotation knew it.
     */
    async progress(env: ConnectedEnvironment, fromRef: string, toRef: string): Promise<DockerRotationProgress> {
      await dropRemoved();
      const tracked = find(env.record.id, fromRef, toRef);
      let from: Named;
      let to: Named;
      if (tracked) ({ from, to } = tracked);
      else {
        const [a, b] = await Promise.all([inspectSecret(env, fromRef), inspectSecret(env, toRef)]);
        from = { id: a.ID, name: a.Spec.Name };
        to = { id: b.ID, name: b.Spec.Name };
      }
      if (from.id === to.id) throw new RampartError("invalid_argument", "a rotation goes from one secret to another: give two different secrets", { field: "to" });
      const progress = rotationProgressOf(from, to, await readSecretUse(env), tracked?.moved);
      const phase: RotationPhase = tracked ? tracked.phase : "untracked";
      const why = tracked?.why ?? (phase === "untracked" ? stalledRollout(progress.services) : null);
      return {
        ...progress,
        services: progress.services.map(({ id, name, updated }) => ({ id, name, updated })),
        docker: { phase, why, oldRemoved: tracked?.oldRemoved ?? false, services: progress.services },
      };
    },

    /** Stops following every rollout (the server is stopping); resolves once no follow-up is under way. Old versions not yet removed stay. */
    async stop(): Promise<void> {
      stopped = true;
      for (const list of rotations.values()) {
        for (const r of list) {
          clearTimeout(r.timer);
          r.timer = undefined;
        }
      }
      await Promise.all(ticking);
    },
  };
}

export type DockerRotationService = ReturnType<typeof createDockerRotationService>;
