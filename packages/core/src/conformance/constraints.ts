import { matchValue, nodeMatches, parseConstraints, type Constraint, type ConstraintNode } from "../constraint/index.js";
import { isRampartError } from "../errors/index.js";
import { Cases, type CaseResult, type Json } from "./cases.js";

/** constraints.json: the constraint parser, Constraint.Match and NodeMatches. */
export function runConstraints(data: Json): CaseResult[] {
  const c = new Cases("constraints.json");
  for (const item of data.cases as Json[]) {
    const exprs = item.exprs as string[];
    const name = `${item.kind as string}/${item.id as string}`;
    c.check(name, () => {
      let parsed: Constraint[];
      try {
        parsed = parseConstraints(exprs);
      } catch (error) {
        if (!isRampartError(error)) throw error;
        const ok = item.expect === "parse-error" && (item.error === undefined || item.error === error.message);
        return { ok, detail: `parse failed with "${error.message}"; expected ${JSON.stringify(item.expect)}${item.error ? ` "${String(item.error)}"` : ""}` };
      }
      if (item.expect === "parse-error") return { ok: false, detail: `expected a parse error, parsed ${JSON.stringify(parsed)}` };
      if (item.kind === "parse") {
        const ok = item.parsed === undefined || JSON.stringify(parsed) === JSON.stringify(item.parsed);
        return { ok, detail: `parsed ${JSON.stringify(parsed)}, expected ${JSON.stringify(item.parsed)}` };
      }
      if (item.kind === "value") {
        const result = parsed.every((p) => matchValue(p, item.values as string[]));
        return { ok: result === item.expect, detail: `matched ${result}, expected ${String(item.expect)}` };
      }
      const n = item.node as Json;
      const platform = n.platform as { os: string; architecture: string } | null;
      const node: ConstraintNode = {
        id: n.id as string,
        role: n.role as "worker" | "manager",
        hostname: n.hostname as string,
        labels: n.labels as Record<string, string>,
        engineLabels: n.engine_labels as Record<string, string>,
        platform: platform ? { os: platform.os, arch: platform.architecture } : null,
        addr: (n.addr as string | null) ?? null,
      };
      const result = nodeMatches(parsed, node);
      return { ok: result === item.expect, detail: `matched ${result}, expected ${String(item.expect)}` };
    });
  }
  return c.results;
}
