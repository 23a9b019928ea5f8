/**
 * `($1::text, $2::int), (…)` for many rows in one statement, pushing the values to
 * `params`. Through PGlite each statement has a fixed cost that dwarfs its rows, so
 * bursts are written as few statements as possible.
 */
export function valuesClause(rows: readonly (readonly unknown[])[], types: readonly (readonly [string, string])[], params: unknown[]): string {
  return rows
    .map((row) => `(${row.map((value, i) => (params.push(value), `$${params.length}::${types[i]![1]}`)).join(", ")})`)
    .join(", ");
}
