import type { ServiceSpec, TaskState } from "@rampart/core";
import type { Db } from "../prisma.js";

export interface ServiceRecord {
  id: string;
  name: string;
  version: number;
  specVersion: number;
  spec: ServiceSpec;
  createdAt: Date;
  updatedAt: Date;
}

export interface TaskRecord {
  id: string;
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  specVersion: number;
  desiredState: TaskState;
  state: TaskState;
  message: string | null;
  err: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const serviceSelect = { id: true, name: true, version: true, specVersion: true, spec: true, createdAt: true, updatedAt: true } as const;
const taskSelect = {
  id: true,
  serviceId: true,
  slot: true,
  nodeId: true,
  specVersion: true,
  desiredState: true,
  state: true,
  message: true,
  err: true,
  createdAt: true,
  updatedAt: true,
} as const;

type ServiceRow = { id: string; name: string; version: number; specVersion: number; spec: unknown; createdAt: Date; updatedAt: Date };
type TaskRow = Omit<TaskRecord, "desiredState" | "state"> & { desiredState: string; state: string };

const toService = (row: ServiceRow): ServiceRecord => ({ ...row, spec: row.spec as ServiceSpec });
const toTask = (row: TaskRow): TaskRecord => ({ ...row, desiredState: row.desiredState as TaskState, state: row.state as TaskState });

export async function listServices(db: Db): Promise<ServiceRecord[]> {
  return (await db.service.findMany({ select: serviceSelect, orderBy: { name: "asc" } })).map(toService);
}

export async function getService(db: Db, id: string): Promise<ServiceRecord | null> {
  const row = await db.service.findUnique({ where: { id }, select: serviceSelect });
  return row ? toService(row) : null;
}

/** Docker's lookup: exact ID, exact name, or an unambiguous ID prefix. */
export async function findServiceIds(db: Db, ref: string): Promise<string[]> {
  const exact = await db.service.findUnique({ where: { id: ref }, select: { id: true } });
  if (exact) return [exact.id];
  const byName = await db.service.findUnique({ where: { name: ref }, select: { id: true } });
  if (byName) return [byName.id];
  if (!/^[0-9a-z]+$/.test(ref)) return [];
  return (await db.service.findMany({ where: { id: { startsWith: ref } }, select: { id: true }, take: 2 })).map((s) => s.id);
}

export async function createService(db: Db, input: { id: string; spec: ServiceSpec; at: Date }): Promise<ServiceRecord> {
  const row = await db.service.create({
    data: { id: input.id, name: input.spec.name, spec: input.spec as object, createdAt: input.at, updatedAt: input.at },
    select: serviceSelect,
  });
  return toService(row);
}

/** Replaces the spec if the service is still at `expectedVersion`; null if someone else changed it. */
export async function updateServiceSpec(db: Db, id: string, expectedVersion: number, spec: ServiceSpec, at: Date): Promise<ServiceRecord | null> {
  const { count } = await db.service.updateMany({
    where: { id, version: expectedVersion },
    data: { spec: spec as object, name: spec.name, version: { increment: 1 }, specVersion: { increment: 1 }, updatedAt: at },
  });
  return count === 1 ? getService(db, id) : null;
}

export async function deleteService(db: Db, id: string): Promise<boolean> {
  const { count } = await db.service.deleteMany({ where: { id } });
  return count === 1;
}

export async function listTasks(
  db: Db,
  where: { serviceId?: string; nodeId?: string; states?: readonly TaskState[]; desiredStates?: readonly TaskState[] } = {},
): Promise<TaskRecord[]> {
  const rows = await db.task.findMany({
    where: {
      ...(where.serviceId ? { serviceId: where.serviceId } : {}),
      ...(where.nodeId ? { nodeId: where.nodeId } : {}),
      ...(where.states ? { state: { in: [...where.states] } } : {}),
      ...(where.desiredStates ? { desiredState: { in: [...where.desiredStates] } } : {}),
    },
    select: taskSelect,
    orderBy: [{ serviceId: "asc" }, { slot: "asc" }, { createdAt: "asc" }],
  });
  return rows.map(toTask);
}

export interface NewTask {
  id: string;
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  specVersion: number;
  desiredState: TaskState;
  state: TaskState;
  at: Date;
}

export async function createTasks(db: Db, tasks: NewTask[]): Promise<void> {
  if (tasks.length === 0) return;
  await db.task.createMany({
    data: tasks.map((t) => ({
      id: t.id,
      serviceId: t.serviceId,
      slot: t.slot,
      nodeId: t.nodeId,
      specVersion: t.specVersion,
      desiredState: t.desiredState,
      state: t.state,
      createdAt: t.at,
      updatedAt: t.at,
    })),
  });
}

export interface TaskChange {
  id: string;
  nodeId?: string | null;
  state?: TaskState;
  desiredState?: TaskState;
  message?: string | null;
  err?: string | null;
  specVersion?: number;
}

/** Many task changes; the scheduler and orchestrator write in batches. */
export async function updateTasks(db: Db, changes: TaskChange[], at: Date): Promise<void> {
  for (const c of changes) {
    await db.task.updateMany({
      where: { id: c.id },
      data: {
        ...(c.nodeId !== undefined ? { nodeId: c.nodeId } : {}),
        ...(c.state ? { state: c.state } : {}),
        ...(c.desiredState ? { desiredState: c.desiredState } : {}),
        ...(c.message !== undefined ? { message: c.message } : {}),
        ...(c.err !== undefined ? { err: c.err } : {}),
        ...(c.specVersion !== undefined ? { specVersion: c.specVersion } : {}),
        updatedAt: at,
      },
    });
  }
}

/** One change, written only if the task is still as the caller read it; false if it was not. */
export async function updateTaskIf(
  db: Db,
  expected: { id: string; nodeId: string; state: TaskState },
  change: { state: TaskState; message: string | null },
  at: Date,
): Promise<boolean> {
  const { count } = await db.task.updateMany({
    where: { id: expected.id, nodeId: expected.nodeId, state: expected.state },
    data: { state: change.state, message: change.message, updatedAt: at },
  });
  return count === 1;
}

export async function deleteTasks(db: Db, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.task.deleteMany({ where: { id: { in: ids } } });
}

export async function getTask(db: Db, id: string): Promise<TaskRecord | null> {
  const row = await db.task.findUnique({ where: { id }, select: taskSelect });
  return row ? toTask(row) : null;
}

const ASSIGNED_TO_RUNNING: TaskState[] = ["assigned", "accepted", "preparing", "ready", "starting", "running"];

/** The tasks a node should know about: assigned to it, from ASSIGNED up to and including RUNNING. */
export async function listNodeAssignments(db: Db, nodeId: string): Promise<Array<TaskRecord & { serviceName: string }>> {
  return (await listManyNodeAssignments(db, [nodeId])).get(nodeId) ?? [];
}

/** The same for many nodes in one query, by node. */
export async function listManyNodeAssignments(db: Db, nodeIds: readonly string[]): Promise<Map<string, Array<TaskRecord & { serviceName: string }>>> {
  const rows = await db.task.findMany({
    where: { nodeId: { in: [...nodeIds] }, state: { in: ASSIGNED_TO_RUNNING } },
    select: { ...taskSelect, service: { select: { name: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const byNode = new Map<string, Array<TaskRecord & { serviceName: string }>>();
  for (const { service, ...row } of rows) {
    const task = { ...toTask(row), serviceName: service.name };
    const list = byNode.get(task.nodeId!);
    if (list) list.push(task);
    else byNode.set(task.nodeId!, [task]);
  }
  return byNode;
}
