/**
 * One page of a list: the requested page, clamped to the pages there are (a list that
 * shrank under a poll keeps showing its last page rather than nothing).
 */
export function pageOf<T>(items: readonly T[], requested: number, size: number) {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const page = Math.min(Math.max(0, Math.floor(requested)), pages - 1);
  const start = page * size;
  const rows = items.slice(start, start + size);
  return { rows, page, pages, first: rows.length === 0 ? 0 : start + 1, last: start + rows.length, total: items.length };
}
