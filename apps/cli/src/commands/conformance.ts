import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runVectorFile, type CaseResult } from "@rampart/core/conformance";
import type { Out } from "./swarm.js";

export interface ConformanceSummary {
  passed: number;
  failed: number;
  skipped: string[];
  failures: CaseResult[];
}

/** Runs every vector file in `dir` that this version covers. */
export function runConformance(dir: string): ConformanceSummary {
  const ports = { sha256Hex: (b: Uint8Array) => createHash("sha256").update(b).digest("hex") };
  const summary: ConformanceSummary = { passed: 0, failed: 0, skipped: [], failures: [] };
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  for (const file of files) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch (error) {
      summary.failed++;
      summary.failures.push({ file, name: "file", ok: false, detail: `cannot read: ${(error as Error).message}` });
      continue;
    }
    const results = runVectorFile(file, data, ports);
    if (!results) {
      summary.skipped.push(file);
      continue;
    }
    for (const r of results) {
      if (r.ok) summary.passed++;
      else {
        summary.failed++;
        summary.failures.push(r);
      }
    }
  }
  return summary;
}

/** `rampart conformance --vectors DIR`: a line per failing case, then `N passed, M failed`. */
export function conformanceCommand(dir: string, out: Out, err: Out): number {
  const summary = runConformance(dir);
  for (const f of summary.failures) out(`FAIL ${f.file} ${f.name}: ${f.detail ?? ""}`);
  for (const file of summary.skipped) err(`not covered yet: ${file}`);
  out(`${summary.passed} passed, ${summary.failed} failed`);
  return summary.failed === 0 && summary.passed > 0 ? 0 : 1;
}
