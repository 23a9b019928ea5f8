import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART_POLICY } from "../service/index.js";
import { at, service, spec, task } from "../test-support/orchestration.js";
import { historyLimit, reapNow, reapSlot } from "./index.js";

describe("task reaper", () => {
  const ended = (id: string, s: number) => task(id, 1, { state: "failed", desiredState: "shutdown", updatedAt: at(s) });

  it("ok/keeps the newest `limit` tasks of a slot, deleting the oldest ended ones", () => {
    const slot = [ended("e3", 3), ended("e1", 1), task("live", 1, { state: "running", updatedAt: at(9) }), ended("e2", 2), ended("e4", 4)];
    expect(reapSlot(slot, 3)).toEqual(["e1", "e2"]);
  });

  it("ok/never deletes a task that may still run, even past the limit", () => {
    const slot = [task("a", 1, { state: "running", updatedAt: at(1) }), task("b", 1, { state: "running", updatedAt: at(2) }), ended("c", 3)];
    expect(reapSlot(slot, 1)).toEqual(["c"]);
  });

  it("ok/deletes tasks that will never run (unassigned and told to stop)", () => {
    const slot = [task("p", 1, { state: "pending", desiredState: "shutdown", updatedAt: at(1) }), task("q", 1, { state: "pending", updatedAt: at(2) })];
    expect(reapSlot(slot, 1)).toEqual(["p"]);
  });

  it("ok/a negative limit keeps everything; a slot within the limit is left alone", () => {
    expect(reapSlot([ended("a", 1), ended("b", 2)], -1)).toEqual([]);
    expect(reapSlot([ended("a", 1), ended("b", 2)], 2)).toEqual([]);
  });

  it("ok/a service that counts restart attempts keeps one more than that, whatever the cluster's limit", () => {
    expect(historyLimit(service(), 5)).toBe(5);
    expect(historyLimit(service({ spec: { ...spec, restartPolicy: { ...DEFAULT_RESTART_POLICY, maxAttempts: 9 } } }), 5)).toBe(10);
    expect(historyLimit(service(), -1)).toBe(-1);
  });

  it.each<[string, string, boolean]>([
    ["pending", "remove", true],
    ["new", "remove", true],
    ["shutdown", "remove", true],
    ["orphaned", "remove", true],
    ["assigned", "remove", false],
    ["running", "remove", false],
    ["shutdown", "shutdown", false],
  ])("ok/a task %s with desired %s is deleted at once: %s", (state, desiredState, expected) => {
    expect(reapNow(task("a", 1, { state: state as never, desiredState: desiredState as never }))).toBe(expected);
  });
});
