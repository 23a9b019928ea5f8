import { randomBytes } from "node:crypto";
import { defaultServiceSpec, newId } from "@rampart/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestStore, testStoreKinds, type TestStore } from "../testing/index.js";
import {
  createService,
  createTasks,
  crowdedInstances,
  deleteRemovedTasks,
  getTask,
  listTasks,
  listTasksForScheduling,
  markServiceTasksRemoved,
  orphanNodeTasks,
  rejectTasks,
  startDelayedTasks,
  updateTasks,
  updateTasksChecked,
  updateTasksIf,
} from "./service.js";

const id = () => newId(new Uint8Array(randomBytes(17)));
const at = new Date("2026-11-28T12:00:00.000Z");
const later = new Date(at.getTime() + 1000);

describe.each(testStoreKinds())("node reports in the store on %s", (kind) => {
  let t: TestStore | undefined;
  beforeEach(async () => {
    t = await createTestStore(kind);
  });
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("ok/reports are written in one statement, each only from its expected states and node", async () => {
    const db = t!.store.prisma;
    await db.node.create({
      data: { id: "n00000000000000000000000a", hostname: "node-a", role: "worker", os: "linux", arch: "x86_64", nanoCpus: 1n, memoryBytes: 1n, engineVersion: "t" },
    });
    const spec = defaultServiceSpec({ name: "web", image: "nginx", replicas: 3 });
    const service = await createService(db, { id: id(), spec, at });
    const task = (state: "assigned" | "running" | "shutdown", desiredState: "running" | "shutdown" = "running") => ({
      id: id(),
      serviceId: service.id,
      serviceName: "web",
      spec,
      slot: 1,
      nodeId: "n00000000000000000000000a",
      specVersion: 1,
      desiredState,
      state,
      at,
    });
    const [assigned, stopping, ended] = [task("assigned"), task("running", "shutdown"), task("shutdown")];
    await createTasks(db, [assigned, stopping, ended]);

    const written = await updateTasksIf(
      db,
      [
        { id: assigned.id, nodeId: "n00000000000000000000000a", from: ["assigned"], state: "accepted", message: "task accepted" },
        { id: stopping.id, nodeId: "n00000000000000000000000a", from: ["assigned", "accepted", "running"], state: "shutdown", message: null },
        // Ended already, on another node, and a task that does not exist: none is written.
        { id: ended.id, nodeId: "n00000000000000000000000a", from: ["assigned", "running"], state: "running", message: null },
        { id: assigned.id, nodeId: "n00000000000000000000000b", from: ["assigned"], state: "running", message: null },
        { id: "t00000000000000000000000z", nodeId: "n00000000000000000000000a", from: ["assigned"], state: "running", message: null },
      ],
      later,
    );
    expect(written).toEqual([
      { serviceId: service.id, desiredState: "running", slot: 1, specVersion: 1 },
      { serviceId: service.id, desiredState: "shutdown", slot: 1, specVersion: 1 },
      null,
      null,
      null,
    ]);
    expect(await getTask(db, assigned.id)).toMatchObject({ state: "accepted", message: "task accepted", updatedAt: later, version: 2 });
    expect(await getTask(db, stopping.id)).toMatchObject({ state: "shutdown", message: null });
    expect(await getTask(db, ended.id)).toMatchObject({ state: "shutdown", updatedAt: at });
    expect(await updateTasksIf(db, [], later)).toEqual([]);

    // Two reports on one task in one batch: one is written, and that one is told so.
    const raced = task("assigned");
    await createTasks(db, [raced]);
    const both = await updateTasksIf(
      db,
      [
        { id: raced.id, nodeId: "n00000000000000000000000a", from: ["assigned"], state: "accepted", message: null },
        { id: raced.id, nodeId: "n00000000000000000000000a", from: ["assigned"], state: "failed", message: null },
      ],
      later,
    );
    expect(both.filter((r) => r !== null)).toHaveLength(1);
    const credited = both[0] ? "accepted" : "failed";
    expect((await getTask(db, raced.id))?.state).toBe(credited);
  });

  const setup = async () => {
    const db = t!.store.prisma;
    const spec = defaultServiceSpec({ name: "web", image: "nginx", replicas: 2 });
    const service = await createService(db, { id: id(), spec, at });
    const task = (over: Partial<Parameters<typeof createTasks>[1][number]> = {}) => ({
      id: id(),
      serviceId: service.id,
      serviceName: "web",
      spec,
      slot: 1,
      nodeId: null,
      specVersion: 1,
      desiredState: "running" as const,
      state: "pending" as const,
      at,
      ...over,
    });
    return { db, service, task };
  };

  it("ok/checked writes land only on the version that was read; every write bumps the version", async () => {
    const { db, task } = await setup();
    const [a, b, c] = [task(), task({ slot: 2 }), task({ slot: 3 })];
    await createTasks(db, [a, b, c]);
    const read = new Map((await listTasks(db)).map((r) => [r.id, r]));
    expect([...read.values()].map((r) => r.version)).toEqual([1, 1, 1]);
    // b is stopped and c removed between the read and the write.
    await updateTasks(db, [{ id: b.id, desiredState: "shutdown", state: "shutdown" }], later);
    await db.task.delete({ where: { id: c.id } });
    const lost = await updateTasksChecked(
      db,
      [a, b, c].map((x) => ({ id: x.id, version: read.get(x.id)!.version, nodeId: "n00000000000000000000000a", state: "assigned" as const })),
      later,
    );
    expect(lost.sort()).toEqual([b.id, c.id].sort());
    expect(await getTask(db, a.id)).toMatchObject({ state: "assigned", version: 2 });
    expect(await getTask(db, b.id)).toMatchObject({ state: "shutdown", nodeId: null, version: 2 });
    expect(await getTask(db, c.id)).toBeNull();
  });

  it("ok/the scheduler's read: listTasks' rows and order, with a task's own spec exactly when its service is not among those read", async () => {
    const { db, task } = await setup();
    const [a, b, pastRunning] = [task({ slot: 2 }), task({ slot: 1 }), task({ slot: 3, state: "shutdown" })];
    await createTasks(db, [a, b, pastRunning]);
    const tracked = ["pending", "assigned", "running"] as const;
    const serviceId = a.serviceId;
    const expected = (await listTasks(db, { states: [...tracked] })).map((r) => r.id);
    // The service was read: its tasks come without their specs.
    const known = await listTasksForScheduling(db, tracked, [serviceId]);
    expect(known.map((r) => r.id)).toEqual(expected);
    expect(known.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(known.every((r) => r.spec === undefined)).toBe(true);
    expect(known[0]).toMatchObject({ serviceId, slot: 1, version: 1, state: "pending", desiredState: "running", nodeId: null, createdAt: at });
    // It exists, but was not among those read (made after the read): each task brings its own spec.
    const unknown = await listTasksForScheduling(db, tracked, []);
    expect(unknown.map((r) => r.spec)).toEqual([b.spec, a.spec]);
  });

  it("ok/a removed service's tasks are told to go; those stopped or never placed are deleted at once", async () => {
    const { db, service, task } = await setup();
    const [placed, waiting, ended] = [task({ state: "running", nodeId: "n00000000000000000000000a" }), task({ slot: 2 }), task({ state: "failed", desiredState: "shutdown" })];
    await createTasks(db, [placed, waiting, ended]);
    await markServiceTasksRemoved(db, service.id, later);
    expect((await listTasks(db)).map((r) => r.desiredState)).toEqual(["remove", "remove", "remove"]);
    expect((await deleteRemovedTasks(db)).sort()).toEqual([waiting.id, ended.id].sort());
    expect((await listTasks(db)).map((r) => r.id)).toEqual([placed.id]);
  });

  it("ok/rejections and orphanings are conditional and return the tasks they ended", async () => {
    const { db, service, task } = await setup();
    const n = "n00000000000000000000000a";
    const [run, stopping, done, pending] = [
      task({ state: "running", nodeId: n }),
      task({ state: "running", nodeId: n, desiredState: "shutdown" }),
      task({ state: "complete", nodeId: n }),
      task({ state: "pending", nodeId: n, slot: null }),
    ];
    await createTasks(db, [run, stopping, done, pending]);
    const rejected = await rejectTasks(db, [run.id, stopping.id, done.id], "task rejected by constraint enforcer", "assigned node no longer meets constraints", later);
    expect(rejected).toEqual([{ id: run.id, serviceId: service.id, nodeId: n, slot: 1, specVersion: 1, state: "rejected", desiredState: "running" }]);
    const orphaned = await orphanNodeTasks(db, n, "node is down", later);
    expect(orphaned.map((o) => [o.id, o.state, o.desiredState])).toEqual([[stopping.id, "orphaned", "shutdown"]]);
    expect(await getTask(db, pending.id)).toMatchObject({ state: "pending" });
  });

  it("ok/delayed replacements start once; crowded instances are counted per slot and per global node", async () => {
    const { db, service, task } = await setup();
    const held = task({ desiredState: "ready" });
    await createTasks(db, [held, task(), task(), task({ slot: null, nodeId: "n00000000000000000000000a" }), task({ slot: null, nodeId: "n00000000000000000000000a" })]);
    expect(await startDelayedTasks(db, [held.id], later)).toBe(1);
    expect(await startDelayedTasks(db, [held.id], later)).toBe(0);
    expect(await getTask(db, held.id)).toMatchObject({ desiredState: "running", version: 2 });
    expect((await crowdedInstances(db, [service.id], 1)).sort((x, y) => (x.slot ?? 0) - (y.slot ?? 0))).toEqual([
      { serviceId: service.id, slot: null, nodeId: "n00000000000000000000000a", tasks: 2 },
      { serviceId: service.id, slot: 1, nodeId: null, tasks: 3 },
    ]);
  });
});
