import type { CaChangePorts } from "../cluster/ca-config.js";
import { isRampartError } from "../errors/index.js";

/** One case's outcome, for the CLI to count and print. */
export interface CaseResult {
  file: string;
  name: string;
  ok: boolean;
  /** What differed, for a failing case. */
  detail?: string;
}

/** Hashing comes in from the caller: core does no crypto of its own. */
export interface ConformancePorts {
  sha256Hex(bytes: Uint8Array): string;
  /** Keys, certificates and TLS servers for ca_rotation.json; without them its cases fail, saying so. */
  ca?: CaConformancePorts;
}

/**
 * What ca_rotation.json's scenarios are built from: the manager's own root checks,
 * cross-signing and reachability test (`CaChangePorts`), and real roots and servers.
 */
export interface CaConformancePorts extends CaChangePorts {
  now(): Date;
  /**
   * A self-signed root and its PKCS#8 key: valid for `days` (20 years if not given), or
   * one that ended yesterday; made with `key` when given, so two roots can share a key.
   */
  root(options?: { days?: number; expired?: boolean; key?: string }): { cert: string; key: string };
  /** An https URL served on this machine with a certificate `issuer` issued. */
  server(issuer: { cert: string; key: string }): Promise<string>;
  /** An https URL on this machine where nothing answers. */
  closedUrl(): Promise<string>;
  /** Whether `cert`'s signature verifies with `issuerCert`'s public key. */
  verifies(cert: string, issuerCert: string): boolean;
  /** Stops the servers. */
  close(): Promise<void>;
}

/** What one check found: `detail` says what differed when it failed. */
export type Verdict = { ok: boolean; detail?: string };

/** Collects a file's results; a check that throws is a failing case, never a crash of the run. */
export class Cases {
  readonly results: CaseResult[] = [];
  constructor(private readonly file: string) {}

  check(name: string, run: () => Verdict): void {
    try {
      const { ok, detail } = run();
      this.results.push({ file: this.file, name, ok, ...(ok ? {} : { detail }) });
    } catch (error) {
      this.results.push({ file: this.file, name, ok: false, detail: `threw: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  /** As `check`, for a check that waits on something. */
  async checkAsync(name: string, run: () => Promise<Verdict>): Promise<void> {
    try {
      const { ok, detail } = await run();
      this.results.push({ file: this.file, name, ok, ...(ok ? {} : { detail }) });
    } catch (error) {
      this.results.push({ file: this.file, name, ok: false, detail: `threw: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  /** Equal as JSON, whatever order object keys come in (a schema's output has its own order). */
  equal(name: string, actual: () => unknown, expected: unknown): void {
    this.check(name, () => {
      const a = canonical(actual());
      const e = canonical(expected);
      return { ok: a === e, detail: `expected ${e}, got ${a}` };
    });
  }
}

/** A RampartError's message, or the value: the vectors expect Swarm's messages. */
export function errorOf<T>(run: () => T): { error: string } | { value: T } {
  try {
    return { value: run() };
  } catch (error) {
    if (isRampartError(error)) return { error: error.message };
    throw error;
  }
}

/** Plain JSON with object keys sorted, so values compare whatever order keys were met in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonical(v))).join(",")}]`;
  if (value && typeof value === "object") {
    // As JSON.stringify: a key whose value is undefined is left out.
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The text before `separator`, or all of it: vectors explain some values after ` (`. */
export function before(text: string, separator: string): string {
  const at = text.indexOf(separator);
  return at === -1 ? text : text.slice(0, at);
}
