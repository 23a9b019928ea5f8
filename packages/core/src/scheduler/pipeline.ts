import { FILTER_NAMES, explainFilter } from "./filters.js";

/**
 * The pipeline's failure counters and their explanation (manager/scheduler/pipeline.go).
 * A node is charged to the first filter it fails; any node that passes clears every
 * counter, so the explanation only covers failures since the last node that fitted.
 */
export class Pipeline {
  /** Index = filter code (1…7); index 0 unused. */
  readonly counts = new Int32Array(FILTER_NAMES.length + 1);

  /** Records one node's result (0 = passed) and says whether it passed. */
  record(code: number): boolean {
    if (code === 0) {
      this.counts.fill(0);
      return true;
    }
    this.counts[code]!++;
    return false;
  }

  reset(): void {
    this.counts.fill(0);
  }

  /** Takes counters computed elsewhere (a full scan in which no node passed). */
  load(counts: Int32Array): void {
    this.counts.set(counts);
  }

  /** Pipeline.Explain: the non-zero counters, most failures first (ties in pipeline order), joined by "; ". */
  explain(): string {
    return explainCounts(this.counts);
  }
}

/**
 * Swarm sorts the eight counters with sort.Sort, which for so few elements is an
 * insertion sort and therefore stable: equal counts stay in pipeline order.
 */
export function explainCounts(counts: ArrayLike<number>): string {
  const order: number[] = [];
  for (let code = 1; code < counts.length; code++) if ((counts[code] ?? 0) > 0) order.push(code);
  order.sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a - b);
  return order.map((code) => explainFilter(code, counts[code] ?? 0)).join("; ");
}

/** The task error Swarm writes when no node fits: `no suitable node (…)`, or bare when nothing was tried. */
export function noSuitableNodeError(explanation: string): string {
  return explanation === "" ? "no suitable node" : `no suitable node (${explanation})`;
}
