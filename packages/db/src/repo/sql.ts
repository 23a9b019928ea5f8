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

/**
 * `unnest($2::text[], $3::int[]) AS v(id, version)`: many rows as one array per column,
 * pushed to `params`. A statement carries as many rows as memory allows with a handful
 * of parameters, where a VALUES list needs one parameter per cell (and PostgreSQL takes
 * at most 65,535), and the drivers convert a few arrays much faster than many scalars.
 */
export function unnestClause(rows: readonly (readonly unknown[])[], columns: readonly (readonly [string, string])[], params: unknown[]): string {
  const arrays = columns.map((_, i) => rows.map((row) => row[i] ?? null));
  const casts = arrays.map((values, i) => (params.push(values), `$${params.length}::${columns[i]![1]}[]`));
  return `unnest(${casts.join(", ")}) AS v(${columns.map(([name]) => name).join(", ")})`;
}
