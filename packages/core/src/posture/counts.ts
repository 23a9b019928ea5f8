import { TASK_STATES, type TaskState } from "../service/index.js";
import type { PostureNode, PostureService, PostureSnapshot, PostureTask } from "./snapshot.js";

/** What the Overview counts, each with its trouble. */
export interface PostureCounts {
  nodes: { total: number; ready: number; down: number; unknown: number; drained: number };
  services: { total: number; converged: number; pending: number; failing: number };
  /**
   * Tasks meant to run: running, pending (no node yet), and starting (on a node, on their
   * way to running: assigned, accepted, preparing, starting, or waiting out a restart
   * delay); failed counts slots whose last task failed and that run nothing.
   */
  tasks: { running: number; pending: number; starting: number; failed: number };
  secrets: { total: number; inUse: number; unused: number };
}

const rank = (state: TaskState) => TASK_STATES[state];

/** A task meant to run that has not ended: what `docker service ps` lists first. */
export function isCurrentTask(task: Pick<PostureTask, "state" | "desiredState">): boolean {
  return rank(task.desiredState) <= TASK_STATES.running && rank(task.state) <= TASK_STATES.running;
}

/** A slot (a global service's node) whose most recent ended task failed or was rejected, and that runs nothing. */
export interface FailingSlot {
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  /** The last task's error, or its message. */
  reason: string;
  at: Date;
}

/**
 * The failing slots among these tasks: no running task, and the newest ended one failed
 * or was rejected. Newest first. Given the nodes, a global service's slot on a node that
 * is gone or drained is left out: the service no longer means to run there, and the
 * failed task is only history.
 */
export function failingSlots(tasks: readonly PostureTask[], nodes?: readonly Pick<PostureNode, "id" | "availability">[]): FailingSlot[] {
  const meant = nodes && new Set(nodes.filter((n) => n.availability !== "drain").map((n) => n.id));
  const slots = new Map<string, PostureTask[]>();
  for (const t of tasks) {
    const key = `${t.serviceId}\u0000${t.slot === null ? `node:${t.nodeId ?? "?"}` : `slot:${t.slot}`}`;
    const group = slots.get(key);
    if (group) group.push(t);
    else slots.set(key, [t]);
  }
  const out: FailingSlot[] = [];
  for (const group of slots.values()) {
    const { slot, nodeId } = group[0]!;
    if (meant && slot === null && (nodeId === null || !meant.has(nodeId))) continue;
    if (group.some((t) => t.state === "running" && isCurrentTask(t))) continue;
    let last: PostureTask | undefined;
    for (const t of group) {
      if (rank(t.state) <= TASK_STATES.running) continue;
      if (!last || t.updatedAt.getTime() > last.updatedAt.getTime()) last = t;
    }
    if (!last || (last.state !== "failed" && last.state !== "rejected")) continue;
    out.push({ serviceId: last.serviceId, slot: last.slot, nodeId: last.nodeId, reason: last.err ?? last.message ?? `task ${last.state}`, at: last.updatedAt });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime());
}

function serviceState(service: PostureService, tasks: readonly PostureTask[], failing: boolean): "converged" | "pending" | "failing" {
  if (failing) return "failing";
  const current = tasks.filter(isCurrentTask);
  const running = current.filter((t) => t.state === "running").length;
  const desired = service.replicas ?? current.length;
  return running === desired && running === current.length ? "converged" : "pending";
}

/** The counts the Overview leads with, from one snapshot. */
export function postureCounts(snapshot: PostureSnapshot): PostureCounts {
  const nodes = { total: snapshot.nodes.length, ready: 0, down: 0, unknown: 0, drained: 0 };
  for (const n of snapshot.nodes) {
    nodes[n.state]++;
    if (n.availability === "drain") nodes.drained++;
  }

  const byService = new Map<string, PostureTask[]>();
  for (const t of snapshot.tasks) {
    const list = byService.get(t.serviceId);
    if (list) list.push(t);
    else byService.set(t.serviceId, [t]);
  }
  const known = new Set(snapshot.services.map((s) => s.id));
  const failing = failingSlots(snapshot.tasks, snapshot.nodes).filter((f) => known.has(f.serviceId));
  const failingServices = new Set(failing.map((f) => f.serviceId));
  const services = { total: snapshot.services.length, converged: 0, pending: 0, failing: 0 };
  for (const s of snapshot.services) services[serviceState(s, byService.get(s.id) ?? [], failingServices.has(s.id))]++;

  const tasks = { running: 0, pending: 0, starting: 0, failed: failing.length };
  for (const t of snapshot.tasks) {
    if (!known.has(t.serviceId) || !isCurrentTask(t)) continue;
    if (t.state === "running") tasks.running++;
    else if (rank(t.state) <= TASK_STATES.pending) tasks.pending++;
    else tasks.starting++;
  }

  const inUse = snapshot.secrets.filter((s) => s.services.length > 0).length;
  return { nodes, services, tasks, secrets: { total: snapshot.secrets.length, inUse, unused: snapshot.secrets.length - inUse } };
}
