import type { GenericResources } from "./types.js";

/**
 * One unit of a generic resource handed to a task: an amount of a discrete kind, or one
 * named item (a GPU's UUID, say). Kept per task so that removal gives back exactly what
 * was taken (Task.AssignedGenericResources in Swarm).
 */
export interface GenericClaim {
  kind: string;
  /** Amount of a discrete kind. */
  discrete?: number;
  /** One named item of the kind. */
  named?: string;
}

/**
 * The generic (user-defined) resources still free on a node, with Swarm's accounting
 * rules (api/genericresource): a kind is either discrete (a count) or a list of named
 * items; a discrete kind that reaches 0 leaves the list, so asking for it fails;
 * claiming takes named items in list order; giving back appends them at the end.
 * A data structure only: which task may ask for what is the ResourceFilter's business.
 */
export class GenericPool {
  /** Discrete kinds and their free amount (always > 0). */
  readonly discrete = new Map<string, number>();
  /** Named kinds and their free items, in claim order. */
  readonly named = new Map<string, string[]>();

  /** A pool holding everything a node description lists. */
  static from(generic: GenericResources | null | undefined): GenericPool {
    const pool = new GenericPool();
    if (!generic) return pool;
    for (const [kind, value] of Object.entries(generic.discrete ?? {})) if (value > 0) pool.discrete.set(kind, value);
    for (const [kind, values] of Object.entries(generic.named ?? {})) if (values.length > 0) pool.named.set(kind, [...values]);
    return pool;
  }

  /** True when the node lists no generic resource at all (Swarm then skips reclaiming). */
  isEmpty(): boolean {
    return this.discrete.size === 0 && this.named.size === 0;
  }

  clone(): GenericPool {
    const copy = new GenericPool();
    for (const [kind, value] of this.discrete) copy.discrete.set(kind, value);
    for (const [kind, values] of this.named) copy.named.set(kind, [...values]);
    return copy;
  }

  /** genericresource.HasEnough: the kind must be present, with enough of it. */
  hasEnough(kind: string, value: number): boolean {
    const amount = this.discrete.get(kind);
    if (amount !== undefined) return value <= amount;
    const items = this.named.get(kind);
    return items !== undefined && items.length > 0 && value <= items.length;
  }

  /** How much of a kind is free (discrete amount or named item count), for explanations. */
  available(kind: string): number {
    return this.discrete.get(kind) ?? this.named.get(kind)?.length ?? 0;
  }

  /**
   * genericresource.Claim: selects every request first and takes nothing if one kind is
   * missing altogether. A discrete request is taken whole if there is enough (and not 0),
   * else skipped; a named request takes items in order until it has `value` of them,
   * or all there are (so 0 takes all: Swarm's loop only stops on equality).
   */
  claim(requests: readonly (readonly [string, number])[]): GenericClaim[] {
    const selected: GenericClaim[] = [];
    for (const [kind, value] of requests) {
      const amount = this.discrete.get(kind);
      if (amount !== undefined) {
        if (amount >= value && value !== 0) selected.push({ kind, discrete: value });
        continue;
      }
      const items = this.named.get(kind);
      if (!items || items.length === 0) return [];
      let taken = 0;
      for (const item of items) {
        selected.push({ kind, named: item });
        taken++;
        if (taken === value) break;
      }
    }
    this.consume(selected);
    return selected;
  }

  /** genericresource.ConsumeNodeResources: removes claimed amounts and items. */
  consume(claims: readonly GenericClaim[]): void {
    for (const c of claims) {
      if (c.discrete !== undefined) {
        const amount = this.discrete.get(c.kind);
        if (amount === undefined) continue;
        const left = amount - c.discrete;
        if (left <= 0) this.discrete.delete(c.kind);
        else this.discrete.set(c.kind, left);
      } else if (c.named !== undefined) {
        const items = this.named.get(c.kind);
        if (!items) continue;
        const at = items.indexOf(c.named);
        if (at === -1) continue;
        items.splice(at, 1);
        if (items.length === 0) this.named.delete(c.kind);
      }
    }
  }

  /**
   * genericresource.Reclaim: gives claims back (discrete amounts added, named items
   * appended), then drops or resets whatever the node's description no longer has.
   */
  reclaim(claims: readonly GenericClaim[], total: GenericPool): void {
    for (const c of claims) {
      if (c.discrete !== undefined) {
        if (this.named.has(c.kind)) continue;
        this.discrete.set(c.kind, (this.discrete.get(c.kind) ?? 0) + c.discrete);
      } else if (c.named !== undefined) {
        const items = this.named.get(c.kind);
        if (items) items.push(c.named);
        else this.named.set(c.kind, [c.named]);
      }
    }
    this.sanitize(total);
  }

  /** Swarm's sanitize: nothing beyond what the node description lists. */
  private sanitize(total: GenericPool): void {
    for (const [kind, amount] of [...this.discrete]) {
      const limit = total.discrete.get(kind);
      if (limit === undefined) {
        this.discrete.delete(kind);
        const reset = total.named.get(kind);
        if (reset) this.named.set(kind, [...reset]);
      } else if (amount > limit) {
        this.discrete.set(kind, limit);
      }
    }
    for (const [kind, items] of [...this.named]) {
      const allowed = total.named.get(kind);
      if (allowed) {
        const kept = items.filter((item) => allowed.includes(item));
        if (kept.length === 0) this.named.delete(kind);
        else this.named.set(kind, kept);
        continue;
      }
      this.named.delete(kind);
      const limit = total.discrete.get(kind);
      if (limit !== undefined && !this.discrete.has(kind)) this.discrete.set(kind, limit);
    }
  }

  /** A plain snapshot, for tests and the conformance runner. */
  snapshot(): { discrete: Record<string, number>; named: Record<string, string[]> } {
    return { discrete: Object.fromEntries(this.discrete), named: Object.fromEntries([...this.named].map(([k, v]) => [k, [...v]])) };
  }
}
