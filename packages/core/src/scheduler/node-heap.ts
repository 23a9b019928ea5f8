/**
 * Heaps over node slots (small integers), kept apart from placement policy. Swarm uses
 * a bounded max-heap per decision-tree leaf (nodeheap.go); Rampart adds an indexed
 * min-heap of the nodes a kind of task may use, updated as tasks land, so that tasks
 * scheduled one at a time do not each rescan every node.
 */

/** Strict "a ranks before b" over slots. Must be a total order for deterministic results. */
export type SlotLess = (a: number, b: number) => boolean;

/**
 * The `n` best slots of `slots` under `less`, best first. A bounded max-heap when `n` is
 * small against the input (Swarm's leaf heap), a plain sort otherwise. `slots` is reordered.
 */
export function bestSlots(slots: number[], n: number, less: SlotLess): number[] {
  const compare = (a: number, b: number): number => (less(a, b) ? -1 : less(b, a) ? 1 : 0);
  if (n >= slots.length || n * 4 >= slots.length) return slots.sort(compare).slice(0, n);
  if (n === 1) {
    let best = slots[0]!;
    for (let i = 1; i < slots.length; i++) if (less(slots[i]!, best)) best = slots[i]!;
    return [best];
  }
  // Max-heap of the n best so far; the root is the worst of them.
  const heap = slots.slice(0, n);
  const down = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const worse = r < n && less(heap[l]!, heap[r]!) ? r : l;
      if (!less(heap[i]!, heap[worse]!)) return;
      [heap[i], heap[worse]] = [heap[worse]!, heap[i]!];
      i = worse;
    }
  };
  for (let i = (n >> 1) - 1; i >= 0; i--) down(i);
  for (let i = n; i < slots.length; i++) {
    if (less(slots[i]!, heap[0]!)) {
      heap[0] = slots[i]!;
      down(0);
    }
  }
  return heap.sort(compare);
}

/**
 * An indexed binary min-heap of slots ordered by a numeric key, ties by slot number.
 * Keys are cached here, so comparisons touch only typed arrays; owners mark slots dirty
 * when what the key is computed from changes, and re-key them before the next use.
 */
export class SlotHeap {
  private heap: Int32Array;
  private pos: Int32Array;
  private key: Float64Array;
  private dirtyFlag: Uint8Array;
  private dirty: number[] = [];
  private frontier = new Int32Array(64);
  /** Number of slots in the heap. */
  size = 0;

  constructor(capacity: number) {
    const cap = Math.max(16, capacity);
    this.heap = new Int32Array(cap);
    this.pos = new Int32Array(cap).fill(-1);
    this.key = new Float64Array(cap);
    this.dirtyFlag = new Uint8Array(cap);
  }

  /** Makes room for slot numbers below `slots`. */
  ensureCapacity(slots: number): void {
    if (slots <= this.pos.length) return;
    const cap = Math.max(slots, this.pos.length * 2);
    const heap = new Int32Array(cap);
    heap.set(this.heap);
    const pos = new Int32Array(cap).fill(-1);
    pos.set(this.pos);
    const key = new Float64Array(cap);
    key.set(this.key);
    const dirtyFlag = new Uint8Array(cap);
    dirtyFlag.set(this.dirtyFlag);
    this.heap = heap;
    this.pos = pos;
    this.key = key;
    this.dirtyFlag = dirtyFlag;
  }

  has(slot: number): boolean {
    return slot < this.pos.length && this.pos[slot]! !== -1;
  }

  /** Replaces the contents with `slots` and their keys, in O(n). */
  rebuild(slots: readonly number[], keyOf: (slot: number) => number): void {
    for (let i = 0; i < this.size; i++) this.pos[this.heap[i]!] = -1;
    this.size = 0;
    for (const slot of slots) {
      this.ensureCapacity(slot + 1);
      this.key[slot] = keyOf(slot);
      this.heap[this.size] = slot;
      this.pos[slot] = this.size;
      this.size++;
    }
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Adds a slot or moves it to its new key. */
  upsert(slot: number, key: number): void {
    this.ensureCapacity(slot + 1);
    const at = this.pos[slot]!;
    if (at === -1) {
      this.key[slot] = key;
      this.heap[this.size] = slot;
      this.pos[slot] = this.size;
      this.size++;
      this.up(this.size - 1);
      return;
    }
    const old = this.key[slot]!;
    if (old === key) return;
    this.key[slot] = key;
    if (key < old) this.up(at);
    else this.down(at);
  }

  remove(slot: number): void {
    if (!this.has(slot)) return;
    const at = this.pos[slot]!;
    const last = this.size - 1;
    this.pos[slot] = -1;
    this.size--;
    if (at === last) return;
    const moved = this.heap[last]!;
    this.heap[at] = moved;
    this.pos[moved] = at;
    this.up(at);
    this.down(this.pos[moved]!);
  }

  /** Notes that a slot's key or membership may have changed. */
  markDirty(slot: number): void {
    if (slot >= this.dirtyFlag.length) this.ensureCapacity(slot + 1);
    if (this.dirtyFlag[slot]) return;
    this.dirtyFlag[slot] = 1;
    this.dirty.push(slot);
  }

  /** Hands every dirty slot to `refresh` once and forgets them. */
  drainDirty(refresh: (slot: number) => void): void {
    const list = this.dirty;
    this.dirty = [];
    for (const slot of list) {
      this.dirtyFlag[slot] = 0;
      refresh(slot);
    }
  }

  /**
   * Visits slots in ascending (key, slot) order without changing the heap, until `visit`
   * returns false: a frontier heap over heap positions, O(k log k) for k visits.
   */
  ascend(visit: (slot: number) => boolean): void {
    if (this.size === 0) return;
    let f = this.frontier;
    let n = 0;
    f[n++] = 0;
    while (n > 0) {
      const top = f[0]!;
      n--;
      if (n > 0) {
        f[0] = f[n]!;
        this.frontierDown(f, n);
      }
      if (!visit(this.heap[top]!)) return;
      for (let c = 2 * top + 1; c <= 2 * top + 2 && c < this.size; c++) {
        if (n === f.length) {
          const bigger = new Int32Array(f.length * 2);
          bigger.set(f);
          this.frontier = f = bigger;
        }
        f[n] = c;
        this.frontierUp(f, n);
        n++;
      }
    }
  }

  private lessAt(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }

  private up(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lessAt(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(start: number): void {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) return;
      const r = l + 1;
      const best = r < this.size && this.lessAt(r, l) ? r : l;
      if (!this.lessAt(best, i)) return;
      this.swap(i, best);
      i = best;
    }
  }

  private frontierUp(f: Int32Array, start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lessAt(f[i]!, f[parent]!)) return;
      const t = f[i]!;
      f[i] = f[parent]!;
      f[parent] = t;
      i = parent;
    }
  }

  private frontierDown(f: Int32Array, n: number): void {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const best = r < n && this.lessAt(f[r]!, f[l]!) ? r : l;
      if (!this.lessAt(f[best]!, f[i]!)) return;
      const t = f[i]!;
      f[i] = f[best]!;
      f[best] = t;
      i = best;
    }
  }
}
