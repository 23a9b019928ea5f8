import {
  DEFAULT_RESTART_POLICY,
  formatGoDurationNs,
  genericKindProblem,
  parseGoDurationNs,
  parseGoUint,
  PORT_PROTOCOLS,
  RESTART_CONDITIONS,
  type PortConfig,
  type PortProtocol,
  type RestartPolicy,
  type ServiceSpec,
} from "@rampart/core";
import { UsageError } from "./cli.js";

/**
 * The task-template flags of `service create`, `service update` and `plan`: the restart
 * policy, published ports and generic resources, read with the docker CLI's parsers and
 * messages (cli/command/service, opts/swarmopts/port.go, go-connections' nat, swarmkit's
 * genericresource) and merged into a spec as `docker service update` merges them.
 */

/**
 * pflag's flag error: `invalid argument "V" for "--F" flag: REASON`; a flag with a
 * one-letter form is named by both (`"-p, --publish"`), as pflag names it.
 */
export function badFlag(flag: string, value: string, reason: string, short?: string): UsageError {
  const name = short === undefined ? `--${flag}` : `-${short}, --${flag}`;
  return new UsageError(`invalid argument "${value}" for "${name}" flag: ${reason}`);
}

// ---------------------------------------------------------------------------
// Restart policy
// ---------------------------------------------------------------------------

export interface RestartFlagValues {
  "restart-condition"?: string | undefined;
  "restart-delay"?: string | undefined;
  "restart-max-attempts"?: string | undefined;
  "restart-window"?: string | undefined;
}

function durationFlag(value: string, flag: string): number {
  try {
    return parseGoDurationNs(value);
  } catch (error) {
    throw badFlag(flag, value, (error as Error).message);
  }
}

/**
 * The restart fields the flags set, each on its own: docker's DurationOpt (Go
 * durations), Uint64Opt (ParseUint base 0) and the engine's conditions. An unknown
 * condition is refused here, before any request, with the engine's own words.
 */
export function parseRestartFlags(values: RestartFlagValues): Partial<RestartPolicy> {
  const changes: Partial<RestartPolicy> = {};
  const condition = values["restart-condition"];
  if (condition !== undefined) {
    if (!RESTART_CONDITIONS.includes(condition)) throw badFlag("restart-condition", condition, `invalid RestartCondition: "${condition}"`);
    changes.condition = condition as RestartPolicy["condition"];
  }
  if (values["restart-delay"] !== undefined) changes.delayNs = durationFlag(values["restart-delay"], "restart-delay");
  if (values["restart-window"] !== undefined) changes.windowNs = durationFlag(values["restart-window"], "restart-window");
  const attempts = values["restart-max-attempts"];
  if (attempts !== undefined) {
    let parsed: bigint;
    try {
      parsed = parseGoUint(attempts, 0, 64);
    } catch (error) {
      throw badFlag("restart-max-attempts", attempts, (error as Error).message);
    }
    if (parsed > BigInt(Number.MAX_SAFE_INTEGER)) throw badFlag("restart-max-attempts", attempts, `at most ${Number.MAX_SAFE_INTEGER}`);
    changes.maxAttempts = Number(parsed);
  }
  return changes;
}

/**
 * docker's restart flags on a spec: with none given the policy stays as it is (absent on
 * a new service: Swarm's defaults); with any, each given field changes on top of the
 * current policy, or of Swarm's defaults when there is none (ToRestartPolicy, and
 * updateService's `task.RestartPolicy = defaultRestartPolicy()`).
 */
export function applyRestartChanges(current: RestartPolicy | undefined, changes: Partial<RestartPolicy>): RestartPolicy | undefined {
  if (Object.keys(changes).length === 0) return current;
  return { ...(current ?? DEFAULT_RESTART_POLICY), ...changes };
}

// ---------------------------------------------------------------------------
// Published ports
// ---------------------------------------------------------------------------

/** strconv.ParseUint(v, 10, 16), with the reason port.go wraps (`invalid syntax`, `value out of range`). */
function port16(text: string): number {
  let value: bigint;
  try {
    value = parseGoUint(text, 10, 64);
  } catch (error) {
    throw new Error((error as Error).message.includes("out of range") ? "value out of range" : "invalid syntax", { cause: error });
  }
  if (value > 65535n) throw new Error("value out of range");
  return Number(value);
}

/** swarmopts.PortOpt's long syntax: `published=8080,target=80,protocol=udp,mode=host`. */
function parseLongPort(value: string): PortConfig {
  const port: PortConfig = { protocol: "tcp", targetPort: 0, publishedPort: 0, publishMode: "ingress" };
  for (const field of value.split(",")) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf("=");
    if (eq <= 0) throw new Error(`invalid field: ${field}`);
    const key = lower.slice(0, eq);
    const val = lower.slice(eq + 1);
    if (key === "protocol") {
      if (!PORT_PROTOCOLS.includes(val)) throw new Error(`invalid protocol value '${val}'`);
      port.protocol = val as PortProtocol;
    } else if (key === "mode") {
      if (val !== "ingress" && val !== "host") throw new Error(`invalid publish mode value (${val}): must be either 'ingress' or 'host'`);
      port.publishMode = val;
    } else if (key === "target" || key === "published") {
      let number: number;
      try {
        number = port16(val);
      } catch (error) {
        throw new Error(`invalid ${key} port (${val}): value must be an integer: ${(error as Error).message}`, { cause: error });
      }
      if (key === "target") port.targetPort = number;
      else port.publishedPort = number;
    } else {
      throw new Error(`invalid field key: ${key}`);
    }
  }
  if (port.targetPort === 0) throw new Error("missing mandatory field 'target'");
  return port;
}

/** nat.ParsePortRange: `80` or `8000-8010`. */
function portRange(text: string): [number, number] {
  const [first, last = first, ...rest] = text.split("-");
  if (rest.length > 0) throw new Error("bad range");
  const start = port16(first!);
  const end = port16(last!);
  if (end < start) throw new Error("bad range");
  return [start, end];
}

/**
 * The short syntax, `[PUBLISHED:]TARGET[/PROTOCOL]` with ranges, as go-connections' nat
 * reads it and ConvertPortToPortConfig turns it into ingress ports. An address in front
 * is refused, as docker refuses it (`hostip is not supported`).
 */
function parseShortPort(value: string): PortConfig[] {
  const parts = value.split(":");
  if (parts.length > 2) throw new Error("hostip is not supported");
  const [hostPart, containerPart] = parts.length === 2 ? [parts[0]!, parts[1]!] : ["", parts[0]!];
  const slash = containerPart.indexOf("/");
  const containerPort = slash === -1 ? containerPart : containerPart.slice(0, slash);
  const protoText = slash === -1 || containerPart.slice(slash + 1) === "" ? "tcp" : containerPart.slice(slash + 1);
  if (containerPort === "") throw new Error(`no port specified: ${value}<empty>`);
  let target: [number, number];
  try {
    target = portRange(containerPort);
  } catch {
    throw new Error(`invalid containerPort: ${containerPort}`);
  }
  let published: [number, number] = [0, 0];
  if (hostPart !== "") {
    try {
      published = portRange(hostPart);
    } catch {
      throw new Error(`invalid hostPort: ${hostPart}`);
    }
  }
  const targetSpan = target[1] - target[0];
  const publishedSpan = published[1] - published[0];
  if (hostPart !== "" && targetSpan !== publishedSpan && targetSpan !== 0) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPart}`);
  }
  const protocol = protoText.toLowerCase();
  if (!PORT_PROTOCOLS.includes(protocol)) throw new Error(`invalid proto: ${protoText}`);
  const port = (targetPort: number, publishedPort: number): PortConfig => ({ protocol: protocol as PortProtocol, targetPort, publishedPort, publishMode: "ingress" });
  // One target with a range of published ports publishes it on each of them.
  if (targetSpan === 0 && publishedSpan > 0) return Array.from({ length: publishedSpan + 1 }, (_, i) => port(target[0], published[0] + i));
  return Array.from({ length: targetSpan + 1 }, (_, i) => port(target[0] + i, hostPart === "" ? 0 : published[0] + i));
}

/** docker decides the syntax as PortOpt.Set does: any `word=word` makes it the long one. */
export function parsePortSpec(value: string): PortConfig[] {
  return /\w+=\w+(,\w+=\w+)*/.test(value) ? [parseLongPort(value)] : parseShortPort(value);
}

/** `-p/--publish`, `--publish-add` or `--publish-rm`, each value parsed, as flag errors. */
export function parsePublishFlags(values: readonly string[] | undefined, flag: string, short?: string): PortConfig[] {
  return (values ?? []).flatMap((value) => {
    try {
      return parsePortSpec(value);
    } catch (error) {
      throw badFlag(flag, value, (error as Error).message, short);
    }
  });
}

/** portConfigToString: the key docker dedupes and sorts ports by. */
function portKey(p: PortConfig): string {
  return `${p.publishedPort}:${p.targetPort}/${p.protocol}/${p.publishMode}`;
}

/**
 * docker's updatePorts: the current ports without duplicates; those whose target port,
 * protocol and mode match a `--publish-rm` removed; the `--publish-add` ports not
 * already there appended; the whole list sorted by `published:target/protocol/mode`.
 */
export function updatePorts(current: readonly PortConfig[], add: readonly PortConfig[], remove: readonly PortConfig[]): PortConfig[] {
  const existing = new Map<string, PortConfig>();
  for (const p of current) if (!existing.has(portKey(p))) existing.set(portKey(p), p);
  const kept = [...existing.values()].filter(
    (p) => !remove.some((r) => r.protocol === p.protocol && r.targetPort === p.targetPort && r.publishMode === p.publishMode),
  );
  const added = add.filter((p) => !existing.has(portKey(p)));
  return [...kept, ...added].sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Generic resources
// ---------------------------------------------------------------------------

/**
 * `--generic-resource gpu=1` (repeatable) as the docker CLI reads it: each value needs
 * an `=` (ValidateSingleGenericResource, a flag error), then all of them together go
 * through swarmkit's genericresource.Parse: a kind given once with a whole number is a
 * discrete request, never negative; named resources cannot be requested by a service.
 */
export function parseGenericResourceFlags(values: readonly string[] | undefined, flag: string): Record<string, number> {
  const list = values ?? [];
  for (const value of list) if (!value.includes("=")) throw badFlag(flag, value, `invalid generic-resource format \`${value}\` expected \`name=value\``);
  const invalid = (reason: string) => new UsageError(`invalid generic resource specification: could not parse GenericResource: ${reason}`);
  const byKind = new Map<string, string[]>();
  for (const term of list) {
    const parts = term.split("=");
    if (parts.length !== 2) throw invalid(`incorrect term ${term}, missing '=' or malformed expression`);
    const kind = parts[0]!.trim();
    byKind.set(kind, [...(byKind.get(kind) ?? []), parts[1]!.trim()]);
  }
  const generic: Record<string, number> = {};
  for (const [kind, texts] of byKind) {
    const problem = genericKindProblem(kind);
    if (problem !== undefined) throw new UsageError(problem);
    const discrete = texts.map((t) => (/^[+-]?\d+$/.test(t) ? Number(t) : undefined));
    if (texts.length === 1 && discrete[0] !== undefined) {
      if (discrete[0] < 0) throw invalid(`cannot ask for negative resource ${kind}`);
      if (!Number.isSafeInteger(discrete[0])) throw invalid(`${kind}=${texts[0]} is out of range`);
      generic[kind] = discrete[0];
    } else if (discrete.every((d) => d === undefined)) {
      throw new UsageError(`invalid generic-resource request \`${kind}=${texts[0]}\`, Named Generic Resources is not supported for service create or update`);
    } else {
      throw invalid(`mixed discrete and named resources in expression '${kind}=[${texts.join(" ")}]'`);
    }
  }
  return generic;
}

/**
 * addGenericResources then removeGenericResources, as `docker service update` runs
 * them: an added kind replaces the one there; removing a kind the service does not
 * reserve is an error. Returns undefined for none.
 */
export function updateGenericResources(
  current: Readonly<Record<string, number>> | undefined,
  add: Readonly<Record<string, number>>,
  remove: readonly string[],
): Record<string, number> | undefined {
  const next: Record<string, number> = { ...current, ...add };
  for (const kind of remove) {
    if (!(kind in next)) throw new UsageError(`could not find generic-resource \`${kind}\` to remove it`);
    delete next[kind];
  }
  return Object.keys(next).length === 0 ? undefined : next;
}

// ---------------------------------------------------------------------------
// `service inspect --pretty`
// ---------------------------------------------------------------------------

/**
 * The restart policy's lines: docker's pretty template has none, so these follow its
 * UpdateConfig section (a heading, then tab-aligned fields; durations as Go prints them).
 * Printed only for a service that sets a policy, as docker prints only sections that are
 * set.
 */
export function restartPolicyLines(policy: RestartPolicy | undefined): string[] {
  if (policy === undefined) return [];
  return [
    "Restart Policy:",
    ` Condition:\t${policy.condition}`,
    ` Max Attempts:\t${policy.maxAttempts}`,
    ` Delay:\t\t${formatGoDurationNs(policy.delayNs)}`,
    ` Window:\t${formatGoDurationNs(policy.windowNs)}`,
  ];
}

/** The generic reservations under ` Reservations:`, one `kind=N` a line, by kind. */
export function genericReservationLines(generic: Readonly<Record<string, number>> | undefined): string[] {
  const kinds = Object.keys(generic ?? {}).sort();
  if (kinds.length === 0) return [];
  return ["  Generic Resources:", ...kinds.map((k) => `   ${k}=${generic![k]}`)];
}

/** docker's `Ports:` block, each port as its template prints it. */
export function portLines(ports: readonly PortConfig[] | undefined): string[] {
  if (!ports || ports.length === 0) return [];
  return [
    "Ports:",
    ...ports.flatMap((p) => [` PublishedPort = ${p.publishedPort}`, `  Protocol = ${p.protocol}`, `  TargetPort = ${p.targetPort}`, `  PublishMode = ${p.publishMode}`]),
  ];
}

/** The task-template changes the flags ask for. */
export interface TaskChanges {
  restart: Partial<RestartPolicy>;
  publishAdd: PortConfig[];
  publishRm: PortConfig[];
  genericAdd: Record<string, number>;
  genericRm: string[];
}

export interface TaskFlagValues extends RestartFlagValues {
  publish?: string[] | undefined;
  "publish-add"?: string[] | undefined;
  "publish-rm"?: string[] | undefined;
  "generic-resource"?: string[] | undefined;
  "generic-resource-add"?: string[] | undefined;
  "generic-resource-rm"?: string[] | undefined;
}

/** Every task-template flag read, before any request; create's flags and update's `-add` ones add alike. */
export function parseTaskChanges(values: TaskFlagValues): TaskChanges {
  return {
    restart: parseRestartFlags(values),
    publishAdd: [...parsePublishFlags(values.publish, "publish", "p"), ...parsePublishFlags(values["publish-add"], "publish-add")],
    publishRm: parsePublishFlags(values["publish-rm"], "publish-rm"),
    genericAdd: { ...parseGenericResourceFlags(values["generic-resource"], "generic-resource"), ...parseGenericResourceFlags(values["generic-resource-add"], "generic-resource-add") },
    genericRm: values["generic-resource-rm"] ?? [],
  };
}

export function hasTaskChanges(c: TaskChanges): boolean {
  return Object.keys(c.restart).length + c.publishAdd.length + c.publishRm.length + Object.keys(c.genericAdd).length + c.genericRm.length > 0;
}

/**
 * The changes on a spec. `fresh` is a new service (`service create`, a plan without a
 * service): its ports keep the order given, as docker sends them; an existing one's are
 * merged as updatePorts merges them, and only if a port flag was given.
 */
export function applyTaskChanges(spec: ServiceSpec, c: TaskChanges, fresh: boolean): ServiceSpec {
  const next: ServiceSpec = { ...spec, reservations: { ...spec.reservations } };
  const restart = applyRestartChanges(spec.restartPolicy, c.restart);
  if (restart !== undefined) next.restartPolicy = restart;
  if (c.publishAdd.length > 0 || c.publishRm.length > 0) {
    next.ports = fresh ? c.publishAdd : updatePorts(spec.ports ?? [], c.publishAdd, c.publishRm);
  }
  if (Object.keys(c.genericAdd).length > 0 || c.genericRm.length > 0) {
    const generic = updateGenericResources(spec.reservations.generic, c.genericAdd, c.genericRm);
    if (generic === undefined) delete next.reservations.generic;
    else next.reservations.generic = generic;
  }
  return next;
}
