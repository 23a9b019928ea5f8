import { describe, expect, it } from "vitest";
import { SlotHeap, bestSlots } from "./node-heap.js";

function ascending(heap: SlotHeap, limit = Infinity): number[] {
  const out: number[] = [];
  heap.ascend((slot) => {
    out.push(slot);
    return out.length < limit;
  });
  return out;
}

describe("SlotHeap", () => {
  it("ok/ascends by key, ties by slot, without changing the heap", () => {
    const keys = [5, 1, 3, 1, 9, 0, 3];
    const heap = new SlotHeap(4);
    heap.rebuild([0, 1, 2, 3, 4, 5, 6], (s) => keys[s]!);
    expect(ascending(heap)).toEqual([5, 1, 3, 2, 6, 0, 4]);
    expect(ascending(heap, 3)).toEqual([5, 1, 3]);
  });

  it("ok/upsert and remove keep the order", () => {
    const heap = new SlotHeap(2);
    for (const [slot, key] of [[10, 4], [3, 2], [7, 8], [1, 2]] as const) heap.upsert(slot, key);
    heap.upsert(7, 0);
    heap.remove(3);
    heap.upsert(10, 9);
    expect(ascending(heap)).toEqual([7, 1, 10]);
    expect(heap.has(3)).toBe(false);
    expect(heap.size).toBe(3);
  });

  it("ok/dirty slots are handed over once", () => {
    const heap = new SlotHeap(2);
    heap.markDirty(40);
    heap.markDirty(2);
    heap.markDirty(40);
    const seen: number[] = [];
    heap.drainDirty((s) => seen.push(s));
    heap.drainDirty((s) => seen.push(s));
    expect(seen).toEqual([40, 2]);
  });
});

describe("bestSlots", () => {
  const less = (a: number, b: number) => a % 10 < b % 10 || (a % 10 === b % 10 && a < b);
  const input = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  it.each([1, 3, 20, 100, 150])("ok/the %i best, best first, whichever way they are found", (n) => {
    const expected = [...input].sort((a, b) => (less(a, b) ? -1 : 1)).slice(0, n);
    expect(bestSlots([...input], n, less)).toEqual(expected);
  });
});
