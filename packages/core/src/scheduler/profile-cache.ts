/**
 * Caches of per-node results that only change when the node does, kept apart from the
 * filters that compute them. Swarm re-runs every filter on every node for every task;
 * Rampart remembers, per kind of task ("profile": the same constraints, platforms and
 * plugin needs), which filter a node fails, until the node changes.
 */

/** A node as the cache sees it: its slot and the version of its description. */
export interface VersionedSlot {
  readonly slot: number;
  /** Bumped on every change to the node; never 0. */
  readonly version: number;
}

/**
 * The static filters' verdict for one kind of task on every node: 0 when all pass,
 * else the number of the first failing filter. Computed lazily and kept per node
 * version, so an updated node is re-checked on next use and others are not.
 */
export class StaticProfile<N extends VersionedSlot, Needs> {
  private verdicts = new Uint8Array(16);
  private versions = new Float64Array(16);

  constructor(
    /** Identifies the kind of task; equal keys mean equal needs. */
    readonly key: string,
    /** What the task needs, parsed once for every task of this kind. */
    readonly needs: Needs,
    private readonly evaluate: (needs: Needs, node: N) => number,
  ) {}

  verdict(node: N): number {
    const slot = node.slot;
    if (slot >= this.versions.length) this.grow(slot + 1);
    if (this.versions[slot] === node.version) return this.verdicts[slot]!;
    const verdict = this.evaluate(this.needs, node);
    this.verdicts[slot] = verdict;
    this.versions[slot] = node.version;
    return verdict;
  }

  private grow(size: number): void {
    const cap = Math.max(size, this.versions.length * 2);
    const verdicts = new Uint8Array(cap);
    verdicts.set(this.verdicts);
    const versions = new Float64Array(cap);
    versions.set(this.versions);
    this.verdicts = verdicts;
    this.versions = versions;
  }
}

/**
 * A map that forgets its least recently used entries beyond `limit`, so per-profile
 * and per-service caches stay bounded however many kinds of task come and go. Reads
 * only stamp the entry (they happen once per task); eviction scans, and is rare.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, { value: V; used: number }>();
  private clock = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    entry.used = ++this.clock;
    return entry.value;
  }

  set(key: K, value: V): void {
    this.map.set(key, { value, used: ++this.clock });
    if (this.map.size <= this.limit) return;
    let oldest: K | undefined;
    let oldestUse = Infinity;
    for (const [k, e] of this.map) {
      if (e.used < oldestUse) {
        oldestUse = e.used;
        oldest = k;
      }
    }
    this.map.delete(oldest as K);
  }

  forEach(visit: (value: V) => void): void {
    for (const e of this.map.values()) visit(e.value);
  }

  clear(): void {
    this.map.clear();
  }
}
