import { matchValue, nodeMatches, parseConstraints, type Constraint } from "../constraint/index.js";
import { isRampartError } from "../errors/index.js";
import { canonical, type Verdict } from "./cases.js";
import { ConstraintsVector } from "./constraints.schema.js";
import { vectorKind } from "./vector-kind.js";

type ConstraintCase = ConstraintsVector["cases"][number];

function check(item: ConstraintCase): Verdict {
  let parsed: Constraint[];
  try {
    parsed = parseConstraints(item.exprs);
  } catch (error) {
    if (!isRampartError(error)) throw error;
    const ok = item.expect === "parse-error" && (item.error === undefined || item.error === error.message);
    return { ok, detail: `parse failed with "${error.message}"; expected ${JSON.stringify(item.expect)}${item.error ? ` "${item.error}"` : ""}` };
  }
  if (item.expect === "parse-error") return { ok: false, detail: `expected a parse error, parsed ${JSON.stringify(parsed)}` };
  switch (item.kind) {
    case "parse": {
      const ok = item.parsed === undefined || canonical(parsed) === canonical(item.parsed);
      return { ok, detail: `parsed ${JSON.stringify(parsed)}, expected ${JSON.stringify(item.parsed)}` };
    }
    case "value": {
      const result = parsed.every((p) => matchValue(p, item.values));
      return { ok: result === item.expect, detail: `matched ${result}, expected ${String(item.expect)}` };
    }
    case "node": {
      const n = item.node;
      const result = nodeMatches(parsed, {
        id: n.id,
        role: n.role,
        hostname: n.hostname,
        labels: n.labels,
        engineLabels: n.engine_labels,
        platform: n.platform ? { os: n.platform.os, arch: n.platform.architecture } : null,
        addr: n.addr,
      });
      return { ok: result === item.expect, detail: `matched ${result}, expected ${String(item.expect)}` };
    }
  }
}

/** constraints.json: the constraint parser, Constraint.Match and NodeMatches. */
export const constraints = vectorKind("constraints.json", ConstraintsVector, (data, c) => {
  for (const item of data.cases) c.check(`${item.kind}/${item.id}`, () => check(item));
});
