import { taskStatesBetween, type SecretReference, type ServiceSpec, type TaskState } from "@rampart/core";
import type { Db, Prisma } from "../prisma.js";
import { valuesClause } from "./sql.js";

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
  /** The secret references the task is made with: its service's, at creation. */
  secrets?: readonly SecretReference[];
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
      secrets: (t.secrets ?? []) as unknown as Prisma.InputJsonValue,
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

const TASK_CHANGE_COLUMNS = [
  ["node_id", "text", "nodeId"],
  ["state", "text", "state"],
  ["desired_state", "text", "desiredState"],
  ["message", "text", "message"],
  ["err", "text", "err"],
  ["spec_version", "integer", "specVersion"],
] as const;
/** Rows per statement: PostgreSQL takes at most 65,535 parameters. */
const UPDATE_CHUNK = 4_000;

/**
 * Many task changes; the scheduler and orchestrators write in batches. Changes that set
 * the same fields are written together, a few thousand rows per statement.
 */
export async function updateTasks(db: Db, changes: TaskChange[], at: Date): Promise<void> {
  const groups = new Map<string, TaskChange[]>();
  for (const change of changes) {
    const shape = TASK_CHANGE_COLUMNS.map(([, , key]) => (change[key] === undefined ? "0" : "1")).join("");
    (groups.get(shape) ?? groups.set(shape, []).get(shape)!).push(change);
  }
  for (const [shape, group] of groups) {
    const columns = TASK_CHANGE_COLUMNS.filter((_, i) => shape[i] === "1");
    for (let start = 0; start < group.length; start += UPDATE_CHUNK) {
      const params: unknown[] = [at];
      const rows = group.slice(start, start + UPDATE_CHUNK).map((c) => [c.id, ...columns.map(([, , key]) => c[key])]);
      const values = valuesClause(rows, [["id", "text"], ...columns.map(([name, type]) => [name, type] as const)], params);
      const sets = [...columns.map(([name]) => `${name} = v.${name}`), "updated_at = $1::timestamptz"].join(", ");
      await db.$executeRawUnsafe(
        `UPDATE task AS t SET ${sets} FROM (VALUES ${values}) AS v(id${columns.map(([name]) => `, ${name}`).join("")}) WHERE t.id = v.id`,
        ...params,
      );
    }
  }
}

/** A node's report on one of its tasks, to be written only from one of `from`. */
export interface ConditionalTaskChange {
  id: string;
  nodeId: string;
  from: readonly TaskState[];
  state: TaskState;
  message: string | null;
}

/**
 * Reports from nodes, in one statement: each is written only if its task is still on
 * that node and in one of its `from` states. For each, the task's service and desired
 * state when written, null if it was not (the caller reads the task to say why). Of two
 * reports on one task in one batch, one is written and the other reads as refused.
 */
export async function updateTasksIf(
  db: Db,
  changes: readonly ConditionalTaskChange[],
  at: Date,
): Promise<Array<{ serviceId: string; desiredState: TaskState } | null>> {
  if (changes.length === 0) return [];
  const params: unknown[] = [at];
  // Each row carries its place, so RETURNING says which change was written (of two on
  // one task, PostgreSQL writes one and does not otherwise say which).
  const values = valuesClause(
    changes.map((c, i) => [i, c.id, c.nodeId, [...c.from], c.state, c.message]),
    [["ord", "integer"], ["id", "text"], ["node_id", "text"], ["from_states", "text[]"], ["state", "text"], ["message", "text"]],
    params,
  );
  const rows = await db.$queryRawUnsafe<{ ord: number; service_id: string; desired_state: TaskState }[]>(
    `UPDATE task AS t SET state = v.state, message = v.message, updated_at = $1::timestamptz
     FROM (VALUES ${values}) AS v(ord, id, node_id, from_states, state, message)
     WHERE t.id = v.id AND t.node_id = v.node_id AND t.state = ANY(v.from_states)
     RETURNING v.ord, t.service_id, t.desired_state`,
    ...params,
  );
  const written = new Map(rows.map((r) => [Number(r.ord), { serviceId: r.service_id, desiredState: r.desired_state }]));
  return changes.map((_, i) => written.get(i) ?? null);
}

export async function deleteTasks(db: Db, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.task.deleteMany({ where: { id: { in: ids } } });
}

export async function getTask(db: Db, id: string): Promise<TaskRecord | null> {
  const row = await db.task.findUnique({ where: { id }, select: taskSelect });
  return row ? toTask(row) : null;
}

const ASSIGNED_TO_RUNNING = taskStatesBetween("assigned", "running");

/** A task as its node is told of it: with its service's name and its secret references. */
export type NodeAssignment = TaskRecord & { serviceName: string; secrets: SecretReference[] };

/** The tasks a node should know about: assigned to it, from ASSIGNED up to and including RUNNING. */
export async function listNodeAssignments(db: Db, nodeId: string): Promise<NodeAssignment[]> {
  return (await listManyNodeAssignments(db, [nodeId])).get(nodeId) ?? [];
}

/** The same for many nodes in one query, by node. */
export async function listManyNodeAssignments(db: Db, nodeIds: readonly string[]): Promise<Map<string, NodeAssignment[]>> {
  const rows = await db.task.findMany({
    where: { nodeId: { in: [...nodeIds] }, state: { in: ASSIGNED_TO_RUNNING } },
    select: { ...taskSelect, secrets: true, service: { select: { name: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const byNode = new Map<string, NodeAssignment[]>();
  for (const { service, secrets, ...row } of rows) {
    const task = { ...toTask(row), serviceName: service.name, secrets: Array.isArray(secrets) ? (secrets as unknown as SecretReference[]) : [] };
    const list = byNode.get(task.nodeId!);
    if (list) list.push(task);
    else byNode.set(task.nodeId!, [task]);
  }
  return byNode;
}
