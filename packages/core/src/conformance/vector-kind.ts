import type { z } from "zod";
import { Cases, type CaseResult, type ConformancePorts } from "./cases.js";

/** `cases[3].expect.allow`, or `(the file)` for the top level. */
function pathOf(path: readonly PropertyKey[]): string {
  const text = path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
  return text === "" ? "(the file)" : text;
}

/**
 * One line per schema problem, each naming the path of the bad field. A vector's events
 * and expectations are unions of one-key objects; when exactly one branch knows the key,
 * its own problems are the useful ones, deeper down, so they are shown instead of zod's
 * "Invalid input" for the whole union.
 */
function schemaProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union") {
      const known = issue.errors.filter((branch) => !branch.some((i) => i.code === "unrecognized_keys" && i.path.length === 0));
      if (known.length === 1 && known[0]) return schemaProblems(known[0], path);
    }
    if (issue.code === "invalid_key" || issue.code === "invalid_element") {
      return [`${pathOf(path)}: ${issue.message}: ${issue.issues.map((i) => i.message).join("; ")}`];
    }
    return [`${pathOf(path)}: ${issue.message}`];
  });
}

/** What a vector file must look like, and the checks run on what matched. */
export interface VectorKind {
  file: string;
  run(data: unknown, ports: ConformancePorts): Promise<CaseResult[]>;
}

/**
 * A vector kind: its file is read through `schema` first, so the checks get typed data,
 * and a file of the wrong shape fails with the path of each bad field instead of running
 * checks on half of it.
 */
export function vectorKind<T>(
  file: string,
  schema: z.ZodType<T>,
  run: (vector: T, c: Cases, ports: ConformancePorts) => void | Promise<void>,
): VectorKind {
  return {
    file,
    async run(data, ports) {
      const parsed = schema.safeParse(data);
      const c = new Cases(file);
      if (!parsed.success) {
        for (const problem of schemaProblems(parsed.error.issues)) c.check("schema", () => ({ ok: false, detail: problem }));
        return c.results;
      }
      await run(parsed.data, c, ports);
      return c.results;
    },
  };
}
