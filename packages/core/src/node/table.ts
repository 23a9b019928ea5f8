/**
 * Docker's table output (text/tabwriter with min width 10, tab width 1, padding 3,
 * space padding): every column but the last is padded to its widest cell plus three,
 * and at least ten; the last is left as is.
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "";
  const columns = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    widths[c] = Math.max(10, ...rows.map((r) => [...(r[c] ?? "")].length + 3));
  }
  return rows
    .map((row) =>
      row
        .map((cell, c) => (c < columns - 1 ? cell + " ".repeat(widths[c]! - [...cell].length) : cell))
        .join(""),
    )
    .join("\n");
}

/**
 * Natural order, as `docker node ls` sorts hostnames: runs of digits compare as
 * numbers, so node-2 comes before node-10.
 */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const diff = BigInt(x) - BigInt(y);
      if (diff !== 0n) return diff < 0n ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
