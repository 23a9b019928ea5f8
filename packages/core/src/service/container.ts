import { goQuote } from "../encoding/go-strconv.js";
import { invalidArgument, RampartError } from "../errors/index.js";
import { checkSafeText, unsafeTextProblem } from "../text/index.js";
// A function, read only when a limit is refused: the cycle with index.ts is harmless.
import { goG } from "./index.js";

/**
 * What a task's container is made with (Swarm's ContainerSpec and TaskSpec.Resources.Limits),
 * and Rampart's hardening on top of it (ADR 0019). Swarm leaves seccomp, AppArmor and
 * no-new-privileges to each `docker run`; here they belong to the service, default to
 * the safe setting, and every task gets them.
 */

/** `default`: the engine's own profile; `custom`: a stored profile, by name. */
export type SeccompMode = "default" | "unconfined" | "custom";

export interface SeccompSetting {
  mode: SeccompMode;
  /** The stored profile's name, for `custom` only. */
  profile?: string;
}

export type MountType = "bind" | "volume" | "tmpfs";

/** One mount (`--mount type=tmpfs,target=/cache`). */
export interface MountSpec {
  type: MountType;
  /** A bind's host path, or a volume's name ("" = an anonymous volume); none for tmpfs. */
  source: string;
  /** An absolute path in the container. */
  target: string;
  readOnly: boolean;
  /** tmpfs only; 0 = the engine's default (unlimited). */
  tmpfsSizeBytes?: number;
  /** tmpfs only; absent = the engine's default (1777). */
  tmpfsMode?: number;
}

export interface ContainerSpec {
  /** Replaces the image's entrypoint (`docker service create --entrypoint`); [] keeps it. */
  command: string[];
  /** Replaces the image's command (what follows the image on `docker service create`). */
  args: string[];
  /** `KEY=VALUE`. */
  env: string[];
  /** "" = the image's. */
  workdir: string;
  /** `name|uid[:group|gid]`; "" = the image's user. */
  user: string;
  /** "" = the engine's choice (the container ID's prefix). */
  hostname: string;
  /** Container labels (`--container-label`). */
  labels: Record<string, string>;
  /** "" = the image's, else SIGTERM. */
  stopSignal: string;
  /** How long a stopping task has after its stop signal before it is killed. */
  stopGracePeriodNs: number;
  /** Runs an init process (tini) as PID 1. */
  init: boolean;
  /** A read-only root file system. */
  readOnly: boolean;
  capAdd: string[];
  capDrop: string[];
  mounts: MountSpec[];
  seccomp: SeccompSetting;
  /** An AppArmor profile name; "" = the engine's default (`docker-default`), "unconfined" = none. */
  apparmor: string;
  noNewPrivileges: boolean;
  /** Refused unless the runtime policy allows it. */
  privileged: boolean;
  /** The host's network namespace (`--network host`); refused unless the runtime policy allows it. */
  hostNetwork: boolean;
}

/** TaskSpec.Resources.Limits; 0 = no limit. */
export interface ResourceLimits {
  nanoCpus: number;
  memoryBytes: number;
}

/** api/defaults: a stopping task gets 10 s. */
export const DEFAULT_STOP_GRACE_PERIOD_NS = 10_000_000_000;

/**
 * The container a spec without a `container` section gets: the image's own command,
 * user and working directory, under the engine's seccomp and AppArmor profiles, with
 * no-new-privileges on. Turning any of these off is a weakening (`weakenedProtections`).
 */
export function defaultContainerSpec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    command: [],
    args: [],
    env: [],
    workdir: "",
    user: "",
    hostname: "",
    labels: {},
    stopSignal: "",
    stopGracePeriodNs: DEFAULT_STOP_GRACE_PERIOD_NS,
    init: false,
    readOnly: false,
    capAdd: [],
    capDrop: [],
    mounts: [],
    seccomp: { mode: "default" },
    apparmor: "",
    noNewPrivileges: true,
    privileged: false,
    hostNetwork: false,
    ...overrides,
  };
}

/** The spec's container, with the defaults for what a stored spec leaves out. */
export function containerOf(spec: { container?: Partial<ContainerSpec> }): ContainerSpec {
  return defaultContainerSpec(spec.container ?? {});
}

/** Linux capabilities (capability.h), as the engine names them. */
export const LINUX_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
  "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
  "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
];

/** The capabilities the engine gives a container unless told otherwise (oci/caps/defaults.go). */
export const ENGINE_DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
  "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

/**
 * The engine's NormalizeLegacyCapabilities: upper case, `CAP_` added, `ALL` kept as is;
 * an unknown one is refused with the engine's text, which quotes the normalised name.
 */
export function normalizeCapability(text: string, field: string): string {
  const upper = text.trim().toUpperCase();
  if (upper === "ALL") return "ALL";
  const cap = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!LINUX_CAPABILITIES.includes(cap)) throw invalidArgument(field, `unknown capability: ${goQuote(cap.slice(0, 64))}`);
  return cap;
}

/** Signal names the engine takes for `--stop-signal` (signal.SignalMap on Linux). */
const SIGNALS: Readonly<Record<string, number>> = {
  ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2, IO: 29, IOT: 6, KILL: 9,
  PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11, STKFLT: 16, STOP: 19, SYS: 31, TERM: 15, TRAP: 5,
  TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28, XCPU: 24, XFSZ: 25,
};

/**
 * signal.ParseSignal: a name (with or without SIG), a number, or RTMIN+1..15 and
 * RTMAX-14..1, the only real-time names in the engine's map; refused with the engine's text.
 */
export function parseStopSignal(text: string): number {
  const bad = () => invalidArgument("container.stopSignal", `Invalid signal: ${text.slice(0, 32)}`);
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n === 0 || n > 64) throw bad();
    return n;
  }
  const name = text.toUpperCase().replace(/^SIG/, "");
  const rt = /^RTMIN(?:\+([1-9]|1[0-5]))?$|^RTMAX(?:-([1-9]|1[0-4]))?$/.exec(name);
  if (rt) return rt[1] !== undefined ? 34 + Number(rt[1]) : rt[2] !== undefined ? 64 - Number(rt[2]) : name.startsWith("RTMIN") ? 34 : 64;
  const n = SIGNALS[name];
  if (n === undefined) throw bad();
  return n;
}

/**
 * The image reference grammar (distribution/reference): `[host[:port]/]path[:tag][@digest]`.
 * Upper-case letters are not allowed in the repository; the tag is 1–128 word characters.
 */
const IMAGE_REFERENCE =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

/** The digests go-digest validates: a known algorithm with its length of lower-case hex. */
const DIGEST = /@(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** The name's length once normalised (`nginx` is `docker.io/library/nginx`): at most 255 (NameTotalLengthMax). */
function normalizedNameLength(image: string): number {
  const name = image.replace(/@.*$/, "").replace(/:[\w][\w.-]*$/, "");
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first);
  const domain = hasDomain && first !== "index.docker.io" ? first : "docker.io";
  const remainder = hasDomain ? name.slice(slash + 1) : name;
  return domain.length + 1 + (domain === "docker.io" && !remainder.includes("/") ? "library/".length : 0) + remainder.length;
}

/**
 * validateImage (ParseNormalizedNamed): `ContainerSpec: "X" is not a valid repository/tag`,
 * also for a bare 64-hex-digit ID, a digest go-digest refuses, or a name over 255 characters.
 */
export function checkImageReference(image: string): void {
  if (image.trim() === "") throw invalidArgument("image", "ContainerSpec: image reference must be provided");
  if (
    image.length > 512 ||
    !IMAGE_REFERENCE.test(image) ||
    /^[a-f0-9]{64}$/.test(image) ||
    (image.includes("@") && !DIGEST.test(image)) ||
    normalizedNameLength(image) > 255
  ) {
    throw invalidArgument("image", `ContainerSpec: ${goQuote(image.slice(0, 140))} is not a valid repository/tag`);
  }
}

const ENV_NAME = /^[^=\0]+$/;
const USER = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}(?::[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31})?$/;
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const APPARMOR_PROFILE = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,127}$/;
/** A seccomp profile's stored name: as a secret's (a DNS-like label with dots). */
export const SECCOMP_PROFILE_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9])?$/;
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") && !path.split("/").includes("..");
}

/** A path with `.` segments and repeated or trailing slashes removed. */
export function cleanPath(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return `/${parts.join("/")}`;
}

/** Where Swarm mounts a secret: relative targets go under /run/secrets. */
export const SECRETS_DIR = "/run/secrets";

function checkMount(mount: MountSpec, index: number): void {
  const field = `container.mounts[${index}]`;
  if (!(["bind", "volume", "tmpfs"] as const).includes(mount.type)) {
    throw invalidArgument(field, `mount type unknown: ${goQuote(String(mount.type).slice(0, 32))}`);
  }
  checkSafeText(mount.target, `${field}.target`, "mount target");
  if (mount.target === "") throw invalidArgument(`${field}.target`, "target is required");
  if (!isAbsolutePath(mount.target)) {
    throw invalidArgument(`${field}.target`, `invalid mount target, must be an absolute path: ${mount.target.slice(0, 140)}`);
  }
  if (cleanPath(mount.target) === "/") throw invalidArgument(`${field}.target`, "invalid specification: destination can't be '/'");
  checkSafeText(mount.source, `${field}.source`, "mount source");
  switch (mount.type) {
    case "bind":
      if (mount.source === "") throw invalidArgument(`${field}.source`, `invalid mount config for type "bind": field Source must not be empty`);
      if (!isAbsolutePath(mount.source)) {
        throw invalidArgument(`${field}.source`, `invalid mount config for type "bind": invalid mount path: '${mount.source.slice(0, 140)}' mount path must be absolute`);
      }
      break;
    case "volume":
      if (mount.source !== "" && !VOLUME_NAME.test(mount.source)) {
        throw invalidArgument(
          `${field}.source`,
          `invalid mount config for type "volume": ${goQuote(mount.source.slice(0, 140))} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed`,
        );
      }
      break;
    case "tmpfs":
      if (mount.source !== "") throw invalidArgument(`${field}.source`, `invalid mount config for type "tmpfs": field Source must not be specified`);
      break;
  }
  if (mount.type !== "tmpfs" && (mount.tmpfsSizeBytes !== undefined || mount.tmpfsMode !== undefined)) {
    throw invalidArgument(field, `invalid mount config for type "${mount.type}": field TmpfsOptions must not be specified`);
  }
  if (mount.tmpfsSizeBytes !== undefined && (!Number.isSafeInteger(mount.tmpfsSizeBytes) || mount.tmpfsSizeBytes < 0)) {
    throw invalidArgument(`${field}.tmpfsSizeBytes`, `invalid value for tmpfs-size: ${mount.tmpfsSizeBytes}`);
  }
  if (mount.tmpfsMode !== undefined && (!Number.isInteger(mount.tmpfsMode) || mount.tmpfsMode < 0 || mount.tmpfsMode > 0o7777)) {
    throw invalidArgument(`${field}.tmpfsMode`, `invalid value for tmpfs-mode: ${mount.tmpfsMode}`);
  }
}

/** The floors Swarm's validateResources puts on non-zero limits. */
export function checkLimits(limits: ResourceLimits | undefined): void {
  if (!limits) return;
  if (!Number.isInteger(limits.nanoCpus) || limits.nanoCpus < 0) throw invalidArgument("limitCpu", "the CPU limit must be a non-negative number");
  if (!Number.isInteger(limits.memoryBytes) || limits.memoryBytes < 0) throw invalidArgument("limitMemory", "the memory limit must be a non-negative number of bytes");
  if (limits.nanoCpus !== 0 && limits.nanoCpus < 1e6) {
    throw invalidArgument("limitCpu", `invalid cpu value ${goG(limits.nanoCpus / 1e9)}: Must be at least ${goG(1e6 / 1e9)}`);
  }
  if (limits.memoryBytes !== 0 && limits.memoryBytes < 4 * 1024 * 1024) {
    throw invalidArgument("limitMemory", `invalid memory value ${limits.memoryBytes}: Must be at least 4MiB`);
  }
}

/**
 * The container's settings, each refused with the engine's or the docker CLI's words
 * and the field at fault. `secretTargets` are the paths the service's secrets take, so
 * a mount on one of them is a duplicate mount point, as the engine finds at start.
 */
export function checkContainerSpec(container: ContainerSpec, secretTargets: readonly string[] = []): void {
  container.command.forEach((part, i) => checkSafeText(part, `container.command[${i}]`, "command", { beyondAsciiOnly: true }));
  container.args.forEach((part, i) => checkSafeText(part, `container.args[${i}]`, "argument", { beyondAsciiOnly: true }));
  container.env.forEach((entry, i) => {
    const name = entry.split("=", 1)[0]!;
    if (!ENV_NAME.test(name)) throw invalidArgument(`container.env[${i}]`, `invalid environment variable: ${entry.slice(0, 64)}`);
    const unsafe = unsafeTextProblem(name);
    if (unsafe) throw invalidArgument(`container.env[${i}]`, `environment variable name ${unsafe}`);
  });
  if (container.workdir !== "" && !isAbsolutePath(container.workdir)) {
    throw invalidArgument("container.workdir", `the working directory '${container.workdir.slice(0, 140)}' is invalid. It needs to be an absolute path`);
  }
  if (container.user !== "" && !USER.test(container.user)) {
    throw invalidArgument("container.user", `invalid user ${goQuote(container.user.slice(0, 64))}: use name, uid, name:group or uid:gid`);
  }
  if (container.hostname !== "" && (container.hostname.length > 253 || !HOSTNAME.test(container.hostname))) {
    throw invalidArgument("container.hostname", `invalid hostname format: ${container.hostname.slice(0, 64)}`);
  }
  for (const [key, value] of Object.entries(container.labels)) {
    if (key === "") throw invalidArgument("container.labels", "a container label needs a key");
    checkSafeText(key, "container.labels", "label key");
    checkSafeText(value, "container.labels", "label value", { beyondAsciiOnly: true });
    if (key.startsWith("com.rampart.")) throw invalidArgument("container.labels", `label ${goQuote(key)} is reserved: com.rampart.* labels are set by Rampart`);
  }
  if (container.stopSignal !== "") parseStopSignal(container.stopSignal);
  if (!Number.isSafeInteger(container.stopGracePeriodNs) || container.stopGracePeriodNs < 0) {
    throw invalidArgument("container.stopGracePeriodNs", "stop-grace-period must be a non-negative duration");
  }
  const capAdd = container.capAdd.map((c, i) => normalizeCapability(c, `container.capAdd[${i}]`));
  const capDrop = container.capDrop.map((c, i) => normalizeCapability(c, `container.capDrop[${i}]`));
  if (capAdd.includes("ALL") && capDrop.includes("ALL")) {
    throw invalidArgument("container.capAdd", "ALL cannot be both added and dropped");
  }
  const targets = new Set(secretTargets.map(cleanPath));
  container.mounts.forEach((mount, index) => {
    checkMount(mount, index);
    const target = cleanPath(mount.target);
    if (targets.has(target)) throw invalidArgument(`container.mounts[${index}].target`, `ContainerSpec: duplicate mount point: ${mount.target}`);
    targets.add(target);
  });
  const seccomp = container.seccomp;
  if (!(["default", "unconfined", "custom"] as const).includes(seccomp.mode)) {
    throw invalidArgument("container.seccomp", `seccomp must be default, unconfined or custom, not ${goQuote(String(seccomp.mode).slice(0, 32))}`);
  }
  if (seccomp.mode === "custom" && !SECCOMP_PROFILE_NAME.test(seccomp.profile ?? "")) {
    throw invalidArgument("container.seccomp.profile", "a custom seccomp profile needs the name of a stored profile");
  }
  if (seccomp.mode !== "custom" && seccomp.profile !== undefined) {
    throw invalidArgument("container.seccomp.profile", `a seccomp profile name is only taken with seccomp custom, not ${seccomp.mode}`);
  }
  if (container.apparmor !== "" && !APPARMOR_PROFILE.test(container.apparmor)) {
    throw invalidArgument("container.apparmor", `invalid AppArmor profile name ${goQuote(container.apparmor.slice(0, 64))}`);
  }
}

/** A protection the spec turns off, for the form's flag and the audit event. */
export interface Weakening {
  field: string;
  text: string;
}

/**
 * Every protection this container gives up against the defaults, in a fixed order.
 * Swarm would take each without a word; Rampart shows them and records them.
 */
export function weakenedProtections(container: ContainerSpec): Weakening[] {
  const out: Weakening[] = [];
  if (container.privileged) out.push({ field: "container.privileged", text: "privileged: every capability and every device of the host" });
  if (container.hostNetwork) out.push({ field: "container.hostNetwork", text: "host networking: the host's network namespace" });
  if (container.seccomp.mode === "unconfined") out.push({ field: "container.seccomp", text: "seccomp unconfined: every system call allowed" });
  if (container.apparmor === "unconfined") out.push({ field: "container.apparmor", text: "AppArmor unconfined" });
  if (!container.noNewPrivileges) out.push({ field: "container.noNewPrivileges", text: "no-new-privileges off: setuid programs can gain privileges" });
  for (const cap of container.capAdd) {
    const name = cap.trim().toUpperCase();
    out.push({ field: "container.capAdd", text: `capability added: ${name === "ALL" || name.startsWith("CAP_") ? name : `CAP_${name}`}` });
  }
  for (const mount of container.mounts) {
    if (mount.type === "bind") out.push({ field: "container.mounts", text: `host path mounted: ${mount.source}${mount.readOnly ? " (read-only)" : ""}` });
  }
  return out;
}

/**
 * What an administrator allows beyond the defaults: host paths that may be bind-mounted
 * (each allows itself and what is under it), host networking, and privileged containers.
 * Off and empty by default.
 */
export interface RuntimePolicy {
  allowedHostPaths: string[];
  allowHostNetwork: boolean;
  allowPrivileged: boolean;
}

export const DEFAULT_RUNTIME_POLICY: Readonly<RuntimePolicy> = Object.freeze({ allowedHostPaths: [], allowHostNetwork: false, allowPrivileged: false });

export const MAX_ALLOWED_HOST_PATHS = 64;

/**
 * Container runtimes' sockets, whatever directory holds them: each gives root on the
 * host (docker, Podman, containerd and its ttrpc socket, CRI-O, the BuildKit daemon).
 */
const ENGINE_SOCKET = /(?:^|\/)(?:docker|podman|containerd|crio|buildkitd)\.sock(?:\.ttrpc)?$/;
/** Runtimes' own state: their sockets, network namespaces, images and containers. */
const ENGINE_DIRECTORIES = [
  "/run/docker",
  "/run/containerd",
  "/run/crio",
  "/run/podman",
  "/run/buildkit",
  "/var/lib/docker",
  "/var/lib/containerd",
  "/var/lib/containers",
];

/**
 * An engine's socket or state: root on the host. Only an exact entry in the allowed list
 * admits one, never a parent directory (`/run` allowed does not allow `/run/docker.sock`).
 */
export function isEngineSocket(path: string): boolean {
  const clean = cleanPath(path).replace(/^\/var\/run(?=\/|$)/, "/run");
  return ENGINE_SOCKET.test(clean) || ENGINE_DIRECTORIES.some((dir) => clean === dir || clean.startsWith(`${dir}/`));
}

/** The policy's own rules: absolute, clean, distinct paths, at most 64. */
export function checkRuntimePolicy(policy: RuntimePolicy): RuntimePolicy {
  if (policy.allowedHostPaths.length > MAX_ALLOWED_HOST_PATHS) {
    throw invalidArgument("allowedHostPaths", `at most ${MAX_ALLOWED_HOST_PATHS} host paths may be allowed`);
  }
  const paths = policy.allowedHostPaths.map((path, i) => {
    checkSafeText(path, `allowedHostPaths[${i}]`, "host path");
    if (!isAbsolutePath(path)) throw invalidArgument(`allowedHostPaths[${i}]`, `host path ${goQuote(path.slice(0, 140))} must be absolute`);
    const clean = cleanPath(path);
    if (clean === "/") throw invalidArgument(`allowedHostPaths[${i}]`, "allowing / would allow every host path; list the directories tasks need");
    return clean;
  });
  return { allowedHostPaths: [...new Set(paths)], allowHostNetwork: policy.allowHostNetwork, allowPrivileged: policy.allowPrivileged };
}

/**
 * Host paths that hold an engine's socket or state ("/", "/run", "/var", "/var/run",
 * "/var/lib"), or the kernel's own views of the host (/proc, where /proc/1/root is the
 * host's whole file system; /sys; /dev; /boot): like an engine's socket, each is allowed
 * only by an entry of its own, never by a folder above it.
 */
const HOLDS_ENGINE_STATE = ["/", "/run", "/var", "/var/run", "/var/lib"];
const KERNEL_VIEWS = ["/proc", "/sys", "/dev", "/boot"];

/** Why a host path needs an exact entry in the allowed list, or undefined when a folder above it may allow it. */
export function exactEntryReason(path: string): string | undefined {
  const clean = cleanPath(path);
  if (isEngineSocket(clean)) {
    return `mounting the container engine's ${ENGINE_SOCKET.test(clean) ? "socket" : "state"} ${clean} gives the task root on its node`;
  }
  if (HOLDS_ENGINE_STATE.includes(clean)) return `host path ${clean} holds the container engine's socket or state, which give the task root on its node`;
  const view = KERNEL_VIEWS.find((v) => clean === v || clean.startsWith(`${v}/`));
  if (view) return `host path ${clean} is under ${view}, the kernel's view of the whole host`;
  return undefined;
}

function hostPathAllowed(source: string, allowed: readonly string[]): boolean {
  const path = cleanPath(source);
  if (exactEntryReason(path) !== undefined) return allowed.some((a) => cleanPath(a) === path);
  return allowed.some((a) => {
    const dir = cleanPath(a);
    return path === dir || path.startsWith(`${dir}/`);
  });
}

/**
 * Capabilities that give a task as much as `privileged` (or a way out of the container:
 * loading kernel modules, raw I/O, reading files by handle, tracing host processes, BPF,
 * or all of them at once). Adding one needs the policy's leave for privileged containers.
 */
export const PRIVILEGED_CAPABILITIES: readonly string[] = [
  "ALL",
  "CAP_SYS_ADMIN",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_PTRACE",
  "CAP_DAC_READ_SEARCH",
  "CAP_BPF",
  "CAP_PERFMON",
  "CAP_MAC_ADMIN",
  "CAP_MAC_OVERRIDE",
  "CAP_SYS_BOOT",
];

const capabilityKey = (cap: string) => {
  const name = cap.trim().toUpperCase();
  return name === "ALL" || name.startsWith("CAP_") ? name : `CAP_${name}`;
};

/**
 * The runtime policy's refusals: a host path (the engine's socket above all), host
 * networking and privileged containers each need an administrator's leave. The error
 * names the field and the setting that would allow it.
 */
export function checkHostAccess(container: ContainerSpec, policy: RuntimePolicy): void {
  container.mounts.forEach((mount, index) => {
    if (mount.type !== "bind" || hostPathAllowed(mount.source, policy.allowedHostPaths)) return;
    const what = exactEntryReason(mount.source) ?? `host path ${mount.source} is not in the runtime policy's allowed host paths`;
    throw new RampartError("permission_denied", `${what}; an administrator can allow it under Swarm settings → Runtime policy`, {
      field: `container.mounts[${index}].source`,
    });
  });
  if (container.hostNetwork && !policy.allowHostNetwork) {
    throw new RampartError("permission_denied", "host networking is not allowed by the runtime policy; an administrator can allow it under Swarm settings → Runtime policy", {
      field: "container.hostNetwork",
    });
  }
  const strong = container.capAdd.map(capabilityKey).find((cap) => PRIVILEGED_CAPABILITIES.includes(cap));
  if (strong && !policy.allowPrivileged) {
    throw new RampartError(
      "permission_denied",
      `adding ${strong} gives the task as much as a privileged container; an administrator can allow privileged containers under Swarm settings → Runtime policy`,
      { field: "container.capAdd" },
    );
  }
  if (container.privileged && !policy.allowPrivileged) {
    throw new RampartError("permission_denied", "privileged containers are not allowed by the runtime policy; an administrator can allow them under Swarm settings → Runtime policy", {
      field: "container.privileged",
    });
  }
}
