import type { AppRouter } from "@rampart/api";
import { DURATION_TEXT_MAX_LENGTH } from "@rampart/api/schema";
import { KEY_AGE_WARNING_MS, checkCertExpiry, isRampartError, parseGoDuration } from "@rampart/core";
import type { inferInput, inferOutput, TRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { z } from "zod";

/**
 * The PKI page's types and rules that need no React: what `pki.status` and `pki.nodes`
 * answer (ADR 0021), the filters' choices, the rotate and settings forms as typed and
 * as the API takes them, and the words for ages and expiry buckets.
 */

type Pki = TRPCOptionsProxy<AppRouter>["pki"];
export type PkiStatus = inferOutput<Pki["status"]>;
export type PkiRoot = PkiStatus["trustRoot"];
export type PkiWarning = PkiStatus["warnings"][number];
export type PkiBucket = PkiStatus["timeline"][number];
export type PkiNodesInput = NonNullable<inferInput<Pki["nodes"]>>;
export type PkiNodeRow = inferOutput<Pki["nodes"]>["rows"][number];
export type PkiSort = NonNullable<PkiNodesInput["sort"]>;
export type TlsStatus = PkiNodeRow["tlsStatus"];
export type Issuer = PkiNodeRow["issuer"];

/** The node table's page: the API's own default, and the list pages' size. */
export const PKI_PAGE_SIZE = 50;

/** `pki.schema.ts`'s PEM bound (64 KiB), which `@rampart/api/schema` does not export. */
export const PKI_PEM_MAX_LENGTH = 65_536;
/** `externalCaInput.url`'s bound. */
export const EXTERNAL_CA_URL_MAX_LENGTH = 2048;
/** `pki.schema.ts`: at most 16 external CAs. */
export const EXTERNAL_CAS_MAX = 16;
/** `pkiNodesInput.expiringWithinDays`'s bound. */
export const EXPIRING_WITHIN_MAX_DAYS = 3650;

export const TLS_LABEL: Record<TlsStatus, string> = { ready: "Ready", "needs-rotation": "Needs rotation", unknown: "Unknown" };
export const ISSUER_LABEL: Record<Issuer, string> = {
  "current root": "Current root",
  "new root": "New root",
  "another root": "Another root",
  unknown: "Unknown",
};
const all = (label: string) => ({ value: "", label });
export const TLS_OPTIONS = [all("All TLS statuses"), ...(Object.keys(TLS_LABEL) as TlsStatus[]).map((value) => ({ value, label: TLS_LABEL[value] }))];
export const ISSUER_OPTIONS = [all("All issuers"), ...(Object.keys(ISSUER_LABEL) as Issuer[]).map((value) => ({ value, label: ISSUER_LABEL[value] }))];

export const isTlsStatus = (value: string): value is TlsStatus => value in TLS_LABEL;
export const isIssuer = (value: string): value is Issuer => value in ISSUER_LABEL;

/** The node table's filters as typed; empty means "any". */
export interface NodeFilters {
  search: string;
  tlsStatus: TlsStatus | "";
  issuer: Issuer | "";
  /** Whole days as typed; empty, or anything that is not a whole number in range, means "any". */
  expiringWithin: string;
}

export const NO_FILTERS: NodeFilters = { search: "", tlsStatus: "", issuer: "", expiringWithin: "" };

/** "Expiring within N days" as the API takes it, or undefined when the box holds no whole number in range. */
export function expiringDays(text: string): number | undefined {
  const value = text.trim();
  if (!/^\d{1,4}$/.test(value)) return undefined;
  const days = Number(value);
  return days <= EXPIRING_WITHIN_MAX_DAYS ? days : undefined;
}

/** One page of the node table as `pki.nodes` takes it: only what is set is sent. */
export function nodesQuery(filters: NodeFilters, sort: { key: PkiSort; desc: boolean }, offset: number): PkiNodesInput {
  const search = filters.search.trim().slice(0, 256);
  const days = expiringDays(filters.expiringWithin);
  return {
    sort: sort.key,
    desc: sort.desc,
    ...(search ? { search } : {}),
    ...(filters.tlsStatus ? { tlsStatus: filters.tlsStatus } : {}),
    ...(filters.issuer ? { issuer: filters.issuer } : {}),
    ...(days !== undefined ? { expiringWithinDays: days } : {}),
    offset,
    limit: PKI_PAGE_SIZE,
  };
}

export function filtered(filters: NodeFilters): boolean {
  return filters.search.trim() !== "" || filters.tlsStatus !== "" || filters.issuer !== "" || expiringDays(filters.expiringWithin) !== undefined;
}

/** How old a key or token is, and whether it is past the age core warns at (90 days). */
export function keyAge(at: Date, now: Date): { old: boolean; days: number } {
  const ms = now.getTime() - at.getTime();
  return { old: ms > KEY_AGE_WARNING_MS, days: Math.max(0, Math.floor(ms / 86_400_000)) };
}

const day = (d: Date) => d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/**
 * A timeline bucket in words, the bar's title and the table's row: core's buckets are a
 * day each for a week, then a week each to 13 weeks, then one for the rest; the first
 * also counts certificates already expired, from their own date.
 */
export function bucketText(bucket: PkiBucket, now: Date): string {
  const certs = plural(bucket.count, "node certificate");
  const expired = bucket.from.getTime() < now.getTime() - 60_000;
  if (expired) return `${certs} expired or expiring by ${day(bucket.to)}`;
  return `${certs} expiring ${day(bucket.from)} – ${day(bucket.to)}`;
}

/** A bucket's short name under its bar: the day (first week), the week (to 13), or "later". */
export function bucketLabel(bucket: PkiBucket, index: number, now: Date): string {
  const days = Math.round((bucket.to.getTime() - now.getTime()) / 86_400_000);
  if (index < 7) return `${days}d`;
  if (days <= 13 * 7 + 1) return `${Math.round(days / 7)}w`;
  return "later";
}

// ---- The forms ---------------------------------------------------------------------

/** How the new root comes: made by the swarm, given with its key, or given and signed by external CAs. */
export const ROTATE_MODES = ["generate", "given", "external"] as const;
export type RotateMode = (typeof ROTATE_MODES)[number];

const pem = (what: string) => z.string().max(PKI_PEM_MAX_LENGTH, `${what} must be at most 64 KiB`);
const certExpiryText = z.string().max(DURATION_TEXT_MAX_LENGTH);

/** A duration typed for `--cert-expiry`, checked with core's parser and bounds (Swarm's words). */
function checkExpiryText(text: string, ctx: z.RefinementCtx): void {
  if (text.trim() === "") return;
  try {
    checkCertExpiry(parseGoDuration(text, "certExpiry"));
  } catch (error) {
    if (!isRampartError(error)) throw error;
    ctx.addIssue({ code: "custom", path: ["certExpiry"], message: error.message });
  }
}

/** The rotate dialog as typed. What a mode does not use is ignored when it is sent. */
export const rotateForm = z
  .object({
    mode: z.enum(ROTATE_MODES),
    caCert: pem("the certificate"),
    caKey: pem("the key"),
    externalCas: z.array(z.object({ url: z.string().max(EXTERNAL_CA_URL_MAX_LENGTH) })).max(EXTERNAL_CAS_MAX),
    certExpiry: certExpiryText,
  })
  .superRefine((v, ctx) => {
    if (v.mode !== "generate" && v.caCert.trim() === "") {
      ctx.addIssue({ code: "custom", path: ["caCert"], message: "paste the new root's certificate (PEM), or load its file" });
    }
    if (v.mode === "given" && v.caKey.trim() === "") {
      ctx.addIssue({ code: "custom", path: ["caKey"], message: "paste the new root's private key (PEM), or load its file" });
    }
    if (v.mode === "external") {
      if (v.externalCas.every((ca) => ca.url.trim() === "")) {
        ctx.addIssue({ code: "custom", path: ["externalCas"], message: "give at least one external CA: it signs node certificates under the new root" });
      }
      v.externalCas.forEach((ca, i) => {
        if (ca.url.trim() === "" && v.externalCas.length > 1) ctx.addIssue({ code: "custom", path: ["externalCas", i, "url"], message: "give the external CA's URL, or remove this row" });
      });
    }
    checkExpiryText(v.certExpiry, ctx);
  });
export type RotateValues = z.input<typeof rotateForm>;

export const ROTATE_DEFAULTS: RotateValues = { mode: "generate", caCert: "", caKey: "", externalCas: [{ url: "" }], certExpiry: "" };

/**
 * `pki.rotate`'s input from the dialog, as `docker swarm ca --rotate` builds its spec:
 * no certificate for a new root; the certificate and key; or the certificate with the
 * external CAs, each signing under that certificate.
 */
export function rotateInput(values: z.output<typeof rotateForm>, version: number) {
  const certExpiry = values.certExpiry.trim();
  const caCert = values.mode === "generate" ? "" : values.caCert;
  return {
    version,
    caCert,
    caKey: values.mode === "given" ? values.caKey : "",
    ...(values.mode === "external"
      ? { externalCas: values.externalCas.filter((ca) => ca.url.trim() !== "").map((ca) => ({ protocol: "cfssl", url: ca.url.trim(), caCert })) }
      : {}),
    ...(certExpiry ? { certExpiry } : {}),
  };
}

/** Which root an external CA signs under, as the settings dialog keeps it. */
export type SignsUnder = "current root" | "new root" | "another root";

/** The settings dialog as typed: the expiry, and the external CAs with the root each signs under. */
export const settingsForm = z
  .object({
    certExpiry: certExpiryText,
    externalCas: z
      .array(
        z.object({
          protocol: z.string().min(1).max(32),
          url: z.string().max(EXTERNAL_CA_URL_MAX_LENGTH),
          /** The root it signs under (PEM); empty for the current root. */
          caCert: pem("the external CA's certificate"),
          /** Where the API said it signs: another root's certificate is not given back, so it must be pasted again. */
          signsUnder: z.string(),
        }),
      )
      .max(EXTERNAL_CAS_MAX),
  })
  .superRefine((v, ctx) => {
    if (v.certExpiry.trim() === "") ctx.addIssue({ code: "custom", path: ["certExpiry"], message: "certificate expiry is required, e.g. 2160h" });
    v.externalCas.forEach((ca, i) => {
      if (ca.url.trim() === "") ctx.addIssue({ code: "custom", path: ["externalCas", i, "url"], message: "give the external CA's URL, or remove this row" });
      if (ca.signsUnder === "another root" && ca.caCert.trim() === "") {
        ctx.addIssue({
          code: "custom",
          path: ["externalCas", i, "caCert"],
          message: "this CA signs under another root, whose certificate the API does not give back: paste it again, or remove this CA",
        });
      }
    });
    checkExpiryText(v.certExpiry, ctx);
  });
export type SettingsValues = z.input<typeof settingsForm>;

/** The settings form's rows from `pki.status`: each external CA with what is known of its root. */
export function settingsDefaults(status: PkiStatus, certExpiry: string): SettingsValues {
  return {
    certExpiry,
    externalCas: status.externalCas.map((ca) => {
      // The rotation's root is known by its certificate only where the environment gives it (not on Docker).
      const target = status.rotation?.target?.pem;
      const under: SignsUnder = ca.signsUnder === "current root" ? "current root" : ca.signsUnder === "new root" && target ? "new root" : "another root";
      return { protocol: ca.protocol, url: ca.url, caCert: under === "new root" ? (target ?? "") : "", signsUnder: under };
    }),
  };
}

/** Whether the external CAs typed differ from those stored (the same URLs, protocols and roots, in order). */
export function externalCasChanged(status: PkiStatus, rows: SettingsValues["externalCas"]): boolean {
  if (rows.length !== status.externalCas.length) return true;
  return rows.some((row, i) => {
    const stored = status.externalCas[i]!;
    const storedUnder = stored.signsUnder === "current root" || (stored.signsUnder === "new root" && status.rotation?.target) ? stored.signsUnder : "another root";
    return row.url.trim() !== stored.url || row.protocol !== stored.protocol || row.signsUnder !== storedUnder || (row.signsUnder === "another root" && row.caCert.trim() !== "");
  });
}

/**
 * The API names the CA change's fields as the manager does (`signingCaCert`,
 * `signingCaKey`); the dialog's are the procedure's (`caCert`, `caKey`). An external CA's
 * own field (`externalCas.0.url`) stays as it is.
 */
export function formFieldOf(apiField: string | undefined): string | undefined {
  if (apiField === undefined) return undefined;
  const renamed: Record<string, string> = { signingCaCert: "caCert", signingCaKey: "caKey" };
  return renamed[apiField] ?? apiField;
}

/** `pki.status` while a rotation runs: every 2 s, so its progress moves as nodes renew. */
export const ROTATION_POLL_MS = 2_000;
/** Otherwise: often enough to see a rotation someone else started, or a node's renewal. */
export const IDLE_POLL_MS = 10_000;
