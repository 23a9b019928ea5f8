import { defaultServiceSpec } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { describeThisMachine, memoryStore, nextProgress, NodeAgent } from "./agent.js";
import type { AssignedTask, TaskProgress } from "./client.js";
import { waitFor } from "../test-support/wait.js";

const system = { type: "system" as const, id: null, name: "test" };
const spec = defaultServiceSpec({ name: "web", image: "nginx:alpine", replicas: 2, constraints: ["node.labels.zone == a"], maxReplicasPerNode: 1 });

describe("agents receive their assignments from a real server", () => {
  let s: TestServer;
  let token: string;
  const agents: NodeAgent[] = [];
  const seen = new Map<string, Array<{ task: AssignedTask; state: TaskProgress }>>();

  beforeAll(async () => {
    s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
    const manager = s.server.runtime.manager;
    token = await manager.cluster.revealToken("worker", system, null);
    // A 1 s heartbeat period, so a stopped agent is Down after 3 s.
    await manager.cluster.update({ version: manager.cluster.current().record.version, heartbeatPeriodMs: 1000 }, system, null);
  });
  afterAll(async () => {
    for (const agent of agents) agent.stop();
    await s?.dispose();
  });


  async function startAgent(hostname: string): Promise<string> {
    const events: Array<{ task: AssignedTask; state: TaskProgress }> = [];
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", hostname, {}),
      store: memoryStore(),
      events: { task: (task, state) => events.push({ task, state }) },
    });
    const { nodeId } = await agent.join();
    agent.start();
    agents.push(agent);
    seen.set(hostname, events);
    return nodeId;
  }

  const tasksOf = async () => (await s.server.runtime.manager.services.get("web")).tasks;

  it("ok/each node gets only its own tasks, acknowledges them and runs them; a Down node's task moves", async () => {
    const manager = s.server.runtime.manager;
    const ids = { a1: await startAgent("zone-a-1"), a2: await startAgent("zone-a-2"), a3: await startAgent("zone-a-3"), b: await startAgent("zone-b-1") };
    for (const key of ["a1", "a2", "a3"] as const) await manager.nodes.update(ids[key], { labelAdd: { zone: "a" } }, system, null);
    await manager.nodes.update(ids.b, { labelAdd: { zone: "b" } }, system, null);
    await waitFor(() => manager.nodes.constraintNodes().filter((n) => n.state === "ready").length >= 5, "five Ready nodes");

    await manager.services.create(spec, system, null);
    await waitFor(async () => (await tasksOf()).filter((t) => t.state === "running").length === 2, "two running tasks");
    const running = (await tasksOf()).filter((t) => t.state === "running");
    // An agent records a step once the manager has acknowledged its report, so the
    // store can say running a moment before the agent's own record does.
    const reported = (id: string) => [...seen.values()].flat().some((e) => e.task.id === id && e.state === "running");
    await waitFor(() => running.every((t) => reported(t.id)), "both holders to record their running report");
    const holders = new Set(running.map((t) => t.nodeId));
    expect(holders.size).toBe(2);
    expect(holders.has(ids.b)).toBe(false);
    // Each holder saw its own task go accepted, then running; nobody else saw it.
    for (const [hostname, events] of seen) {
      const mine = events.map((e) => e.task.id);
      const expected = running.filter((t) => t.nodeId === ids[({ "zone-a-1": "a1", "zone-a-2": "a2", "zone-a-3": "a3", "zone-b-1": "b" } as const)[hostname as "zone-b-1"]]);
      expect(new Set(mine)).toEqual(new Set(expected.map((t) => t.id)));
      for (const t of expected) expect(events.filter((e) => e.task.id === t.id).map((e) => e.state)).toEqual(["accepted", "running"]);
    }

    // Stop one holder's agent: it goes Down, its task is orphaned and replaced on the free zone-a node.
    const victim = running[0]!.nodeId!;
    const index = Object.values(ids).indexOf(victim);
    agents[index]!.stop();
    await waitFor(async () => {
      const live = (await tasksOf()).filter((t) => t.state === "running");
      return live.length === 2 && !live.some((t) => t.nodeId === victim);
    }, "the task to move off the Down node");
    const after = (await tasksOf()).filter((t) => t.state === "running");
    expect(after.map((t) => t.nodeId)).not.toContain(ids.b);
    expect((await tasksOf()).find((t) => t.id === running[0]!.id)).toMatchObject({ state: "orphaned", err: "node is down" });
  }, 60_000);

  // Which slot goes is the orchestrator's choice (running tasks first, then the nodes'
  // load); what the agents must show is that exactly the one told to stop reports so.
  // A scaled-down task's desired state is remove, so once it reports shut down the task
  // reaper deletes it (manager/orchestrator/taskreaper): gone counts as stopped.
  it("ok/scaling down tells one node to stop its task only: it reports that task shut down, and the other keeps running", async () => {
    const manager = s.server.runtime.manager;
    const before = (await tasksOf()).filter((t) => t.state === "running");
    expect(before).toHaveLength(2);
    await manager.services.scale("web", 1, system, null);
    const stoppedOf = (tasks: Awaited<ReturnType<typeof tasksOf>>) =>
      before.filter((b) => { const now = tasks.find((t) => t.id === b.id); return now === undefined || now.state === "shutdown"; });
    await waitFor(async () => stoppedOf(await tasksOf()).length === 1, "one task to be shut down or reaped");
    const after = await tasksOf();
    const stopped = stoppedOf(after)[0]!;
    const kept = before.find((b) => b.id !== stopped.id)!;
    expect(after.filter((t) => t.state === "running").map((t) => t.id)).toEqual([kept.id]);
    const reports = () => [...seen.values()].flat().filter((e) => e.state === "shutdown").map((e) => e.task.id);
    await waitFor(() => reports().includes(stopped.id), "the stopped task's holder to record its shutdown report");
    expect(reports()).not.toContain(kept.id);
  }, 60_000);

  it("fail/a node cannot report another node's task, nor a task that no longer exists; the agent keeps running", async () => {
    const other = (await tasksOf()).find((t) => t.state === "running")!;
    const outsider = agents.find((a) => a.current && a.current.nodeId !== other.nodeId && !(a as unknown as { stopped: boolean }).stopped)!;
    const client = (outsider as unknown as { client: { reportTask(id: string, state: string): Promise<void> } }).client;
    await expect(client.reportTask(other.id, "running")).rejects.toThrow("cannot update a task not assigned this node");
    await expect(client.reportTask("abcdefghijklmnopqrstuvwxy", "running")).rejects.toThrow("cannot update a task not assigned this node");
    // Removing the service deletes its tasks while agents may be reporting: none of them stops.
    await s.server.runtime.manager.services.remove((await s.server.runtime.manager.services.get("web")).id, system, null);
    await new Promise((r) => setTimeout(r, 1500));
    expect(agents.filter((a) => !(a as unknown as { stopped: boolean }).stopped)).toHaveLength(3);
  }, 30_000);

  // Without the wake-up this poll would wait its full 25 s and the test would time out.
  it("ok/a waiting poll is answered as soon as its node gets a task; once closed, polls are refused", async () => {
    const manager = s.server.runtime.manager;
    const nodeId = agents.find((a) => !(a as unknown as { stopped: boolean }).stopped)!.current!.nodeId;
    const first = await manager.assignments.poll(nodeId, undefined);
    const waiting = manager.assignments.poll(nodeId, first.digest);
    await manager.services.create({ ...spec, name: "pinned", replicas: 1, constraints: [`node.id == ${nodeId}`] }, system, null);
    const answered = await waiting;
    expect(answered.digest).not.toBe(first.digest);
    expect(answered.tasks?.map((t) => t.serviceName)).toContain("pinned");
    manager.assignments.close();
    // A stopped dispatcher's words (manager/dispatcher/dispatcher.go).
    await expect(manager.assignments.poll(nodeId, undefined)).rejects.toMatchObject({ code: "unavailable", message: "dispatcher is stopped" });
  }, 20_000);
});

describe("nextProgress", () => {
  it("ok/acknowledges, then runs, then stops when asked", () => {
    expect(nextProgress({ state: "assigned", desiredState: "running" })).toBe("accepted");
    expect(nextProgress({ state: "accepted", desiredState: "running" })).toBe("running");
    expect(nextProgress({ state: "running", desiredState: "running" })).toBeUndefined();
    expect(nextProgress({ state: "running", desiredState: "shutdown" })).toBe("shutdown");
    expect(nextProgress({ state: "assigned", desiredState: "shutdown" })).toBe("shutdown");
    expect(nextProgress({ state: "shutdown", desiredState: "shutdown" })).toBeUndefined();
  });
});
