import { secretNameInput, type RotationProgressOutput, type SecretViewOutput } from "@rampart/api/schema";
import { toBase64 } from "@rampart/core/encoding";
import { isRampartError } from "@rampart/core/errors";
import { checkLabelKey, checkLabelValue } from "@rampart/core/node";
import {
  checkSecretName,
  checkSecretReferences,
  MAX_SECRET_FILE_MODE,
  MAX_SECRET_SIZE,
  payloadSizeMessage,
  SECRET_REFERENCE_DEFAULTS,
  type SecretReference,
} from "@rampart/core/secret";
import { z } from "zod";
import type { FieldErrors } from "./forms";
import { naturalCompare } from "./nodes";

/**
 * The secret pages' pure helpers. Swarm's rules come from `@rampart/core/secret` (it
 * imports nothing but core's errors, so the browser runs the same code as the manager):
 * the name rule, the size rule and the reference checks, each with Swarm's own words.
 * Nothing here ever holds a value longer than the call that encodes it.
 */

export type SecretView = SecretViewOutput;

function rampartMessage(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (isRampartError(error)) return error.message;
    throw error;
  }
}

/** Swarm's message for a name (`name must be provided`, the 64-character rule), or null. */
export function secretNameError(name: string): string | null {
  return rampartMessage(() => checkSecretName(name));
}

/** A form's secret name: the create procedure's rule, then Swarm's own (core's), with Swarm's words. */
export const secretNameForm = z.object({
  name: secretNameInput.superRefine((name, ctx) => {
    const problem = secretNameError(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
});

/** The largest payload Swarm takes: sizes must be above 0 and below 512000 bytes. */
export const MAX_SECRET_BYTES = MAX_SECRET_SIZE - 1;

/** Swarm's size message (`secret data must be larger than 0 and less than 512000 bytes`), or null. */
export function payloadSizeError(bytes: number): string | null {
  return bytes > 0 && bytes < MAX_SECRET_SIZE ? null : payloadSizeMessage("secret");
}

/** Typed text as the bytes the server stores: UTF-8, exactly as typed (no newline added). */
export function textBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * The payload as the API takes it: standard, padded base64 (core's encoder, the one the
 * server decodes with). The bytes are wiped once encoded, so the only copy left is the
 * string on its way to the server.
 */
export function encodePayload(bytes: Uint8Array): string {
  const text = toBase64(bytes);
  bytes.fill(0);
  return text;
}

/** `12 B`, `1.5 KiB`: sizes as people read them; the exact count goes in a tooltip. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kib = bytes / 1024;
  return `${kib < 10 ? Number(kib.toFixed(1)) : Math.round(kib)} KiB`;
}

/** `1,234 bytes`. */
export function exactBytes(bytes: number): string {
  return `${bytes.toLocaleString("en")} byte${bytes === 1 ? "" : "s"}`;
}

/**
 * The name a rotation suggests, exactly as `secret.rotate` defaults it (the manager's
 * nextSecretVersionName): a trailing `_v<N>` becomes `_v<N+1>` (`db_v2` → `db_v3`),
 * anything else gets `_v2` (`db` → `db_v2`). The result is checked like any name.
 */
export function defaultRotationName(name: string): string {
  const match = /^(.*)_v([0-9]+)$/.exec(name);
  if (match) return `${match[1]!}_v${BigInt(match[2]!) + 1n}`;
  return `${name}_v2`;
}

// ---- file modes --------------------------------------------------------------------

/** A mode as `ls -l`'s owners read it in octal: four digits, `0444`. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, "0")}`.slice(-4);
}

/** `r--r--r--` for 0444: what the file will look like in `ls -l`. */
export function modeString(mode: number): string {
  const bits = "rwxrwxrwx";
  let out = "";
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : "-";
  return out;
}

/**
 * An octal mode as typed: `0400`, `400` or `0o400`. Permission bits only, as Rampart
 * writes plain files (the manager refuses more with its own message).
 */
export function parseMode(text: string): { mode: number } | { error: string } {
  const value = text.trim();
  if (value === "") return { mode: SECRET_REFERENCE_DEFAULTS.mode };
  const match = /^(?:0o)?([0-7]{1,4})$/i.exec(value);
  if (!match) return { error: "mode must be octal, e.g. 0444 or 0400" };
  const mode = Number.parseInt(match[1]!, 8);
  if (mode > MAX_SECRET_FILE_MODE) return { error: "mode must be permission bits from 0000 to 0777" };
  return { mode };
}

// ---- labels ------------------------------------------------------------------------

export interface LabelRow {
  key: string;
  value: string;
}

/**
 * Label rows as a record, with core's messages under `labels.<row>.key|value`. Blank
 * rows are ignored; a key given twice is an error on the second row.
 */
export function labelsFromRows(rows: readonly LabelRow[]): { labels: Record<string, string>; errors: FieldErrors } {
  const labels: Record<string, string> = {};
  const errors: FieldErrors = {};
  rows.forEach((row, i) => {
    const key = row.key.trim();
    if (key === "" && row.value === "") return;
    const keyError = rampartMessage(() => checkLabelKey(key)) ?? (Object.hasOwn(labels, key) ? `label ${key} is given twice` : null);
    const valueError = rampartMessage(() => checkLabelValue(row.value));
    if (keyError) errors[`labels.${i}.key`] = keyError;
    if (valueError) errors[`labels.${i}.value`] = valueError;
    if (!keyError && !valueError) labels[key] = row.value;
  });
  return { labels, errors };
}

export function rowsFromLabels(labels: Record<string, string>): LabelRow[] {
  return Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: labels[key]! }));
}

// ---- grants in a service spec -------------------------------------------------------

/** One row of the service form's Secrets section, as typed. */
export interface GrantRow {
  /** The secret's name, as picked or typed; matched to an ID when the form is checked. */
  secretName: string;
  /** Blank means the secret's name, as the docker CLI defaults it. */
  target: string;
  uid: string;
  gid: string;
  /** Octal, `0444`. */
  mode: string;
}

export const EMPTY_GRANT: GrantRow = {
  secretName: "",
  target: "",
  uid: SECRET_REFERENCE_DEFAULTS.uid,
  gid: SECRET_REFERENCE_DEFAULTS.gid,
  mode: formatMode(SECRET_REFERENCE_DEFAULTS.mode),
};

/** A stored spec's references back as rows. */
export function grantRowsFromSpec(refs: readonly SecretReference[] | undefined): GrantRow[] {
  return (refs ?? []).map((r) => ({ secretName: r.secretName, target: r.target, uid: r.uid, gid: r.gid, mode: formatMode(r.mode) }));
}

/**
 * The rows as the API's references, with errors under `secrets.<row>.<field>`. Names
 * are matched against the secrets the form knows (ID by name, as the docker CLI does);
 * then core's validateSecretRefsSpec runs with Swarm's messages (a duplicate target
 * names both secrets), so what the browser refuses is what the manager would.
 */
export function checkGrants(
  rows: readonly GrantRow[],
  secrets: ReadonlyArray<{ id: string; name: string }> | undefined,
  known: readonly SecretReference[] = [],
): { secrets: SecretReference[]; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const byName = new Map<string, string>();
  for (const r of known) byName.set(r.secretName, r.secretId);
  for (const s of secrets ?? []) byName.set(s.name, s.id);
  const refs: SecretReference[] = [];
  rows.forEach((row, i) => {
    const name = row.secretName.trim();
    if (name === "") {
      errors[`secrets.${i}.secretName`] = "choose a secret";
      return;
    }
    const id = byName.get(name);
    if (id === undefined) errors[`secrets.${i}.secretName`] = secrets ? `secret not found: ${name}` : "the secrets could not be loaded";
    const mode = parseMode(row.mode);
    if ("error" in mode) errors[`secrets.${i}.mode`] = mode.error;
    refs.push({
      secretId: id ?? "",
      secretName: name,
      target: row.target.trim() === "" ? name : row.target.trim(),
      uid: row.uid.trim() === "" ? SECRET_REFERENCE_DEFAULTS.uid : row.uid.trim(),
      gid: row.gid.trim() === "" ? SECRET_REFERENCE_DEFAULTS.gid : row.gid.trim(),
      mode: "mode" in mode ? mode.mode : SECRET_REFERENCE_DEFAULTS.mode,
    });
  });
  if (Object.keys(errors).length === 0) {
    try {
      checkSecretReferences(refs);
    } catch (error) {
      if (!isRampartError(error)) throw error;
      errors[grantField(error.field)] = error.message;
    }
  }
  return { secrets: refs, errors };
}

/**
 * Where a server error about references belongs: the manager names `secrets[1].target`
 * or `secrets`, zod `spec.secrets.1.mode`. Rows map one to one.
 */
export function grantField(field: string | undefined): string {
  if (!field) return "form";
  const path = field
    .replace(/^spec\./, "")
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".");
  if (path[0] !== "secrets") return "form";
  const [, row, key] = path;
  if (row === undefined || !/^\d+$/.test(row)) return "secrets";
  if (key === undefined || key === "secretId") return `secrets.${row}.secretName`;
  return `secrets.${row}.${key}`;
}

// ---- rotation ----------------------------------------------------------------------

export type RotationStatus = Pick<RotationProgressOutput, "services" | "tasksOnOld" | "tasksOnNew" | "done">;

/**
 * How far a rotation has come, 0 to 1: each service moved counts once, and each task
 * that holds the new version rather than the old counts once. Done is 1 whatever the
 * counts say (a service scaled to 0 has no tasks to move).
 */
export function rotationProgress(status: RotationStatus): number {
  if (status.done) return 1;
  const updated = status.services.filter((s) => s.updated).length;
  const total = status.services.length + status.tasksOnNew + status.tasksOnOld;
  if (total === 0) return 0;
  return Math.min(0.99, (updated + status.tasksOnNew) / total);
}

/** `3 services`, `1 node`. */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en")} ${noun}${count === 1 ? "" : "s"}`;
}

/** `api`, `api and worker`, `a, b, c, and 2 more`: names for a sentence, the first `shown` of them in natural order. */
export function listNames(names: readonly string[], shown = 3): string {
  const sorted = [...names].sort(naturalCompare);
  const parts = sorted.length > shown ? [...sorted.slice(0, shown), `${(sorted.length - shown).toLocaleString("en")} more`] : sorted;
  return new Intl.ListFormat("en", { style: "long", type: "conjunction" }).format(parts);
}

/** Keeps secrets whose name contains the search or whose ID starts with it, case-insensitively. */
export function filterSecrets<T extends { id: string; name: string; labels: Record<string, string> }>(secrets: readonly T[], search: string): T[] {
  const needle = search.trim().toLowerCase();
  if (!needle) return [...secrets];
  return secrets.filter(
    (s) =>
      s.name.toLowerCase().includes(needle) ||
      s.id.toLowerCase().startsWith(needle) ||
      Object.entries(s.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(needle)),
  );
}

// ---- the value being typed or dropped -------------------------------------------------

/**
 * A value on its way in: typed text, or a file's bytes. A file at or over the limit is
 * not read at all; its size is enough to refuse it.
 */
export interface SecretValueDraft {
  source: "text" | "file";
  text: string;
  file: { name: string; size: number; bytes: Uint8Array | null } | null;
}

export const EMPTY_VALUE: SecretValueDraft = { source: "text", text: "", file: null };

/** The payload's size in bytes, as the server will count it. */
export function draftSize(draft: SecretValueDraft): number {
  if (draft.source === "file") return draft.file?.size ?? 0;
  return textBytes(draft.text).length;
}

/** Swarm's size message for the draft, or null when it may be sent. */
export function draftError(draft: SecretValueDraft): string | null {
  if (draft.source === "file" && draft.file === null) return "choose or drop a file";
  return payloadSizeError(draftSize(draft));
}

/**
 * The draft's bytes as base64 for the API. The draft itself is left as it is, so a
 * refused request can be sent again; `wipeDraft` forgets it once the server has it.
 */
export function draftPayload(draft: SecretValueDraft): string {
  if (draft.source === "file") {
    if (!draft.file?.bytes) throw new Error("the file has not been read");
    return encodePayload(draft.file.bytes.slice());
  }
  return encodePayload(textBytes(draft.text));
}

/** Forgets a draft: a file's buffer is zeroed, and an empty draft takes its place. */
export function wipeDraft(draft: SecretValueDraft): SecretValueDraft {
  draft.file?.bytes?.fill(0);
  return { ...EMPTY_VALUE, source: draft.source };
}
