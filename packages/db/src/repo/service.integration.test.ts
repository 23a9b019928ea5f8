import { randomBytes } from "node:crypto";
import { defaultServiceSpec, newId } from "@rampart/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestStore, testStoreKinds, type TestStore } from "../testing/index.js";
import { createService, createTasks, getTask, updateTasksIf } from "./service.js";

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
      { serviceId: service.id, desiredState: "running" },
      { serviceId: service.id, desiredState: "shutdown" },
      null,
      null,
      null,
    ]);
    expect(await getTask(db, assigned.id)).toMatchObject({ state: "accepted", message: "task accepted", updatedAt: later });
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
});
