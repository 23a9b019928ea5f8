import type { ServiceSpecInput, ServiceViewOutput } from "@rampart/api/schema";
import { parseConstraint } from "@rampart/core/constraint";
import { isRampartError } from "@rampart/core/errors";
import {
  checkReservations,
  checkServiceName,
  defaultServiceSpec,
  MAX_REPLICAS,
  parsePlacementPreference,
  TASK_STATES,
  type ServiceSpec,
  type TaskState,
} from "@rampart/core/service";
import type { FieldErrors } from "./forms";

/**
 * The service form: what people type (strings, rows, units), turned into the spec the
 * API takes with Swarm's own messages, and back. Shared by the create and edit pages
 * and the planner's spec editor, so all three check a spec the same way.
 */

export type ServiceMode = ServiceSpecInput["mode"];
export type MemoryUnit = "MiB" | "GiB";
export type SpecOutput = ServiceViewOutput["spec"];

export interface ServiceForm {
  name: string;
  image: string;
  mode: ServiceMode;
  replicas: string;
  /** One expression per row; blank rows are ignored. */
  constraints: string[];
  /** One spread descriptor per row (`node.labels.zone`); blank rows are ignored. */
  preferences: string[];
  maxReplicasPerNode: string;
  /** Decimal CPUs, as `--reserve-cpu` takes them. */
  reserveCpu: string;
  reserveMemory: string;
  memoryUnit: MemoryUnit;
}

export const EMPTY_FORM: ServiceForm = {
  name: "",
  image: "",
  mode: "replicated",
  replicas: "1",
  constraints: [],
  preferences: [],
  maxReplicasPerNode: "",
  reserveCpu: "",
  reserveMemory: "",
  memoryUnit: "MiB",
};

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const UNIT: Record<MemoryUnit, number> = { MiB: MIB, GiB: GIB };

/**
 * `--reserve-cpu`: a decimal number of CPUs as exact nanoCPUs. The docker CLI's
 * opts.ParseCPUs messages; the floor is checked later with Swarm's own message.
 */
export function parseCpus(text: string): { nanoCpus: number } | { error: string } {
  const value = text.trim();
  if (value === "") return { nanoCpus: 0 };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(value);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) return { error: `failed to parse ${value} as a rational number` };
  const whole = match[1] ?? "";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > 9) return { error: "value is too precise" };
  const nanoCpus = Number(whole || "0") * 1e9 + Number(fraction.padEnd(9, "0") || "0");
  if (!Number.isSafeInteger(nanoCpus)) return { error: `failed to parse ${value} as a rational number` };
  return { nanoCpus };
}

/** A memory size in MiB or GiB as bytes, truncated the way the docker CLI's RAMInBytes does. */
export function parseMemory(text: string, unit: MemoryUnit): { memoryBytes: number } | { error: string } {
  const value = text.trim();
  if (value === "") return { memoryBytes: 0 };
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) return { error: `invalid size: '${value}${unit}'` };
  const memoryBytes = Math.trunc(Number(value) * UNIT[unit]);
  if (!Number.isSafeInteger(memoryBytes)) return { error: `invalid size: '${value}${unit}'` };
  return { memoryBytes };
}

/** A whole number from the form, or the message for it. Blank reads as `blank`. */
function wholeNumber(text: string, blank: number, max: number, message: string): { value: number } | { error: string } {
  const value = text.trim();
  if (value === "") return { value: blank };
  if (!/^\d+$/.test(value) || Number(value) > max) return { error: message };
  return { value: Number(value) };
}

/** parseConstraint's message for one expression, or null if Swarm accepts it. */
export function constraintError(expression: string): string | null {
  try {
    parseConstraint(expression);
    return null;
  } catch (error) {
    if (isRampartError(error)) return error.message;
    throw error;
  }
}

/** A preference as the form holds it: a descriptor, or `spread=descriptor` as the CLI writes it. */
export function preferenceDescriptor(text: string): { descriptor: string } | { error: string } {
  const value = text.trim();
  if (!value.includes("=")) return { descriptor: value };
  try {
    return { descriptor: parsePlacementPreference(value) };
  } catch (error) {
    if (isRampartError(error)) return { error: error.message };
    throw error;
  }
}

/** Swarm keeps a descriptor it cannot read, and the scheduler skips it: worth a warning, not an error. */
export function preferenceWarning(descriptor: string): string | null {
  const d = descriptor.toLowerCase();
  if (d.startsWith("node.labels.") || d.startsWith("engine.labels.")) return null;
  return "the scheduler only spreads over node.labels.* or engine.labels.*; this one will be ignored";
}

export interface CheckedForm {
  spec: ServiceSpecInput;
  errors: FieldErrors;
  /** For each constraint of `spec`, the form row it came from (blank rows are dropped). */
  constraintRows: number[];
  preferenceRows: number[];
}

function message(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (isRampartError(error)) return error.message;
    throw error;
  }
}

/**
 * Checks the form the way the manager will, with Swarm's messages, and builds the spec.
 * The spec is always built (a field in error reads as 0) so the planner can still show
 * a preview while someone is typing; `errors` says whether it may be sent.
 */
export function checkForm(form: ServiceForm): CheckedForm {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  errors.name = message(() => checkServiceName(name));
  if (form.image.trim() === "") errors.image = "ContainerSpec: image reference must be provided";

  let replicas = 0;
  if (form.mode === "replicated") {
    const r = wholeNumber(form.replicas, 0, MAX_REPLICAS, `replicas must be a whole number from 0 to ${MAX_REPLICAS}`);
    if ("error" in r) errors.replicas = r.error;
    else replicas = r.value;
  }
  let maxReplicasPerNode = 0;
  if (form.mode === "replicated") {
    const m = wholeNumber(form.maxReplicasPerNode, 0, MAX_REPLICAS, "replicas-max-per-node must be a whole number, 0 for no limit");
    if ("error" in m) errors.maxReplicasPerNode = m.error;
    else maxReplicasPerNode = m.value;
  }

  const cpu = parseCpus(form.reserveCpu);
  const memory = parseMemory(form.reserveMemory, form.memoryUnit);
  if ("error" in cpu) errors.reserveCpu = cpu.error;
  if ("error" in memory) errors.reserveMemory = memory.error;
  const reservations = { nanoCpus: "nanoCpus" in cpu ? cpu.nanoCpus : 0, memoryBytes: "memoryBytes" in memory ? memory.memoryBytes : 0 };
  if (!errors.reserveCpu && !errors.reserveMemory) {
    try {
      checkReservations(reservations);
    } catch (error) {
      if (!isRampartError(error)) throw error;
      errors[error.field ?? "form"] = error.message;
    }
  }

  const constraints: string[] = [];
  const constraintRows: number[] = [];
  form.constraints.forEach((row, i) => {
    if (row.trim() === "") return;
    const problem = constraintError(row);
    if (problem) errors[`constraints.${i}`] = problem;
    constraints.push(row.trim());
    constraintRows.push(i);
  });

  const preferences: string[] = [];
  const preferenceRows: number[] = [];
  form.preferences.forEach((row, i) => {
    if (row.trim() === "") return;
    const parsed = preferenceDescriptor(row);
    if ("error" in parsed) {
      errors[`preferences.${i}`] = parsed.error;
      return;
    }
    preferences.push(parsed.descriptor);
    preferenceRows.push(i);
  });

  for (const key of Object.keys(errors)) if (errors[key] === undefined) delete errors[key];
  return {
    spec: { name, image: form.image.trim(), mode: form.mode, replicas, constraints, preferences, maxReplicasPerNode, reservations },
    errors,
    constraintRows,
    preferenceRows,
  };
}

/** The spec as core reads it: what the API's toSpec does (global services have no replica count). */
export function coreSpec(spec: ServiceSpecInput): ServiceSpec {
  return { ...spec, replicas: spec.mode === "global" ? 0 : spec.replicas };
}

function trimDecimal(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** A stored spec back as the form shows it. */
export function formFromSpec(spec: SpecOutput): ServiceForm {
  const bytes = spec.reservations.memoryBytes;
  const memoryUnit: MemoryUnit = bytes !== 0 && bytes % GIB === 0 ? "GiB" : "MiB";
  return {
    name: spec.name,
    image: spec.image,
    mode: spec.mode,
    replicas: String(spec.replicas),
    constraints: [...spec.constraints],
    preferences: [...spec.preferences],
    maxReplicasPerNode: spec.maxReplicasPerNode === 0 ? "" : String(spec.maxReplicasPerNode),
    reserveCpu: spec.reservations.nanoCpus === 0 ? "" : trimDecimal(spec.reservations.nanoCpus / 1e9, 9),
    reserveMemory: bytes === 0 ? "" : trimDecimal(bytes / UNIT[memoryUnit], 6),
    memoryUnit,
  };
}

/**
 * Where a server error belongs in the form. The manager names `name`, `constraints[2]`,
 * `reserveCpu`; zod names `spec.reservations.nanoCpus` or `constraints.2`. The API's
 * constraint index counts only non-blank rows, so `constraintRows` maps it back.
 */
export function formField(field: string | undefined, constraintRows: readonly number[] = [], preferenceRows: readonly number[] = []): string {
  if (!field) return "form";
  const path = field
    .replace(/^spec\./, "")
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".");
  const [head, index] = path;
  const row = (rows: readonly number[]) => (index !== undefined && /^\d+$/.test(index) ? (rows[Number(index)] ?? Number(index)) : undefined);
  switch (head) {
    case "name":
    case "image":
    case "mode":
    case "replicas":
    case "maxReplicasPerNode":
    case "reserveCpu":
    case "reserveMemory":
      return head;
    case "constraints": {
      const r = row(constraintRows);
      return r === undefined ? "constraints" : `constraints.${r}`;
    }
    case "preferences": {
      const r = row(preferenceRows);
      return r === undefined ? "preferences" : `preferences.${r}`;
    }
    case "reservations":
      return index === "memoryBytes" ? "reserveMemory" : "reserveCpu";
    default:
      return "form";
  }
}

/** `0.5 CPUs`, the way `docker service inspect --pretty` reads a reservation. */
export function formatCpus(nanoCpus: number): string {
  const n = trimDecimal(nanoCpus / 1e9, 9);
  return `${n} CPU${n === "1" ? "" : "s"}`;
}

/** Bytes in the largest of MiB or GiB that keeps the figure readable. */
export function formatMemory(bytes: number): string {
  if (bytes >= GIB) return `${trimDecimal(bytes / GIB, 2)} GiB`;
  if (bytes >= MIB) return `${trimDecimal(bytes / MIB, 2)} MiB`;
  return `${bytes} B`;
}

export interface SpecChange {
  label: string;
  before: string;
  after: string;
}

const list = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));
const reservation = (value: number, format: (n: number) => string) => (value === 0 ? "none" : format(value));

/** The fields a person would read, as text, in the order the form shows them. */
function specText(spec: SpecOutput | ServiceSpecInput): Array<[string, string]> {
  return [
    ["Name", spec.name],
    ["Image", spec.image],
    ["Mode", spec.mode],
    ["Replicas", spec.mode === "global" ? "one per node" : String(spec.replicas)],
    ["Constraints", list(spec.constraints)],
    ["Placement preferences", list(spec.preferences.map((p) => `spread=${p}`))],
    ["Max replicas per node", spec.maxReplicasPerNode === 0 ? "no limit" : String(spec.maxReplicasPerNode)],
    ["Reserved CPUs", reservation(spec.reservations.nanoCpus, formatCpus)],
    ["Reserved memory", reservation(spec.reservations.memoryBytes, formatMemory)],
  ];
}

/** What an update changes, field by field; a create lists every field against "—". */
export function specChanges(before: SpecOutput | null, after: ServiceSpecInput): SpecChange[] {
  const next = specText(after);
  if (!before) return next.map(([label, value]) => ({ label, before: "—", after: value }));
  const prev = new Map(specText(before));
  return next.filter(([label, value]) => prev.get(label) !== value).map(([label, value]) => ({ label, before: prev.get(label) ?? "—", after: value }));
}

/** `node.labels.zone == a && node.role != manager`, or a dash. */
export function constraintsSummary(constraints: readonly string[]): string {
  return constraints.length === 0 ? "—" : constraints.join(" && ");
}

type Task = { state: string; desiredState: string };

function rank(state: string): number {
  return (TASK_STATES as Record<string, number>)[state] ?? -1;
}

/** A task that is meant to run and has not ended: what `docker service ps` lists first. */
export function isCurrentTask(task: Task): boolean {
  return rank(task.desiredState) <= TASK_STATES.running && rank(task.state) <= TASK_STATES.running;
}

/**
 * Whether the service page should keep polling: some task is meant to run but is not
 * running yet (pending, assigned, starting…), or fewer tasks run than the spec asks.
 */
export function isSettling(service: { running: number; desired: number; tasks: readonly Task[] }): boolean {
  if (service.running !== service.desired) return true;
  return service.tasks.some((t) => isCurrentTask(t) && t.state !== "running");
}

export type Tone = "neutral" | "good" | "bad" | "warn";

/** A task state's colour: running is good, waiting is a warning, failures are bad. */
export function taskStateTone(state: string): Tone {
  if (state === "running") return "good";
  if (state === "pending") return "warn";
  const r = rank(state);
  if (r >= TASK_STATES.failed) return "bad";
  if (r > TASK_STATES.running || r < 0) return "neutral";
  return "warn";
}

export const TASK_STATE_NAMES = Object.keys(TASK_STATES) as TaskState[];

const FIELD_LABEL: Record<string, string> = {
  name: "name",
  image: "image",
  replicas: "replicas",
  maxReplicasPerNode: "max replicas per node",
  reserveCpu: "CPU reservation",
  reserveMemory: "memory reservation",
};

/**
 * The spec the planner previews while the form has errors: each field in error reads as
 * the fallback's (the service as it is, or a draft's defaults) and a constraint Swarm
 * cannot parse is left out, so the preview keeps showing what the valid part does.
 * `ignored` names what was left out, for the page to say so.
 */
export function previewSpec(checked: CheckedForm, fallback: ServiceSpecInput): { spec: ServiceSpecInput; ignored: string[] } {
  const { spec, errors } = checked;
  const bad = (field: string) => errors[field] !== undefined;
  const ignored = Object.keys(FIELD_LABEL)
    .filter(bad)
    .map((f) => FIELD_LABEL[f]!);
  const constraints = spec.constraints.filter((_, i) => !bad(`constraints.${checked.constraintRows[i]}`));
  const dropped = spec.constraints.length - constraints.length;
  if (dropped > 0) ignored.push(`${dropped} constraint${dropped === 1 ? "" : "s"}`);
  const preferenceErrors = Object.keys(errors).filter((k) => k.startsWith("preferences.")).length;
  if (preferenceErrors > 0) ignored.push(`${preferenceErrors} preference${preferenceErrors === 1 ? "" : "s"}`);
  return {
    spec: {
      ...spec,
      name: bad("name") ? fallback.name : spec.name,
      image: bad("image") ? fallback.image : spec.image,
      replicas: bad("replicas") ? fallback.replicas : spec.replicas,
      maxReplicasPerNode: bad("maxReplicasPerNode") ? fallback.maxReplicasPerNode : spec.maxReplicasPerNode,
      reservations: {
        nanoCpus: bad("reserveCpu") ? fallback.reservations.nanoCpus : spec.reservations.nanoCpus,
        memoryBytes: bad("reserveMemory") ? fallback.reservations.memoryBytes : spec.reservations.memoryBytes,
      },
      constraints,
    },
    ignored,
  };
}

/** What a draft previews as before it has a name and image of its own. */
export const DRAFT_FALLBACK: ServiceSpecInput = defaultServiceSpec({ name: "draft", image: "draft" });
