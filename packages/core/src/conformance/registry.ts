import { caAuth } from "./ca-auth.js";
import { caRotation } from "./ca-rotation.js";
import type { CaseResult, ConformancePorts } from "./cases.js";
import { constraints } from "./constraints.js";
import { scheduler } from "./scheduler.js";
import { secrets } from "./secrets.js";
import { tokens } from "./tokens.js";
import type { VectorKind } from "./vector-kind.js";

/**
 * Each vector file this version runs, and its runner. A runner lives in a module of its
 * own named after its file (`ca_auth.json` → `ca-auth.ts`), with the file's schema beside
 * it (`ca-auth.schema.ts`), so a vector kind reads on its own and a new one is two files
 * and one line here.
 */
export const VECTOR_RUNNERS: Readonly<Record<string, VectorKind>> = Object.fromEntries(
  [tokens, caAuth, caRotation, constraints, scheduler, secrets].map((kind) => [kind.file, kind]),
);

/**
 * Vector files the project knows it does not run yet. They are reported and counted on
 * every run, never passed over in silence, and a test pins this list, so adding to it is
 * a visible change. Every file is run today.
 */
export const NOT_IMPLEMENTED_VECTOR_FILES: readonly string[] = [];

/**
 * What a run found. File-level problems (unknown, missing, unreadable or not JSON) are
 * failing cases named `file`, so they count as failures and print like any other.
 */
export interface ConformanceReport {
  /** Every case run, passed or failed, in the order of the files. */
  results: CaseResult[];
  /** Files present in the folder that are on NOT_IMPLEMENTED_VECTOR_FILES. */
  notImplemented: string[];
}

/** One `*.json` file of the vector folder as the caller read it, or why it could not. */
export type VectorFile = { name: string; text: string } | { name: string; readError: string };

const fileFailure = (file: string, detail: string): CaseResult => ({ file, name: "file", ok: false, detail });

/** Runs one file's cases. A file with neither a runner nor a place on the not-implemented list fails. */
export async function runVectorFile(file: string, data: unknown, ports: ConformancePorts): Promise<ConformanceReport> {
  if (NOT_IMPLEMENTED_VECTOR_FILES.includes(file)) return { results: [], notImplemented: [file] };
  const kind = Object.hasOwn(VECTOR_RUNNERS, file) ? VECTOR_RUNNERS[file] : undefined;
  if (!kind) return { results: [fileFailure(file, "unknown vector file: it has no runner and is not on the not-implemented list")], notImplemented: [] };
  return { results: await kind.run(data, ports), notImplemented: [] };
}

function readJson(f: VectorFile): { data: unknown } | { problem: string } {
  if ("readError" in f) return { problem: `cannot read: ${f.readError}` };
  try {
    return { data: JSON.parse(f.text) };
  } catch (error) {
    return { problem: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Runs a whole vector folder: every file in it, and every file the project knows must be
 * there (a runner's file or a not-implemented one), so that neither an extra file nor a
 * missing one can leave cases unrun while the run passes. Files go in name order.
 */
export async function runVectorFiles(files: readonly VectorFile[], ports: ConformancePorts): Promise<ConformanceReport> {
  const report: ConformanceReport = { results: [], notImplemented: [] };
  const byName = new Map(files.map((f) => [f.name, f]));
  const names = new Set([...byName.keys(), ...Object.keys(VECTOR_RUNNERS), ...NOT_IMPLEMENTED_VECTOR_FILES]);
  for (const name of [...names].sort()) {
    const f = byName.get(name);
    const read = f ? readJson(f) : { problem: "missing from the vector folder" };
    const one = "problem" in read ? { results: [fileFailure(name, read.problem)], notImplemented: [] } : await runVectorFile(name, read.data, ports);
    report.results.push(...one.results);
    report.notImplemented.push(...one.notImplemented);
  }
  return report;
}
