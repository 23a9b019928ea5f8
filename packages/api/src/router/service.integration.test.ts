import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

const system = { type: "system" as const, id: null, name: "test" };

describe.each(testStoreKinds())("services and placement on %s", (kind) => {
  let h: Harness;
  let admin: Awaited<ReturnType<Harness["caller"]>>;
  const ids = new Map<string, string>();

  beforeEach(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    admin = await h.caller({ sessionToken: await h.login("admin", "correct horse battery") });
    // The PCI-DSS example: six nodes, three labelled pcidss=yes.
    const hostnames = ["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"];
    const joined = await h.joinWorkers(hostnames);
    hostnames.forEach((hostname, i) => ids.set(hostname, joined[i]!));
    for (const nodeId of joined.slice(0, 3)) await h.manager.nodes.update(nodeId, { labelAdd: { pcidss: "yes" } }, system, null);
    await h.manager.reconciler.settled();
  });
  afterEach(async () => {
    await h.dispose();
  });

  const tasksOf = async (name: string) => (await admin.service.get({ ref: name })).tasks.filter((t) => t.desiredState === "running");
  /** Tasks meant to run, those held at READY by a restart's delay included. */
  const wantedOf = async (name: string) => (await admin.service.get({ ref: name })).tasks.filter((t) => t.desiredState === "running" || t.desiredState === "ready");
  const settle = () => h.settle();

  it("ok/web-fe with node.labels.pcidss == yes lands only on the three PCI nodes", async () => {
    await admin.service.create({ name: "web-fe", image: "nginx", replicas: 3, constraints: ["node.labels.pcidss == yes"] });
    await settle();
    const tasks = await tasksOf("web-fe");
    expect(tasks).toHaveLength(3);
    const pci = new Set([ids.get("node-1"), ids.get("node-2"), ids.get("node-3")]);
    for (const t of tasks) {
      expect(t.state).toBe("assigned");
      expect(t.message).toBe("scheduler assigned task to node");
      expect(pci.has(t.nodeId!)).toBe(true);
    }
    expect(new Set(tasks.map((t) => t.nodeId)).size).toBe(3);
  });

  it("fail/an unplaceable task stays pending with Swarm's explanation", async () => {
    await admin.service.create({ name: "nowhere", image: "nginx", replicas: 1, constraints: ["node.labels.zone == mars"] });
    await settle();
    const [task] = await tasksOf("nowhere");
    expect(task).toMatchObject({ state: "pending", err: "no suitable node (scheduling constraints not satisfied on 7 nodes)" });
  });

  it.each([
    [{ constraints: ["node.labels.zone ~ eu"] }, "constraint expected one operator from ==, !="],
    [{ constraints: ["node.labels.zone == eu=1"] }, "value 'eu=1' is invalid"],
    [{ constraints: ["a == b"] }, "key 'a' is invalid"],
    [{ preferences: ["pack=node.labels.zone"] }, "unsupported placement preference pack=node.labels.zone (only spread is supported)"],
    [{ reservations: { nanoCpus: 500_000, memoryBytes: 0 } }, "invalid cpu value 0.0005: Must be at least 0.001"],
    [{ name: "web.fe" }, "name must be valid as a DNS name component"],
  ])("fail/create %j is a 400 with Swarm's words", async (change, message) => {
    await expect(admin.service.create({ name: "bad", image: "nginx", ...change })).rejects.toMatchObject({ code: "BAD_REQUEST", message });
  });

  it("fail/a second service with the same name, and a stale update, are refused", async () => {
    const created = await admin.service.create({ name: "web", image: "nginx", replicas: 1 });
    await expect(admin.service.create({ name: "web", image: "nginx" })).rejects.toMatchObject({ code: "CONFLICT", message: "name conflicts with an existing object: service web already exists" });
    await admin.service.update({ ref: "web", version: created.version, spec: { name: "web", image: "nginx:2", replicas: 1 } });
    await expect(admin.service.update({ ref: "web", version: created.version, spec: { name: "web", image: "nginx:3", replicas: 1 } })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("ok/the constraint enforcer rejects a task whose node loses the label, and it is replaced on a PCI node", async () => {
    await admin.service.create({ name: "web-fe", image: "nginx", replicas: 1, constraints: ["node.labels.pcidss == yes"] });
    await settle();
    const [before] = await tasksOf("web-fe");
    await admin.node.update({ ref: before!.nodeId!, labelRm: ["pcidss"] });
    await settle();
    const all = (await admin.service.get({ ref: "web-fe" })).tasks;
    const rejected = all.find((t) => t.id === before!.id)!;
    // The enforcer writes the observed state; the restart supervisor then tells the task to stop.
    expect(rejected).toMatchObject({
      state: "rejected",
      desiredState: "shutdown",
      message: "task rejected by constraint enforcer",
      err: "assigned node no longer meets constraints",
    });
    // The replacement is placed at once and waits out the default restart delay (5 s) at READY.
    const [replacement] = await wantedOf("web-fe");
    expect(replacement!.id).not.toBe(before!.id);
    expect(replacement).toMatchObject({ state: "assigned", desiredState: "ready", slot: before!.slot });
    expect(replacement!.nodeId).not.toBe(before!.nodeId);
  });

  it("ok/scaling down shuts tasks down; scaling up places new ones", async () => {
    await admin.service.create({ name: "web", image: "nginx", replicas: 4 });
    await settle();
    await admin.service.scale({ ref: "web", replicas: 2 });
    await settle();
    expect(await tasksOf("web")).toHaveLength(2);
    const view = await admin.service.scale({ ref: "web", replicas: 5 });
    expect(view.desired).toBe(5);
    await settle();
    expect((await tasksOf("web")).filter((t) => t.state === "assigned")).toHaveLength(5);
  });

  it("ok/a global service gets one task per eligible node, confirmed by the scheduler", async () => {
    await admin.service.create({ name: "agent", image: "monitor", mode: "global", constraints: ["node.role == worker"] });
    await settle();
    const tasks = await tasksOf("agent");
    expect(tasks).toHaveLength(6);
    for (const t of tasks) expect(t).toMatchObject({ state: "assigned", message: "scheduler confirmed task can run on preassigned node" });
  });

  it("ok/tasks on a node that goes Down are replaced elsewhere", async () => {
    await admin.service.create({ name: "web", image: "nginx", replicas: 6, maxReplicasPerNode: 1 });
    await settle();
    await h.manager.reconciler.checkDownNodes();
    const victim = ids.get("node-6")!;
    // Every node but node-6 keeps heartbeating; 16 s later node-6 is Down.
    h.clock.advance(16_000);
    for (const [name, id] of ids) if (name !== "node-6") h.manager.nodes.heartbeat(id, null);
    h.manager.nodes.heartbeat((await admin.swarm.info()).nodeId, null);
    expect(await h.manager.reconciler.checkDownNodes()).toBe(1);
    await settle();
    const tasks = await tasksOf("web");
    expect(tasks.filter((t) => t.nodeId === victim)).toHaveLength(0);
    expect(tasks.filter((t) => t.state === "assigned")).toHaveLength(6);
  });

  it("ok/draining a node tells its tasks to stop and places them elsewhere", async () => {
    await admin.service.create({ name: "web", image: "nginx", replicas: 3, constraints: ["node.labels.pcidss == yes"] });
    await settle();
    const victim = ids.get("node-1")!;
    await admin.node.update({ ref: victim, availability: "drain" });
    await settle();
    const all = (await admin.service.get({ ref: "web" })).tasks;
    const stopped = all.filter((t) => t.nodeId === victim);
    expect(stopped.map((t) => t.desiredState)).toEqual(["shutdown"]);
    // The two PCI nodes left take all three replicas (no per-node limit). The replacement
    // has no delay (the node was drained) but waits at READY for the old task to stop.
    const wanted = await wantedOf("web");
    expect(wanted.filter((t) => t.state === "assigned")).toHaveLength(3);
    expect(new Set(wanted.map((t) => t.nodeId)).has(victim)).toBe(false);
    const replacement = wanted.find((t) => t.slot === stopped[0]!.slot)!;
    expect(replacement.desiredState).toBe("ready");
    await h.manager.assignments.report(victim, { taskId: stopped[0]!.id, state: "shutdown" });
    await settle();
    expect((await admin.service.get({ ref: "web" })).tasks.find((t) => t.id === replacement.id)).toMatchObject({ desiredState: "running" });
  });

  it("ok/the planner's what-if is audited, runs on the real cluster, and Apply creates the service", async () => {
    const spec = { name: "web-fe", image: "nginx", replicas: 3, constraints: ["node.labels.pcidss == yes"] };
    const plan = await admin.planner.whatIf({ service: { spec } });
    const pci = new Set([ids.get("node-1"), ids.get("node-2"), ids.get("node-3")]);
    expect(Object.keys(plan.focus!.diff.after).sort()).toEqual([...pci].sort());
    const excluded = plan.focus!.matrix.filter((row) => !row.filter.passed);
    expect(excluded.map((r) => r.hostname).sort()).toContain("node-4");
    expect(excluded.find((r) => r.hostname === "node-4")!.constraints[0]).toMatchObject({ matched: false });
    // A what-if with a label moved: node-4 becomes a PCI node in the sandbox only.
    const moved = await admin.planner.whatIf({ nodes: { [ids.get("node-4")!]: { labels: { pcidss: "yes" } } }, service: { spec: { ...spec, replicas: 4 } } });
    expect(moved.focus!.diff.after[ids.get("node-4")!]).toBe(1);
    expect((await h.manager.nodes.get(ids.get("node-4")!)).labels).toEqual({});
    const audit = await admin.audit.list({ action: "planner.whatif" });
    expect(audit.events.map((e) => e.reason)).toEqual(expect.arrayContaining(["draft service", "1 node change, draft service"]));
    // A bad constraint is reported as a problem by the planner, and refused by Apply.
    const bad = await admin.planner.whatIf({ service: { spec: { ...spec, constraints: ["node.labels.pcidss ~ yes"] } } });
    expect(bad.focus!.problems).toEqual([{ field: "constraints[0]", message: "constraint expected one operator from ==, !=" }]);
    await expect(admin.planner.applyPlan({ spec: { ...spec, constraints: ["node.labels.pcidss ~ yes"] } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "constraint expected one operator from ==, !=",
    });
    const applied = await admin.planner.applyPlan({ spec });
    expect(applied).toMatchObject({ name: "web-fe", created: true });
    await settle();
    expect(new Set((await tasksOf("web-fe")).map((t) => t.nodeId))).toEqual(pci);
    // Updating through the planner needs the version it read.
    await expect(admin.planner.applyPlan({ serviceId: applied.id, version: applied.version + 1, spec: { ...spec, replicas: 2 } })).rejects.toMatchObject({ code: "CONFLICT" });
    const updated = await admin.planner.applyPlan({ serviceId: applied.id, version: applied.version, spec: { ...spec, replicas: 2 } });
    expect(updated).toMatchObject({ created: false, spec: { replicas: 2 } });
    const applies = await admin.audit.list({ action: "planner.apply" });
    expect(applies.events).toHaveLength(2);
  });

  it("ok/removing a service tells its tasks to go; each is deleted once its node stopped it", async () => {
    await admin.service.create({ name: "web", image: "nginx", replicas: 2 });
    await settle();
    const placed = await h.t.store.prisma.task.findMany({ select: { id: true, nodeId: true } });
    expect(placed).toHaveLength(2);
    await admin.service.remove({ ref: "web" });
    await expect(admin.service.get({ ref: "web" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "service web not found" });
    await settle();
    expect(await h.t.store.prisma.task.findMany({ select: { desiredState: true } })).toEqual([{ desiredState: "remove" }, { desiredState: "remove" }]);
    for (const t of placed) await h.manager.assignments.report(t.nodeId!, { taskId: t.id, state: "shutdown" });
    await settle();
    expect(await h.t.store.prisma.task.count()).toBe(0);
  });
});
