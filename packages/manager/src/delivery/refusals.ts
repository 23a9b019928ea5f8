/**
 * Which of a node's refused secret fetches are audited one by one, and how many go into
 * its summary. Every refusal is one or the other: a node that asks for thousands of
 * secret IDs can fill its own allowance, never switch auditing off. Memory is bounded by
 * the number of nodes (verified callers only) times `perNode`.
 */
export interface RefusalSummary {
  nodeId: string;
  /** Refusals in the window not audited one by one. */
  count: number;
  since: Date;
}

interface Window {
  startedAt: number;
  /** The secrets refused to this node and audited one by one in this window. */
  audited: Set<string>;
  /** The refusals counted into the summary instead. */
  counted: number;
}

export function createRefusalLedger(now: () => Date, intervalMs: number, perNode: number) {
  const windows = new Map<string, Window>();

  /** Takes the summary of a window, if it counted anything. */
  const summary = (nodeId: string, w: Window): RefusalSummary[] =>
    w.counted > 0 ? [{ nodeId, count: w.counted, since: new Date(w.startedAt) }] : [];

  return {
    /**
     * Notes one refusal. `individual` says whether to audit it by itself; `closed` is the
     * summary of this node's previous window, when this refusal is the first after it.
     */
    refuse(nodeId: string, secretId: string): { individual: boolean; closed: RefusalSummary[] } {
      const at = now().getTime();
      let w = windows.get(nodeId);
      let closed: RefusalSummary[] = [];
      if (w && w.startedAt + intervalMs <= at) {
        closed = summary(nodeId, w);
        w = undefined;
      }
      if (!w) {
        w = { startedAt: at, audited: new Set(), counted: 0 };
        windows.set(nodeId, w);
      }
      if (!w.audited.has(secretId) && w.audited.size < perNode) {
        w.audited.add(secretId);
        return { individual: true, closed };
      }
      w.counted++;
      return { individual: false, closed };
    },

    /** Closes the windows that have run their interval (all of them with `all`) and returns their summaries. */
    drain(all = false): RefusalSummary[] {
      const at = now().getTime();
      const out: RefusalSummary[] = [];
      for (const [nodeId, w] of windows) {
        if (!all && w.startedAt + intervalMs > at) continue;
        windows.delete(nodeId);
        out.push(...summary(nodeId, w));
      }
      return out;
    },

    /** Puts back a summary that could not be written, so its refusals are not lost. */
    restore(s: RefusalSummary): void {
      const w = windows.get(s.nodeId);
      if (w) w.counted += s.count;
      else windows.set(s.nodeId, { startedAt: s.since.getTime(), audited: new Set(), counted: s.count });
    },
  };
}
