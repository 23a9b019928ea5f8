/**
 * Group commit, for writes and reads alike: calls that arrive while one batch is in
 * flight are gathered and run together, as soon as the store is free. A lone call goes
 * out at once (no added latency); a burst (a fleet joining, 500 nodes reporting or
 * fetching at once) shares a few statements instead of taking one each. Through PGlite,
 * where each statement has a fixed cost that dwarfs its rows, this is most of the cost
 * of a burst.
 *
 * `run` answers each item, in order. Each caller's promise settles only when its own
 * batch has finished, so an acknowledged write is a committed one. If a shared batch
 * fails, its items are retried one by one, so one bad item cannot fail the others.
 */
export function batched<T, R>(run: (items: T[]) => Promise<R[]>, maxItems = 256) {
  let queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
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
          const results = await run(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          for (const b of batch) {
            try {
              b.resolve((await run([b.item]))[0]!);
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
    add(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!busy) void drain();
      });
    },
  };
}

/** A batch of writes with nothing to answer. */
export function groupCommit<T>(write: (items: T[]) => Promise<void>, maxItems = 256) {
  return batched<T, void>(async (items) => {
    await write(items);
    return items.map(() => undefined);
  }, maxItems);
}
