import { runCaAuth } from "./ca-auth.js";
import type { CaseResult, ConformancePorts, Json } from "./cases.js";
import { runConstraints } from "./constraints.js";
import { runScheduler } from "./scheduler.js";
import { runSecrets } from "./secrets.js";
import { runTokens } from "./tokens.js";

/**
 * Each vector file this version runs, and its runner. A runner lives in a module of its
 * own named after its file (`ca_auth.json` → `ca-auth.ts`), so a vector kind reads on
 * its own and a new one is one file and one line here.
 */
export const VECTOR_RUNNERS = {
  "tokens.json": runTokens,
  "ca_auth.json": runCaAuth,
  "constraints.json": runConstraints,
  "scheduler.json": runScheduler,
  "secrets.json": runSecrets,
} as const satisfies Record<string, (data: Json, ports: ConformancePorts) => CaseResult[]>;

/** The vector files this version runs. */
export const COVERED_VECTOR_FILES = Object.keys(VECTOR_RUNNERS) as Array<keyof typeof VECTOR_RUNNERS>;

export function runVectorFile(file: string, data: unknown, ports: ConformancePorts): CaseResult[] | undefined {
  if (typeof data !== "object" || data === null) {
    return [{ file, name: "file", ok: false, detail: "not a JSON object" }];
  }
  const runner = Object.hasOwn(VECTOR_RUNNERS, file) ? VECTOR_RUNNERS[file as keyof typeof VECTOR_RUNNERS] : undefined;
  return runner?.(data as Json, ports);
}
