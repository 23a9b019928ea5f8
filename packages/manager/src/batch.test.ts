import { describe, expect, it } from "vitest";
import { batched, groupCommit } from "./batch.js";

describe("group commit", () => {
  it("ok/a lone write goes at once; writes arriving meanwhile share the next batch", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = groupCommit<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
    });
    const first = g.add(1);
    while (batches.length === 0) await new Promise((r) => setImmediate(r));
    const rest = [g.add(2), g.add(3), g.add(4)];
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("fail/one bad item fails alone; the others commit", async () => {
    const committed: number[] = [];
    let calls = 0;
    const g = groupCommit<number>(async (items) => {
      calls++;
      if (calls === 1) await new Promise((r) => setTimeout(r, 5));
      if (items.includes(3)) throw new Error("bad item 3");
      committed.push(...items);
    });
    const results = await Promise.allSettled([g.add(1), g.add(2), g.add(3), g.add(4)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(committed.sort()).toEqual([1, 2, 4]);
  });

  it("ok/each caller gets its own answer from a shared batch, also when the batch is retried one by one", async () => {
    const sizes: number[] = [];
    const double = batched<number, number>(async (items) => {
      sizes.push(items.length);
      if (items.includes(-1)) throw new Error("no negatives");
      return items.map((n) => n * 2);
    });
    const results = await Promise.allSettled([double.add(1), double.add(2), double.add(-1), double.add(3)]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : "refused"))).toEqual([2, 4, "refused", 6]);
    // Calls made in one tick share a batch; the refused batch is retried item by item.
    expect(sizes).toEqual([4, 1, 1, 1, 1]);
  });
});
