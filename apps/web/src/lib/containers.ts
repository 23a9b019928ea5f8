import { formatGoDuration, parseGoDuration } from "@rampart/core/cluster";
import { isRampartError } from "@rampart/core/errors";
import {
  checkContainerSpec,
  checkHostAccess,
  DEFAULT_STOP_GRACE_PERIOD_NS,
  defaultContainerSpec,
  ENGINE_DEFAULT_CAPABILITIES,
  isEngineSocket,
  LINUX_CAPABILITIES,
  weakenedProtections,
  type ContainerSpec,
  type MountSpec,
  type MountType,
  type RuntimePolicy,
  type Weakening,
} from "@rampart/core/service";
import type { FieldErrors } from "./forms";
import type { LabelRow } from "./secrets";

/**
 * The service form's Container and Security sections: what people type (shell words,
 * rows, Go durations, MiB and octal modes) turned into core's `ContainerSpec`, checked
 * with core's own rules and messages, and back. The protections a spec gives up come
 * from core's `weakenedProtections`, the list the manager records in the audit event.
 */

export type SeccompMode = ContainerSpec["seccomp"]["mode"];

/** One `--mount` row; blank fields take the engine's defaults. */
export interface MountRow {
  type: MountType;
  /** A bind's host path or a volume's name; none for tmpfs. */
  source: string;
  target: string;
  readOnly: boolean;
  /** tmpfs only: MiB, decimal; blank = unlimited. */
  tmpfsSize: string;
  /** tmpfs only: octal permission bits (`1777`); blank = the engine's. */
  tmpfsMode: string;
}

export interface ContainerForm {
  /** The entrypoint as shell words (`--entrypoint`); blank keeps the image's. */
  command: string;
  /** The command as shell words (what follows the image); blank keeps the image's. */
  args: string;
  /** `KEY` and value rows; blank rows are ignored. */
  env: LabelRow[];
  workdir: string;
  user: string;
  hostname: string;
  /** Container labels (`--container-label`); blank rows are ignored. */
  labels: LabelRow[];
  stopSignal: string;
  /** Go duration text; blank is 10s. */
  stopGracePeriod: string;
  init: boolean;
  readOnly: boolean;
  capAdd: string[];
  capDrop: string[];
  mounts: MountRow[];
  seccomp: SeccompMode;
  /** The stored profile's name, with seccomp `custom`. */
  seccompProfile: string;
  apparmor: string;
  noNewPrivileges: boolean;
  privileged: boolean;
  hostNetwork: boolean;
}

export const EMPTY_MOUNT_ROW: MountRow = { type: "tmpfs", source: "", target: "", readOnly: false, tmpfsSize: "", tmpfsMode: "" };
export const EMPTY_ENV_ROW: LabelRow = { key: "", value: "" };

/** Untouched, the form sends no `container`: the service gets core's safe defaults. */
export const DEFAULT_CONTAINER_FORM: ContainerForm = {
  command: "",
  args: "",
  env: [],
  workdir: "",
  user: "",
  hostname: "",
  labels: [],
  stopSignal: "",
  stopGracePeriod: "",
  init: false,
  readOnly: false,
  capAdd: [],
  capDrop: [],
  mounts: [],
  seccomp: "default",
  seccompProfile: "",
  apparmor: "",
  noNewPrivileges: true,
  privileged: false,
  hostNetwork: false,
};

const MIB = 2 ** 20;
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Shell words as `sh` reads them (the docker CLI splits `--entrypoint` the same way):
 * spaces separate, '…' keeps everything, "…" keeps everything but `\"`, `\\`, `\$` and
 * `` \` ``, and `\` escapes one character outside quotes. A JSON array of strings (a
 * Dockerfile's exec form) is taken as it is.
 */
export function splitWords(text: string): { words: string[] } | { error: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === "string")) return { words: parsed };
    } catch {
      // Not JSON: read as shell words, where a leading [ is an ordinary character.
    }
  }
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 === text.length) return { error: "a \\ at the end escapes nothing: remove it or quote it" };
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { error: `a ${quote === '"' ? "double" : "single"} quote is not closed` };
  if (inWord) words.push(word);
  return { words };
}

/** Words back as shell text that `splitWords` reads as the same words. */
export function joinWords(words: readonly string[]): string {
  return words.map((w) => (SAFE_WORD.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(" ");
}

/** `KEY=VALUE` entries as rows; an entry without `=` is a name with an empty value. */
export function envRows(env: readonly string[]): LabelRow[] {
  return env.map((entry) => {
    const at = entry.indexOf("=");
    return at < 0 ? { key: entry, value: "" } : { key: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

/** A tmpfs size in MiB as bytes; blank is none (the engine's unlimited). */
function parseTmpfsSize(text: string): { bytes: number | undefined } | { error: string } {
  const value = text.trim();
  if (value === "") return { bytes: undefined };
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) return { error: `invalid tmpfs size "${value}": a number of MiB, e.g. 64` };
  const bytes = Math.trunc(Number(value) * MIB);
  if (!Number.isSafeInteger(bytes)) return { error: `invalid tmpfs size "${value}": too large` };
  return { bytes };
}

function parseTmpfsMode(text: string): { mode: number | undefined } | { error: string } {
  const value = text.trim();
  if (value === "") return { mode: undefined };
  if (!/^[0-7]{1,4}$/.test(value)) return { error: `invalid tmpfs mode "${value}": octal permission bits, e.g. 1777 or 0700` };
  return { mode: Number.parseInt(value, 8) };
}

const blankMount = (row: MountRow) => row.source.trim() === "" && row.target.trim() === "" && row.tmpfsSize.trim() === "" && row.tmpfsMode.trim() === "";

export interface CheckedContainer {
  container: ContainerSpec;
  /** For each entry of `container.env`, `.labels` and `.mounts`, its form row (blank rows are dropped). */
  envRows: number[];
  labelRows: number[];
  mountRows: number[];
}

/**
 * Builds the container from the form, with a message per field under `container.…`.
 * It is always built (a field in error reads as its default), as the service form's
 * spec is; then core's own check runs on it, with its words and the field it names.
 */
export function checkContainerForm(form: ContainerForm, errors: FieldErrors): CheckedContainer {
  const words = (text: string, field: string): string[] => {
    const result = splitWords(text);
    if ("error" in result) {
      errors[field] = result.error;
      return [];
    }
    return result.words;
  };
  const command = words(form.command, "container.command");
  const args = words(form.args, "container.args");

  const env: string[] = [];
  const envRowList: number[] = [];
  const seenEnv = new Set<string>();
  form.env.forEach((row, i) => {
    const key = row.key.trim();
    if (key === "" && row.value === "") return;
    if (key === "") errors[`container.env.${i}.key`] = "an environment variable needs a name";
    else if (key.includes("=")) errors[`container.env.${i}.key`] = `invalid environment variable name "${key}": no "=" in a name`;
    else if (seenEnv.has(key)) errors[`container.env.${i}.key`] = `environment variable ${key} is given twice`;
    seenEnv.add(key);
    env.push(`${key}=${row.value}`);
    envRowList.push(i);
  });

  const labels: Record<string, string> = {};
  const labelRowList: number[] = [];
  form.labels.forEach((row, i) => {
    const key = row.key.trim();
    if (key === "" && row.value === "") return;
    if (key === "") errors[`container.labels.${i}.key`] = "a container label needs a key";
    else if (Object.hasOwn(labels, key)) errors[`container.labels.${i}.key`] = `container label ${key} is given twice`;
    else {
      labels[key] = row.value;
      labelRowList.push(i);
    }
  });

  let stopGracePeriodNs = DEFAULT_STOP_GRACE_PERIOD_NS;
  const grace = form.stopGracePeriod.trim();
  if (grace !== "") {
    try {
      const ms = parseGoDuration(grace, "stop grace period");
      if (ms < 0) errors["container.stopGracePeriod"] = "stop-grace-period cannot be negative";
      else stopGracePeriodNs = ms * 1e6;
    } catch (error) {
      if (!isRampartError(error)) throw error;
      errors["container.stopGracePeriod"] = `invalid duration "${grace}" for stop grace period: use a number and a unit, such as 10s or 1m30s`;
    }
  }

  const mounts: MountSpec[] = [];
  const mountRowList: number[] = [];
  form.mounts.forEach((row, i) => {
    if (blankMount(row)) return;
    const mount: MountSpec = { type: row.type, source: row.type === "tmpfs" ? "" : row.source.trim(), target: row.target.trim(), readOnly: row.readOnly };
    if (row.type === "tmpfs") {
      const size = parseTmpfsSize(row.tmpfsSize);
      const mode = parseTmpfsMode(row.tmpfsMode);
      if ("error" in size) errors[`container.mounts.${i}.tmpfsSize`] = size.error;
      else if (size.bytes !== undefined) mount.tmpfsSizeBytes = size.bytes;
      if ("error" in mode) errors[`container.mounts.${i}.tmpfsMode`] = mode.error;
      else if (mode.mode !== undefined) mount.tmpfsMode = mode.mode;
    }
    mounts.push(mount);
    mountRowList.push(i);
  });

  const container: ContainerSpec = {
    command,
    args,
    env,
    workdir: form.workdir.trim(),
    user: form.user.trim(),
    hostname: form.hostname.trim(),
    labels,
    stopSignal: form.stopSignal.trim(),
    stopGracePeriodNs,
    init: form.init,
    readOnly: form.readOnly,
    capAdd: [...form.capAdd],
    capDrop: [...form.capDrop],
    mounts,
    seccomp: form.seccomp === "custom" ? { mode: "custom", profile: form.seccompProfile } : { mode: form.seccomp },
    apparmor: form.apparmor.trim(),
    noNewPrivileges: form.noNewPrivileges,
    privileged: form.privileged,
    hostNetwork: form.hostNetwork,
  };
  const checked = { container, envRows: envRowList, labelRows: labelRowList, mountRows: mountRowList };
  try {
    checkContainerSpec(container);
  } catch (error) {
    if (!isRampartError(error)) throw error;
    const field = containerField(error.field, checked);
    errors[field] ??= error.message;
  }
  return checked;
}

/** Whether a container is core's defaults, which the form then leaves out of the spec. */
export function isDefaultContainer(container: ContainerSpec): boolean {
  return JSON.stringify(container) === JSON.stringify(defaultContainerSpec());
}

/** A stored container back as the form shows it. */
export function containerFormFromSpec(spec: Partial<ContainerSpec> | undefined): ContainerForm {
  const c = defaultContainerSpec(spec ?? {});
  return {
    command: joinWords(c.command),
    args: joinWords(c.args),
    env: envRows(c.env),
    workdir: c.workdir,
    user: c.user,
    hostname: c.hostname,
    labels: Object.entries(c.labels).map(([key, value]) => ({ key, value })),
    stopSignal: c.stopSignal,
    stopGracePeriod: c.stopGracePeriodNs === DEFAULT_STOP_GRACE_PERIOD_NS ? "" : formatGoDuration(c.stopGracePeriodNs / 1e6),
    init: c.init,
    readOnly: c.readOnly,
    capAdd: [...c.capAdd],
    capDrop: [...c.capDrop],
    mounts: c.mounts.map((m) => ({
      type: m.type,
      source: m.source,
      target: m.target,
      readOnly: m.readOnly,
      tmpfsSize: m.tmpfsSizeBytes === undefined ? "" : String(Number((m.tmpfsSizeBytes / MIB).toFixed(6))),
      tmpfsMode: m.tmpfsMode === undefined ? "" : m.tmpfsMode.toString(8).padStart(4, "0"),
    })),
    seccomp: c.seccomp.mode,
    seccompProfile: c.seccomp.profile ?? "",
    apparmor: c.apparmor,
    noNewPrivileges: c.noNewPrivileges,
    privileged: c.privileged,
    hostNetwork: c.hostNetwork,
  };
}

/**
 * Where a message about the container belongs in the form: the manager names
 * `container.mounts[0].source`, zod `spec.container.env.3`. Row indexes count only
 * non-blank rows, so `rows` maps them back.
 */
export function containerField(field: string | undefined, rows: { envRows?: readonly number[]; labelRows?: readonly number[]; mountRows?: readonly number[] } = {}): string {
  if (!field) return "form";
  const path = field
    .replace(/^spec\./, "")
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".");
  if (path[0] !== "container") return "form";
  const [, head, index, leaf] = path;
  const row = (list: readonly number[] = []) => (index !== undefined && /^\d+$/.test(index) ? (list[Number(index)] ?? Number(index)) : undefined);
  switch (head) {
    case undefined:
      return "form";
    case "command":
    case "args":
    case "capAdd":
    case "capDrop":
    case "workdir":
    case "user":
    case "hostname":
    case "stopSignal":
    case "init":
    case "readOnly":
    case "apparmor":
    case "noNewPrivileges":
    case "privileged":
    case "hostNetwork":
      return `container.${head}`;
    case "stopGracePeriodNs":
      return "container.stopGracePeriod";
    case "env": {
      const r = row(rows.envRows);
      return r === undefined ? "container.env" : `container.env.${r}.key`;
    }
    case "labels": {
      const r = row(rows.labelRows);
      return r === undefined ? "container.labels" : `container.labels.${r}.key`;
    }
    case "mounts": {
      const r = row(rows.mountRows);
      if (r === undefined) return "container.mounts";
      if (leaf === "source" || leaf === "target") return `container.mounts.${r}.${leaf}`;
      if (leaf === "tmpfsSizeBytes") return `container.mounts.${r}.tmpfsSize`;
      if (leaf === "tmpfsMode") return `container.mounts.${r}.tmpfsMode`;
      return `container.mounts.${r}`;
    }
    case "seccomp":
      return index === "profile" ? "container.seccompProfile" : "container.seccomp";
    default:
      return "form";
  }
}

/** The protections a container gives up, by the form field they belong to (`container.seccomp`…). */
export function weakeningsByField(container: ContainerSpec): Map<string, Weakening[]> {
  const byField = new Map<string, Weakening[]>();
  for (const w of weakenedProtections(container)) (byField.get(w.field) ?? byField.set(w.field, []).get(w.field)!).push(w);
  return byField;
}

/** What the runtime policy would say about one bind mount's host path: null when it allows it. */
export function bindRefusal(source: string, policy: RuntimePolicy | undefined): string | null {
  if (!policy || source.trim() === "" || !source.trim().startsWith("/")) return null;
  try {
    checkHostAccess(defaultContainerSpec({ mounts: [{ type: "bind", source: source.trim(), target: "/x", readOnly: false }] }), policy);
    return null;
  } catch (error) {
    if (!isRampartError(error)) throw error;
    return error.message;
  }
}

/** A host path that is a container engine's socket (or its directory): root on the node. */
export function isEngineSocketPath(path: string): boolean {
  return path.trim().startsWith("/") && isEngineSocket(path.trim());
}

/** `CAP_NET_ADMIN` → `NET_ADMIN`, as the docker CLI prints capabilities. */
export function capabilityName(cap: string): string {
  return cap.replace(/^CAP_/, "");
}

/** What the drop picker offers: ALL, then the engine's defaults (the ones a container has), then the rest. */
export const DROP_CHOICES: readonly string[] = ["ALL", ...ENGINE_DEFAULT_CAPABILITIES, ...LINUX_CAPABILITIES.filter((c) => !ENGINE_DEFAULT_CAPABILITIES.includes(c))];
/** What the add picker offers: the capabilities a container does not have by default first. */
export const ADD_CHOICES: readonly string[] = [...LINUX_CAPABILITIES.filter((c) => !ENGINE_DEFAULT_CAPABILITIES.includes(c)), ...ENGINE_DEFAULT_CAPABILITIES, "ALL"];

export function isEngineDefaultCapability(cap: string): boolean {
  return ENGINE_DEFAULT_CAPABILITIES.includes(cap);
}

/** `1777` style, for a stored tmpfs mode. */
export function formatOctal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

/** A mount as `docker service inspect --pretty` would list it, in one line. */
export function formatMount(m: MountSpec): string {
  const parts = [`type=${m.type}`];
  if (m.source !== "") parts.push(`source=${m.source}`);
  parts.push(`target=${m.target}`);
  if (m.readOnly) parts.push("readonly");
  if (m.tmpfsSizeBytes !== undefined) parts.push(`tmpfs-size=${m.tmpfsSizeBytes}`);
  if (m.tmpfsMode !== undefined) parts.push(`tmpfs-mode=${formatOctal(m.tmpfsMode)}`);
  return parts.join(",");
}
