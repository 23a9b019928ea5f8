import type Docker from "dockerode";
import { SECRETS_DIR, type TaskRuntime } from "@rampart/core";
import type { AssignedTask } from "../client.js";

/** Labels on every container the agent makes: how it finds its own after a restart. */
export const LABEL = {
  node: "com.rampart.node.id",
  task: "com.rampart.task.id",
  service: "com.rampart.service.id",
  serviceName: "com.rampart.service.name",
  slot: "com.rampart.task.slot",
} as const;

/** A secret's file on the node, bind-mounted read-only at /run/secrets/<target>. */
export interface SecretBind {
  source: string;
  target: string;
}

/** Swarm's container name: `<service>.<slot>.<task>`, or `<service>.<node>.<task>` for a global service's task. */
export function containerName(task: Pick<AssignedTask, "id" | "serviceName" | "slot">, nodeId: string): string {
  const name = `${task.serviceName}.${task.slot ?? nodeId}.${task.id}`;
  return name.replace(/[^a-zA-Z0-9_.-]/g, "-");
}

/**
 * The Engine API's ContainerCreate body for one task, as Swarm's executor builds it:
 * Command is the entrypoint and Args the command; resources, mounts, the security
 * settings of the spec (ADR 0019), and the task's secrets as read-only binds. No secret
 * value is ever in it: only the path of the node's tmpfs file.
 */
export function containerConfig(
  task: AssignedTask & { runtime: TaskRuntime },
  nodeId: string,
  secrets: readonly SecretBind[],
  seccompProfile?: string,
): Docker.ContainerCreateOptions {
  const { image, container: c, limits, reservations, hostPorts } = task.runtime;
  const securityOpt: string[] = [];
  if (c.noNewPrivileges) securityOpt.push("no-new-privileges:true");
  if (c.seccomp.mode === "unconfined") securityOpt.push("seccomp=unconfined");
  if (c.seccomp.mode === "custom" && seccompProfile !== undefined) securityOpt.push(`seccomp=${seccompProfile}`);
  if (c.apparmor) securityOpt.push(`apparmor=${c.apparmor}`);
  const mounts: Docker.MountSettings[] = [
    ...c.mounts.map((m) => ({
      Type: m.type,
      Target: m.target,
      Source: m.type === "tmpfs" ? "" : m.source,
      ReadOnly: m.readOnly,
      ...(m.type === "tmpfs" && (m.tmpfsSizeBytes !== undefined || m.tmpfsMode !== undefined)
        ? // 0 is the engine's "not set" for both (no size limit, mode 1777).
          { TmpfsOptions: { SizeBytes: m.tmpfsSizeBytes ?? 0, Mode: m.tmpfsMode ?? 0 } }
        : {}),
    })),
    ...secrets.map((s) => ({ Type: "bind" as const, Source: s.source, Target: `${SECRETS_DIR}/${s.target}`, ReadOnly: true })),
  ];
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostPort: string }>> = {};
  for (const p of hostPorts) {
    const key = `${p.targetPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostPort: String(p.publishedPort) });
  }
  return {
    name: containerName(task, nodeId),
    Image: image,
    ...(c.command.length > 0 ? { Entrypoint: c.command } : {}),
    ...(c.args.length > 0 ? { Cmd: c.args } : {}),
    Env: c.env,
    ...(c.workdir ? { WorkingDir: c.workdir } : {}),
    ...(c.user ? { User: c.user } : {}),
    ...(c.hostname ? { Hostname: c.hostname } : {}),
    ...(c.stopSignal ? { StopSignal: c.stopSignal } : {}),
    StopTimeout: Math.ceil(c.stopGracePeriodNs / 1e9),
    ExposedPorts: exposed,
    Labels: {
      ...c.labels,
      [LABEL.node]: nodeId,
      [LABEL.task]: task.id,
      [LABEL.service]: task.serviceId,
      [LABEL.serviceName]: task.serviceName,
      [LABEL.slot]: String(task.slot ?? ""),
    },
    HostConfig: {
      Init: c.init,
      ReadonlyRootfs: c.readOnly,
      CapAdd: c.capAdd,
      CapDrop: c.capDrop,
      Privileged: c.privileged,
      SecurityOpt: securityOpt,
      Mounts: mounts,
      PortBindings: bindings,
      ...(c.hostNetwork ? { NetworkMode: "host" } : {}),
      ...(limits?.nanoCpus ? { NanoCpus: limits.nanoCpus } : {}),
      ...(limits?.memoryBytes ? { Memory: limits.memoryBytes } : {}),
      ...(reservations.memoryBytes ? { MemoryReservation: reservations.memoryBytes } : {}),
      // Swarm restarts tasks, the engine does not.
      RestartPolicy: { Name: "no" },
    },
  };
}
