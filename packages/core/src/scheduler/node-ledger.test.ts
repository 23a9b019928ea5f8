import { describe, expect, it } from "vitest";
import { TASK_STATES } from "../service/index.js";
import { GenericPool } from "./generic-resources.js";
import { NodeLedger, encodeHostPort, failureKey, type LedgerTask } from "./node-ledger.js";

function lt(id: string, extra: Partial<LedgerTask> = {}): LedgerTask {
  return { id, serviceId: "s", desiredState: TASK_STATES.running, nanoCpus: 0, memoryBytes: 0, generic: [], hostPorts: [], ...extra };
}

describe("NodeLedger", () => {
  it("ok/counts active tasks per service and moves them across the active line", () => {
    const l = new NodeLedger({ nanoCpus: 1e9 }, 0);
    expect(l.addTask(lt("a", { nanoCpus: 4e8 }))).toBe(true);
    expect(l.addTask(lt("b", { serviceId: "t" }))).toBe(true);
    expect(l.addTask(lt("a", { nanoCpus: 4e8 }))).toBe(false);
    expect([l.activeTasks, l.serviceCount("s"), l.serviceCount("t"), l.nanoCpus]).toEqual([2, 1, 1, 6e8]);
    expect(l.addTask(lt("a", { desiredState: TASK_STATES.shutdown }))).toBe(true);
    expect([l.activeTasks, l.serviceCount("s"), l.nanoCpus]).toEqual([1, 0, 6e8]);
    expect(l.addTask(lt("a", { desiredState: TASK_STATES.complete }))).toBe(true);
    expect(l.serviceCount("s")).toBe(1);
    expect(l.removeTask(lt("a", { nanoCpus: 4e8 }))).toBe(true);
    expect(l.removeTask(lt("a"))).toBe(false);
    expect([l.activeTasks, l.nanoCpus]).toEqual([1, 1e9]);
  });

  it("ok/ledgers sharing totals keep the per-service count over all nodes, and a node that leaves takes its tasks out", () => {
    const totals = new Map<string, number>();
    const a = new NodeLedger(undefined, 0, undefined, totals);
    const b = new NodeLedger(undefined, 0, undefined, totals);
    a.addTask(lt("a1"));
    b.addTask(lt("b1"));
    b.addTask(lt("b2", { serviceId: "t" }));
    expect(Object.fromEntries(totals)).toEqual({ s: 2, t: 1 });
    b.addTask(lt("b2", { serviceId: "t", desiredState: TASK_STATES.shutdown }));
    expect(Object.fromEntries(totals)).toEqual({ s: 2 });
    b.leave();
    expect(Object.fromEntries(totals)).toEqual({ s: 1 });
    a.removeTask(lt("a1"));
    expect(totals.size).toBe(0);
  });

  it("ok/host ports are per protocol", () => {
    const l = new NodeLedger(undefined, 0);
    l.addTask(lt("a", { hostPorts: [encodeHostPort({ protocol: "tcp", port: 58 })] }));
    expect(l.usedHostPorts.has(encodeHostPort({ protocol: "tcp", port: 58 }))).toBe(true);
    expect(l.usedHostPorts.has(encodeHostPort({ protocol: "udp", port: 58 }))).toBe(false);
  });

  it("ok/failures count within the window, per service version", () => {
    const l = new NodeLedger(undefined, 0);
    const key = failureKey("s", 3);
    for (let i = 0; i < 4; i++) expect(l.taskFailed(key, 1000 * i)).toBe(-Infinity);
    expect(l.taskFailed(key, 4000)).toBe(300_000);
    expect(l.recentFailures(key, 300_000)).toBe(5);
    expect(l.recentFailures(key, 300_001)).toBe(4);
    expect(l.recentFailures(failureKey("s", 4), 5000)).toBe(0);
    expect(failureKey("s", null)).toBe(failureKey("s", 0));
  });

  it("ok/a node that reports no resources has none free, whatever it runs", () => {
    const l = new NodeLedger({ memoryBytes: 1e9 }, 0);
    l.addTask(lt("a", { memoryBytes: 4e8 }));
    l.reconcile(null);
    expect(l.memoryBytes).toBe(0);
    l.reconcile({ memoryBytes: 2e9 });
    expect(l.memoryBytes).toBe(1.6e9);
  });
});

describe("GenericPool", () => {
  it("ok/named items are claimed in order and appended when given back", () => {
    const total = GenericPool.from({ named: { gpu: ["a", "b", "c"] }, discrete: { apple: 2 } });
    const pool = total.clone();
    const claims = pool.claim([["gpu", 2], ["apple", 2]]);
    expect(claims).toEqual([{ kind: "gpu", named: "a" }, { kind: "gpu", named: "b" }, { kind: "apple", discrete: 2 }]);
    expect(pool.snapshot()).toEqual({ discrete: {}, named: { gpu: ["c"] } });
    expect(pool.hasEnough("apple", 1)).toBe(false);
    pool.reclaim(claims, total);
    expect(pool.snapshot()).toEqual({ discrete: { apple: 2 }, named: { gpu: ["c", "a", "b"] } });
  });

  it.each([
    ["ok/enough discrete", "apple", 2, true],
    ["fail/too much discrete", "apple", 3, false],
    ["ok/enough named", "gpu", 3, true],
    ["fail/too many named", "gpu", 4, false],
    ["fail/unknown kind, even for 0", "pear", 0, false],
  ])("%s", (_name, kind, value, ok) => {
    expect(GenericPool.from({ named: { gpu: ["a", "b", "c"] }, discrete: { apple: 2 } }).hasEnough(kind, value)).toBe(ok);
  });

  it("fail/a missing kind claims nothing at all", () => {
    const pool = GenericPool.from({ discrete: { apple: 2 } });
    expect(pool.claim([["apple", 1], ["pear", 1]])).toEqual([]);
    expect(pool.snapshot().discrete).toEqual({ apple: 2 });
  });

  it("ok/giving back never exceeds what the node lists", () => {
    const total = GenericPool.from({ discrete: { apple: 2 }, named: { gpu: ["a"] } });
    const pool = total.clone();
    pool.reclaim([{ kind: "apple", discrete: 5 }, { kind: "gpu", named: "zz" }, { kind: "pear", discrete: 1 }], total);
    expect(pool.snapshot()).toEqual({ discrete: { apple: 2 }, named: { gpu: ["a"] } });
  });
});
