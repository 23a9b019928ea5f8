import { createHash } from "node:crypto";
import {
  RampartError,
  SECCOMP_PROFILE_NAME,
  checkHostAccess,
  containerOf,
  escapeUnsafeText,
  invalidArgument,
  newId,
  weakenedProtections,
  type Actor,
  type ServiceSpec,
  type Weakening,
} from "@rampart/core";
import {
  createSeccompProfile,
  deleteSeccompProfile,
  getSeccompProfile,
  listSeccompProfiles,
  lockSeccompProfile,
  nodeNeedsSeccompProfile,
  servicesUsingSeccompProfile,
  type Db,
  type SeccompProfileRecord,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ClusterService } from "../cluster/index.js";
import type { ManagerDeps } from "../deps.js";

/** A profile larger than this is not a seccomp profile anyone writes by hand (the engine's own is ~25 KiB). */
export const MAX_SECCOMP_PROFILE_BYTES = 256 * 1024;

/**
 * Checks a custom seccomp profile's content the way the engine reads it: a JSON object
 * with a `defaultAction`. The engine judges the rest when it starts a container; a
 * profile it cannot use rejects the task with the engine's words.
 */
export function checkSeccompProfileContent(content: string): void {
  if (Buffer.byteLength(content) > MAX_SECCOMP_PROFILE_BYTES) {
    throw invalidArgument("content", `a seccomp profile may be at most ${MAX_SECCOMP_PROFILE_BYTES / 1024} KiB`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    // JSON.parse's words quote a few characters of the input: escaped, as they may be controls (ADR 0013).
    throw invalidArgument("content", `the seccomp profile is not valid JSON: ${error instanceof Error ? escapeUnsafeText(error.message) : "parse error"}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalidArgument("content", "a seccomp profile is a JSON object");
  }
  const action = (parsed as { defaultAction?: unknown }).defaultAction;
  if (typeof action !== "string" || !/^SCMP_ACT_[A-Z_]+$/.test(action)) {
    throw invalidArgument("content", 'a seccomp profile needs a "defaultAction" such as "SCMP_ACT_ERRNO"');
  }
  // SCMP_ACT_NOTIFY hands the container's system calls to a listener outside it, which
  // the engine would reach through `listenerPath`: a door out of the sandbox, not a rule.
  if (/"SCMP_ACT_NOTIFY"/.test(content) || "listenerPath" in (parsed as object)) {
    throw invalidArgument("content", "a seccomp profile may not use SCMP_ACT_NOTIFY or a listenerPath: they hand system calls to a process outside the container");
  }
}

function checkProfileName(name: string): void {
  if (!SECCOMP_PROFILE_NAME.test(name)) {
    throw invalidArgument("name", "a seccomp profile's name is 1 to 64 letters, digits, '.', '_' or '-', starting and ending with a letter or digit");
  }
}

/**
 * What a service's container may reach on its node, beyond the spec's own rules: the
 * runtime policy (host paths, host network, privileged), and custom seccomp profiles,
 * stored once by name and shared (ADR 0019).
 */
export function createRuntimeService(deps: ManagerDeps, audit: AuditService, cluster: ClusterService) {
  const db = deps.store.prisma;

  return {
    /**
     * A spec's container against the runtime policy and the stored profiles; returns the
     * protections it gives up, for the audit event. Refused with nothing written. On an
     * update, only what the update adds is held against the policy: host access the
     * service already had (allowed when it was given) does not block a scale, a secret's
     * rotation or any other change once the policy has been tightened.
     */
    async checkSpec(tx: Db, spec: ServiceSpec, previous?: ServiceSpec): Promise<Weakening[]> {
      const container = containerOf(spec);
      const before = previous ? containerOf(previous) : undefined;
      const kept = new Set((before?.mounts ?? []).filter((m) => m.type === "bind").map((m) => `${m.source}\n${m.target}`));
      checkHostAccess(
        {
          ...container,
          // A refused mount keeps its index in the field the error names.
          mounts: container.mounts.map((m) => (m.type === "bind" && kept.has(`${m.source}\n${m.target}`) ? { ...m, type: "volume" as const } : m)),
          hostNetwork: container.hostNetwork && !before?.hostNetwork,
          privileged: container.privileged && !before?.privileged,
        },
        cluster.current().record.runtimePolicy,
      );
      if (container.seccomp.mode === "custom") {
        const name = container.seccomp.profile ?? "";
        if (!(await lockSeccompProfile(tx, name, "share"))) {
          throw new RampartError("not_found", `seccomp profile ${name} not found; add it under Swarm settings → Seccomp profiles`, {
            field: "container.seccomp.profile",
          });
        }
      }
      return weakenedProtections(container);
    },

    listProfiles: (): Promise<SeccompProfileRecord[]> => listSeccompProfiles(db),

    async getProfile(name: string): Promise<SeccompProfileRecord & { content: string; usedBy: string[] }> {
      const profile = await getSeccompProfile(db, name);
      if (!profile) throw new RampartError("not_found", `seccomp profile ${name} not found`, { field: "name" });
      return { ...profile, usedBy: await servicesUsingSeccompProfile(db, name) };
    },

    async createProfile(input: { name: string; content: string }, actor: Actor, ip: string | null): Promise<SeccompProfileRecord> {
      checkProfileName(input.name);
      checkSeccompProfileContent(input.content);
      return deps.store.transaction(async (tx) => {
        if (await getSeccompProfile(tx, input.name)) {
          throw new RampartError("already_exists", `seccomp profile ${input.name} already exists; profiles cannot change, so give the new one a new name`, {
            field: "name",
          });
        }
        const digest = createHash("sha256").update(input.content).digest("hex");
        const created = await createSeccompProfile(tx, { id: newId(deps.random(17)), name: input.name, content: input.content, digest, at: deps.now() });
        await audit.record({ actor, action: "seccomp.create", target: { type: "seccomp", id: created.id, name: created.name }, outcome: "success", ip }, tx);
        return created;
      });
    },

    /** Removes a profile no service names. */
    async removeProfile(name: string, actor: Actor, ip: string | null): Promise<void> {
      await deps.store.transaction(async (tx) => {
        // Taken first: a service being created with this profile finishes before the check below, or waits for the removal.
        await lockSeccompProfile(tx, name, "update");
        const profile = await getSeccompProfile(tx, name);
        if (!profile) throw new RampartError("not_found", `seccomp profile ${name} not found`, { field: "name" });
        const users = await servicesUsingSeccompProfile(tx, name);
        if (users.length > 0) {
          throw new RampartError("failed_precondition", `seccomp profile ${name} is in use by service ${users.slice(0, 5).join(", ")}${users.length > 5 ? ` and ${users.length - 5} more` : ""}`, {
            field: "name",
          });
        }
        await deleteSeccompProfile(tx, name);
        await audit.record({ actor, action: "seccomp.remove", target: { type: "seccomp", id: profile.id, name }, outcome: "success", ip }, tx);
      });
    },

    /** A profile's content for a node, only while one of its assigned tasks names it. */
    async profileForNode(nodeId: string, name: string): Promise<string> {
      if (!SECCOMP_PROFILE_NAME.test(name) || !(await nodeNeedsSeccompProfile(db, nodeId, name))) {
        throw new RampartError("permission_denied", `no task of this node uses seccomp profile ${name.slice(0, 64)}`);
      }
      const profile = await getSeccompProfile(db, name);
      if (!profile) throw new RampartError("not_found", `seccomp profile ${name} not found`);
      return profile.content;
    },
  };
}

export type RuntimeService = ReturnType<typeof createRuntimeService>;
