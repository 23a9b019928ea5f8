/**
 * Group commit: writes that arrive while one is in flight are gathered and written
 * together in one transaction, as soon as the store is free. A lone write goes out at
 * once (no added latency); a burst of joins shares a few transactions instead of taking
 * one each. Each caller's promise settles only when its own write has committed, so an
 * acknowledged write is a durable one. If a shared write fails, its items are retried
 * one by one, so one bad item cannot fail the others.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>, maxItems = 256) {
  let queue: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  let busy = false;

  async function drain(): Promise<void> {
    busy = true;
    try {
      while (queue.length > 0) {
        // Let requests that have already arrived reach the queue before it is taken.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = queue.slice(0, maxItems);
        queue = queue.slice(maxItems);
        try {
          await write(batch.map((b) => b.item));
          for (const b of batch) b.resolve();
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          for (const b of batch) {
            try {
              await write([b.item]);
              b.resolve();
            } catch (single) {
              b.reject(single);
            }
          }
        }
      }
    } finally {
      busy = false;
    }
  }

  return {
    add(item: T): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!busy) void drain();
      });
    },
  };
}
