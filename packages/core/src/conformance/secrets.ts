import type { ErrorCode } from "../errors/index.js";
import { isRampartError } from "../errors/index.js";
import {
  checkPayloadSize,
  checkSecretName,
  checkSwarmSecretReferences,
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
import { before, canonical, type Cases, type Verdict } from "./cases.js";
import { SecretsVector, type GrpcCode } from "./secrets.schema.js";
import { vectorKind } from "./vector-kind.js";

/** Rampart's codes for the gRPC codes the vectors name. */
const GRPC_CODES: Record<GrpcCode, ErrorCode> = { InvalidArgument: "invalid_argument", AlreadyExists: "already_exists", NotFound: "not_found" };

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
function judge(got: ReturnType<typeof verdictOf>, valid: boolean, error?: string, code?: GrpcCode): Verdict {
  const want = canonical({ valid, ...(error !== undefined ? { error } : {}), ...(code !== undefined ? { code: GRPC_CODES[code] } : {}) });
  const shown = canonical(got.valid ? got : { valid: false, ...(error !== undefined ? { error: got.error } : {}), ...(code !== undefined ? { code: got.code } : {}) });
  return { ok: want === shown, detail: `expected ${want}, got ${JSON.stringify(got)}` };
}

/** Go's `%s`/`%v`, filled in order. */
function goFormat(format: string, ...args: string[]): string {
  let i = 0;
  return format.replace(/%[sv]/g, () => args[i++] ?? "");
}

function names(data: SecretsVector, c: Cases): void {
  c.equal("name_max_length", () => SECRET_NAME_MAX_LENGTH, data.name_max_length);
  const tooLong = data.names.find((n) => !n.valid && n.name !== "");
  c.check("names/max_length+1", () => judge(verdictOf(() => checkSecretName("a".repeat(SECRET_NAME_MAX_LENGTH + 1))), false, tooLong?.error, tooLong?.code));
  for (const [i, item] of data.names.entries()) {
    c.check(`names/${i}`, () => judge(verdictOf(() => checkSecretName(item.name)), item.valid, item.error, item.code));
  }
}

function payloads({ payload }: SecretsVector, c: Cases): void {
  for (const kind of ["secret", "config"] as const) {
    const rule = payload[kind];
    c.equal(`payload/${kind}/error`, () => payloadSizeMessage(kind), rule.error);
    const bounds: Array<[string, number, boolean]> = [
      ["min", rule.min_bytes, true],
      ["min-1", rule.min_bytes - 1, false],
      ["max", rule.max_bytes_inclusive, true],
      ["max+1", rule.max_bytes_inclusive + 1, false],
    ];
    for (const [name, size, valid] of bounds) {
      c.check(`payload/${kind}/${name}`, () => judge(verdictOf(() => checkPayloadSize(size, kind)), valid, valid ? undefined : rule.error));
    }
  }
  for (const [i, item] of payload.cases.entries()) {
    const { kind, driver } = item;
    const size = item.data_utf8 !== undefined ? new TextEncoder().encode(item.data_utf8).length : (item.bytes ?? 0);
    const error = item.valid ? undefined : (item.error ?? payload[kind].error);
    c.check(`payload/cases/${i}`, () =>
      judge(verdictOf(() => (kind === "secret" ? checkSecretSpec({ name: "payload", size, driver }) : checkPayloadSize(size, kind))), item.valid, error),
    );
  }
}

function updatesAndRemoval(data: SecretsVector, c: Cases): void {
  const update = data.update_rules;
  c.check("update_rules/name_change", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "b" })), false, update.error, update.code));
  c.check("update_rules/different_data", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "a", sameData: false })), false, update.error, update.code));
  c.check("update_rules/identical_data", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "a", sameData: true })), true));
  c.check("update_rules/labels_only", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, {})), true));

  const conflict = data.create_conflict;
  c.check("create_conflict", () =>
    judge(verdictOf(() => { throw secretAlreadyExists("my_secret_data"); }), false, goFormat(conflict.error_secret, "my_secret_data"), conflict.code),
  );

  const inUse = data.remove_in_use;
  const example = /^secret '([^']+)' is in use by the following service: (.+)$/.exec(inUse.example);
  c.check("remove_in_use/example", () => {
    const [, secret, service] = example ?? [];
    if (secret === undefined || service === undefined) return { ok: false, detail: `example "${inUse.example}" is not "secret '<name>' is in use by the following service: <service>"` };
    return judge(verdictOf(() => { throw secretInUse(secret, [service]); }), false, inUse.example, inUse.code);
  });
  c.check("remove_in_use/plural", () =>
    judge(
      verdictOf(() => { throw secretInUse("db_password", ["api", "worker"]); }),
      false,
      // The vector explains the format after two spaces: `… %v  (%s = …)`.
      goFormat(before(inUse.error_secret, "  ("), "db_password", "services", "api, worker"),
      inUse.code,
    ),
  );
}

function references(data: SecretsVector, c: Cases): void {
  for (const [i, item] of data.reference_cases.entries()) {
    c.check(`reference_cases/${i}`, () => {
      // The store holds a secret for every name a case mentions, with an ID of its own.
      const stored = new Map<string, string>();
      for (const ref of item.refs) if (ref.secret) stored.set(`id-${ref.secret}`, ref.secret);
      const refs: SecretReferenceDraft[] = item.refs.map((ref) => ({
        secretId: ref.secret_id ?? (ref.secret ? `id-${ref.secret}` : ""),
        secretName: ref.secret_name ?? ref.secret ?? "",
        target: ref.target,
      }));
      return judge(
        verdictOf(() => {
          checkSwarmSecretReferences(refs);
          checkSecretsExist(refs, (id) => stored.get(id));
        }),
        item.valid,
        item.error,
      );
    });
  }
}

function cliDefaults({ cli_defaults: defaults }: SecretsVector, c: Cases): void {
  const flag = (secretName: string, target: string, uid: string, gid: string, mode: number) => ({ secretName, target, uid, gid, mode });
  c.equal("cli_defaults/short", () => parseSecretFlag("my_secret_data"), flag("my_secret_data", "my_secret_data", defaults.uid, defaults.gid, defaults.mode));
  c.equal("cli_defaults/long", () => parseSecretFlag("source=db,target=app.conf,uid=1000,gid=1001,mode=0400"), flag("db", "app.conf", "1000", "1001", 0o400));
  c.equal("cli_defaults/src_alias_and_case", () => parseSecretFlag("SRC=db,Mode=0o640"), flag("db", "db", defaults.uid, defaults.gid, 0o640));
  c.check("cli_defaults/source_required", () => judge(verdictOf(() => parseSecretFlag("target=app.conf")), false, "source is required"));
}

function mountPaths({ mount_paths: paths }: SecretsVector, c: Cases): void {
  const layouts: Array<["secret_linux" | "secret_windows" | "config_linux" | "config_windows", PayloadKind, MountOs]> = [
    ["secret_linux", "secret", "linux"],
    ["secret_windows", "secret", "windows"],
    ["config_linux", "config", "linux"],
    ["config_windows", "config", "windows"],
  ];
  for (const [key, kind, os] of layouts) {
    const template = paths[key];
    c.equal(`mount_paths/${key}`, () => mountPath("app.key", os, kind), before(template, " (").replace("<target>", "app.key"));
    if (template.includes("absolute target used verbatim")) {
      c.equal(`mount_paths/${key}/absolute`, () => mountPath("/etc/app/app.key", os, kind), "/etc/app/app.key");
    }
  }
}

/** secrets.json: names, payload sizes, update rules, references, the --secret flag and mount paths. */
export const secrets = vectorKind("secrets.json", SecretsVector, (data, c) => {
  names(data, c);
  payloads(data, c);
  updatesAndRemoval(data, c);
  references(data, c);
  cliDefaults(data, c);
  mountPaths(data, c);
});
