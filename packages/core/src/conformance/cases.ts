import { fromHex } from "../encoding/index.js";
import { isRampartError } from "../errors/index.js";

/** One case's outcome, for the CLI to count and print. */
export interface CaseResult {
  file: string;
  name: string;
  ok: boolean;
  /** What differed, for a failing case. */
  detail?: string;
}

export interface ConformancePorts {
  sha256Hex(bytes: Uint8Array): string;
}

/** A vector file's untyped JSON. */
export type Json = Record<string, unknown>;

/** What one check found: `detail` says what differed when it failed. */
export type Verdict = { ok: boolean; detail?: string };

/** Collects a file's results; a check that throws is a failing case, never a crash of the run. */
export class Cases {
  readonly results: CaseResult[] = [];
  constructor(private readonly file: string) {}

  check(name: string, run: () => { ok: boolean; detail?: string }): void {
    try {
      const { ok, detail } = run();
      this.results.push({ file: this.file, name, ok, ...(ok ? {} : { detail }) });
    } catch (error) {
      this.results.push({ file: this.file, name, ok: false, detail: `threw: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  equal(name: string, actual: () => unknown, expected: unknown): void {
    this.check(name, () => {
      const a = JSON.stringify(actual());
      const e = JSON.stringify(expected);
      return { ok: a === e, detail: `expected ${e}, got ${a}` };
    });
  }
}

/** A RampartError's message, or the value: the vectors expect Swarm's messages. */
export function errorOf(run: () => unknown): { error: string } | { value: unknown } {
  try {
    return { value: run() };
  } catch (error) {
    if (isRampartError(error)) return { error: error.message };
    throw error;
  }
}

export function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`bad hex in vector: ${text}`);
  return bytes;
}

/** Plain JSON with object keys sorted, so trees compare whatever order branches were met in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
