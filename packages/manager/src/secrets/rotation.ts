import { RampartError, type Actor, type SecretInfo, type SecretReference } from "@rampart/core";
import { servicesReferencingSecrets, type Db, type ServiceRecord } from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import { checkLabels, secretTarget, type SecretHolder, type SecretService, type SecretView } from "./index.js";

/**
 * Rotating a secret (issue 5, point 6). Swarm's secrets are immutable, so a rotation is
 * what an operator would do by hand (`docker secret create` a new version, then
 * `docker service update --secret-rm old --secret-add source=new,target=same` on every
 * service), done as one step: the new version is created and every service that
 * references the old one is moved to it, keeping each reference's target, owner and
 * mode, in one transaction. A failure anywhere leaves nothing behind: no new secret
 * without the services moved, no service half moved.
 *
 * The rollout is then followed from the tasks. A task keeps the secrets it was made
 * with (`task.secrets`), so a task made before the move holds the old version until it
 * leaves RUNNING, and one made after holds the new: the counts come from the same
 * holdings that decide delivery (`secretHoldings`), so what the rotation reports and
 * what the nodes are sent cannot disagree.
 */

export interface SecretRotationRequest {
  /** The secret to replace: ID, ID prefix or name. */
  ref: string;
  /** The new version's payload. Wiped (filled with zeros) once sealed. */
  data: Uint8Array;
  /** The new version's name; by default the next `_v<N>` (see nextSecretVersionName). */
  name?: string | undefined;
  /** The new version's labels; by default the old one's. */
  labels?: Record<string, string> | undefined;
}

export interface SecretRotation {
  from: SecretView;
  to: SecretView;
  /** The services moved from the old version to the new, by name. */
  services: Array<{ id: string; name: string }>;
}

export interface RotationProgress {
  from: { id: string; name: string };
  to: { id: string; name: string };
  /**
   * The services of the rotation: those that reference either version. `updated` when a
   * service references the new one and no longer the old.
   */
  services: Array<{ id: string; name: string; updated: boolean }>;
  /** Tasks, ASSIGNED to RUNNING, made with the old version (their nodes hold it). */
  tasksOnOld: number;
  /** Tasks, ASSIGNED to RUNNING, made with the new version. */
  tasksOnNew: number;
  /** The nodes that hold the old version now, with how many of their tasks were made with it. */
  nodesWithOld: SecretHolder[];
  /** No service references the old version and no task holds it: the rollout is over. */
  done: boolean;
  /** `secret.remove` of the old version would be accepted: no service references it. */
  canRemoveOld: boolean;
}

const VERSIONED = /^(.*)_v([0-9]+)$/;

/**
 * The default name of a secret's next version: `db_password_v3` after `db_password_v2`,
 * `db_password_v2` after `db_password`. Swarm's name rules apply to the result as to any
 * name (a 64-character name has no room for a suffix; the caller then names it).
 */
export function nextSecretVersionName(name: string): string {
  const match = VERSIONED.exec(name);
  if (match) return `${match[1]!}_v${BigInt(match[2]!) + 1n}`;
  return `${name}_v2`;
}

/** A service's references with every one to `from` pointed at `to`, target, owner and mode kept. */
export function moveReferences(refs: readonly SecretReference[], from: string, to: { id: string; name: string }): SecretReference[] {
  return refs.map((r) => (r.secretId === from ? { ...r, secretId: to.id, secretName: to.name } : r));
}

/**
 * What a rotation needs of the services: to read one, and to update it inside the
 * rotation's transaction, announcing the change once that commits.
 */
export interface ServiceUpdater {
  resolve(ref: string, tx: Db): Promise<ServiceRecord>;
  updateIn(
    tx: Db,
    ref: string,
    version: number,
    spec: ServiceRecord["spec"],
    actor: Actor,
    ip: string | null,
  ): Promise<{ service: ServiceRecord; announce: () => void }>;
}

const tasksOf = (holders: readonly SecretHolder[]) => holders.reduce((n, h) => n + h.tasks, 0);

export function createSecretRotation(deps: ManagerDeps, audit: AuditService, secrets: SecretService, services: ServiceUpdater) {
  return {
    /**
     * Creates the new version and moves every service that references the old one to it.
     * Each move is a normal service update at the service's current version (a service
     * changed meanwhile fails the whole rotation with the usual conflict), audited as
     * such with its grant and revoke; one `secret.rotate` event names the old version
     * as its target and the new one as its context.
     */
    async rotate(request: SecretRotationRequest, actor: Actor, ip: string | null): Promise<SecretRotation> {
      let old: SecretInfo;
      try {
        old = await secrets.resolve(request.ref);
      } catch (error) {
        request.data.fill(0);
        throw error;
      }
      const prepared = secrets.prepare(request.name ?? nextSecretVersionName(old.name), request.data);
      const labels = checkLabels(request.labels ?? old.labels);
      const moved = await deps.store.transaction(async (tx) => {
        const from = await secrets.resolve(old.id, tx);
        const to = await secrets.insert(tx, prepared, labels, actor, ip);
        await audit.record({ actor, action: "secret.rotate", target: secretTarget(from), context: secretTarget(to), outcome: "success", ip }, tx);
        const users = await servicesReferencingSecrets(tx, from.id);
        const announcements: Array<() => void> = [];
        for (const user of users) {
          const current = await services.resolve(user.id, tx);
          const spec = { ...current.spec, secrets: moveReferences(current.spec.secrets ?? [], from.id, to) };
          announcements.push((await services.updateIn(tx, current.id, current.version, spec, actor, ip)).announce);
        }
        return { from, to, services: users.map(({ id, name }) => ({ id, name })), announcements };
      });
      for (const announce of moved.announcements) announce();
      return { from: await secrets.get(moved.from.id), to: await secrets.get(moved.to.id), services: moved.services };
    },

    /** Where a rotation from `fromRef` to `toRef` stands: which services moved, which tasks and nodes still hold the old version. */
    async progress(fromRef: string, toRef: string): Promise<RotationProgress> {
      const [from, to] = await Promise.all([secrets.resolve(fromRef), secrets.resolve(toRef)]);
      if (from.id === to.id) throw new RampartError("invalid_argument", "a rotation goes from one secret to another: give two different secrets", { field: "to" });
      const [usingOld, usingNew, holdingOld, holdingNew] = await Promise.all([
        secrets.servicesUsing(from.id),
        secrets.servicesUsing(to.id),
        secrets.nodesHolding(from.id),
        secrets.nodesHolding(to.id),
      ]);
      const onOld = new Set(usingOld.map((s) => s.id));
      const byId = new Map([...usingOld, ...usingNew].map((s) => [s.id, s.name]));
      const tasksOnOld = tasksOf(holdingOld);
      return {
        from: { id: from.id, name: from.name },
        to: { id: to.id, name: to.name },
        services: [...byId]
          .map(([id, name]) => ({ id, name, updated: !onOld.has(id) }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        tasksOnOld,
        tasksOnNew: tasksOf(holdingNew),
        nodesWithOld: holdingOld,
        done: onOld.size === 0 && tasksOnOld === 0,
        canRemoveOld: onOld.size === 0,
      };
    },
  };
}

export type SecretRotationService = ReturnType<typeof createSecretRotation>;
