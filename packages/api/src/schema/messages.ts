import { MAX_SECRET_SIZE, payloadSizeMessage, SECRET_MESSAGES, SERVICE_NAME_MAX_LENGTH, SECRET_NAME_MAX_LENGTH } from "@rampart/core";
import { z } from "zod";

/**
 * The one place where validation messages become words a person understands. Zod's own
 * texts ("Invalid input: expected int, received number") describe the library, not the
 * rule; each issue is turned into a sentence naming the field and the rule ("Replicas
 * must be a whole number from 0 to 100,000"). A message a schema sets on purpose (often
 * Swarm's own words) is kept. The API's error formatter and the UI's forms both use this
 * module, and it imports nothing but zod and core, so it runs in the browser too.
 */

interface FieldWords {
  /** How the field is named in a sentence: "Replicas", "Expiry". */
  label: string;
  /** The label of one entry of a record or list field: "Label value" for `labelAdd.zone`. */
  each?: string;
  /** The unit of a number: "days" gives "a whole number of days". */
  unit?: string;
  /**
   * For a record keyed by what the user chose (labels): what its keys are called. What
   * follows such a field in a path is the user's data, never a field name.
   */
  key?: string;
}

/**
 * Field names as they appear in the API's schemas, and what a person calls them. A path
 * is named by its innermost segment found here (`spec.reservations.nanoCpus` is "CPU
 * reservation"), unless it passes through a record keyed by the user (`labelAdd.name` is
 * a label value, whatever the key); a segment that is not here is spelt out from its camelCase.
 */
export const FIELD_LABELS: Readonly<Record<string, FieldWords>> = {
  name: { label: "Name" },
  image: { label: "Image" },
  mode: { label: "Mode" },
  replicas: { label: "Replicas" },
  constraints: { label: "Constraints", each: "Constraint" },
  preferences: { label: "Placement preferences", each: "Placement preference" },
  maxReplicasPerNode: { label: "Max replicas per node" },
  reservations: { label: "Reservations" },
  nanoCpus: { label: "CPU reservation" },
  memoryBytes: { label: "Memory reservation", unit: "bytes" },
  generic: { label: "Generic resources", each: "Generic resource count" },
  restartPolicy: { label: "Restart policy" },
  condition: { label: "Restart condition" },
  delayNs: { label: "Restart delay", unit: "nanoseconds" },
  maxAttempts: { label: "Max attempts" },
  windowNs: { label: "Restart window", unit: "nanoseconds" },
  ports: { label: "Published ports", each: "Published port" },
  protocol: { label: "Protocol" },
  targetPort: { label: "Target port" },
  publishedPort: { label: "Published port" },
  publishMode: { label: "Publish mode" },
  secrets: { label: "Secrets", each: "Secret" },
  secretId: { label: "Secret" },
  secretName: { label: "Secret" },
  target: { label: "Target file" },
  uid: { label: "Owner (UID)" },
  gid: { label: "Group (GID)" },
  username: { label: "Username" },
  password: { label: "Password" },
  confirm: { label: "Password confirmation" },
  code: { label: "Setup code" },
  expiresInDays: { label: "Expiry", unit: "days" },
  key: { label: "Label key" },
  value: { label: "Label value" },
  labels: { label: "Labels", each: "Label value", key: "Label key" },
  labelAdd: { label: "Labels", each: "Label value", key: "Label key" },
  labelRm: { label: "Labels to remove", each: "Label key" },
  availability: { label: "Availability" },
  role: { label: "Role" },
  certExpiry: { label: "Certificate expiry" },
  heartbeatPeriod: { label: "Heartbeat period" },
  taskHistoryLimit: { label: "Task history limit" },
  data: { label: "Value" },
  ref: { label: "Reference" },
  id: { label: "ID" },
  version: { label: "Version" },
  search: { label: "Search" },
  limit: { label: "Limit" },
  from: { label: "Old secret" },
  to: { label: "New secret" },
};

/** `maxReplicasPerNode` → "Max replicas per node". */
function spellOut(segment: string): string {
  const words = segment.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What a person calls the field at `path`, and the unit of its numbers. */
export function fieldWords(path: readonly PropertyKey[]): FieldWords {
  // A label named `name` or `replicas` is data: the outermost record keyed by the user decides.
  for (let i = 0; i < path.length - 1; i++) {
    const words = recordWords(path[i]);
    if (words) return { label: words.each ?? words.label };
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment !== "string") continue;
    const words = Object.hasOwn(FIELD_LABELS, segment) ? FIELD_LABELS[segment] : undefined;
    if (!words) continue;
    // An entry inside a record or list: `labelAdd.zone`, `constraints.2`.
    const inner = path.slice(i + 1).some((s) => typeof s === "string" || typeof s === "number");
    return inner && words.each ? { label: words.each } : words;
  }
  const last = [...path].reverse().find((s): s is string => typeof s === "string" && !/^\d+$/.test(s));
  return { label: last ? spellOut(last) : "The input" };
}

function recordWords(segment: PropertyKey | undefined): FieldWords | undefined {
  if (typeof segment !== "string" || !Object.hasOwn(FIELD_LABELS, segment)) return undefined;
  const words = FIELD_LABELS[segment]!;
  return words.key ? words : undefined;
}

/** What a record's keys are called, for an issue about one of them (`labelAdd.<key>`). */
function keyWords(path: readonly PropertyKey[]): FieldWords {
  for (const segment of path) {
    const words = recordWords(segment);
    if (words) return { label: words.key! };
  }
  return { label: "Key" };
}

/** What is needed of an issue: a finished one (from a ZodError), or one being made (in an error map). */
export interface IssueLike {
  code?: string | undefined;
  message?: string | undefined;
  path?: readonly PropertyKey[] | undefined;
  /** Present while the issue is being made: the value refused. */
  input?: unknown;
  /** Present while the issue is being made: the schema the refused value belongs to. */
  schema?: unknown;
  inst?: unknown;
}

/** An issue's own fields (`expected`, `minimum`, `origin`…), read by name. */
type IssueFields = IssueLike & Record<string, unknown>;

const LOCALE = z.locales.en().localeError;

/**
 * True when an issue's message is zod's own (or none), false when a schema set it on
 * purpose. Zod keeps no mark, so its message is compared with what zod would say;
 * "invalid type" messages quote the refused input, which a finished issue no longer
 * has, so those are told apart by their fixed start.
 */
export function isLibraryMessage(issue: IssueLike): boolean {
  const message = issue.message;
  if (!message || message === "Invalid input") return true;
  if (issue.code === "invalid_type") return message.startsWith("Invalid input: expected ");
  try {
    const fromLocale = LOCALE(issue as unknown as Parameters<typeof LOCALE>[0]);
    return message === (typeof fromLocale === "string" ? fromLocale : fromLocale?.message);
  } catch {
    return false;
  }
}

const formatNumber = (n: number | bigint) => n.toLocaleString("en");
/** Bounds zod gives every whole number (the safe integers) say nothing a person needs. */
const meaningful = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER;

interface NumberRule {
  whole: boolean;
  min?: number | undefined;
  max?: number | undefined;
}

/** The bounds of the number schema an issue is about, when the issue still carries it. */
function numberSchema(issue: IssueFields): NumberRule | undefined {
  for (const candidate of [issue.schema, issue.inst]) {
    const s = candidate as { minValue?: unknown; maxValue?: unknown; isInt?: unknown; _zod?: { def?: { type?: string } } } | undefined;
    if (s?._zod?.def?.type !== "number") continue;
    return { whole: s.isInt === true, min: meaningful(s.minValue) ? s.minValue : undefined, max: meaningful(s.maxValue) ? s.maxValue : undefined };
  }
  return undefined;
}

/** "a whole number of days from 1 to 365". */
function numberPhrase(rule: NumberRule, unit: string | undefined): string {
  const base = `${rule.whole ? "a whole number" : "a number"}${unit ? ` of ${unit}` : ""}`;
  if (rule.min !== undefined && rule.max !== undefined) return `${base} from ${formatNumber(rule.min)} to ${formatNumber(rule.max)}`;
  if (rule.min !== undefined) return `${base}, at least ${formatNumber(rule.min)}`;
  if (rule.max !== undefined) return `${base}, at most ${formatNumber(rule.max)}`;
  return base;
}

function sizeUnit(origin: unknown): string {
  if (origin === "string") return "characters";
  if (origin === "file") return "bytes";
  if (origin === "map") return "entries";
  return "items";
}

const FORMATS: Readonly<Record<string, string>> = {
  email: "an email address",
  url: "a URL",
  uuid: "a UUID",
  datetime: "a date and time (ISO 8601)",
  date: "a date (YYYY-MM-DD)",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
  base64: "base64 text",
};

function listValues(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === "string" ? v : String(v)));
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)!}`;
}

/** The sentence for an issue, whatever its message says. */
export function issueSentence(given: IssueLike, named?: FieldWords): string {
  const issue = given as IssueFields;
  const path = issue.path ?? [];
  const { label, unit } = named ?? fieldWords(path);
  const schemaRule = numberSchema(issue);
  const unitText = (n: number | bigint) => `${formatNumber(n)}${unit ? ` ${Number(n) === 1 ? unit.replace(/s$/, "") : unit}` : ""}`;
  switch (issue.code) {
    case "invalid_type": {
      const expected = issue.expected;
      if (expected === "number" || expected === "int" || expected === "bigint" || schemaRule) {
        const rule = schemaRule ?? { whole: expected !== "number" };
        return `${label} must be ${numberPhrase(rule, unit)}`;
      }
      const missing = "input" in issue ? issue.input === undefined : issue.received === "undefined" || issue.message?.endsWith("received undefined");
      if (missing && path.length > 0) return `${label} is required`;
      if (expected === "string") return `${label} must be text`;
      if (expected === "boolean") return `${label} must be true or false`;
      if (expected === "array") return `${label} must be a list`;
      if (expected === "object" || expected === "record") return path.length === 0 ? "The input must be a JSON object" : `${label} must be an object`;
      if (expected === "never") return `${label} is not accepted here`;
      if (expected === "date") return `${label} must be a date`;
      return `${label} is not in the form it takes`;
    }
    case "too_small": {
      const min = issue.minimum as number | bigint;
      if (issue.origin === "number" || issue.origin === "bigint") {
        if (schemaRule) return `${label} must be ${numberPhrase(schemaRule, unit)}`;
        return issue.inclusive === false ? `${label} must be more than ${unitText(min)}` : `${label} must be at least ${unitText(min)}`;
      }
      if (issue.origin === "string" && Number(min) === 1) return `${label} is required`;
      if (issue.origin === "array" && Number(min) === 1) return `${label} needs at least one entry`;
      return `${label} must have at least ${formatNumber(min)} ${sizeUnit(issue.origin)}`;
    }
    case "too_big": {
      const max = issue.maximum as number | bigint;
      if (issue.origin === "number" || issue.origin === "bigint") {
        if (schemaRule) return `${label} must be ${numberPhrase(schemaRule, unit)}`;
        return issue.inclusive === false ? `${label} must be less than ${unitText(max)}` : `${label} must be at most ${unitText(max)}`;
      }
      if (issue.origin === "string") return `${label} must be at most ${formatNumber(max)} characters`;
      return `${label} must have at most ${formatNumber(max)} ${sizeUnit(issue.origin)}`;
    }
    case "invalid_format": {
      const format = String(issue.format);
      if (format === "starts_with") return `${label} must start with ${String(issue.prefix)}`;
      if (format === "ends_with") return `${label} must end with ${String(issue.suffix)}`;
      if (format === "includes") return `${label} must include ${String(issue.includes)}`;
      return FORMATS[format] ? `${label} must be ${FORMATS[format]}` : `${label} contains characters it may not have`;
    }
    case "not_multiple_of":
      return `${label} must be a multiple of ${formatNumber(issue.divisor as number)}`;
    case "invalid_value": {
      const values = (issue.values as readonly unknown[] | undefined) ?? [];
      return values.length === 1 ? `${label} must be ${listValues(values)}` : `${label} must be one of ${listValues(values)}`;
    }
    case "unrecognized_keys": {
      const keys = ((issue.keys as readonly string[] | undefined) ?? []).map((k) => `"${k.slice(0, 64)}"`);
      const where = path.length > 0 ? ` in ${label.toLowerCase()}` : "";
      return keys.length === 1 ? `The field ${keys[0]!}${where} is not one this takes` : `The fields ${listValues(keys)}${where} are not ones this takes`;
    }
    case "invalid_key": {
      // The key's first problem, named as the record's keys are named.
      const words = keyWords(path);
      const first = (issue.issues as readonly IssueLike[] | undefined)?.[0];
      if (!first) return `${words.label} is not one this takes`;
      if (isLibraryMessage(first)) return issueSentence({ ...first, path: [] }, words);
      // A form's error map made this sentence without a path, so it names "The input".
      const unnamed = "The input ";
      return first.message!.startsWith(unnamed) ? `${words.label} ${first.message!.slice(unnamed.length)}` : first.message!;
    }
    case "invalid_element":
      return `${label} has an entry it does not take`;
    case "invalid_union":
      return `${label} is not in any form it takes`;
    default:
      return `${label} is not valid`;
  }
}

/** The message to show for an issue: the schema's own, if it set one, or the sentence. */
export function issueMessage(issue: IssueLike): string {
  return isLibraryMessage(issue) ? issueSentence(issue) : issue.message!;
}

/**
 * For zod's error maps (`schema.safeParse(v, { error: sentenceErrorMap })`): called only
 * where the schema set no message, with the refused input and its schema at hand, so
 * numbers are described with their bounds.
 */
export function sentenceErrorMap(issue: IssueLike): string {
  return issueSentence(issue);
}

/** Where an issue points, as the forms and the API name fields: `labels.0.key`. */
export function issuePath(issue: { path?: readonly PropertyKey[] | undefined }): string {
  return (issue.path ?? []).map(String).join(".");
}

// ---- Swarm's own words, explained -----------------------------------------------------

/**
 * Swarm's messages that the CLI and the conformance cases keep word for word, each with
 * what it means in plain words. The UI shows both: "A name is required (Swarm: meta: name
 * must be provided)".
 */
const EXPLAINED: ReadonlyArray<readonly [string | RegExp, string]> = [
  ["meta: name must be provided", "A name is required"],
  [SECRET_MESSAGES.nameRequired, "A name is required"],
  ["ContainerSpec: image reference must be provided", "An image is required"],
  ["name must be valid as a DNS name component", "A service name may hold letters, digits, '-' and '_', and starts and ends with a letter or digit"],
  [`name must be ${SERVICE_NAME_MAX_LENGTH} characters or fewer`, `A service name must be at most ${SERVICE_NAME_MAX_LENGTH} characters`],
  [
    SECRET_MESSAGES.nameInvalid,
    `A secret name must be 1 to ${SECRET_NAME_MAX_LENGTH} letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
  ],
  [payloadSizeMessage("secret"), `The value must be from 1 to ${formatNumber(MAX_SECRET_SIZE - 1)} bytes`],
  [SECRET_MESSAGES.malformedReference, "Choose a secret"],
  [SECRET_MESSAGES.noTarget, "Give the file name the secret is written to"],
  [SECRET_MESSAGES.badTargetFile, "Give the file name the secret is written to"],
  [SECRET_MESSAGES.labelsOnly, "Only a secret's labels can change"],
  [SECRET_MESSAGES.sourceRequired, "Choose a secret"],
  ["EndpointSpec: duplicate published ports provided", "Each published port can be used once"],
  ["constraint expected one operator from ==, !=", "A constraint compares a key and a value with == or !="],
  [/^key '.*' is invalid$/s, "A constraint's key starts with a letter or '_' and holds letters, digits, '-', '_' and '.'"],
  [/^value '.*' is invalid$/s, "A constraint's value holds letters, digits and - _ . : * ( ) ? + [ ] \\ ^ $ | / only"],
  [/^invalid RestartCondition: /, "The restart condition must be none, on-failure or any"],
  [/^TaskSpec: restart-delay cannot be negative$/, "The restart delay cannot be negative"],
  [/^TaskSpec: restart-window cannot be negative$/, "The restart window cannot be negative"],
  [/^invalid cpu value .*: Must be at least /, "Reserve at least 0.001 CPUs, or none"],
  [/^invalid memory value .*: Must be at least 4MiB$/, "Reserve at least 4 MiB of memory, or none"],
  [/^secret references '.*' and '.*' have a conflicting target: /s, "Two secrets cannot be written to the same file"],
  [/^unsupported placement preference .* \(only spread is supported\)$/s, "Only spread preferences are supported"],
  [/^invalid (published|target) port \(.*\): value must be from 0 to 65535$/, "A port is a whole number from 0 to 65,535"],
];

/** The plain explanation of one of Swarm's messages, or undefined for any other message. */
export function swarmExplanation(message: string): string | undefined {
  for (const [swarm, plain] of EXPLAINED) {
    if (typeof swarm === "string" ? message === swarm : swarm.test(message)) return plain;
  }
  return undefined;
}

/**
 * A message as the UI shows it: Swarm's words get their plain meaning in front
 * ("A name is required (Swarm: meta: name must be provided)"); any other message is
 * returned as it is, so calling this twice changes nothing.
 */
export function explain(message: string): string {
  const plain = swarmExplanation(message);
  return plain ? `${plain} (Swarm: ${message})` : message;
}
