import { recordHeartbeats, type Db } from "@rampart/db";

/**
 * Heartbeats are kept in memory and written to the store in one statement every few
 * seconds. Node state (Ready/Down) is read from here first, so it is exact in this
 * process, and the store is never more than one flush behind.
 */
export class HeartbeatTracker {
  private readonly latest = new Map<string, { at: Date; addr: string | null }>();
  private pending = new Map<string, { at: Date; addr: string | null }>();

  beat(nodeId: string, at: Date, addr: string | null): void {
    const entry = { at, addr };
    this.latest.set(nodeId, entry);
    this.pending.set(nodeId, entry);
  }

  /** The newer of what this process saw and what the store says. */
  lastSeen(nodeId: string, stored: Date | null): Date | null {
    const here = this.latest.get(nodeId)?.at;
    if (!here) return stored;
    if (!stored) return here;
    return here > stored ? here : stored;
  }

  forget(nodeId: string): void {
    this.latest.delete(nodeId);
    this.pending.delete(nodeId);
  }

  async flush(db: Db): Promise<number> {
    if (this.pending.size === 0) return 0;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await recordHeartbeats(
        db,
        [...batch].map(([id, v]) => ({ id, at: v.at, addr: v.addr })),
      );
    } catch (error) {
      // Keep them for the next flush rather than lose them.
      for (const [id, v] of batch) if (!this.pending.has(id)) this.pending.set(id, v);
      throw error;
    }
    return batch.size;
  }
}
