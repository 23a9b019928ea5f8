import { taskStatesBetween, type SecretReference, type ServiceSpec, type TaskChange, type TaskState } from "@rampart/core";
import type { Db, Prisma } from "../prisma.js";
import { unnestClause, valuesClause } from "./sql.js";

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
  /** The service's name when the task was made. */
  serviceName: string;
  /** Bumped on every write (see updateTasksChecked). */
  version: number;
  slot: number | null;
  nodeId: string | null;
  specVersion: number;
  desiredState: TaskState;
  state: TaskState;
  message: string | null;
  err: string | null;
  /** The task's container on its node, as the node reported it. */
  containerId: string | null;
  /** The container's exit code, once it exited. */
  exitCode: number | null;
  createdAt: Date;
  updatedAt: Date;
  /** The spec the task was made with; read only when asked for (`withSpec`). */
  spec?: ServiceSpec;
}

const serviceSelect = { id: true, name: true, version: true, specVersion: true, spec: true, createdAt: true, updatedAt: true } as const;
const taskSelect = {
  id: true,
  serviceId: true,
  serviceName: true,
  version: true,
  slot: true,
  nodeId: true,
  specVersion: true,
  desiredState: true,
  state: true,
  message: true,
  err: true,
  containerId: true,
  exitCode: true,
  createdAt: true,
  updatedAt: true,
} as const;

type ServiceRow = { id: string; name: string; version: number; specVersion: number; spec: unknown; createdAt: Date; updatedAt: Date };
type TaskRow = Omit<TaskRecord, "desiredState" | "state" | "spec"> & { desiredState: string; state: string; spec?: unknown };

const toService = (row: ServiceRow): ServiceRecord => ({ ...row, spec: row.spec as ServiceSpec });
const toTask = ({ spec, ...row }: TaskRow): TaskRecord => ({
  ...row,
  desiredState: row.desiredState as TaskState,
  state: row.state as TaskState,
  ...(spec !== undefined ? { spec: spec as ServiceSpec } : {}),
});

export async function listServices(db: Db): Promise<ServiceRecord[]> {
  return (await db.service.findMany({ select: serviceSelect, orderBy: { name: "asc" } })).map(toService);
}

/** The services among these ids that exist, in one query (ids are sent as one array, however many). */
export async function getServices(db: Db, ids: readonly string[]): Promise<ServiceRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db.$queryRawUnsafe<Array<{ id: string; name: string; version: number; spec_version: number; spec: unknown; created_at: Date; updated_at: Date }>>(
    `SELECT id, name, version, spec_version, spec, created_at, updated_at FROM service WHERE id = ANY($1::text[])`,
    [...new Set(ids)],
  );
  return rows.map((r) => toService({ id: r.id, name: r.name, version: r.version, specVersion: r.spec_version, spec: r.spec, createdAt: r.created_at, updatedAt: r.updated_at }));
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

export interface TaskFilter {
  serviceId?: string;
  serviceIds?: readonly string[];
  nodeId?: string;
  /** With `serviceId`: one slot's tasks (a replicated service's instance). */
  slot?: number;
  ids?: readonly string[];
  states?: readonly TaskState[];
  desiredStates?: readonly TaskState[];
  /** Also read the spec each task was made with. */
  withSpec?: boolean;
}

export async function listTasks(db: Db, where: TaskFilter = {}): Promise<TaskRecord[]> {
  const rows = await db.task.findMany({
    where: {
      ...(where.serviceId ? { serviceId: where.serviceId } : {}),
      ...(where.serviceIds ? { serviceId: { in: [...where.serviceIds] } } : {}),
      ...(where.nodeId ? { nodeId: where.nodeId } : {}),
      ...(where.slot !== undefined ? { slot: where.slot } : {}),
      ...(where.ids ? { id: { in: [...where.ids] } } : {}),
      ...(where.states ? { state: { in: [...where.states] } } : {}),
      ...(where.desiredStates ? { desiredState: { in: [...where.desiredStates] } } : {}),
    },
    select: where.withSpec ? { ...taskSelect, spec: true } : taskSelect,
    orderBy: [{ serviceId: "asc" }, { slot: "asc" }, { createdAt: "asc" }],
  });
  return rows.map(toTask);
}

type PackedTask = [
  id: string,
  serviceId: string,
  serviceName: string,
  version: number,
  slot: number | null,
  nodeId: string | null,
  specVersion: number,
  desiredState: TaskState,
  state: TaskState,
  message: string | null,
  err: string | null,
  createdAt: number,
  updatedAt: number,
  spec: ServiceSpec | null,
  containerId: string | null,
  exitCode: number | null,
];

/**
 * The tasks in these states, as the scheduler reads them on every pass: in listTasks'
 * order, each with its own spec unless its service is one of `servicesRead` (the
 * services the caller read, whose specs it will use; any other task, its service gone
 * or made since, is judged by its own). The rows come as one JSON text built by the
 * database: through either driver, 100,000 tasks read this way take a fraction of the
 * time separate rows do, and the ids go as one array parameter, however many.
 */
export async function listTasksForScheduling(db: Db, states: readonly TaskState[], servicesRead: readonly string[]): Promise<TaskRecord[]> {
  const [row] = await db.$queryRawUnsafe<{ tasks: string }[]>(
    `SELECT coalesce(json_agg(json_build_array(
              id, service_id, service_name, version, slot, node_id, spec_version, desired_state, state, message, err,
              (extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint,
              CASE WHEN service_id = ANY($2::text[]) THEN NULL ELSE spec END, container_id, exit_code)
            ORDER BY service_id, slot, created_at), '[]')::text AS tasks
       FROM task
      WHERE state = ANY($1::text[])`,
    [...states],
    [...servicesRead],
  );
  return (JSON.parse(row!.tasks) as PackedTask[]).map((t) => ({
    id: t[0],
    serviceId: t[1],
    serviceName: t[2],
    version: t[3],
    slot: t[4],
    nodeId: t[5],
    specVersion: t[6],
    desiredState: t[7],
    state: t[8],
    message: t[9],
    err: t[10],
    createdAt: new Date(t[11]),
    updatedAt: new Date(t[12]),
    containerId: t[14],
    exitCode: t[15],
    ...(t[13] !== null ? { spec: t[13] } : {}),
  }));
}

/**
 * Locks the rows of these services until the transaction ends (in ID order, so two
 * transactions never wait on each other in a cycle). Whatever changes a service's tasks
 * (an update, a restart, a rejection's replacement) takes it first, so two of them never
 * plan the same slot from the same read.
 */
export async function lockServices(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.$queryRawUnsafe(`SELECT id FROM service WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [...new Set(ids)]);
}

export interface NewTask {
  id: string;
  serviceId: string;
  serviceName: string;
  /** The spec the task is made with (its service's, now). */
  spec: ServiceSpec;
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
      serviceName: t.serviceName,
      spec: t.spec as object,
      slot: t.slot,
      nodeId: t.nodeId,
      specVersion: t.specVersion,
      desiredState: t.desiredState,
      state: t.state,
      secrets: (t.spec.secrets ?? []) as unknown as Prisma.InputJsonValue,
      createdAt: t.at,
      updatedAt: t.at,
    })),
  });
}

const TASK_CHANGE_COLUMNS = [
  ["node_id", "text", "nodeId"],
  ["state", "text", "state"],
  ["desired_state", "text", "desiredState"],
  ["message", "text", "message"],
  ["err", "text", "err"],
  ["spec_version", "integer", "specVersion"],
] as const;
/** Rows per statement: enough to make a statement's fixed cost small, few enough to keep one statement's memory modest. */
const UPDATE_CHUNK = 20_000;

/** A change to write only if the task is still at `version` (as read). */
export type CheckedTaskChange = TaskChange & { version: number };

/**
 * Writes changes that set the same fields together, each group as arrays unnested in
 * one statement per 20,000 rows. Every write bumps the task's version. With `checked`,
 * a row is written only if its version is still the one given; the ids written are
 * returned.
 */
async function writeTaskChanges(db: Db, changes: readonly (TaskChange & { version?: number })[], at: Date, checked: boolean): Promise<Set<string>> {
  const written = new Set<string>();
  const groups = new Map<string, (TaskChange & { version?: number })[]>();
  for (const change of changes) {
    const shape = TASK_CHANGE_COLUMNS.map(([, , key]) => (change[key] === undefined ? "0" : "1")).join("");
    (groups.get(shape) ?? groups.set(shape, []).get(shape)!).push(change);
  }
  for (const [shape, group] of groups) {
    const columns = TASK_CHANGE_COLUMNS.filter((_, i) => shape[i] === "1");
    const keys: [string, string][] = checked ? [["id", "text"], ["version", "integer"]] : [["id", "text"]];
    const sets = [...columns.map(([name]) => `${name} = v.${name}`), "version = t.version + 1", "updated_at = $1::timestamptz"].join(", ");
    const where = checked ? "t.id = v.id AND t.version = v.version" : "t.id = v.id";
    for (let start = 0; start < group.length; start += UPDATE_CHUNK) {
      const params: unknown[] = [at];
      const rows = group
        .slice(start, start + UPDATE_CHUNK)
        .map((c) => [c.id, ...(checked ? [c.version] : []), ...columns.map(([, , key]) => c[key])]);
      const source = unnestClause(rows, [...keys, ...columns.map(([name, type]) => [name, type] as const)], params);
      const sql = `UPDATE task AS t SET ${sets} FROM ${source} WHERE ${where}`;
      if (!checked) {
        await db.$executeRawUnsafe(sql, ...params);
        continue;
      }
      for (const r of await db.$queryRawUnsafe<{ id: string }[]>(`${sql} RETURNING t.id`, ...params)) written.add(r.id);
    }
  }
  return written;
}

/** Many task changes; the scheduler and orchestrators write in batches. */
export async function updateTasks(db: Db, changes: readonly TaskChange[], at: Date): Promise<void> {
  if (changes.length > 0) await writeTaskChanges(db, changes, at, false);
}

/**
 * Changes decided on a read of the tasks (store.UpdateTask's version check): each is
 * written only if its task is still at the version that was read, so a task stopped,
 * removed or moved in between keeps what happened to it. Returns the ids of the changes
 * that lost (their task changed or is gone).
 */
export async function updateTasksChecked(db: Db, changes: readonly CheckedTaskChange[], at: Date): Promise<string[]> {
  if (changes.length === 0) return [];
  const written = await writeTaskChanges(db, changes, at, true);
  return changes.filter((c) => !written.has(c.id)).map((c) => c.id);
}

/** What a written report returns: the task as it is now, for whoever acts on its end. */
export interface WrittenReport {
  serviceId: string;
  desiredState: TaskState;
  slot: number | null;
  specVersion: number;
}

/** A node's report on one of its tasks, to be written only from one of `from`. */
export interface ConditionalTaskChange {
  id: string;
  nodeId: string;
  from: readonly TaskState[];
  state: TaskState;
  message: string | null;
  /** The runtime's error (a failed or rejected task); absent keeps what the task has. */
  err?: string | null;
  /** The task's container, once the node made one; absent keeps what the task has. */
  containerId?: string | null;
  /** The container's exit code; absent keeps what the task has. */
  exitCode?: number | null;
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
): Promise<Array<WrittenReport | null>> {
  if (changes.length === 0) return [];
  const params: unknown[] = [at];
  // Each row carries its place, so RETURNING says which change was written (of two on
  // one task, PostgreSQL writes one and does not otherwise say which).
  const values = valuesClause(
    changes.map((c, i) => [i, c.id, c.nodeId, [...c.from], c.state, c.message, c.err ?? null, c.containerId ?? null, c.exitCode ?? null]),
    [
      ["ord", "integer"],
      ["id", "text"],
      ["node_id", "text"],
      ["from_states", "text[]"],
      ["state", "text"],
      ["message", "text"],
      ["err", "text"],
      ["container_id", "text"],
      ["exit_code", "integer"],
    ],
    params,
  );
  const rows = await db.$queryRawUnsafe<{ ord: number; service_id: string; desired_state: TaskState; slot: number | null; spec_version: number }[]>(
    `UPDATE task AS t SET state = v.state, message = v.message, err = coalesce(v.err, t.err),
            container_id = coalesce(v.container_id, t.container_id), exit_code = coalesce(v.exit_code, t.exit_code),
            version = t.version + 1, updated_at = $1::timestamptz
     FROM (VALUES ${values}) AS v(ord, id, node_id, from_states, state, message, err, container_id, exit_code)
     WHERE t.id = v.id AND t.node_id = v.node_id AND t.state = ANY(v.from_states)
     RETURNING v.ord, t.service_id, t.desired_state, t.slot, t.spec_version`,
    ...params,
  );
  const written = new Map(
    rows.map((r) => [Number(r.ord), { serviceId: r.service_id, desiredState: r.desired_state, slot: r.slot, specVersion: r.spec_version }]),
  );
  return changes.map((_, i) => written.get(i) ?? null);
}

export async function deleteTasks(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.task.deleteMany({ where: { id: { in: [...ids] } } });
}

/** A task the manager just stopped, as the loops that act on a task's end read it. */
export interface EndedTask {
  id: string;
  serviceId: string;
  nodeId: string | null;
  slot: number | null;
  specVersion: number;
  state: TaskState;
  desiredState: TaskState;
}

interface EndedRow {
  id: string;
  service_id: string;
  node_id: string | null;
  slot: number | null;
  spec_version: number;
  state: TaskState;
  desired_state: TaskState;
}

const ENDED_COLUMNS = "t.id, t.service_id, t.node_id, t.slot, t.spec_version, t.state, t.desired_state";
const toEnded = (r: EndedRow): EndedTask => ({
  id: r.id,
  serviceId: r.service_id,
  nodeId: r.node_id,
  slot: r.slot,
  specVersion: r.spec_version,
  state: r.state,
  desiredState: r.desired_state,
});
const quoted = (states: readonly TaskState[]) => states.map((s) => `'${s}'`).join(", ");

/**
 * The constraint enforcer's write: these tasks are REJECTED (their observed state; the
 * desired state is the orchestrator's), if they are still meant to run at most to
 * COMPLETE and have not ended meanwhile. Returns the tasks it rejected.
 */
export async function rejectTasks(db: Db, ids: readonly string[], message: string, err: string, at: Date): Promise<EndedTask[]> {
  if (ids.length === 0) return [];
  const rows = await db.$queryRawUnsafe<EndedRow[]>(
    `UPDATE task AS t SET state = 'rejected', message = $2, err = $3, version = t.version + 1, updated_at = $4::timestamptz
      WHERE t.id = ANY($1::text[])
        AND t.desired_state IN (${quoted(taskStatesBetween("new", "complete"))})
        AND t.state IN (${quoted(taskStatesBetween("new", "running"))})
      RETURNING ${ENDED_COLUMNS}`,
    [...ids],
    message,
    err,
    at,
  );
  return rows.map(toEnded);
}

/**
 * A node went Down or was removed: the tasks it holds, from ASSIGNED to RUNNING, are
 * marked orphaned with `err`. Returns them.
 */
export async function orphanNodeTasks(db: Db, nodeId: string, err: string, at: Date): Promise<EndedTask[]> {
  const rows = await db.$queryRawUnsafe<EndedRow[]>(
    `UPDATE task AS t SET state = 'orphaned', err = $2, version = t.version + 1, updated_at = $3::timestamptz
      WHERE t.node_id = $1 AND t.state IN (${quoted(taskStatesBetween("assigned", "running"))})
      RETURNING ${ENDED_COLUMNS}`,
    nodeId,
    err,
    at,
  );
  return rows.map(toEnded);
}

/**
 * The task reaper's immediate clean-up: tasks told to go for good (desired REMOVE) that
 * their node has stopped, or that never reached one, are deleted. Returns their ids.
 */
export async function deleteRemovedTasks(db: Db): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `DELETE FROM task
      WHERE desired_state = 'remove'
        AND state IN ('new', 'pending', 'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned')
      RETURNING id`,
  );
  return rows.map((r) => r.id);
}

/** One instance of a service: a replicated slot, or a global service's node. */
export interface TaskInstance {
  serviceId: string;
  slot: number | null;
  /** Set for a global service's instance only. */
  nodeId: string | null;
}

/** The instances of these services that hold more than `over` tasks, with how many. */
export async function crowdedInstances(db: Db, serviceIds: readonly string[], over: number): Promise<Array<TaskInstance & { tasks: number }>> {
  if (serviceIds.length === 0) return [];
  const rows = await db.$queryRawUnsafe<{ service_id: string; slot: number | null; node_id: string | null; n: number }[]>(
    `SELECT service_id, slot, CASE WHEN slot IS NULL THEN node_id END AS node_id, count(*)::int AS n
       FROM task WHERE service_id = ANY($1::text[])
      GROUP BY 1, 2, 3 HAVING count(*) > $2`,
    [...serviceIds],
    over,
  );
  return rows.map((r) => ({ serviceId: r.service_id, slot: r.slot, nodeId: r.node_id, tasks: Number(r.n) }));
}

/**
 * StartNow: replacements held at READY may run (desired RUNNING), unless something moved
 * them on meanwhile. Returns how many were started.
 */
export async function startDelayedTasks(db: Db, ids: readonly string[], at: Date): Promise<number> {
  if (ids.length === 0) return 0;
  return db.$executeRawUnsafe(
    `UPDATE task SET desired_state = 'running', version = version + 1, updated_at = $2::timestamptz
      WHERE id = ANY($1::text[]) AND desired_state = 'ready'`,
    [...ids],
    at,
  );
}

/**
 * SetServiceTasksRemove: every task of a removed service is told to go for good
 * (desired REMOVE, never lowering a later one); its node stops it and the task reaper
 * deletes it.
 */
export async function markServiceTasksRemoved(db: Db, serviceId: string, at: Date): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE task SET desired_state = 'remove', version = version + 1, updated_at = $2::timestamptz
      WHERE service_id = $1 AND desired_state NOT IN ('remove', 'orphaned')`,
    serviceId,
    at,
  );
}

export async function getTask(db: Db, id: string): Promise<TaskRecord | null> {
  const row = await db.task.findUnique({ where: { id }, select: taskSelect });
  return row ? toTask(row) : null;
}

const ASSIGNED_TO_RUNNING = taskStatesBetween("assigned", "running");

/** A task as its node is told of it: with its service's name, the spec it was made with and its secret references. */
export type NodeAssignment = TaskRecord & { secrets: SecretReference[]; spec: ServiceSpec };

/** The tasks a node should know about: assigned to it, from ASSIGNED up to and including RUNNING. */
export async function listNodeAssignments(db: Db, nodeId: string): Promise<NodeAssignment[]> {
  return (await listManyNodeAssignments(db, [nodeId])).get(nodeId) ?? [];
}

/** The same for many nodes in one query, by node. */
export async function listManyNodeAssignments(db: Db, nodeIds: readonly string[]): Promise<Map<string, NodeAssignment[]>> {
  const rows = await db.task.findMany({
    where: { nodeId: { in: [...nodeIds] }, state: { in: ASSIGNED_TO_RUNNING } },
    select: { ...taskSelect, secrets: true, spec: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const byNode = new Map<string, NodeAssignment[]>();
  for (const { secrets, spec, ...row } of rows) {
    const task = { ...toTask(row), spec: spec as unknown as ServiceSpec, secrets: Array.isArray(secrets) ? (secrets as unknown as SecretReference[]) : [] };
    const list = byNode.get(task.nodeId!);
    if (list) list.push(task);
    else byNode.set(task.nodeId!, [task]);
  }
  return byNode;
}
