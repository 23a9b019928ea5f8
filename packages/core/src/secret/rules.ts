import { parseGoUint } from "../encoding/go-strconv.js";
import { invalidArgument, quotePrefix, RampartError } from "../errors/index.js";
import { checkSafeText } from "../text/index.js";

/**
 * Swarm's rules for secrets, with its exact messages (swarm-semantics.md §6;
 * manager/controlapi/secret.go, common.go and service.go, api/validation/secrets.go).
 * Clients written for Swarm match on these texts, so they are kept word for word.
 * Rampart has no configs; their size rule is here only because the conformance
 * vectors state both, and it shares the one code path.
 */

/** isValidConfigOrSecretName (the same for configs). */
export const SECRET_NAME_PATTERN = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?$/;
export const SECRET_NAME_MAX_LENGTH = 64;
/** MaxSecretSize: a payload is valid iff 0 < len < 512000. */
export const MAX_SECRET_SIZE = 500 * 1024;
/** MaxConfigSize: 0 < len < 1024000. */
export const MAX_CONFIG_SIZE = 1000 * 1024;

export const SECRET_MESSAGES = {
  nameRequired: "name must be provided",
  nameInvalid: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
  driverName: "secret driver must have a name",
  labelsOnly: "only updates to Labels are allowed",
  /** Rampart's own: Swarm compares a payload sent with an update, which answers whether a guess is right. */
  dataInUpdate: "data cannot be sent with an update: only updates to Labels are allowed (rotate the secret to change its value)",
  malformedReference: "malformed secret reference",
  noTarget: "malformed secret reference, no target provided",
  badTargetFile: "malformed file secret reference, invalid target file name provided",
  sourceRequired: "source is required",
} as const;

export type PayloadKind = "secret" | "config";

/** A secret as everything but delivery sees it: metadata only, never the payload. */
export interface SecretInfo {
  id: string;
  name: string;
  /** The payload's length in bytes. */
  size: number;
  labels: Record<string, string>;
  /** Bumped on every change (labels), for optimistic updates. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** validateConfigOrSecretAnnotations: required, at most 64 bytes, the pattern. */
export function checkSecretName(name: string): string {
  checkSafeText(name, "name", "secret name", { beyondAsciiOnly: true });
  if (name === "") throw invalidArgument("name", SECRET_MESSAGES.nameRequired);
  if (name.length > SECRET_NAME_MAX_LENGTH || !SECRET_NAME_PATTERN.test(name)) {
    throw invalidArgument("name", SECRET_MESSAGES.nameInvalid);
  }
  return name;
}

export function payloadSizeMessage(kind: PayloadKind = "secret"): string {
  const limit = kind === "secret" ? MAX_SECRET_SIZE : MAX_CONFIG_SIZE;
  return `${kind} data must be larger than 0 and less than ${limit} bytes`;
}

/** ValidateSecretPayload / ValidateConfigPayload, on the payload's length in bytes. */
export function checkPayloadSize(size: number, kind: PayloadKind = "secret"): void {
  const limit = kind === "secret" ? MAX_SECRET_SIZE : MAX_CONFIG_SIZE;
  if (!Number.isInteger(size) || size < 1 || size >= limit) throw invalidArgument("data", payloadSizeMessage(kind));
}

/**
 * validateSecretSpec: the name, then the payload's size. A secret with a driver has no
 * payload to check, only a driver name; Rampart offers no drivers (the API never sets
 * one), but the rule is kept so the vectors run against it.
 */
export function checkSecretSpec(spec: { name: string; size: number; driver?: { name: string } | null }): void {
  checkSecretName(spec.name);
  if (spec.driver) {
    if (spec.driver.name === "") throw invalidArgument("driver", SECRET_MESSAGES.driverName);
    return;
  }
  checkPayloadSize(spec.size, "secret");
}

/** CreateSecret on a name conflict (AlreadyExists). */
export function secretAlreadyExists(name: string): RampartError {
  return new RampartError("already_exists", `secret ${name} already exists`, { field: "name" });
}

/** GetSecret and friends when nothing matches (NotFound). */
export function secretNotFound(ref: string): RampartError {
  return new RampartError("not_found", `secret ${ref} not found`, { field: "secret" });
}

/** RemoveSecret's own words for a secret that is not there (NotFound), unlike GetSecret's. */
export function secretRemoveNotFound(ref: string): RampartError {
  return new RampartError("not_found", `could not find secret ${ref}`, { field: "secret" });
}

/**
 * UpdateSecret: only labels change. A name that differs, or a payload that is sent and
 * differs (the caller compares in constant time and says whether it matched), is
 * refused; a payload sent identical is allowed, as in Swarm.
 */
export function checkSecretUpdate(current: { name: string }, change: { name?: string | undefined; sameData?: boolean | undefined }): void {
  if ((change.name !== undefined && change.name !== current.name) || change.sameData === false) {
    throw invalidArgument("labels", SECRET_MESSAGES.labelsOnly);
  }
}

/**
 * RemoveSecret while services reference the secret (tasks are not consulted). Swarm
 * lists the names in store order; Rampart sorts them, so the message is stable.
 */
export function secretInUse(name: string, serviceNames: readonly string[]): RampartError {
  const which = serviceNames.length === 1 ? "service" : "services";
  return new RampartError("invalid_argument", `secret '${name}' is in use by the following ${which}: ${serviceNames.join(", ")}`, {
    field: "secret",
  });
}

// ---- references from services ---------------------------------------------------

/**
 * A service's grant of one secret: Swarm's SecretReference with a file target. The ID
 * and the name both travel, and both must match the stored secret, so a reference can
 * never silently follow a name to a different secret.
 */
export interface SecretReference {
  secretId: string;
  secretName: string;
  /** The file name under the task's secrets directory (`/run/secrets/<target>`). */
  target: string;
  /** Decimal strings, as Docker's daemon expects them. */
  uid: string;
  gid: string;
  /** File mode bits, e.g. 0o444. */
  mode: number;
}

/**
 * A reference as a caller may write it, before the checks: the target may be missing
 * (Swarm refuses that), and owner and mode may be left to the defaults.
 */
export interface SecretReferenceDraft {
  secretId: string;
  secretName: string;
  target?: string | null | undefined;
  uid?: string | undefined;
  gid?: string | undefined;
  mode?: number | undefined;
}

/**
 * The docker CLI's defaults for `--secret` (opts/swarmopts/secret.go). Swarm's Engine
 * API has none (an omitted mode is 0000); Rampart applies these in its API too, so the
 * UI, the CLI and scripts give the same file for the same request (issue 5).
 */
export const SECRET_REFERENCE_DEFAULTS = { uid: "0", gid: "0", mode: 0o444 } as const;

/** Rampart writes plain files: permission bits only, no setuid, setgid or sticky. */
export const MAX_SECRET_FILE_MODE = 0o777;

const DECIMAL_ID = /^[0-9]{1,10}$/;

/**
 * Swarm's validateSecretRefsSpec, alone: every reference has an ID and a name, a target,
 * a non-empty file name, and no two references share a file name. The same secret may
 * be mounted twice under different targets. Target paths are not sanitised here, as in
 * Swarm (`../x`, `/x` and `subdir/x` pass). The conformance runner checks this; the
 * product calls `checkSecretReferences`, which adds Rampart's rules.
 */
export function checkSwarmSecretReferences(refs: readonly SecretReferenceDraft[]): void {
  const targets = new Map<string, string>();
  for (const [i, ref] of refs.entries()) {
    if (ref.secretId === "" || ref.secretName === "") throw invalidArgument(`secrets[${i}]`, SECRET_MESSAGES.malformedReference);
    if (ref.target === undefined || ref.target === null) throw invalidArgument(`secrets[${i}].target`, SECRET_MESSAGES.noTarget);
    if (ref.target === "") throw invalidArgument(`secrets[${i}].target`, SECRET_MESSAGES.badTargetFile);
    checkSafeText(ref.target, `secrets[${i}].target`, "secret target");
    const previous = targets.get(ref.target);
    if (previous !== undefined) {
      throw invalidArgument(
        `secrets[${i}].target`,
        `secret references '${previous}' and '${ref.secretName}' have a conflicting target: '${ref.target}'`,
      );
    }
    targets.set(ref.target, ref.secretName);
  }
}

/**
 * Why a target would leave the task's secrets folder (`/run/secrets`), or null when it
 * stays inside: an absolute path, or a `..` segment anywhere (`a/../b` too, though it
 * stays inside: a target names a file plainly or not at all). Swarm accepts both at
 * its API and only the node refuses them, so the task fails long after the service was
 * accepted; Rampart refuses them where they are written.
 */
export function secretTargetEscape(target: string): string | null {
  const quoted = `'${quotePrefix(target)}'`;
  if (target.startsWith("/") || target.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(target)) {
    return `secret target ${quoted} is an absolute path: give a file name, which tasks read under /run/secrets`;
  }
  const segments = target.split(/[\\/]/);
  if (segments.includes("..")) return `secret target ${quoted} leaves /run/secrets: '..' is not allowed in a target`;
  const last = segments.at(-1);
  if (last === "" || last === ".") return `secret target ${quoted} names a folder, not a file: end it with a file name`;
  return null;
}

/**
 * The references of a service, as Rampart accepts them: Swarm's checks
 * (`checkSwarmSecretReferences`), then Rampart's own, which Swarm leaves to the node or
 * to the container's start: the target names a file inside the secrets folder, owner IDs
 * are decimal numbers and the mode holds permission bits only.
 *
 * `kept` are the service's references before this change. A target among them that
 * breaks the rule (stored before the rule existed) stays accepted while it is kept, so
 * the service can still be scaled, edited, or moved to a new secret version by a
 * rotation (same target); the node refuses it as before.
 */
export function checkSecretReferences(refs: readonly SecretReferenceDraft[], kept: readonly SecretReferenceDraft[] = []): void {
  checkSwarmSecretReferences(refs);
  const unchanged = new Set(kept.map((k) => k.target));
  for (const [i, ref] of refs.entries()) {
    const escape = secretTargetEscape(ref.target!);
    if (escape !== null && !unchanged.has(ref.target)) throw invalidArgument(`secrets[${i}].target`, escape);
    for (const key of ["uid", "gid"] as const) {
      const value = ref[key];
      if (value !== undefined && (!DECIMAL_ID.test(value) || Number(value) > 0xffffffff)) {
        throw invalidArgument(`secrets[${i}].${key}`, `invalid ${key} '${value}' for secret '${ref.secretName}': must be a decimal number`);
      }
    }
    if (ref.mode !== undefined && (!Number.isInteger(ref.mode) || ref.mode < 0 || ref.mode > MAX_SECRET_FILE_MODE)) {
      throw invalidArgument(`secrets[${i}].mode`, `invalid mode for secret '${ref.secretName}': use permission bits from 0 to 0777`);
    }
  }
}

/**
 * checkSecretExistence: each referenced secret must exist and still carry the name the
 * reference gives. Every failing name is listed (twice if referenced twice), as Swarm
 * does. `nameOf` answers with the stored secret's current name.
 */
export function checkSecretsExist(refs: readonly { secretId: string; secretName: string }[], nameOf: (id: string) => string | undefined): void {
  const failed = refs.filter((ref) => nameOf(ref.secretId) !== ref.secretName).map((ref) => ref.secretName);
  if (failed.length > 0) {
    throw invalidArgument("secrets", `${failed.length === 1 ? "secret" : "secrets"} not found: ${failed.join(", ")}`);
  }
}

/** A checked draft with the defaults filled in: what a service spec stores. */
export function completeSecretReference(ref: SecretReferenceDraft): SecretReference {
  if (ref.target === undefined || ref.target === null) throw invalidArgument("target", SECRET_MESSAGES.noTarget);
  return {
    secretId: ref.secretId,
    secretName: ref.secretName,
    target: ref.target,
    uid: ref.uid ?? SECRET_REFERENCE_DEFAULTS.uid,
    gid: ref.gid ?? SECRET_REFERENCE_DEFAULTS.gid,
    mode: ref.mode ?? SECRET_REFERENCE_DEFAULTS.mode,
  };
}

/** The IDs of the distinct secrets a list of references grants, in first-seen order. */
export function referencedSecretIds(refs: readonly { secretId: string }[] | undefined): string[] {
  return [...new Set((refs ?? []).map((r) => r.secretId))];
}

// ---- the docker CLI's --secret flag -----------------------------------------------

/** What `--secret` yields: a reference by name, which the CLI resolves to an ID. */
export type SecretFlag = Omit<SecretReference, "secretId">;

/**
 * Go's strconv.ParseUint(s, 0, 32): `0x`, `0o`, `0b` or a leading `0` (octal) choose
 * the base; `_` may separate digits. Throws Go's error text.
 */
export function parseGoUint32(text: string): number {
  return Number(parseGoUint(text, 0, 32));
}

/**
 * One record of Go's encoding/csv with its defaults (comma, quotes, no trimming), as the
 * docker CLI reads `--secret` and `--mount`.
 */
export function readCsvRecord(line: string): string[] {
  // Blank lines are skipped; nothing left is Go's io.EOF.
  const text = line.split(/\r?\n/).find((l) => l !== "");
  if (text === undefined) throw new Error("EOF");
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let field = "";
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) throw new Error(`parse error on line 1, column ${text.length + 1}: extraneous or missing " in quoted-field`);
        field += text.slice(i, close);
        i = close + 1;
        if (text[i] === '"') {
          field += '"';
          i++;
          continue;
        }
        if (i < text.length && text[i] !== ",") throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        break;
      }
      fields.push(field);
    } else {
      const comma = text.indexOf(",", i);
      const field = text.slice(i, comma === -1 ? text.length : comma);
      const quote = field.indexOf('"');
      if (quote !== -1) throw new Error(`parse error on line 1, column ${i + quote + 1}: bare " in non-quoted-field`);
      fields.push(field);
      i += field.length;
    }
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/**
 * `--secret NAME` or `--secret source=NAME,target=FILE,uid=U,gid=G,mode=M`, parsed as
 * the docker CLI parses it (opts/swarmopts/secret.go): a CSV record, keys compared
 * case-insensitively, `src` for `source`, the mode with Go's base prefixes (`0400` is
 * octal). Missing parts take the CLI defaults: the target is the name, owner 0:0,
 * mode 0444. Errors carry the CLI's texts.
 */
export function parseSecretFlag(value: string): SecretFlag {
  let fields: string[];
  try {
    fields = readCsvRecord(value);
  } catch (error) {
    throw invalidArgument("secret", (error as Error).message);
  }
  const ref: SecretFlag = { secretName: "", target: "", ...SECRET_REFERENCE_DEFAULTS };
  if (fields.length === 1 && !fields[0]!.includes("=")) {
    return { ...ref, secretName: fields[0]!, target: fields[0]! };
  }
  for (const field of fields) {
    const eq = field.indexOf("=");
    const key = eq === -1 ? "" : field.slice(0, eq);
    const val = field.slice(eq + 1);
    if (eq === -1 || key === "") throw invalidArgument("secret", `invalid field '${field}' must be a key=value pair`);
    switch (key.toLowerCase()) {
      case "source":
      case "src":
        ref.secretName = val;
        break;
      case "target":
        ref.target = val;
        break;
      case "uid":
        ref.uid = val;
        break;
      case "gid":
        ref.gid = val;
        break;
      case "mode":
        try {
          ref.mode = parseGoUint32(val);
        } catch (error) {
          throw invalidArgument("secret", `invalid mode specified: ${(error as Error).message}`);
        }
        break;
      default:
        throw invalidArgument("secret", `invalid field in secret request: ${key}`);
    }
  }
  if (ref.secretName === "") throw invalidArgument("secret", SECRET_MESSAGES.sourceRequired);
  if (ref.target === "") ref.target = ref.secretName;
  return ref;
}

// ---- where the file appears in the container ------------------------------------

export type MountOs = "linux" | "windows";

/** Go's path.Clean on one separator; `root` is kept and `..` never climbs above it. */
function cleanJoin(root: string, sep: string, parts: string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return root + out.join(sep);
}

const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|[\\/]{2})/;

/**
 * The path a secret (or config) reference appears at inside a container, as Docker's
 * daemon lays it out (daemon/container/container_unix.go, container_windows.go): an
 * absolute target is used verbatim, anything else is joined (and cleaned, as Go's
 * filepath.Join does) under `/run/secrets` or `C:\ProgramData\Docker\secrets`; configs
 * under `/` or `C:\`.
 */
export function mountPath(target: string, os: MountOs = "linux", kind: PayloadKind = "secret"): string {
  if (os === "linux") {
    if (target.startsWith("/")) return target;
    const base = kind === "secret" ? ["run", "secrets"] : [];
    return cleanJoin("/", "/", [...base, ...target.split("/")]) || "/";
  }
  if (WINDOWS_ABSOLUTE.test(target)) return target;
  const base = kind === "secret" ? ["ProgramData", "Docker", "secrets"] : [];
  return cleanJoin("C:\\", "\\", [...base, ...target.split(/[\\/]/)]);
}
