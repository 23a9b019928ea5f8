"use client";

import { Card } from "~/components/ui";
import { bucketLabel, bucketText, type PkiBucket } from "./model";

/** On a phone only some bars are named (the first day, the week's end, every fourth week, the last), so the names do not run together. */
const landmark = (i: number, count: number) => i === 0 || i === 6 || i === count - 1 || (i > 6 && i < count - 2 && (i - 6) % 4 === 0);

/**
 * Upcoming node certificate expiries as a compact bar chart: a bar a day for the first
 * week, a week a bar to 13 weeks, then the rest. Each bar says what it counts in its
 * title and under it; screen readers get the same as a table, and the chart is hidden
 * from them so it is not read twice.
 */
export function ExpiryTimeline({ buckets, now, datesKnown }: { buckets: readonly PkiBucket[]; now: Date; datesKnown: boolean }) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  return (
    <Card title="Upcoming expiries" className="min-w-0">
      <div className="space-y-3" data-testid="expiry-timeline">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {total === 0
            ? datesKnown
              ? "No node certificate dates to show."
              : "The environment does not report node certificates' dates, so there is nothing to chart."
            : `${total.toLocaleString("en")} node certificate${total === 1 ? "" : "s"}, by when ${total === 1 ? "it expires" : "they expire"}: a day a bar for the first week, then a week a bar. Nodes renew well before the end.`}
        </p>
        <ol aria-hidden="true" className="flex h-32 items-end gap-0.5 sm:gap-1" data-testid="expiry-bars">
          {buckets.map((bucket, i) => {
            const text = bucketText(bucket, now);
            const height = bucket.count === 0 ? 0 : Math.max(6, (bucket.count / max) * 100);
            return (
              <li key={bucket.from.toISOString()} title={text} data-testid="expiry-bar" data-count={bucket.count} className="flex h-full min-w-0 flex-1 flex-col items-center justify-end gap-0.5">
                <span className="text-[0.625rem] leading-none tabular-nums text-zinc-600 dark:text-zinc-400">{bucket.count > 0 ? bucket.count.toLocaleString("en") : ""}</span>
                <span className="flex w-full flex-1 items-end">
                  <span
                    className={`w-full rounded-t ${i === 0 && bucket.count > 0 ? "bg-amber-500 dark:bg-amber-400" : "bg-sky-600 dark:bg-sky-500"}`}
                    style={{ height: `${height}%` }}
                  />
                </span>
                <span
                  className={`w-full border-t border-zinc-300 pt-0.5 text-center text-[0.625rem] leading-none text-zinc-500 dark:border-zinc-700 ${
                    landmark(i, buckets.length) ? "" : "invisible sm:visible"
                  }`}
                >
                  {bucketLabel(bucket, i, now)}
                </span>
              </li>
            );
          })}
        </ol>
        {/* A block that clips: a table alone would not, and its cells could widen the page. */}
        <div className="sr-only">
        <table>
          <caption>Node certificates by when they expire</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Certificates</th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((bucket) => (
              <tr key={bucket.from.toISOString()}>
                <th scope="row">{bucketText(bucket, now)}</th>
                <td>{bucket.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      </div>
    </Card>
  );
}
