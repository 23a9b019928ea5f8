import { matchValue, nodeMatches, parseConstraints, type Constraint, type ConstraintNode } from "../constraint/index.js";
import { fromHex, toHex } from "../encoding/index.js";
import { isRampartError } from "../errors/index.js";
import { newId } from "../id/index.js";
import { authorizeNode, type AuthorizeInput } from "../node/authorize.js";
import { formatJoinToken, joinTokenDigest, joinTokenSecret, parseJoinToken } from "../token/join.js";
import { formatUnlockKey, parseUnlockKey } from "../token/unlock.js";

/**
 * The conformance runner's checks (DESIGN.md §4): each vector file from SwarmKit's tests
 * is run against Rampart's own code. Pure: the caller reads the files and supplies a
 * SHA-256. A file this version does not cover yet returns undefined.
 */
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

type Json = Record<string, unknown>;

class Cases {
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

function errorOf(run: () => unknown): { error: string } | { value: unknown } {
  try {
    return { value: run() };
  } catch (error) {
    if (isRampartError(error)) return { error: error.message };
    throw error;
  }
}

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`bad hex in vector: ${text}`);
  return bytes;
}

/** A parsed token in the vectors' field names. */
function asVector(token: string): Json {
  const p = parseJoinToken(token);
  return { version: p.version, fips: p.fips, root_digest: p.rootDigest, secret: p.secret };
}

function tokens(data: Json, ports: ConformancePorts): CaseResult[] {
  const c = new Cases("tokens.json");
  const w = data.worked_example as Json;
  const pem = new TextEncoder().encode(w.root_ca_pem as string);
  const other = w.token_v1_other_secret as Json;
  c.equal("worked_example/sha256", () => ports.sha256Hex(pem), w.root_ca_sha256_hex);
  c.equal("worked_example/digest", () => joinTokenDigest(w.root_ca_sha256_hex as string), w.digest_base36_padded50);
  c.equal("worked_example/secret", () => joinTokenSecret(hex(w.secret_bytes_hex as string)), w.secret_base36_padded25);
  c.equal("worked_example/token_v1", () => formatJoinToken(ports.sha256Hex(pem), hex(w.secret_bytes_hex as string)), w.token_v1);
  c.equal("worked_example/token_v1_other_secret", () => formatJoinToken(ports.sha256Hex(pem), hex(other.secret_bytes_hex as string)), other.token);
  c.equal("worked_example/token_v2_fips", () => formatJoinToken(ports.sha256Hex(pem), hex(w.secret_bytes_hex as string), true), w.token_v2_fips);
  c.equal("worked_example/all_zero_secret", () => formatJoinToken(ports.sha256Hex(pem), new Uint8Array(16)), w.token_with_all_zero_secret);
  c.equal("worked_example/parse", () => asVector(w.token_v1 as string), w.parse_of_token_v1);
  for (const [i, item] of (data.parse_cases as Json[]).entries()) {
    const expect = item.expect as Json;
    c.equal(`parse_cases/${i}`, () => {
      const r = errorOf(() => asVector(item.token as string));
      return "error" in r ? { error: r.error } : r.value;
    }, expect);
  }
  const unlock = data.unlock_key as Json;
  const example = unlock.example as Json;
  c.equal("unlock_key/example", () => formatUnlockKey(hex(example.key_bytes_hex as string)), example.unlock_key);
  c.equal("unlock_key/example_length", () => (example.unlock_key as string).length, example.length);
  for (const [i, item] of (unlock.parse_cases as Json[]).entries()) {
    c.equal(`unlock_key/parse_cases/${i}`, () => {
      const r = errorOf(() => parseUnlockKey(item.input as string));
      return "error" in r ? { error: r.error } : { key_bytes_hex: toHex(r.value as Uint8Array) };
    }, item.expect);
  }
  for (const [i, item] of ((data.node_ids as Json).examples as Json[]).entries()) {
    c.equal(`node_ids/${i}`, () => newId(hex(item.bytes_hex as string)), item.id);
  }
  return c.results;
}

function caAuth(data: Json): CaseResult[] {
  const c = new Cases("ca_auth.json");
  for (const [i, item] of (data.cases as Json[]).entries()) {
    const expect = item.expect as Json;
    c.equal(`cases/${i}`, () => {
      const result = authorizeNode({
        peer: item.peer as AuthorizeInput["peer"],
        forwarded: item.forwarded as AuthorizeInput["forwarded"],
        blacklist: item.blacklist as string[],
        clusterOrg: item.cluster_org as string,
        required: item.required as string[],
      });
      return result.allow ? { allow: true, node_id: result.nodeId } : { allow: false, error: result.error };
    }, expect);
  }
  return c.results;
}

function constraints(data: Json): CaseResult[] {
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

/** The vector files this version runs. Later work adds the scheduler and secrets. */
export const COVERED_VECTOR_FILES = ["tokens.json", "ca_auth.json", "constraints.json"] as const;

export function runVectorFile(file: string, data: unknown, ports: ConformancePorts): CaseResult[] | undefined {
  if (typeof data !== "object" || data === null) {
    return [{ file, name: "file", ok: false, detail: "not a JSON object" }];
  }
  switch (file) {
    case "tokens.json":
      return tokens(data as Json, ports);
    case "ca_auth.json":
      return caAuth(data as Json);
    case "constraints.json":
      return constraints(data as Json);
    default:
      return undefined;
  }
}
