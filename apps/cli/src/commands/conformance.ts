import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runVectorFiles, type CaseResult, type VectorFile } from "@rampart/core/conformance";
import { caConformancePorts } from "./conformance-ca.js";
import type { Out } from "./swarm.js";

export interface ConformanceSummary {
  passed: number;
  failed: number;
  failures: CaseResult[];
  /** Files present in the folder that the project knows it does not run yet. */
  notImplemented: string[];
  /** Why the folder itself could not be listed, if it could not. */
  folderError?: string;
}

function readFolder(dir: string): { files: VectorFile[]; folderError?: string } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch (error) {
    return { files: [], folderError: error instanceof Error ? error.message : String(error) };
  }
  const files = names.map((name): VectorFile => {
    try {
      return { name, text: readFileSync(join(dir, name), "utf8") };
    } catch (error) {
      return { name, readError: error instanceof Error ? error.message : String(error) };
    }
  });
  return { files };
}

/** Runs every `*.json` vector file in `dir`; core decides what an unknown or missing file means. */
export async function runConformance(dir: string): Promise<ConformanceSummary> {
  const ports = { sha256Hex: (b: Uint8Array) => createHash("sha256").update(b).digest("hex"), ca: caConformancePorts() };
  const { files, folderError } = readFolder(dir);
  const report = await runVectorFiles(files, ports);
  const failures = report.results.filter((r) => !r.ok);
  return {
    passed: report.results.length - failures.length,
    failed: failures.length,
    failures,
    notImplemented: report.notImplemented,
    ...(folderError === undefined ? {} : { folderError }),
  };
}

/**
 * `rampart conformance --vectors DIR`. On stdout: a `FAIL <file> <case>: <detail>` line
 * per failing case, then `K not implemented: a.json, b.json` when the folder holds files
 * the project does not run yet, and last `N passed, M failed` (DESIGN.md §4: people and CI
 * read that line). Exits 1 when a case failed or none passed. A folder that cannot be
 * listed is also said on `err`.
 */
export async function conformanceCommand(dir: string, out: Out, err: Out): Promise<number> {
  const summary = await runConformance(dir);
  if (summary.folderError !== undefined) err(`rampart conformance: cannot read ${dir}: ${summary.folderError}`);
  for (const f of summary.failures) out(`FAIL ${f.file} ${f.name}: ${f.detail ?? ""}`);
  if (summary.notImplemented.length > 0) out(`${summary.notImplemented.length} not implemented: ${summary.notImplemented.join(", ")}`);
  out(`${summary.passed} passed, ${summary.failed} failed`);
  return summary.failed === 0 && summary.passed > 0 ? 0 : 1;
}
