import { isRampartError } from "../errors/index.js";
import {
  checkPayloadSize,
  checkSecretName,
  checkSecretReferences,
  checkSecretSpec,
  checkSecretsExist,
  checkSecretUpdate,
  mountPath,
  parseSecretFlag,
  payloadSizeMessage,
  secretAlreadyExists,
  secretInUse,
  SECRET_NAME_MAX_LENGTH,
  type MountOs,
  type PayloadKind,
  type SecretReferenceDraft,
} from "../secret/index.js";
import { Cases, type CaseResult, type Json, type Verdict } from "./cases.js";

/** gRPC codes as the vectors spell them, and Rampart's codes for them. */
const GRPC_CODES: Record<string, string> = { InvalidArgument: "invalid_argument", AlreadyExists: "already_exists", NotFound: "not_found" };

/** What a rule did: passed, or threw a RampartError (message and code). */
function verdictOf(run: () => unknown): { valid: true } | { valid: false; error: string; code: string } {
  try {
    run();
    return { valid: true };
  } catch (error) {
    if (isRampartError(error)) return { valid: false, error: error.message, code: error.code };
    throw error;
  }
}

/** Compares a verdict with a case's `valid`, `error` and `code` (the latter two when given). */
function judge(got: ReturnType<typeof verdictOf>, valid: boolean, error?: unknown, code?: unknown): Verdict {
  const want = JSON.stringify({ valid, ...(error !== undefined ? { error } : {}), ...(code !== undefined ? { code: GRPC_CODES[code as string] ?? code } : {}) });
  const shown = JSON.stringify(got.valid ? got : { valid: false, ...(error !== undefined ? { error: got.error } : {}), ...(code !== undefined ? { code: got.code } : {}) });
  return { ok: want === shown, detail: `expected ${want}, got ${JSON.stringify(got)}` };
}

/** `0444 (octal)` → 0o444. */
const octalOf = (text: string): number => Number.parseInt(/^0?([0-7]+)/.exec(text)![1]!, 8);

/** The part of a vector's format string before its explanation, e.g. `… %v  (%s = …)`. */
const formatOf = (text: string): string => text.split("  (")[0]!;

function goFormat(format: string, ...args: string[]): string {
  let i = 0;
  return format.replace(/%[sv]/g, () => args[i++] ?? "");
}

/** secrets.json: names, payload sizes, update rules, references, the --secret flag and mount paths. */
export function runSecrets(data: Json): CaseResult[] {
  const c = new Cases("secrets.json");
  c.equal("name_max_length", () => SECRET_NAME_MAX_LENGTH, data.name_max_length);
  const nameErrors = (data.names as Json[]).filter((n) => n.valid === false);
  const tooLong = nameErrors.find((n) => n.name !== "");
  c.check("names/max_length+1", () => judge(verdictOf(() => checkSecretName("a".repeat(SECRET_NAME_MAX_LENGTH + 1))), false, tooLong?.error, tooLong?.code));
  for (const [i, item] of (data.names as Json[]).entries()) {
    c.check(`names/${i}`, () => judge(verdictOf(() => checkSecretName(item.name as string)), item.valid as boolean, item.error, item.code));
  }

  const payload = data.payload as Json;
  for (const kind of ["secret", "config"] as const) {
    const rule = payload[kind] as Json;
    c.equal(`payload/${kind}/error`, () => payloadSizeMessage(kind), rule.error);
    const bounds: Array<[string, number, boolean]> = [
      ["min", rule.min_bytes as number, true],
      ["min-1", (rule.min_bytes as number) - 1, false],
      ["max", rule.max_bytes_inclusive as number, true],
      ["max+1", (rule.max_bytes_inclusive as number) + 1, false],
    ];
    for (const [name, size, valid] of bounds) {
      c.check(`payload/${kind}/${name}`, () => judge(verdictOf(() => checkPayloadSize(size, kind)), valid, valid ? undefined : rule.error));
    }
  }
  for (const [i, item] of (payload.cases as Json[]).entries()) {
    const kind = item.kind as PayloadKind;
    const size = item.data_utf8 !== undefined ? new TextEncoder().encode(item.data_utf8 as string).length : ((item.bytes as number | undefined) ?? 0);
    const driver = item.driver as { name: string } | undefined;
    const error = item.valid ? undefined : (item.error ?? (payload[kind] as Json).error);
    c.check(`payload/cases/${i}`, () =>
      judge(verdictOf(() => (kind === "secret" ? checkSecretSpec({ name: "payload", size, driver }) : checkPayloadSize(size, kind))), item.valid as boolean, error),
    );
  }

  const update = data.update_rules as Json;
  c.check("update_rules/name_change", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "b" })), false, update.error, update.code));
  c.check("update_rules/different_data", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "a", sameData: false })), false, update.error, update.code));
  c.check("update_rules/identical_data", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "a", sameData: true })), true));
  c.check("update_rules/labels_only", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, {})), true));

  const conflict = data.create_conflict as Json;
  c.check("create_conflict", () =>
    judge(verdictOf(() => { throw secretAlreadyExists("my_secret_data"); }), false, goFormat(conflict.error_secret as string, "my_secret_data"), conflict.code),
  );

  const inUse = data.remove_in_use as Json;
  const example = /^secret '([^']+)' is in use by the following service: (.+)$/.exec(inUse.example as string);
  c.check("remove_in_use/example", () =>
    judge(verdictOf(() => { throw secretInUse(example![1]!, [example![2]!]); }), false, inUse.example, inUse.code),
  );
  c.check("remove_in_use/plural", () =>
    judge(
      verdictOf(() => { throw secretInUse("db_password", ["api", "worker"]); }),
      false,
      goFormat(formatOf(inUse.error_secret as string), "db_password", "services", "api, worker"),
      inUse.code,
    ),
  );

  for (const [i, item] of (data.reference_cases as Json[]).entries()) {
    c.check(`reference_cases/${i}`, () => {
      // The store holds a secret for every name a case mentions, with an ID of its own.
      const stored = new Map<string, string>();
      for (const ref of item.refs as Json[]) if (ref.secret) stored.set(`id-${ref.secret as string}`, ref.secret as string);
      const refs: SecretReferenceDraft[] = (item.refs as Json[]).map((ref) => ({
        secretId: (ref.secret_id as string | undefined) ?? (ref.secret ? `id-${ref.secret as string}` : ""),
        secretName: (ref.secret_name as string | undefined) ?? (ref.secret as string | undefined) ?? "",
        target: ref.target as string | undefined,
      }));
      return judge(
        verdictOf(() => {
          checkSecretReferences(refs);
          checkSecretsExist(refs, (id) => stored.get(id));
        }),
        item.valid as boolean,
        item.error,
      );
    });
  }

  const defaults = data.cli_defaults as Json;
  const expectFlag = (name: string, target: string, uid: string, gid: string, mode: number) => JSON.stringify({ secretName: name, target, uid, gid, mode });
  c.check("cli_defaults/short", () => {
    const got = JSON.stringify(parseSecretFlag("my_secret_data"));
    const want = expectFlag("my_secret_data", "my_secret_data", defaults.uid as string, defaults.gid as string, octalOf(defaults.mode as string));
    return { ok: got === want, detail: `expected ${want}, got ${got}` };
  });
  c.check("cli_defaults/long", () => {
    const got = JSON.stringify(parseSecretFlag("source=db,target=app.conf,uid=1000,gid=1001,mode=0400"));
    const want = expectFlag("db", "app.conf", "1000", "1001", 0o400);
    return { ok: got === want, detail: `expected ${want}, got ${got}` };
  });
  c.check("cli_defaults/src_alias_and_case", () => {
    const got = JSON.stringify(parseSecretFlag("SRC=db,Mode=0o640"));
    const want = expectFlag("db", "db", defaults.uid as string, defaults.gid as string, 0o640);
    return { ok: got === want, detail: `expected ${want}, got ${got}` };
  });
  c.check("cli_defaults/source_required", () => judge(verdictOf(() => parseSecretFlag("target=app.conf")), false, "source is required"));

  const paths = data.mount_paths as Json;
  const layouts: Array<[string, PayloadKind, MountOs]> = [
    ["secret_linux", "secret", "linux"],
    ["secret_windows", "secret", "windows"],
    ["config_linux", "config", "linux"],
    ["config_windows", "config", "windows"],
  ];
  for (const [key, kind, os] of layouts) {
    const template = paths[key] as string;
    c.equal(`mount_paths/${key}`, () => mountPath("app.key", os, kind), template.split(" (")[0]!.replace("<target>", "app.key"));
    if (template.includes("absolute target used verbatim")) {
      c.equal(`mount_paths/${key}/absolute`, () => mountPath("/etc/app/app.key", os, kind), "/etc/app/app.key");
    }
  }
  return c.results;
}
