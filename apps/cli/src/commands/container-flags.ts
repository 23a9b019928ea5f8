import {
  DEFAULT_STOP_GRACE_PERIOD_NS,
  formatGoDurationNs,
  goQuote,
  normalizeCapability,
  parseGoDurationNs,
  parseStopSignal,
  SECCOMP_PROFILE_NAME,
  type ContainerSpec,
  type MountSpec,
  type MountType,
  type SeccompSetting,
  weakenedProtections,
  readCsvRecord,
} from "@rampart/core";
import { parseGoBool, UsageError } from "./cli.js";
import { badFlag } from "./task-flags.js";
import { bytesSize, ramInBytes } from "./units.js";

/**
 * The container flags of `service create` and `service update`: docker's own (command
 * and arguments, environment, user, working directory, hostname, container labels, stop
 * signal and grace period, init, read-only root, capabilities, mounts, `--network`),
 * read with the docker CLI's parsers and texts (cli/command/service, opts/mount.go,
 * opts/capabilities.go, google/shlex) and merged as `docker service update` merges them;
 * and the hardening Swarm leaves to `docker run` (`--security-opt`, `--privileged`),
 * which Rampart keeps on the service (ADR 0019).
 */

// ---------------------------------------------------------------------------
// Shell words (`--entrypoint`, `--args`)
// ---------------------------------------------------------------------------

const SPACE = " \t\r\n";

/**
 * google/shlex's Split, which docker's ShlexOpt reads `--entrypoint "sh -c"` and
 * `--args` with: words split at blanks; `'…'` literal; `"…"` with `\` escaping the next
 * character; `\` outside quotes escaping the next; `#` at the start of a word a comment
 * to the end of the line. Its errors are shlex's.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let state: "start" | "word" | "escape" | "escapeQuoted" | "double" | "single" | "comment" = "start";
  let word = "";
  for (const c of text) {
    switch (state) {
      case "start":
      case "word":
        if (SPACE.includes(c)) {
          if (state === "word") words.push(word);
          word = "";
          state = "start";
        } else if (c === '"') state = "double";
        else if (c === "'") state = "single";
        else if (c === "\\") state = "escape";
        else if (c === "#" && state === "start") state = "comment";
        else {
          word += c;
          state = "word";
        }
        break;
      case "escape":
        word += c;
        state = "word";
        break;
      case "escapeQuoted":
        word += c;
        state = "double";
        break;
      case "double":
        if (c === '"') state = "word";
        else if (c === "\\") state = "escapeQuoted";
        else word += c;
        break;
      case "single":
        if (c === "'") state = "word";
        else word += c;
        break;
      case "comment":
        if (c === "\n") state = "start";
        break;
    }
  }
  if (state === "escape" || state === "escapeQuoted") throw new Error("EOF found after escape character");
  if (state === "double" || state === "single") throw new Error("EOF found when expecting closing quote");
  if (state === "word") words.push(word);
  return words;
}

function shellFlag(value: string, flag: string): string[] {
  try {
    return shellWords(value);
  } catch (error) {
    throw badFlag(flag, value, (error as Error).message);
  }
}

// ---------------------------------------------------------------------------
// Mounts (`--mount type=tmpfs,target=/cache,tmpfs-size=64m`)
// ---------------------------------------------------------------------------

/** parseBoolValue: a key alone is true; else only 1, true, 0 or false. */
function mountBool(key: string, value: string, hasValue: boolean): boolean {
  if (!hasValue) return true;
  if (value === "1" || value === "true") return true;
  if (value === "0" || value === "false") return false;
  throw new Error(`invalid value for '${key}': invalid boolean value (${goQuote(value)}): must be one of "true", "1", "false", or "0" (default "true")`);
}

const MOUNT_TYPES: readonly MountType[] = ["bind", "volume", "tmpfs"];

/** docker's options Rampart has no field for: refused by name rather than dropped. */
const UNSUPPORTED_MOUNT_OPTIONS = [
  "consistency",
  "bind-propagation",
  "bind-recursive",
  "bind-create-src",
  "volume-subpath",
  "volume-nocopy",
  "volume-label",
  "volume-driver",
  "volume-opt",
  "image-subpath",
];

/**
 * MountOpt.Set: CSV fields `key=value` (or a bare boolean key), keys in any case;
 * `type` defaults to volume; `source`/`src`, `target`/`dst`/`destination`,
 * `readonly`/`ro`, `tmpfs-size` (go-units) and `tmpfs-mode` (octal). docker's other
 * options (propagation, volume drivers, subpaths) have no place in a Rampart mount and
 * are refused by name; the server checks paths, names and the runtime policy.
 */
export function parseMount(text: string): MountSpec {
  const value = text.trim();
  if (value === "") throw new Error("value is empty");
  let type: MountType = "volume";
  let source = "";
  let target = "";
  let readOnly = false;
  let tmpfsSizeBytes: number | undefined;
  let tmpfsMode: number | undefined;
  for (const field of readCsvRecord(value)) {
    const eq = field.indexOf("=");
    const hasValue = eq !== -1;
    const rawKey = hasValue ? field.slice(0, eq) : field;
    const val = hasValue ? field.slice(eq + 1) : "";
    if (rawKey.trim() !== rawKey) throw new Error(`invalid option '${rawKey.trim()}' in '${field}': option should not have whitespace`);
    if (hasValue && val.trim() === "") throw new Error(`invalid value for '${rawKey}': value is empty`);
    if (hasValue && val.trim() !== val) throw new Error(`invalid value for '${rawKey}' in '${field}': value should not have whitespace`);
    const key = rawKey.toLowerCase();
    if (!hasValue && !["readonly", "ro", "volume-nocopy", "bind-nonrecursive", "bind-create-src"].includes(key)) {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case "type": {
        const t = val.toLowerCase();
        if (!(MOUNT_TYPES as readonly string[]).includes(t)) throw new Error(`mount type unknown: ${goQuote(t)}; Rampart mounts bind, volume and tmpfs`);
        type = t as MountType;
        break;
      }
      case "source":
      case "src":
        source = val;
        break;
      case "target":
      case "dst":
      case "destination":
        target = val;
        break;
      case "readonly":
      case "ro":
        readOnly = mountBool(key, val, hasValue);
        break;
      case "tmpfs-size":
        try {
          tmpfsSizeBytes = ramInBytes(val);
        } catch {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        break;
      case "tmpfs-mode":
        // strconv.ParseUint(val, 8, 32)
        if (!/^[0-7]+$/.test(val) || Number.parseInt(val, 8) > 0xffffffff) throw new Error(`invalid value for ${key}: ${val}`);
        tmpfsMode = Number.parseInt(val, 8);
        break;
      case "bind-nonrecursive":
        throw new Error("bind-nonrecursive is deprecated, use bind-recursive=disabled instead");
      default:
        if (UNSUPPORTED_MOUNT_OPTIONS.includes(key)) throw new Error(`option '${key}' is not supported: a Rampart mount takes type, source, target, readonly, tmpfs-size and tmpfs-mode`);
        throw new Error(`unknown option '${key}' in '${field}'`);
    }
  }
  if (type !== "tmpfs" && (tmpfsSizeBytes !== undefined || tmpfsMode !== undefined)) throw new Error(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
  return {
    type,
    source,
    target,
    readOnly,
    ...(tmpfsSizeBytes !== undefined ? { tmpfsSizeBytes } : {}),
    ...(tmpfsMode !== undefined ? { tmpfsMode } : {}),
  };
}

function mountFlags(values: readonly string[] | undefined, flag: string): MountSpec[] {
  return (values ?? []).map((value) => {
    try {
      return parseMount(value);
    } catch (error) {
      throw badFlag(flag, value, (error as Error).message);
    }
  });
}

/**
 * updateMounts: the `--mount-add` mounts by target (two with one target are refused),
 * then the current ones whose target they do not take, less those `--mount-rm` names by
 * target, sorted by source and then target.
 */
export function updateMounts(current: readonly MountSpec[], add: readonly MountSpec[], remove: readonly string[]): MountSpec[] {
  const byTarget = new Map<string, MountSpec>();
  for (const m of add) {
    if (byTarget.has(m.target)) throw badFlag("mount-add", m.target, "duplicate mount target");
    byTarget.set(m.target, m);
  }
  for (const m of current) if (!byTarget.has(m.target)) byTarget.set(m.target, m);
  const rm = new Set(remove);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byTarget.values()].filter((m) => !rm.has(m.target)).sort((a, b) => cmp(a.source, b.source) || cmp(a.target, b.target));
}

// ---------------------------------------------------------------------------
// Environment and labels
// ---------------------------------------------------------------------------

const envKey = (entry: string) => entry.split("=", 1)[0]!;

/**
 * ValidateEnv: a name is needed. docker fills `-e NAME` from its own environment; the
 * spec is stored in the swarm, so Rampart asks for the value rather than copy one from
 * the shell the command happens to run in.
 */
function envFlags(values: readonly string[] | undefined, flag: string, short?: string): string[] {
  return (values ?? []).map((value) => {
    if (value.startsWith("=") || value === "") throw badFlag(flag, value, `invalid environment variable: ${value}`, short);
    if (!value.includes("=")) throw badFlag(flag, value, "give NAME=VALUE: the spec is stored in the swarm, so Rampart does not copy a variable from this shell into it", short);
    return value;
  });
}

/** makeEnv: in the order given; a name given again takes its later value, moved to the end. */
function makeEnv(entries: readonly string[]): string[] {
  let env: string[] = [];
  for (const entry of entries) {
    if (env.includes(entry)) continue;
    const key = envKey(entry);
    env = env.filter((e) => !e.startsWith(`${key}=`));
    env.push(entry);
  }
  return env;
}

/**
 * updateEnvironment: `--env-rm NAME` drops NAME, then each `--env-add NAME=VALUE` sets
 * it. docker rebuilds the list from a map, in no fixed order; Rampart changes a
 * variable where it is and appends new ones, so an update that changes nothing
 * changes nothing.
 */
export function updateEnv(current: readonly string[], remove: readonly string[], add: readonly string[]): string[] {
  const rm = new Set(remove);
  const env = current.filter((e) => !rm.has(envKey(e)));
  for (const entry of add) {
    const at = env.findIndex((e) => envKey(e) === envKey(entry));
    if (at === -1) env.push(entry);
    else env[at] = entry;
  }
  return env;
}

/** ValidateLabel, then ConvertKVStringsToMap: `key=value`, or `key` for an empty value. */
function labelFlags(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.indexOf("=");
    const key = eq === -1 ? value : value.slice(0, eq);
    if (key.replace(/^[ \t]+/, "") === "") throw badFlag(flag, value, `invalid label '${value}': empty name`);
    if (/[ \t]/.test(key.replace(/^[ \t]+/, ""))) throw badFlag(flag, value, `label '${key}' contains whitespaces`);
    labels[key] = eq === -1 ? "" : value.slice(eq + 1);
  }
  return labels;
}

// ---------------------------------------------------------------------------
// Capabilities
// ---------------------------------------------------------------------------

/** docker's RESET (`--cap-add RESET` on update): start from none. */
const RESET = "RESET";

/** Each capability as the engine names it (`net_admin` → `CAP_NET_ADMIN`); an unknown one is refused here, in the engine's words. */
function capabilityFlags(values: readonly string[] | undefined, flag: string): Set<string> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return new Set(
    values.map((value) => {
      if (value.trim().toUpperCase() === RESET) return RESET;
      try {
        return normalizeCapability(value, flag);
      } catch (error) {
        throw badFlag(flag, value, (error as Error).message);
      }
    }),
  );
}

/** opts.NormalizeCapability, for capabilities already stored. */
function normalized(cap: string): string {
  const upper = cap.trim().toUpperCase();
  return upper === "ALL" || upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
}

/** capsList: ALL alone when it is there, else sorted. */
function capsList(caps: ReadonlySet<string>): string[] {
  if (caps.has("ALL")) return ["ALL"];
  return [...caps].sort();
}

/** EffectiveCapAddCapDrop, for a new service: ALL outweighs the rest; a capability both added and dropped is added. */
export function effectiveCapabilities(add: ReadonlySet<string>, drop: ReadonlySet<string>): { capAdd: string[]; capDrop: string[] } {
  if (add.has(RESET) || drop.has(RESET)) throw new UsageError("RESET resets a service's capabilities on update; a new service has none to reset");
  const adds = add.has("ALL") ? new Set(["ALL"]) : new Set(add);
  const drops = drop.has("ALL") ? new Set(["ALL"]) : new Set(drop);
  return { capAdd: capsList(adds), capDrop: capsList(new Set([...drops].filter((c) => !adds.has(c)))) };
}

/**
 * updateCapabilities: RESET empties its list first; dropping a capability the service
 * adds takes it out of the added ones, else it is dropped; adding one the service drops
 * takes it out of the dropped ones, else it is added; adding wins over dropping.
 */
export function updateCapabilities(
  current: Pick<ContainerSpec, "capAdd" | "capDrop">,
  add: ReadonlySet<string> | undefined,
  drop: ReadonlySet<string> | undefined,
): { capAdd: string[]; capDrop: string[] } {
  let capAdd = new Set(current.capAdd.map(normalized));
  let capDrop = new Set(current.capDrop.map(normalized));
  const toAdd = new Set(add ?? []);
  const toDrop = new Set(drop ?? []);
  if (toAdd.delete(RESET)) capAdd = new Set();
  if (toDrop.delete(RESET)) capDrop = new Set();
  for (const c of toDrop) {
    if (toAdd.has(c)) continue;
    if (!capAdd.delete(c)) capDrop.add(c);
  }
  for (const c of toAdd) if (!capDrop.delete(c)) capAdd.add(c);
  return { capAdd: capsList(capAdd), capDrop: capsList(capDrop) };
}

// ---------------------------------------------------------------------------
// Network and security options
// ---------------------------------------------------------------------------

/** The networks the `--network` flags name: `host` is the host's network; every other name is an overlay network. */
export interface NetworkFlags {
  host: boolean;
  overlay: string[];
}

/**
 * `--network NAME`: `host` gives the tasks the host's network (the container's
 * `hostNetwork`, on any cluster); any other name or ID is an overlay network of a
 * connected Docker Swarm, which Rampart's own cluster, having none, refuses. docker's
 * long form (`name=…,alias=…,driver-opt=…`) is refused by name: Rampart sets no aliases
 * or driver options.
 */
function networkFlags(values: readonly string[] | undefined, flag: string): NetworkFlags {
  const flags: NetworkFlags = { host: false, overlay: [] };
  for (const value of values ?? []) {
    if (value.trim() === "") throw badFlag(flag, value, "a network is named by its name or ID");
    if (value.includes("=")) throw badFlag(flag, value, "give the network's name or ID: aliases and driver options (name=…,alias=…,driver-opt=…) are not supported");
    if (value === "host") flags.host = true;
    else if (!flags.overlay.includes(value)) flags.overlay.push(value);
  }
  return flags;
}

/**
 * docker's updateNetworks for overlay networks: `--network-rm` drops each network named
 * (by name or ID; one the service is not on is ignored), then `--network-add` appends,
 * refusing one the service is already on. Returns the networks by ID, the added ones as
 * named (the server resolves them).
 */
export function updateNetworkList(current: ReadonlyArray<{ id: string; name: string | null }>, add: readonly string[], remove: readonly string[]): string[] {
  const is = (network: { id: string; name: string | null }, ref: string) => network.id === ref || network.name === ref;
  const kept = current.filter((n) => !remove.some((ref) => is(n, ref)));
  for (const ref of add) if (kept.some((n) => is(n, ref))) throw new UsageError(`service is already attached to network ${ref}`);
  return [...kept.map((n) => n.id), ...add];
}

/** What `--security-opt` sets, each field only when named. */
export interface SecurityOptions {
  seccomp?: SeccompSetting;
  apparmor?: string;
  noNewPrivileges?: boolean;
}

/**
 * `--security-opt`, as `docker run` takes it (parseSecurityOpts, with `:` as the old
 * separator): `seccomp=default|unconfined|PROFILE`, where PROFILE is a profile stored in
 * the swarm (`rampart seccomp create`), not a file; `apparmor=PROFILE`;
 * `no-new-privileges` or `no-new-privileges=true|false`. Later options win.
 */
export function parseSecurityOptions(values: readonly string[] | undefined): SecurityOptions {
  const options: SecurityOptions = {};
  for (const opt of values ?? []) {
    let [key, value, ok] = cut(opt, "=");
    if (!ok && key !== "no-new-privileges") [key, value, ok] = cut(opt, ":");
    if ((!ok || value === "") && key !== "no-new-privileges") throw badFlag("security-opt", opt, `invalid --security-opt: ${goQuote(opt)}`);
    switch (key) {
      case "seccomp":
        if (value === "default" || value === "unconfined") options.seccomp = { mode: value };
        else if (SECCOMP_PROFILE_NAME.test(value)) options.seccomp = { mode: "custom", profile: value };
        else {
          throw badFlag(
            "security-opt",
            opt,
            "seccomp takes default, unconfined or the name of a profile stored in the swarm (store a file with 'rampart seccomp create NAME FILE', then give seccomp=NAME)",
          );
        }
        break;
      case "apparmor":
        options.apparmor = value;
        break;
      case "no-new-privileges": {
        const on = ok ? parseGoBool(value) : true;
        if (on === undefined) throw badFlag("security-opt", opt, "no-new-privileges takes true or false");
        options.noNewPrivileges = on;
        break;
      }
      default:
        throw badFlag("security-opt", opt, `Rampart takes seccomp=, apparmor= and no-new-privileges; ${goQuote(key)} is not supported`);
    }
  }
  return options;
}

function cut(text: string, sep: string): [string, string, boolean] {
  const at = text.indexOf(sep);
  return at === -1 ? [text, "", false] : [text.slice(0, at), text.slice(at + 1), true];
}

// ---------------------------------------------------------------------------
// The flags together
// ---------------------------------------------------------------------------

/** The container flags of create and update, as node:util's parseArgs hands them over. */
export interface ContainerFlagValues {
  entrypoint?: string | undefined;
  args?: string | undefined;
  env?: string[] | undefined;
  "env-add"?: string[] | undefined;
  "env-rm"?: string[] | undefined;
  workdir?: string | undefined;
  user?: string | undefined;
  hostname?: string | undefined;
  "container-label"?: string[] | undefined;
  "container-label-add"?: string[] | undefined;
  "container-label-rm"?: string[] | undefined;
  "stop-signal"?: string | undefined;
  "stop-grace-period"?: string | undefined;
  init?: boolean | undefined;
  "read-only"?: boolean | undefined;
  "cap-add"?: string[] | undefined;
  "cap-drop"?: string[] | undefined;
  mount?: string[] | undefined;
  "mount-add"?: string[] | undefined;
  "mount-rm"?: string[] | undefined;
  network?: string[] | undefined;
  "network-add"?: string[] | undefined;
  "network-rm"?: string[] | undefined;
  "security-opt"?: string[] | undefined;
  privileged?: boolean | undefined;
}

/** What the container flags ask for, checked before any request; each field only when its flag was given. */
export interface ContainerChanges {
  /** `--entrypoint`. */
  command?: string[];
  /** What follows the image on create; `--args` on update. */
  args?: string[];
  /** create's `--env`, update's `--env-add`. */
  envAdd: string[];
  envRm: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  labelAdd: Record<string, string>;
  labelRm: string[];
  stopSignal?: string;
  stopGracePeriodNs?: number;
  init?: boolean;
  readOnly?: boolean;
  capAdd?: ReadonlySet<string>;
  capDrop?: ReadonlySet<string>;
  /** create's `--mount`, update's `--mount-add`. */
  mountAdd: MountSpec[];
  mountRm: string[];
  /** `--network host` or `--network-add host`. */
  hostNetworkAdd: boolean;
  /** `--network-rm host`. */
  hostNetworkRm: boolean;
  /** Overlay networks: create's `--network`, update's `--network-add` (not the container's: the spec's `networks`). */
  networkAdd: string[];
  /** `--network-rm` of an overlay network. */
  networkRm: string[];
  security: SecurityOptions;
  privileged?: boolean;
}

/** Every container flag read; create's flags and update's `-add` ones add alike. */
export function parseContainerChanges(values: ContainerFlagValues): ContainerChanges {
  const changes: ContainerChanges = {
    envAdd: [...envFlags(values.env, "env", "e"), ...envFlags(values["env-add"], "env-add")],
    envRm: values["env-rm"] ?? [],
    labelAdd: { ...labelFlags(values["container-label"], "container-label"), ...labelFlags(values["container-label-add"], "container-label-add") },
    labelRm: values["container-label-rm"] ?? [],
    mountAdd: [...mountFlags(values.mount, "mount"), ...mountFlags(values["mount-add"], "mount-add")],
    mountRm: values["mount-rm"] ?? [],
    hostNetworkAdd: false,
    hostNetworkRm: false,
    networkAdd: [],
    networkRm: [],
    security: parseSecurityOptions(values["security-opt"]),
  };
  const [create, add, rm] = [networkFlags(values.network, "network"), networkFlags(values["network-add"], "network-add"), networkFlags(values["network-rm"], "network-rm")];
  changes.hostNetworkAdd = create.host || add.host;
  changes.hostNetworkRm = rm.host;
  changes.networkAdd = [...create.overlay, ...add.overlay.filter((n) => !create.overlay.includes(n))];
  changes.networkRm = rm.overlay;
  if (values.entrypoint !== undefined) changes.command = shellFlag(values.entrypoint, "entrypoint");
  if (values.args !== undefined) changes.args = shellFlag(values.args, "args");
  if (values.workdir !== undefined) changes.workdir = values.workdir;
  if (values.user !== undefined) changes.user = values.user;
  if (values.hostname !== undefined) changes.hostname = values.hostname;
  const signal = values["stop-signal"];
  if (signal !== undefined) {
    if (signal !== "") {
      try {
        parseStopSignal(signal);
      } catch (error) {
        throw badFlag("stop-signal", signal, (error as Error).message);
      }
    }
    changes.stopSignal = signal;
  }
  const grace = values["stop-grace-period"];
  if (grace !== undefined) {
    let ns: number;
    try {
      ns = parseGoDurationNs(grace);
    } catch (error) {
      throw badFlag("stop-grace-period", grace, (error as Error).message);
    }
    if (ns < 0) throw badFlag("stop-grace-period", grace, "duration cannot be negative");
    changes.stopGracePeriodNs = ns;
  }
  if (values.init !== undefined) changes.init = values.init;
  if (values["read-only"] !== undefined) changes.readOnly = values["read-only"];
  if (values.privileged !== undefined) changes.privileged = values.privileged;
  const capAdd = capabilityFlags(values["cap-add"], "cap-add");
  const capDrop = capabilityFlags(values["cap-drop"], "cap-drop");
  if (capAdd !== undefined) changes.capAdd = capAdd;
  if (capDrop !== undefined) changes.capDrop = capDrop;
  return changes;
}

export function hasContainerChanges(c: ContainerChanges): boolean {
  const single = [c.command, c.args, c.workdir, c.user, c.hostname, c.stopSignal, c.stopGracePeriodNs, c.init, c.readOnly, c.capAdd, c.capDrop, c.privileged];
  return (
    single.some((v) => v !== undefined) ||
    Object.values(c.security).some((v) => v !== undefined) ||
    c.envAdd.length + c.envRm.length + c.labelRm.length + c.mountAdd.length + c.mountRm.length + Object.keys(c.labelAdd).length > 0 ||
    c.hostNetworkAdd ||
    c.hostNetworkRm
  );
}

/**
 * The changes on a container. `fresh` is a new service's (the defaults): lists are taken
 * in the order given, as `docker service create` sends them; an existing one's are
 * merged as `docker service update` merges them, each only if its flags were given.
 */
export function applyContainerChanges(current: ContainerSpec, c: ContainerChanges, fresh: boolean): ContainerSpec {
  const next: ContainerSpec = { ...current, labels: { ...current.labels } };
  if (c.command !== undefined) next.command = c.command;
  if (c.args !== undefined) next.args = c.args;
  if (c.envAdd.length > 0 || c.envRm.length > 0) next.env = fresh ? makeEnv(c.envAdd) : updateEnv(current.env, c.envRm, c.envAdd);
  if (c.workdir !== undefined) next.workdir = c.workdir;
  if (c.user !== undefined) next.user = c.user;
  if (c.hostname !== undefined) next.hostname = c.hostname;
  for (const key of c.labelRm) delete next.labels[key];
  Object.assign(next.labels, c.labelAdd);
  if (c.stopSignal !== undefined) next.stopSignal = c.stopSignal;
  if (c.stopGracePeriodNs !== undefined) next.stopGracePeriodNs = c.stopGracePeriodNs;
  if (c.init !== undefined) next.init = c.init;
  if (c.readOnly !== undefined) next.readOnly = c.readOnly;
  if (c.privileged !== undefined) next.privileged = c.privileged;
  if (c.capAdd !== undefined || c.capDrop !== undefined) {
    Object.assign(next, fresh ? effectiveCapabilities(c.capAdd ?? new Set(), c.capDrop ?? new Set()) : updateCapabilities(current, c.capAdd, c.capDrop));
  }
  if (c.mountAdd.length > 0 || c.mountRm.length > 0) next.mounts = fresh ? [...c.mountAdd] : updateMounts(current.mounts, c.mountAdd, c.mountRm);
  // updateNetworks: removals first, then additions; adding a network the service is on is refused.
  if (c.hostNetworkRm) next.hostNetwork = false;
  if (c.hostNetworkAdd) {
    if (next.hostNetwork) throw new UsageError("service is already attached to network host");
    next.hostNetwork = true;
  }
  if (c.security.seccomp !== undefined) next.seccomp = c.security.seccomp;
  if (c.security.apparmor !== undefined) next.apparmor = c.security.apparmor;
  if (c.security.noNewPrivileges !== undefined) next.noNewPrivileges = c.security.noNewPrivileges;
  return next;
}

// ---------------------------------------------------------------------------
// `service inspect --pretty`
// ---------------------------------------------------------------------------

/**
 * The lines under `ContainerSpec:` after ` Image:`: docker's template prints Args, Env,
 * Dir, Init and User (with its odd ` User: ` spacing), each when set; Rampart adds the
 * command (`--entrypoint`), hostname, labels, stop signal and grace period (when not
 * the default 10s) and the read-only root, in the same style.
 */
export function containerSpecLines(c: ContainerSpec): string[] {
  const lines: string[] = [];
  if (c.command.length > 0) lines.push(` Command:\t${c.command.join(" ")}`);
  if (c.args.length > 0) lines.push(` Args:\t\t${c.args.join(" ")}`);
  if (c.env.length > 0) lines.push(` Env:\t\t${c.env.join(" ")}`);
  if (c.workdir !== "") lines.push(` Dir:\t\t${c.workdir}`);
  if (c.init) lines.push(" Init:\t\ttrue");
  if (c.user !== "") lines.push(` User: ${c.user}`);
  if (c.hostname !== "") lines.push(` Hostname:\t${c.hostname}`);
  const labels = Object.keys(c.labels).sort();
  if (labels.length > 0) lines.push(" Labels:", ...labels.map((k) => `  ${k}${c.labels[k] === "" ? "" : `=${c.labels[k]}`}`));
  if (c.stopSignal !== "") lines.push(` Stop Signal:\t${c.stopSignal}`);
  if (c.stopGracePeriodNs !== DEFAULT_STOP_GRACE_PERIOD_NS) lines.push(` Stop Grace Period:\t${formatGoDurationNs(c.stopGracePeriodNs)}`);
  if (c.readOnly) lines.push(" Read Only:\ttrue");
  return lines;
}

/** docker's `Capabilities:` and `Mounts:` sections; a tmpfs mount's size and mode, which docker's template leaves out, below it. */
export function capabilityAndMountLines(c: ContainerSpec): string[] {
  const lines: string[] = [];
  if (c.capAdd.length > 0 || c.capDrop.length > 0) {
    lines.push("Capabilities:");
    if (c.capAdd.length > 0) lines.push(` Add: ${c.capAdd.join(", ")}`);
    if (c.capDrop.length > 0) lines.push(` Drop: ${c.capDrop.join(", ")}`);
  }
  if (c.mounts.length > 0) lines.push("Mounts:");
  for (const m of c.mounts) {
    lines.push(` Target:\t${m.target}`, `  Source:\t${m.source}`, `  ReadOnly:\t${m.readOnly}`, `  Type:\t\t${m.type}`);
    if (m.tmpfsSizeBytes !== undefined && m.tmpfsSizeBytes > 0) lines.push(`  TmpfsSize:\t${bytesSize(m.tmpfsSizeBytes)}`);
    if (m.tmpfsMode !== undefined) lines.push(`  TmpfsMode:\t0${m.tmpfsMode.toString(8)}`);
  }
  return lines;
}

/**
 * Rampart's `Security:` section, always printed: what `--security-opt` and
 * `--privileged` set, then every protection the container gives up against the
 * defaults, as the server records them in the audit log.
 */
export function securityLines(c: ContainerSpec): string[] {
  const seccomp = c.seccomp.mode === "custom" ? `${c.seccomp.profile ?? ""} (stored profile)` : c.seccomp.mode;
  const lines = [
    "Security:",
    ` Seccomp:\t\t${seccomp}`,
    ` AppArmor:\t\t${c.apparmor === "" ? "default" : c.apparmor}`,
    ` No New Privileges:\t${c.noNewPrivileges}`,
    ` Privileged:\t\t${c.privileged}`,
  ];
  const weakened = weakenedProtections(c);
  if (weakened.length > 0) lines.push(" Weakened:", ...weakened.map((w) => `  - ${w.text}`));
  return lines;
}
