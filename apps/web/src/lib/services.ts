import { issueMessage, issuePath, serviceSpecInput, type ServiceSpecInput, type ServiceViewOutput } from "@rampart/api/schema";
import { formatGoDuration, parseGoDuration } from "@rampart/core/cluster";
import { parseConstraint } from "@rampart/core/constraint";
import { isRampartError } from "@rampart/core/errors";
import {
  checkLimits,
  checkReservations,
  checkServiceName,
  containerOf,
  DEFAULT_RESTART_POLICY,
  defaultContainerSpec,
  defaultServiceSpec,
  MAX_REPLICAS,
  parsePlacementPreference,
  TASK_STATES,
  type ServiceSpec,
  type TaskState,
} from "@rampart/core/service";
import { checkContainerForm, containerField, containerFormFromSpec, DEFAULT_CONTAINER_FORM, formatMount, isDefaultContainer, joinWords, type ContainerForm } from "./containers";
import { SENTENCES, type FieldErrors } from "./forms";
import type { LabelRow } from "./secrets";

/**
 * The service form: what people type (strings, rows, units), turned into the spec the
 * API takes with Swarm's own messages, and back. Shared by the create and edit pages
 * and the planner's spec editor, so all three check a spec the same way.
 */

export type ServiceMode = ServiceSpecInput["mode"];
export type MemoryUnit = "MiB" | "GiB";
export type SpecOutput = ServiceViewOutput["spec"];
export type RestartPolicyInput = NonNullable<ServiceSpecInput["restartPolicy"]>;
export type RestartCondition = RestartPolicyInput["condition"];
export type PortInput = NonNullable<ServiceSpecInput["ports"]>[number];
export type PortProtocol = PortInput["protocol"];
export type PublishMode = PortInput["publishMode"];

/** `--restart-*` as typed: durations in Go's text (`5s`, `1m30s`); blank is Swarm's default. */
export interface RestartForm {
  condition: RestartCondition;
  delay: string;
  maxAttempts: string;
  window: string;
}

/** One `--publish` row; a blank published port is none (Swarm picks one for ingress). */
export interface PortRow {
  published: string;
  target: string;
  protocol: PortProtocol;
  mode: PublishMode;
}

/** One `--generic-resource kind=count` row: the kind as the key, the count as the value (the label rows' shape). */
export type GenericRow = LabelRow;

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
  /** `--limit-cpu`, decimal CPUs; blank is no limit. */
  limitCpu: string;
  limitMemory: string;
  limitMemoryUnit: MemoryUnit;
  restart: RestartForm;
  /** Blank rows are ignored. */
  ports: PortRow[];
  /** Blank rows are ignored. */
  generic: GenericRow[];
  /** The task's container and its hardening (ADR 0019); untouched, the spec leaves it out and gets the safe defaults. */
  container: ContainerForm;
}

/** Untouched, the form sends no restart policy: the service gets Swarm's defaults. */
export const DEFAULT_RESTART_FORM: RestartForm = { condition: DEFAULT_RESTART_POLICY.condition, delay: "", maxAttempts: "", window: "" };
export const EMPTY_PORT_ROW: PortRow = { published: "", target: "", protocol: "tcp", mode: "ingress" };

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
  limitCpu: "",
  limitMemory: "",
  limitMemoryUnit: "MiB",
  restart: DEFAULT_RESTART_FORM,
  ports: [],
  generic: [],
  container: DEFAULT_CONTAINER_FORM,
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

/** The longest delay or window the API takes: nanoseconds up to 2^53 − 1. */
const MAX_DURATION_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1e6);

/**
 * A restart delay or window in Go's duration text, as nanoseconds. Whole milliseconds
 * (core's Go durations); the message names the field and what was typed.
 */
export function parseRestartDuration(text: string, field: "restart delay" | "restart window", blank: number): { ns: number } | { error: string } {
  const value = text.trim();
  if (value === "") return { ns: blank };
  let ms: number;
  try {
    ms = parseGoDuration(value, field);
  } catch (error) {
    if (!isRampartError(error)) throw error;
    return { error: `invalid duration "${value}" for ${field}: use a number and a unit, such as 5s or 1m30s` };
  }
  // Swarm's own words for a negative one (validateRestartPolicy).
  if (ms < 0) return { error: `TaskSpec: ${field.replace(" ", "-")} cannot be negative` };
  if (ms > MAX_DURATION_MS) return { error: `${field} "${value}" is too long: at most 2501h` };
  return { ns: ms * 1e6 };
}

/** A duration in nanoseconds as Go writes it (`5s`, `1m30s`). */
export function formatNs(ns: number): string {
  return formatGoDuration(ns / 1e6);
}

/** `on-failure, 10s delay, at most 3 attempts in 1m0s`: a policy in one line; absent is Swarm's defaults. */
export function restartPolicySummary(policy: RestartPolicyInput | undefined): string {
  const p = policy ?? DEFAULT_RESTART_POLICY;
  if (p.condition === "none") return "never restarted (condition none)";
  const when = p.condition === "any" ? "restarted on any exit" : "restarted on failure";
  const attempts = p.maxAttempts === 0 ? "no attempt limit" : `at most ${p.maxAttempts} attempt${p.maxAttempts === 1 ? "" : "s"}${p.windowNs === 0 ? "" : ` in ${formatNs(p.windowNs)}`}`;
  return `${when} after ${formatNs(p.delayNs)}, ${attempts}${policy ? "" : " (Swarm's defaults)"}`;
}

/** `8080:80/tcp (host)`, as `docker service inspect --pretty` lists a port. */
export function formatPort(port: PortInput): string {
  return `${port.publishedPort === 0 ? "—" : port.publishedPort}:${port.targetPort}/${port.protocol} (${port.publishMode})`;
}

/** `gpu=2, fpga=1`. */
export function formatGeneric(generic: Readonly<Record<string, number>> | undefined): string {
  const entries = Object.entries(generic ?? {});
  return entries.length === 0 ? "none" : entries.map(([kind, count]) => `${kind}=${count}`).join(", ");
}

const PORT_RANGE = "must be a whole number from 1 to 65535";

function checkRestart(form: RestartForm, errors: FieldErrors): RestartPolicyInput | undefined {
  const delay = parseRestartDuration(form.delay, "restart delay", DEFAULT_RESTART_POLICY.delayNs);
  const window = parseRestartDuration(form.window, "restart window", DEFAULT_RESTART_POLICY.windowNs);
  const attempts = wholeNumber(form.maxAttempts, DEFAULT_RESTART_POLICY.maxAttempts, Number.MAX_SAFE_INTEGER, "restart-max-attempts must be a whole number, 0 for unlimited");
  if ("error" in delay) errors.restartDelay = delay.error;
  if ("error" in window) errors.restartWindow = window.error;
  if ("error" in attempts) errors.restartMaxAttempts = attempts.error;
  const untouched = form.condition === DEFAULT_RESTART_FORM.condition && [form.delay, form.maxAttempts, form.window].every((v) => v.trim() === "");
  if (untouched) return undefined;
  return {
    condition: form.condition,
    delayNs: "ns" in delay ? delay.ns : DEFAULT_RESTART_POLICY.delayNs,
    maxAttempts: "value" in attempts ? attempts.value : DEFAULT_RESTART_POLICY.maxAttempts,
    windowNs: "ns" in window ? window.ns : DEFAULT_RESTART_POLICY.windowNs,
  };
}

/** Ports as Swarm checks them: a target each, and no published port twice for one protocol. */
function checkPorts(rows: readonly PortRow[], errors: FieldErrors): { ports: PortInput[]; portRows: number[] } {
  const ports: PortInput[] = [];
  const portRows: number[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const published = row.published.trim();
    const target = row.target.trim();
    if (published === "" && target === "") return;
    const t = target === "" ? { error: 'missing mandatory field "target"' } : wholeNumber(target, 0, 65535, `invalid target port "${target}": ${PORT_RANGE}`);
    const p = wholeNumber(published, 0, 65535, `invalid published port "${published}": ${PORT_RANGE}, or blank for none`);
    if ("error" in t) errors[`ports.${i}.target`] = t.error;
    else if (t.value === 0) errors[`ports.${i}.target`] = `invalid target port "${target}": ${PORT_RANGE}`;
    if ("error" in p) errors[`ports.${i}.published`] = p.error;
    const publishedPort = "value" in p ? p.value : 0;
    if (publishedPort !== 0) {
      const key = `${publishedPort}/${row.protocol}`;
      // controlapi validateEndpointSpec: the same published port twice for one protocol.
      if (seen.has(key)) errors[`ports.${i}`] = "EndpointSpec: duplicate published ports provided";
      seen.add(key);
    }
    ports.push({ protocol: row.protocol, targetPort: "value" in t ? t.value : 0, publishedPort, publishMode: row.mode });
    portRows.push(i);
  });
  return { ports, portRows };
}

function checkGeneric(rows: readonly GenericRow[], errors: FieldErrors): Record<string, number> {
  const generic: Record<string, number> = {};
  rows.forEach((row, i) => {
    const kind = row.key.trim();
    const count = row.value.trim();
    if (kind === "" && count === "") return;
    if (kind === "") errors[`generic.${i}.key`] = "a generic resource needs a kind, e.g. gpu";
    else if (kind.length > 128 || /[\s=,]/.test(kind)) errors[`generic.${i}.key`] = `invalid generic resource kind "${kind}": no spaces, "=" or ",", at most 128 characters`;
    else if (Object.hasOwn(generic, kind)) errors[`generic.${i}.key`] = `generic resource ${kind} is listed twice`;
    const c = wholeNumber(count, 0, Number.MAX_SAFE_INTEGER, "");
    if ("error" in c || c.value < 1) errors[`generic.${i}.value`] = `invalid count "${count}" for generic resource ${kind || "?"}: use a whole number, at least 1`;
    else if (kind !== "" && !errors[`generic.${i}.key`]) generic[kind] = c.value;
  });
  return generic;
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
  /** For each port of `spec`, its form row. */
  portRows: number[];
  /** For each env entry, container label and mount of the container, its form row. */
  envRows: number[];
  labelRows: number[];
  mountRows: number[];
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

  const limitCpu = parseCpus(form.limitCpu);
  const limitMemory = parseMemory(form.limitMemory, form.limitMemoryUnit);
  if ("error" in limitCpu) errors.limitCpu = limitCpu.error;
  if ("error" in limitMemory) errors.limitMemory = limitMemory.error;
  const limits = { nanoCpus: "nanoCpus" in limitCpu ? limitCpu.nanoCpus : 0, memoryBytes: "memoryBytes" in limitMemory ? limitMemory.memoryBytes : 0 };
  if (!errors.limitCpu && !errors.limitMemory) {
    try {
      checkLimits(limits);
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

  const restartPolicy = checkRestart(form.restart, errors);
  const { ports, portRows } = checkPorts(form.ports, errors);
  const generic = checkGeneric(form.generic, errors);
  const { container, envRows, labelRows, mountRows } = checkContainerForm(form.container, errors);

  for (const key of Object.keys(errors)) if (errors[key] === undefined) delete errors[key];
  // Sections left empty add no key, so the spec is what it was before they existed (Swarm's defaults).
  const spec: ServiceSpecInput = {
    name,
    image: form.image.trim(),
    mode: form.mode,
    replicas,
    constraints,
    preferences,
    maxReplicasPerNode,
    reservations: Object.keys(generic).length > 0 ? { ...reservations, generic } : reservations,
    ...(limits.nanoCpus !== 0 || limits.memoryBytes !== 0 ? { limits } : {}),
    ...(isDefaultContainer(container) ? {} : { container }),
    ...(restartPolicy ? { restartPolicy } : {}),
    ...(ports.length > 0 ? { ports } : {}),
  };
  const checked = { spec, errors, constraintRows, preferenceRows, portRows, envRows, labelRows, mountRows };
  // Last, the API's own schema, so its limits (an image's length, how many constraints) cannot drift from the form's.
  const parsed = serviceSpecInput.safeParse(spec, SENTENCES);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = formField(issuePath(issue), checked);
      errors[field] ??= issueMessage(issue);
    }
  }
  return checked;
}

/**
 * The spec an update sends: the container written out even when it is the defaults,
 * since an update that leaves `container` out keeps the service's (as one without
 * `secrets` keeps its references), so going back to the defaults must say so.
 */
export function updateSpec(spec: ServiceSpecInput): ServiceSpecInput {
  return { ...spec, container: spec.container ?? defaultContainerSpec() };
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
  const limitBytes = spec.limits?.memoryBytes ?? 0;
  const limitCpus = spec.limits?.nanoCpus ?? 0;
  const limitMemoryUnit: MemoryUnit = limitBytes !== 0 && limitBytes % GIB === 0 ? "GiB" : "MiB";
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
    limitCpu: limitCpus === 0 ? "" : trimDecimal(limitCpus / 1e9, 9),
    limitMemory: limitBytes === 0 ? "" : trimDecimal(limitBytes / UNIT[limitMemoryUnit], 6),
    limitMemoryUnit,
    restart: spec.restartPolicy
      ? {
          condition: spec.restartPolicy.condition,
          // The delay is always written out, so a stored policy is sent back even when it equals the defaults.
          delay: formatNs(spec.restartPolicy.delayNs),
          maxAttempts: spec.restartPolicy.maxAttempts === 0 ? "" : String(spec.restartPolicy.maxAttempts),
          window: spec.restartPolicy.windowNs === 0 ? "" : formatNs(spec.restartPolicy.windowNs),
        }
      : DEFAULT_RESTART_FORM,
    ports: (spec.ports ?? []).map((p) => ({
      published: p.publishedPort === 0 ? "" : String(p.publishedPort),
      target: String(p.targetPort),
      protocol: p.protocol,
      mode: p.publishMode,
    })),
    generic: Object.entries(spec.reservations.generic ?? {}).map(([kind, count]) => ({ key: kind, value: String(count) })),
    container: containerFormFromSpec(spec.container),
  };
}

/**
 * Where a server error belongs in the form. The manager names `name`, `constraints[2]`,
 * `reserveCpu`, `restartPolicy.delayNs`; zod names `spec.reservations.nanoCpus` or
 * `constraints.2`. The API's row indexes count only non-blank rows, so `rows` maps them back.
 */
export function formField(
  field: string | undefined,
  rows: {
    constraintRows?: readonly number[];
    preferenceRows?: readonly number[];
    portRows?: readonly number[];
    envRows?: readonly number[];
    labelRows?: readonly number[];
    mountRows?: readonly number[];
  } = {},
): string {
  if (!field) return "form";
  if (/^(spec\.)?container(\.|\[|$)/.test(field)) return containerField(field, rows);
  const path = field
    .replace(/^spec\./, "")
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".");
  const [head, index, leaf] = path;
  const row = (list: readonly number[] = []) => (index !== undefined && /^\d+$/.test(index) ? (list[Number(index)] ?? Number(index)) : undefined);
  switch (head) {
    case "name":
    case "image":
    case "mode":
    case "replicas":
    case "maxReplicasPerNode":
    case "reserveCpu":
    case "reserveMemory":
    case "limitCpu":
    case "limitMemory":
      return head;
    case "limits":
      return index === "memoryBytes" ? "limitMemory" : "limitCpu";
    case "constraints": {
      const r = row(rows.constraintRows);
      return r === undefined ? "constraints" : `constraints.${r}`;
    }
    case "preferences": {
      const r = row(rows.preferenceRows);
      return r === undefined ? "preferences" : `preferences.${r}`;
    }
    case "ports": {
      const r = row(rows.portRows);
      if (r === undefined) return "ports";
      return leaf === "targetPort" ? `ports.${r}.target` : leaf === "publishedPort" ? `ports.${r}.published` : `ports.${r}`;
    }
    case "restartPolicy":
      return index === "delayNs" ? "restartDelay" : index === "windowNs" ? "restartWindow" : index === "maxAttempts" ? "restartMaxAttempts" : "restartCondition";
    case "reservations":
      return index === "generic" ? "generic" : index === "memoryBytes" ? "reserveMemory" : "reserveCpu";
    default:
      return "form";
  }
}

/** A server error's place in the form; Swarm's EndpointSpec errors name no field but are about the ports. */
export function serverErrorField(info: { field: string | undefined; message: string }, checked: CheckedForm): string {
  const field = formField(info.field, checked);
  return field === "form" && info.message.startsWith("EndpointSpec:") ? "ports" : field;
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
    ["Generic resources", formatGeneric(spec.reservations.generic)],
    ["CPU limit", reservation(spec.limits?.nanoCpus ?? 0, formatCpus)],
    ["Memory limit", reservation(spec.limits?.memoryBytes ?? 0, formatMemory)],
    ["Restart policy", restartPolicySummary(spec.restartPolicy)],
    ["Published ports", list((spec.ports ?? []).map(formatPort))],
    ...containerText(spec),
  ];
}

const orImage = (text: string) => (text === "" ? "the image's" : text);
const onOff = (on: boolean) => (on ? "on" : "off");

/** The container's settings as text, for the change list; defaults read as such. */
function containerText(spec: SpecOutput | ServiceSpecInput): Array<[string, string]> {
  const c = containerOf({ ...(spec.container ? { container: spec.container } : {}) });
  return [
    ["Entrypoint", c.command.length === 0 ? "the image's" : joinWords(c.command)],
    ["Command", c.args.length === 0 ? "the image's" : joinWords(c.args)],
    ["Environment", list(c.env)],
    ["Working directory", orImage(c.workdir)],
    ["User", orImage(c.user)],
    ["Hostname", c.hostname === "" ? "the engine's" : c.hostname],
    ["Container labels", list(Object.entries(c.labels).map(([k, v]) => `${k}=${v}`))],
    ["Stop signal", c.stopSignal === "" ? "the image's (else SIGTERM)" : c.stopSignal],
    ["Stop grace period", formatNs(c.stopGracePeriodNs)],
    ["Init process", onOff(c.init)],
    ["Mounts", list(c.mounts.map(formatMount))],
    ["Seccomp", c.seccomp.mode === "custom" ? `custom profile ${c.seccomp.profile ?? ""}` : c.seccomp.mode],
    ["AppArmor", c.apparmor === "" ? "the engine's default" : c.apparmor],
    ["No new privileges", onOff(c.noNewPrivileges)],
    ["Read-only root file system", onOff(c.readOnly)],
    ["Capabilities added", list(c.capAdd)],
    ["Capabilities dropped", list(c.capDrop)],
    ["Privileged", onOff(c.privileged)],
    ["Host network", onOff(c.hostNetwork)],
  ];
}

/** The container settings a create leaves at their defaults: not worth a line each. */
const DEFAULT_CONTAINER_TEXT = new Map(containerText(defaultServiceSpec()));

/** What an update changes, field by field; a create lists every field against "—" (container settings only when set). */
export function specChanges(before: SpecOutput | null, after: ServiceSpecInput): SpecChange[] {
  const next = specText(after);
  if (!before) return next.filter(([label, value]) => DEFAULT_CONTAINER_TEXT.get(label) !== value).map(([label, value]) => ({ label, before: "—", after: value }));
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

/** Which slot a task fills: its slot number, or for a global service its node. */
export function slotKey(task: { slot: number | null; nodeId: string | null }): string {
  return task.slot === null ? `node:${task.nodeId ?? "?"}` : `slot:${task.slot}`;
}

/** A task as the failure summary reads it. */
type EndedTask = Task & { id: string; slot: number | null; nodeId: string | null; err: string | null; message: string | null; updatedAt: Date };

/** Why a slot is not running: its last failure, and how many of its tasks the history still holds that failed. */
export interface SlotFailure {
  slot: number | null;
  nodeId: string | null;
  state: "failed" | "rejected";
  /** The task's own error (the node's words), or its message when it has no error. */
  reason: string;
  at: Date;
  failures: number;
}

/**
 * The slots (a global service's nodes) that have no running task and whose most recent
 * ended task failed or was rejected: what the service page leads with, so a failing
 * task shows its own error rather than the wait of its replacement. Newest first.
 */
export function failingSlots(tasks: readonly EndedTask[]): SlotFailure[] {
  const slots = new Map<string, EndedTask[]>();
  for (const t of tasks) {
    const key = slotKey(t);
    (slots.get(key) ?? slots.set(key, []).get(key)!).push(t);
  }
  const out: SlotFailure[] = [];
  for (const group of slots.values()) {
    if (group.some((t) => t.state === "running" && isCurrentTask(t))) continue;
    const ended = group.filter((t) => rank(t.state) > TASK_STATES.running).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    const last = ended[0];
    if (last === undefined || (last.state !== "failed" && last.state !== "rejected")) continue;
    out.push({
      slot: last.slot,
      nodeId: last.nodeId,
      state: last.state,
      reason: last.err ?? last.message ?? `task ${last.state} without a message`,
      at: last.updatedAt,
      failures: ended.filter((t) => t.state === "failed" || t.state === "rejected").length,
    });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/**
 * A replacement made by the restart supervisor: held at desired READY (not RUNNING)
 * until its restart delay has passed and the task it replaces has stopped, as in Swarm.
 */
export function isWaitingRestart(task: Task): boolean {
  return task.desiredState === "ready" && rank(task.state) <= TASK_STATES.ready;
}

/**
 * What a waiting replacement is waiting for, from what the store has: when it was made
 * and the restart delay of the spec it was made from. Null when that spec is not the
 * service's current one (its delay is then unknown here).
 */
export function restartWait(
  task: { createdAt: Date; specVersion: number },
  service: { specVersion: number; spec: { restartPolicy?: RestartPolicyInput | undefined } },
  now: Date,
): { delay: string; startsAt: Date; over: boolean } | null {
  if (task.specVersion !== service.specVersion) return null;
  const delayNs = (service.spec.restartPolicy ?? DEFAULT_RESTART_POLICY).delayNs;
  const startsAt = new Date(task.createdAt.getTime() + delayNs / 1e6);
  return { delay: formatNs(delayNs), startsAt, over: startsAt.getTime() <= now.getTime() };
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
  restartDelay: "restart delay",
  restartMaxAttempts: "restart max attempts",
  restartWindow: "restart window",
};

const hasErrorUnder = (errors: FieldErrors, prefix: string) => Object.keys(errors).some((k) => k === prefix || k.startsWith(`${prefix}.`));

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
  const badRestart = bad("restartDelay") || bad("restartMaxAttempts") || bad("restartWindow");
  const badPorts = hasErrorUnder(errors, "ports");
  const badGeneric = hasErrorUnder(errors, "generic");
  if (badPorts) ignored.push("published ports");
  if (badGeneric) ignored.push("generic resources");
  // The container and limits do not decide placement: one in error previews as the fallback's.
  const badContainer = hasErrorUnder(errors, "container");
  const badLimits = bad("limitCpu") || bad("limitMemory");
  const { restartPolicy: _restart, ports: _ports, container: _container, limits: _limits, ...rest } = spec;
  const restartPolicy = badRestart ? fallback.restartPolicy : spec.restartPolicy;
  const ports = badPorts ? fallback.ports : spec.ports;
  const generic = badGeneric ? fallback.reservations.generic : spec.reservations.generic;
  const container = badContainer ? fallback.container : spec.container;
  const limits = badLimits ? fallback.limits : spec.limits;
  return {
    spec: {
      ...rest,
      ...(restartPolicy ? { restartPolicy } : {}),
      ...(ports ? { ports } : {}),
      ...(container ? { container } : {}),
      ...(limits ? { limits } : {}),
      name: bad("name") ? fallback.name : spec.name,
      image: bad("image") ? fallback.image : spec.image,
      replicas: bad("replicas") ? fallback.replicas : spec.replicas,
      maxReplicasPerNode: bad("maxReplicasPerNode") ? fallback.maxReplicasPerNode : spec.maxReplicasPerNode,
      reservations: {
        nanoCpus: bad("reserveCpu") ? fallback.reservations.nanoCpus : spec.reservations.nanoCpus,
        memoryBytes: bad("reserveMemory") ? fallback.reservations.memoryBytes : spec.reservations.memoryBytes,
        ...(generic ? { generic } : {}),
      },
      constraints,
    },
    ignored,
  };
}

/** What a draft previews as before it has a name and image of its own. */
export const DRAFT_FALLBACK: ServiceSpecInput = defaultServiceSpec({ name: "draft", image: "draft" });
