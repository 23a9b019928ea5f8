import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RampartError } from "../errors/index.js";
import { taskSpecChange } from "../orchestrator/index.js";
import {
  checkContainerSpec,
  checkHostAccess,
  checkImageReference,
  checkLimits,
  checkRuntimePolicy,
  checkServiceSpec,
  cleanPath,
  containerOf,
  DEFAULT_RUNTIME_POLICY,
  DEFAULT_STOP_GRACE_PERIOD_NS,
  defaultContainerSpec,
  defaultServiceSpec,
  ENGINE_DEFAULT_CAPABILITIES,
  isEngineSocket,
  LINUX_CAPABILITIES,
  MAX_ALLOWED_HOST_PATHS,
  normalizeCapability,
  parseStopSignal,
  taskRuntimeOf,
  weakenedProtections,
  type ContainerSpec,
  type MountSpec,
  type RuntimePolicy,
  exactEntryReason,
  PRIVILEGED_CAPABILITIES,
} from "./index.js";

interface Refusal {
  code: string;
  field: string | undefined;
  message: string;
}

/** What `run` was refused with, or null when it passed; anything but a RampartError fails the test. */
function refusal(run: () => unknown): Refusal | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof RampartError) return { code: error.code, field: error.field, message: error.message };
    throw error;
  }
}

const container = defaultContainerSpec;
const bind = (source: string, target = "/data", over: Partial<MountSpec> = {}): MountSpec => ({ type: "bind", source, target, readOnly: false, ...over });
const tmpfs = (target: string, over: Partial<MountSpec> = {}): MountSpec => ({ type: "tmpfs", source: "", target, readOnly: false, ...over });
const volume = (source: string, target: string): MountSpec => ({ type: "volume", source, target, readOnly: false });
const policy = (over: Partial<RuntimePolicy> = {}): RuntimePolicy => ({ ...DEFAULT_RUNTIME_POLICY, allowedHostPaths: [], ...over });
const hex = (n: number, digit = "a") => digit.repeat(n);

describe("defaultContainerSpec and containerOf", () => {
  it("ok/the defaults keep the image's own settings and every protection on", () => {
    expect(defaultContainerSpec()).toStrictEqual({
      command: [],
      args: [],
      env: [],
      workdir: "",
      user: "",
      hostname: "",
      labels: {},
      stopSignal: "",
      stopGracePeriodNs: 10_000_000_000,
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
    });
    expect(DEFAULT_STOP_GRACE_PERIOD_NS).toBe(10e9);
  });

  it("ok/overrides replace whole fields, and each call is a fresh object", () => {
    const a = defaultContainerSpec({ env: ["A=1"], seccomp: { mode: "unconfined" } });
    expect(a).toMatchObject({ env: ["A=1"], seccomp: { mode: "unconfined" }, noNewPrivileges: true });
    a.capAdd.push("NET_ADMIN");
    a.labels.x = "y";
    (a.seccomp as { mode: string }).mode = "custom";
    expect(defaultContainerSpec()).toMatchObject({ capAdd: [], labels: {}, seccomp: { mode: "default" } });
  });

  it("ok/a spec stored before containers ran gets the defaults; a stored container is kept whole", () => {
    expect(containerOf({})).toStrictEqual(defaultContainerSpec());
    expect(containerOf(defaultServiceSpec({ name: "web", image: "nginx" }))).toStrictEqual(defaultContainerSpec());
    const full = defaultContainerSpec({ user: "1000:1000", readOnly: true, mounts: [tmpfs("/tmp")] });
    expect(containerOf({ container: full })).toStrictEqual(full);
    // A container stored with fewer fields than today's gets the defaults for the rest.
    expect(containerOf({ container: { user: "app" } })).toStrictEqual(defaultContainerSpec({ user: "app" }));
  });

  it("ok/taskRuntimeOf: the image, the whole container, limits (or null), plain reservations and host-mode published ports only", () => {
    const spec = defaultServiceSpec({
      name: "web",
      image: "nginx:1.27",
      reservations: { nanoCpus: 1e9, memoryBytes: 64 << 20, generic: { gpu: 1 } },
      ports: [
        { protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "host" },
        { protocol: "tcp", targetPort: 81, publishedPort: 0, publishMode: "host" },
        { protocol: "udp", targetPort: 53, publishedPort: 53, publishMode: "ingress" },
      ],
    });
    expect(taskRuntimeOf(spec)).toStrictEqual({
      image: "nginx:1.27",
      container: defaultContainerSpec(),
      limits: null,
      reservations: { nanoCpus: 1e9, memoryBytes: 64 << 20 },
      hostPorts: [{ protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "host" }],
    });
    const limited = { ...spec, limits: { nanoCpus: 5e8, memoryBytes: 128 << 20 }, container: defaultContainerSpec({ init: true }), ports: undefined };
    expect(taskRuntimeOf(limited)).toMatchObject({ limits: { nanoCpus: 5e8, memoryBytes: 128 << 20 }, container: { init: true }, hostPorts: [] });
  });
});

describe("normalizeCapability", () => {
  it.each([
    ["net_admin", "CAP_NET_ADMIN"],
    ["NET_ADMIN", "CAP_NET_ADMIN"],
    ["CAP_NET_ADMIN", "CAP_NET_ADMIN"],
    ["cap_net_admin", "CAP_NET_ADMIN"],
    ["Cap_Sys_Ptrace", "CAP_SYS_PTRACE"],
    [" chown ", "CAP_CHOWN"],
    ["ALL", "ALL"],
    ["all", "ALL"],
    ["checkpoint_restore", "CAP_CHECKPOINT_RESTORE"],
  ])("ok/%j is %s", (text, expected) => expect(normalizeCapability(text, "container.capAdd[0]")).toBe(expected));

  it.each([
    ["net_admins", "CAP_NET_ADMINS"],
    ["CAP_ALL", "CAP_ALL"],
    ["", "CAP_"],
    ["cap_foo", "CAP_FOO"],
    ["NET ADMIN", "CAP_NET ADMIN"],
  ])("fail/%j is refused with the engine's words, quoting the normalised name, and the field", (text, quoted) => {
    expect(refusal(() => normalizeCapability(text, "container.capDrop[3]"))).toEqual({
      code: "invalid_argument",
      field: "container.capDrop[3]",
      message: `unknown capability: "${quoted}"`,
    });
  });

  it("fail/a long unknown name is quoted short", () => {
    const message = refusal(() => normalizeCapability("x".repeat(5000), "f"))!.message;
    expect(message.length).toBeLessThan(100);
  });

  it("ok/the engine's default set is made of known capabilities, and the list has no duplicates", () => {
    for (const cap of ENGINE_DEFAULT_CAPABILITIES) expect(LINUX_CAPABILITIES).toContain(cap);
    expect(new Set(LINUX_CAPABILITIES).size).toBe(LINUX_CAPABILITIES.length);
  });

  it("ok/property: every known capability, in any case, with or without CAP_, normalises to its name", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINUX_CAPABILITIES), fc.boolean(), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (cap, strip, lower) => {
        const written = [...(strip ? cap.slice(4) : cap)].map((c, i) => (lower[i % 40] ? c.toLowerCase() : c)).join("");
        expect(normalizeCapability(written, "f")).toBe(cap);
      }),
    );
  });

  it("ok/property: any text is either a known capability (or ALL) or refused naming the field", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...LINUX_CAPABILITIES).map((c) => c.slice(4).toLowerCase())), (text) => {
        const found = refusal(() => normalizeCapability(text, "container.capAdd[0]"));
        if (found) expect(found).toMatchObject({ code: "invalid_argument", field: "container.capAdd[0]", message: expect.stringMatching(/^unknown capability: "/) });
        else expect(["ALL", ...LINUX_CAPABILITIES]).toContain(normalizeCapability(text, "f"));
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseStopSignal", () => {
  it.each([
    ["SIGTERM", 15],
    ["TERM", 15],
    ["sigterm", 15],
    ["Term", 15],
    ["SIGKILL", 9],
    ["sigusr1", 10],
    ["HUP", 1],
    ["CLD", 17],
    ["IOT", 6],
    ["SIGWINCH", 28],
    ["9", 9],
    ["15", 15],
    ["015", 15],
    ["1", 1],
    ["64", 64],
    ["RTMIN", 34],
    ["SIGRTMIN+1", 35],
    ["RTMIN+15", 49],
    ["RTMAX-14", 50],
    ["RTMAX-1", 63],
    ["sigrtmax", 64],
  ])("ok/%j is signal %i", (text, n) => expect(parseStopSignal(text)).toBe(n));

  it.each([
    ["0"],
    ["65"],
    ["-1"],
    ["+15"],
    ["1.5"],
    [""],
    ["SIG"],
    ["SIGFOO"],
    ["SIGSIGTERM"],
    [" TERM"],
    ["TERM "],
    ["15s"],
    // The engine's map on Linux holds RTMIN+1..RTMIN+15 and RTMAX-14..RTMAX-1, and nothing else.
    ["RTMIN+0"],
    ["RTMIN+01"],
    ["RTMIN+16"],
    ["RTMIN+30"],
    ["RTMAX-0"],
    ["RTMAX-15"],
    ["RTMAX-30"],
    ["RTMIN-1"],
    ["RTMAX+1"],
  ])("fail/%j is refused with the engine's words, naming container.stopSignal", (text) => {
    expect(refusal(() => parseStopSignal(text))).toEqual({ code: "invalid_argument", field: "container.stopSignal", message: `Invalid signal: ${text}` });
  });

  it("fail/a long signal is quoted short", () => {
    expect(refusal(() => parseStopSignal("X".repeat(1000)))!.message).toBe(`Invalid signal: ${"X".repeat(32)}`);
  });

  it("ok/property: every number from 1 to 64 is itself", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), (n) => {
        expect(parseStopSignal(String(n))).toBe(n);
      }),
    );
  });

  it("ok/property: RTMIN+n and RTMAX-n name the same signals the engine's map does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.boolean(), (n, min, prefix) => {
        const text = `${prefix ? "SIG" : ""}${min ? `RTMIN+${n}` : `RTMAX-${n}`}`;
        const inMap = min ? n >= 1 && n <= 15 : n >= 1 && n <= 14;
        if (inMap) expect(parseStopSignal(text)).toBe(min ? 34 + n : 64 - n);
        else expect(refusal(() => parseStopSignal(text))?.field).toBe("container.stopSignal");
      }),
    );
  });
});

describe("checkImageReference", () => {
  it.each([
    ["nginx"],
    ["nginx:1.27"],
    ["nginx:1.27-alpine"],
    ["nginx:Latest_V2.0-rc"],
    ["library/nginx:latest"],
    ["docker.io/library/nginx"],
    ["index.docker.io/library/nginx"],
    ["registry.example.com:5000/team/app:v1.2.3"],
    ["Registry.Example.com/app"],
    ["localhost:5000/app"],
    ["localhost:5000"],
    ["[::1]:5000/app:tag"],
    ["a__b"],
    ["a-----b"],
    ["a.b_c"],
    [`nginx@sha256:${hex(64)}`],
    [`nginx:1.27@sha256:${hex(64, "0")}`],
    [`ghcr.io/owner/app@sha384:${hex(96)}`],
    [`ghcr.io/owner/app@sha512:${hex(128, "f")}`],
    [`${"a".repeat(237)}`],
    [`${"a".repeat(237)}:tag`],
    [`team/${"a".repeat(240)}`],
    [`example.com/${"a".repeat(243)}`],
  ])("ok/%s", (image) => expect(() => checkImageReference(image)).not.toThrow());

  it.each([
    ["Nginx", "an upper-case repository"],
    ["library/Nginx", "an upper-case path component"],
    ["localhost:5000/App", "an upper-case repository after a registry"],
    ["nginx:", "an empty tag"],
    [":latest", "a tag alone"],
    ["-nginx", "a leading separator"],
    ["nginx-", "a trailing separator"],
    ["a/", "an empty path component"],
    ["/a", "a leading slash"],
    ["a//b", "two slashes"],
    ["a b", "a space"],
    ["a...b", "three dots"],
    [`nginx:${"t".repeat(129)}`, "a 129-character tag"],
    ["nginx@sha256:abc", "a digest too short for the pattern"],
    [`nginx@sha256:${hex(32)}`, "a sha256 digest of 32 hex digits"],
    [`nginx@sha256:${hex(63)}`, "a sha256 digest of 63 hex digits"],
    [`nginx@sha256:${hex(65)}`, "a sha256 digest of 65 hex digits"],
    [`nginx@sha256:${hex(64, "A")}`, "an upper-case sha256 digest"],
    [`nginx@sha512:${hex(64)}`, "a sha512 digest of sha256's length"],
    [`nginx@md5:${hex(32)}`, "an unsupported digest algorithm"],
    [`nginx@SHA256:${hex(64)}`, "an upper-case algorithm"],
    [`nginx@sha256:${hex(63)}g`, "a digest that is not hex"],
    [hex(64, "f"), "a bare 64-hex-digit identifier"],
    [`${"a".repeat(238)}`, "a name over 255 characters once docker.io/library/ is added"],
    [`team/${"a".repeat(241)}`, "a name over 255 characters once docker.io/ is added"],
    [`example.com/${"a".repeat(244)}`, "a name of 256 characters with its registry"],
  ])("fail/%s (%s) is Swarm's `not a valid repository/tag`, naming image", (image) => {
    expect(refusal(() => checkImageReference(image))).toEqual({
      code: "invalid_argument",
      field: "image",
      // Quoted up to 140 characters.
      message: `ContainerSpec: ${JSON.stringify(image.slice(0, 140))} is not a valid repository/tag`,
    });
  });

  it.each([[""], ["   "]])("fail/%j: the image must be given", (image) => {
    expect(refusal(() => checkImageReference(image))).toEqual({ code: "invalid_argument", field: "image", message: "ContainerSpec: image reference must be provided" });
  });

  it("fail/a long reference is refused and quoted short", () => {
    const image = `nginx:${"x".repeat(600)}`;
    const found = refusal(() => checkImageReference(image))!;
    expect(found.field).toBe("image");
    expect(found.message.length).toBeLessThan(200);
  });

  it("ok/property: references built from the grammar's parts are accepted; an upper-case letter in the repository is not", () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,6}(?:[._-][a-z0-9]{1,6}){0,2}$/);
    const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(tag), fc.option(fc.stringMatching(/^[a-f0-9]{64}$/)), (path, t, digest) => {
        const name = path.join("/");
        fc.pre(!/^[a-f0-9]{64}$/.test(name));
        const image = `${name}${t === null ? "" : `:${t}`}${digest === null ? "" : `@sha256:${digest}`}`;
        expect(refusal(() => checkImageReference(image))).toBeNull();
        const upper = `${path.slice(0, -1).join("/")}${path.length > 1 ? "/" : ""}X${path.at(-1)}`;
        expect(refusal(() => checkImageReference(upper))?.field).toBe("image");
      }),
      { numRuns: 300 },
    );
  });
});

describe("cleanPath", () => {
  it.each([
    ["/srv/data", "/srv/data"],
    ["/srv/data/", "/srv/data"],
    ["/srv//data", "/srv/data"],
    ["/srv/./data/.", "/srv/data"],
    ["/", "/"],
    ["//", "/"],
    ["/.", "/"],
    ["/././/", "/"],
    ["", "/"],
    // `..` is left for the callers to refuse: cleaning must not let a path climb.
    ["/srv/../etc", "/srv/../etc"],
  ])("ok/%j is %j", (path, clean) => expect(cleanPath(path)).toBe(clean));

  it("ok/property: a clean path starts with one slash, has no empty or `.` segments, and cleans to itself", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("", ".", "a", "b", "..", "srv", "x.y"), { maxLength: 8 }), (parts) => {
        const clean = cleanPath(`/${parts.join("/")}`);
        expect(clean.startsWith("/")).toBe(true);
        expect(clean === "/" || !clean.endsWith("/")).toBe(true);
        expect(clean.slice(1).split("/").filter((p) => p === "" || p === ".")).toEqual(clean === "/" ? [""] : []);
        expect(cleanPath(clean)).toBe(clean);
      }),
    );
  });
});

describe("checkLimits", () => {
  it.each([
    [undefined],
    [{ nanoCpus: 0, memoryBytes: 0 }],
    [{ nanoCpus: 1e6, memoryBytes: 4 * 1024 * 1024 }],
    [{ nanoCpus: 64e9, memoryBytes: 2 ** 40 }],
  ])("ok/%j", (limits) => expect(() => checkLimits(limits)).not.toThrow());

  it.each([
    [{ nanoCpus: 500_000, memoryBytes: 0 }, "limitCpu", "invalid cpu value 0.0005: Must be at least 0.001"],
    // Swarm formats with Go's %g.
    [{ nanoCpus: 1, memoryBytes: 0 }, "limitCpu", "invalid cpu value 1e-09: Must be at least 0.001"],
    [{ nanoCpus: 10_000, memoryBytes: 0 }, "limitCpu", "invalid cpu value 1e-05: Must be at least 0.001"],
    [{ nanoCpus: 999_999, memoryBytes: 0 }, "limitCpu", "invalid cpu value 0.000999999: Must be at least 0.001"],
    [{ nanoCpus: 0, memoryBytes: 4 * 1024 * 1024 - 1 }, "limitMemory", "invalid memory value 4194303: Must be at least 4MiB"],
    [{ nanoCpus: 0, memoryBytes: 1 }, "limitMemory", "invalid memory value 1: Must be at least 4MiB"],
    [{ nanoCpus: -1, memoryBytes: 0 }, "limitCpu", "the CPU limit must be a non-negative number"],
    [{ nanoCpus: 1.5e6 + 0.5, memoryBytes: 0 }, "limitCpu", "the CPU limit must be a non-negative number"],
    [{ nanoCpus: 0, memoryBytes: -4 }, "limitMemory", "the memory limit must be a non-negative number of bytes"],
    [{ nanoCpus: 0, memoryBytes: Number.NaN }, "limitMemory", "the memory limit must be a non-negative number of bytes"],
  ])("fail/%j names %s", (limits, field, message) => {
    expect(refusal(() => checkLimits(limits))).toEqual({ code: "invalid_argument", field, message });
  });

  it("ok/limits below the reservations are taken, as Swarm's controlapi checks each on its own", () => {
    const spec = defaultServiceSpec({
      name: "web",
      image: "nginx",
      reservations: { nanoCpus: 2e9, memoryBytes: 512 << 20 },
      limits: { nanoCpus: 1e9, memoryBytes: 64 << 20 },
    });
    expect(() => checkServiceSpec(spec)).not.toThrow();
  });
});

describe("checkContainerSpec", () => {
  it("ok/the defaults, and a container using every field", () => {
    expect(() => checkContainerSpec(container())).not.toThrow();
    const full = container({
      command: ["/bin/sh", "-c"],
      args: ["echo 'héllo'\tworld\n"],
      env: ["A=1", "B=", "C", "PATH=/usr/bin:/bin", "WEIRD NAME=ok"],
      workdir: "/app",
      user: "www-data:1000",
      hostname: "web-1.internal",
      labels: { "com.example.team": "web", "com.rampartx": "not reserved", "COM.RAMPART.X": "case matters" },
      stopSignal: "SIGQUIT",
      stopGracePeriodNs: 0,
      init: true,
      readOnly: true,
      capAdd: ["net_bind_service", "CAP_SYS_TIME"],
      capDrop: ["ALL"],
      mounts: [bind("/srv/data", "/data", { readOnly: true }), volume("cache", "/cache"), volume("", "/anon"), tmpfs("/tmp", { tmpfsSizeBytes: 64 << 20, tmpfsMode: 0o1777 })],
      seccomp: { mode: "custom", profile: "strict.v1" },
      apparmor: "docker-default",
    });
    expect(() => checkContainerSpec(full)).not.toThrow();
    expect(() => checkContainerSpec(container({ apparmor: "unconfined", seccomp: { mode: "unconfined" }, privileged: true, hostNetwork: true }))).not.toThrow();
  });

  const RLO = "\u202e";
  it.each<[string, Partial<ContainerSpec>, string, string]>([
    ["a bidi override in the command", { command: ["/bin/sh", `ls${RLO}`] }, "container.command[1]", "command contains U+202E (a bidirectional override)"],
    ["a C1 control in an argument", { args: ["\u009b31m"] }, "container.args[0]", "argument contains U+009B (a C1 control character)"],
    ["an environment entry with no name", { env: ["A=1", "=x"] }, "container.env[1]", "invalid environment variable: =x"],
    ["an empty environment entry", { env: [""] }, "container.env[0]", "invalid environment variable: "],
    ["a control character in an environment name", { env: ["A\u0001B=1"] }, "container.env[0]", "environment variable name contains U+0001 (a control character)"],
    ["a relative working directory", { workdir: "app" }, "container.workdir", "the working directory 'app' is invalid. It needs to be an absolute path"],
    ["a working directory that climbs", { workdir: "/app/../etc" }, "container.workdir", "the working directory '/app/../etc' is invalid. It needs to be an absolute path"],
    ["a user with three parts", { user: "a:b:c" }, "container.user", 'invalid user "a:b:c": use name, uid, name:group or uid:gid'],
    ["a user with a space", { user: "john doe" }, "container.user", 'invalid user "john doe": use name, uid, name:group or uid:gid'],
    ["a hostname starting with a dash", { hostname: "-web" }, "container.hostname", "invalid hostname format: -web"],
    ["a hostname label of 64 characters", { hostname: "a".repeat(64) }, "container.hostname", `invalid hostname format: ${"a".repeat(64)}`],
    ["a hostname over 253 characters", { hostname: Array(64).fill("abc").join(".") }, "container.hostname", expect.stringContaining("invalid hostname format") as unknown as string],
    ["a label without a key", { labels: { "": "x" } }, "container.labels", "a container label needs a key"],
    ["a reserved label", { labels: { "com.rampart.task": "forged" } }, "container.labels", 'label "com.rampart.task" is reserved: com.rampart.* labels are set by Rampart'],
    ["a reserved label prefix alone", { labels: { "com.rampart.": "" } }, "container.labels", 'label "com.rampart." is reserved: com.rampart.* labels are set by Rampart'],
    ["a bidi override in a label key", { labels: { [`team${RLO}`]: "x" } }, "container.labels", "label key contains U+202E (a bidirectional override)"],
    ["an unknown stop signal", { stopSignal: "SIGFOO" }, "container.stopSignal", "Invalid signal: SIGFOO"],
    ["a negative grace period", { stopGracePeriodNs: -1 }, "container.stopGracePeriodNs", "stop-grace-period must be a non-negative duration"],
    ["a fractional grace period", { stopGracePeriodNs: 1.5 }, "container.stopGracePeriodNs", "stop-grace-period must be a non-negative duration"],
    ["an unknown added capability", { capAdd: ["chown", "net_admins"] }, "container.capAdd[1]", 'unknown capability: "CAP_NET_ADMINS"'],
    ["an unknown dropped capability", { capDrop: ["bogus"] }, "container.capDrop[0]", 'unknown capability: "CAP_BOGUS"'],
    ["ALL added and dropped", { capAdd: ["all"], capDrop: ["ALL"] }, "container.capAdd", "ALL cannot be both added and dropped"],
    ["ALL added and dropped, spaced", { capAdd: ["ALL"], capDrop: [" all "] }, "container.capAdd", "ALL cannot be both added and dropped"],
    ["an unknown mount type", { mounts: [{ ...tmpfs("/x"), type: "npipe" as never }] }, "container.mounts[0]", 'mount type unknown: "npipe"'],
    ["an empty mount target", { mounts: [tmpfs("")] }, "container.mounts[0].target", "target is required"],
    ["a relative mount target", { mounts: [tmpfs("cache")] }, "container.mounts[0].target", "invalid mount target, must be an absolute path: cache"],
    ["a mount target that climbs", { mounts: [tmpfs("/a/../b")] }, "container.mounts[0].target", "invalid mount target, must be an absolute path: /a/../b"],
    ["a mount on /", { mounts: [tmpfs("/")] }, "container.mounts[0].target", "invalid specification: destination can't be '/'"],
    ["a mount on //.", { mounts: [tmpfs("//.")] }, "container.mounts[0].target", "invalid specification: destination can't be '/'"],
    ["a bind without a source", { mounts: [bind("")] }, "container.mounts[0].source", 'invalid mount config for type "bind": field Source must not be empty'],
    ["a bind with a relative source", { mounts: [bind("data")] }, "container.mounts[0].source", "invalid mount config for type \"bind\": invalid mount path: 'data' mount path must be absolute"],
    ["a bind source that climbs", { mounts: [bind("/srv/data/../../etc")] }, "container.mounts[0].source", "invalid mount config for type \"bind\": invalid mount path: '/srv/data/../../etc' mount path must be absolute"],
    ["a control character in a bind source", { mounts: [bind("/srv/\u0007")] }, "container.mounts[0].source", "mount source contains U+0007 (a control character)"],
    ["a volume name with a slash", { mounts: [volume("a/b", "/v")] }, "container.mounts[0].source", 'invalid mount config for type "volume": "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed'],
    ["a tmpfs with a source", { mounts: [tmpfs("/t", { source: "x" })] }, "container.mounts[0].source", 'invalid mount config for type "tmpfs": field Source must not be specified'],
    ["tmpfs options on a bind", { mounts: [bind("/srv", "/x", { tmpfsSizeBytes: 1 })] }, "container.mounts[0]", 'invalid mount config for type "bind": field TmpfsOptions must not be specified'],
    ["a negative tmpfs size", { mounts: [tmpfs("/t", { tmpfsSizeBytes: -1 })] }, "container.mounts[0].tmpfsSizeBytes", "invalid value for tmpfs-size: -1"],
    ["a tmpfs mode past 07777", { mounts: [tmpfs("/t", { tmpfsMode: 0o10000 })] }, "container.mounts[0].tmpfsMode", "invalid value for tmpfs-mode: 4096"],
    ["two mounts on one target", { mounts: [tmpfs("/data"), volume("v", "/data")] }, "container.mounts[1].target", "ContainerSpec: duplicate mount point: /data"],
    ["two mounts on one target, written apart", { mounts: [tmpfs("/data"), volume("v", "//data/./")] }, "container.mounts[1].target", "ContainerSpec: duplicate mount point: //data/./"],
    ["an unknown seccomp mode", { seccomp: { mode: "off" as never } }, "container.seccomp", 'seccomp must be default, unconfined or custom, not "off"'],
    ["a custom seccomp mode without a profile", { seccomp: { mode: "custom" } }, "container.seccomp.profile", "a custom seccomp profile needs the name of a stored profile"],
    ["a custom seccomp profile named like a path", { seccomp: { mode: "custom", profile: "../etc/passwd" } }, "container.seccomp.profile", "a custom seccomp profile needs the name of a stored profile"],
    ["a profile name with the default mode", { seccomp: { mode: "default", profile: "strict" } }, "container.seccomp.profile", "a seccomp profile name is only taken with seccomp custom, not default"],
    ["an AppArmor profile with a space", { apparmor: "my profile" }, "container.apparmor", 'invalid AppArmor profile name "my profile"'],
  ])("fail/%s names %s", (_what, over, field, message) => {
    expect(refusal(() => checkContainerSpec(container(over)))).toEqual({ code: "invalid_argument", field, message });
  });

  it("fail/a mount onto a secret's file under /run/secrets is a duplicate mount point; beside it is fine", () => {
    const secrets = ["/run/secrets/db_pw"];
    expect(refusal(() => checkContainerSpec(container({ mounts: [tmpfs("/run/secrets/db_pw")] }), secrets))).toEqual({
      code: "invalid_argument",
      field: "container.mounts[0].target",
      message: "ContainerSpec: duplicate mount point: /run/secrets/db_pw",
    });
    expect(refusal(() => checkContainerSpec(container({ mounts: [volume("v", "/run/secrets//db_pw/")] }), secrets))?.field).toBe("container.mounts[0].target");
    expect(() => checkContainerSpec(container({ mounts: [tmpfs("/run/secrets/other")] }), secrets)).not.toThrow();
  });

  it("fail/checkServiceSpec checks the container, with the secrets' targets under /run/secrets", () => {
    const ref = { secretId: "a".repeat(25), secretName: "db_pw", target: "db_pw", uid: "0", gid: "0", mode: 0o444 };
    const spec = defaultServiceSpec({ name: "web", image: "nginx", secrets: [ref], container: container({ mounts: [tmpfs("/run/secrets/db_pw")] }) });
    expect(refusal(() => checkServiceSpec(spec))).toMatchObject({ field: "container.mounts[0].target", message: "ContainerSpec: duplicate mount point: /run/secrets/db_pw" });
    expect(refusal(() => checkServiceSpec({ ...spec, container: container({ user: "a b" }) }))?.field).toBe("container.user");
    expect(refusal(() => checkServiceSpec({ ...spec, container: undefined }))).toBeNull();
  });

  it("ok/property: targets are compared clean, so any spelling of a taken target is a duplicate", () => {
    const segment = fc.constantFrom("a", "b", "data");
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom("/", "//", "/./"), { minLength: 4, maxLength: 4 }), fc.boolean(), (parts, seps, trailing) => {
        const plain = `/${parts.join("/")}`;
        const spelled = parts.map((p, i) => `${seps[i]}${p}`).join("") + (trailing ? "/" : "");
        const found = refusal(() => checkContainerSpec(container({ mounts: [tmpfs(plain), tmpfs(spelled)] })));
        expect(found).toEqual({ code: "invalid_argument", field: "container.mounts[1].target", message: `ContainerSpec: duplicate mount point: ${spelled}` });
      }),
    );
  });
});

describe("weakenedProtections", () => {
  it("ok/the defaults, custom seccomp, volumes, tmpfs and dropped capabilities weaken nothing", () => {
    expect(weakenedProtections(container())).toEqual([]);
    expect(
      weakenedProtections(container({ seccomp: { mode: "custom", profile: "p" }, mounts: [volume("v", "/v"), tmpfs("/t")], capDrop: ["ALL"], apparmor: "my-profile", readOnly: false })),
    ).toEqual([]);
  });

  it("ok/every weakening, in a fixed order, each naming its field", () => {
    const all = container({
      mounts: [bind("/srv/data", "/data", { readOnly: true }), tmpfs("/t"), bind("/var/run/docker.sock", "/var/run/docker.sock")],
      capAdd: ["net_admin", " all ", "CAP_SYS_PTRACE"],
      noNewPrivileges: false,
      apparmor: "unconfined",
      seccomp: { mode: "unconfined" },
      hostNetwork: true,
      privileged: true,
    });
    expect(weakenedProtections(all)).toEqual([
      { field: "container.privileged", text: "privileged: every capability and every device of the host" },
      { field: "container.hostNetwork", text: "host networking: the host's network namespace" },
      { field: "container.seccomp", text: "seccomp unconfined: every system call allowed" },
      { field: "container.apparmor", text: "AppArmor unconfined" },
      { field: "container.noNewPrivileges", text: "no-new-privileges off: setuid programs can gain privileges" },
      { field: "container.capAdd", text: "capability added: CAP_NET_ADMIN" },
      { field: "container.capAdd", text: "capability added: ALL" },
      { field: "container.capAdd", text: "capability added: CAP_SYS_PTRACE" },
      { field: "container.mounts", text: "host path mounted: /srv/data (read-only)" },
      { field: "container.mounts", text: "host path mounted: /var/run/docker.sock" },
    ]);
  });

  it("ok/property: one weakening per protection given up, whatever the combination", () => {
    fc.assert(
      fc.property(
        fc.record({ privileged: fc.boolean(), hostNetwork: fc.boolean(), unconfined: fc.boolean(), apparmor: fc.boolean(), nnp: fc.boolean(), caps: fc.nat(3), binds: fc.nat(3) }),
        (r) => {
          const c = container({
            privileged: r.privileged,
            hostNetwork: r.hostNetwork,
            seccomp: { mode: r.unconfined ? "unconfined" : "default" },
            apparmor: r.apparmor ? "unconfined" : "",
            noNewPrivileges: r.nnp,
            capAdd: ["CHOWN", "KILL", "NET_RAW"].slice(0, r.caps),
            mounts: Array.from({ length: r.binds }, (_, i) => bind(`/srv/${i}`, `/m${i}`)),
          });
          const expected = [r.privileged, r.hostNetwork, r.unconfined, r.apparmor, !r.nnp].filter(Boolean).length + r.caps + r.binds;
          expect(weakenedProtections(c)).toHaveLength(expected);
        },
      ),
    );
  });
});

describe("checkRuntimePolicy", () => {
  it("ok/paths come back clean and distinct; the switches are kept", () => {
    expect(checkRuntimePolicy({ allowedHostPaths: ["/srv/data/", "/srv//data", "/srv/./data", "/var/run/docker.sock"], allowHostNetwork: true, allowPrivileged: false })).toStrictEqual({
      allowedHostPaths: ["/srv/data", "/var/run/docker.sock"],
      allowHostNetwork: true,
      allowPrivileged: false,
    });
    expect(checkRuntimePolicy(DEFAULT_RUNTIME_POLICY)).toStrictEqual({ allowedHostPaths: [], allowHostNetwork: false, allowPrivileged: false });
    expect(Object.isFrozen(DEFAULT_RUNTIME_POLICY)).toBe(true);
  });

  it("ok/64 paths are taken; 65 are not", () => {
    const paths = Array.from({ length: MAX_ALLOWED_HOST_PATHS }, (_, i) => `/srv/${i}`);
    expect(checkRuntimePolicy(policy({ allowedHostPaths: paths })).allowedHostPaths).toHaveLength(64);
    expect(refusal(() => checkRuntimePolicy(policy({ allowedHostPaths: [...paths, "/srv/64"] })))).toEqual({
      code: "invalid_argument",
      field: "allowedHostPaths",
      message: "at most 64 host paths may be allowed",
    });
  });

  it.each([
    [["srv/data"], "allowedHostPaths[0]", 'host path "srv/data" must be absolute'],
    [["/srv", "data"], "allowedHostPaths[1]", 'host path "data" must be absolute'],
    [[""], "allowedHostPaths[0]", 'host path "" must be absolute'],
    [["/srv/data/../../etc"], "allowedHostPaths[0]", 'host path "/srv/data/../../etc" must be absolute'],
    [["/"], "allowedHostPaths[0]", "allowing / would allow every host path; list the directories tasks need"],
    [["/srv", "//"], "allowedHostPaths[1]", "allowing / would allow every host path; list the directories tasks need"],
    [["/./"], "allowedHostPaths[0]", "allowing / would allow every host path; list the directories tasks need"],
    [["/srv/\u202edata"], "allowedHostPaths[0]", "host path contains U+202E (a bidirectional override)"],
  ])("fail/%j names %s", (paths, field, message) => {
    expect(refusal(() => checkRuntimePolicy(policy({ allowedHostPaths: paths })))).toEqual({ code: "invalid_argument", field, message });
  });
});

describe("isEngineSocket", () => {
  it.each([
    ["/var/run/docker.sock"],
    ["/run/docker.sock"],
    ["//var/run//docker.sock/"],
    ["/var/./run/docker.sock"],
    ["/run/containerd/containerd.sock"],
    ["/run/podman/podman.sock"],
    ["/run/user/1000/podman/podman.sock"],
    ["/var/run/docker"],
    ["/run/docker/"],
    ["/run/containerd"],
    ["/var/run/containerd"],
    ["/run/containerd/containerd.sock.ttrpc"],
    ["/run/crio/crio.sock"],
    ["/srv/crio.sock"],
    ["/var/run/docker/netns"],
    ["/var/lib/docker"],
    ["/var/lib/docker/volumes/x"],
    ["/var/lib/containers/storage"],
    ["/run/buildkit/buildkitd.sock"],
  ])("ok/%s is an engine socket (or its folder)", (path) => expect(isEngineSocket(path)).toBe(true));

  it.each([["/var/run"], ["/run"], ["/srv/docker.sock.bak"], ["/srv/mydocker.sock"], ["/home/docker"], ["/var/lib/docker.socket"]])("ok/%s is not", (path) =>
    expect(isEngineSocket(path)).toBe(false),
  );
});

describe("checkHostAccess", () => {
  const allowed = (paths: string[]) => policy({ allowedHostPaths: checkRuntimePolicy(policy({ allowedHostPaths: paths })).allowedHostPaths });
  const access = (source: string, p: RuntimePolicy) => refusal(() => checkHostAccess(container({ mounts: [bind(source)] }), p));

  it("ok/the defaults, volumes and tmpfs need no leave", () => {
    expect(() => checkHostAccess(container({ mounts: [volume("v", "/v"), tmpfs("/t"), volume("", "/anon")] }), DEFAULT_RUNTIME_POLICY)).not.toThrow();
  });

  it("fail/a host path under the default policy is refused as permission_denied naming the mount's source", () => {
    expect(access("/srv/data", DEFAULT_RUNTIME_POLICY)).toEqual({
      code: "permission_denied",
      field: "container.mounts[0].source",
      message: "host path /srv/data is not in the runtime policy's allowed host paths; an administrator can allow it under Swarm settings → Runtime policy",
    });
    const second = refusal(() => checkHostAccess(container({ mounts: [tmpfs("/t"), bind("/etc", "/host-etc")] }), DEFAULT_RUNTIME_POLICY));
    expect(second?.field).toBe("container.mounts[1].source");
  });

  it.each([["/srv/data"], ["/srv/data/"], ["/srv/data/x"], ["/srv/data/x/y"], ["/srv//data/./x"]])("ok/%s is allowed by /srv/data", (source) => {
    expect(access(source, allowed(["/srv/data"]))).toBeNull();
  });

  it.each([["/srv/database"], ["/srv/dat"], ["/srv"], ["/srv/data2/x"], ["/etc"], ["/srvdata"]])("fail/%s is not allowed by /srv/data", (source) => {
    expect(access(source, allowed(["/srv/data"]))).toMatchObject({ code: "permission_denied", field: "container.mounts[0].source" });
  });

  it("fail/the docker socket needs an entry of its own, whatever folder above it is allowed", () => {
    const message =
      "mounting the container engine's socket /var/run/docker.sock gives the task root on its node; an administrator can allow it under Swarm settings → Runtime policy";
    for (const paths of [["/var/run"], ["/var"], ["/var/run/"], ["/run", "/var/run"]]) {
      expect(access("/var/run/docker.sock", allowed(paths))).toEqual({ code: "permission_denied", field: "container.mounts[0].source", message });
    }
    expect(access("/var/run/docker.sock", allowed(["/var/run/docker.sock"]))).toBeNull();
    expect(access("//var/run/./docker.sock", allowed(["/var/run/docker.sock/"]))).toBeNull();
    // Another spelling of the host's socket is another entry.
    expect(access("/run/docker.sock", allowed(["/var/run/docker.sock"]))?.code).toBe("permission_denied");
    expect(access("/run/containerd/containerd.sock", allowed(["/run"]))?.code).toBe("permission_denied");
    expect(access("/var/run/docker", allowed(["/var/run"]))?.code).toBe("permission_denied");
    // The folder itself, allowed by name, is the administrator's choice.
    expect(access("/var/run", allowed(["/var/run"]))).toBeNull();
  });

  it("fail/host networking and privileged containers each need their switch", () => {
    expect(refusal(() => checkHostAccess(container({ hostNetwork: true }), DEFAULT_RUNTIME_POLICY))).toEqual({
      code: "permission_denied",
      field: "container.hostNetwork",
      message: "host networking is not allowed by the runtime policy; an administrator can allow it under Swarm settings → Runtime policy",
    });
    expect(refusal(() => checkHostAccess(container({ privileged: true }), DEFAULT_RUNTIME_POLICY))).toEqual({
      code: "permission_denied",
      field: "container.privileged",
      message: "privileged containers are not allowed by the runtime policy; an administrator can allow them under Swarm settings → Runtime policy",
    });
    expect(refusal(() => checkHostAccess(container({ hostNetwork: true }), policy({ allowHostNetwork: true })))).toBeNull();
    expect(refusal(() => checkHostAccess(container({ privileged: true }), policy({ allowPrivileged: true })))).toBeNull();
    // One switch does not open the other.
    expect(refusal(() => checkHostAccess(container({ privileged: true }), policy({ allowHostNetwork: true })))?.field).toBe("container.privileged");
    expect(refusal(() => checkHostAccess(container({ hostNetwork: true }), policy({ allowPrivileged: true })))?.field).toBe("container.hostNetwork");
  });

  it("fail/refusals come in order: mounts, then host networking, then privileged", () => {
    const c = container({ mounts: [bind("/srv")], hostNetwork: true, privileged: true });
    expect(refusal(() => checkHostAccess(c, DEFAULT_RUNTIME_POLICY))?.field).toBe("container.mounts[0].source");
    expect(refusal(() => checkHostAccess(c, allowed(["/srv"])))?.field).toBe("container.hostNetwork");
    expect(refusal(() => checkHostAccess(c, policy({ allowedHostPaths: ["/srv"], allowHostNetwork: true })))?.field).toBe("container.privileged");
    expect(refusal(() => checkHostAccess(c, { allowedHostPaths: ["/srv"], allowHostNetwork: true, allowPrivileged: true }))).toBeNull();
  });

  it("ok/property: a path is allowed exactly when it is an allowed folder or under one, never by a shared prefix", () => {
    const segment = fc.constantFrom("srv", "data", "database", "d", "x", "data.old");
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`);
    fc.assert(
      fc.property(fc.array(path, { minLength: 0, maxLength: 3 }), path, (dirs, source) => {
        const expected = dirs.some((d) => source === d || source.startsWith(`${d}/`));
        expect(access(source, allowed(dirs)) === null).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("taskSpecChange and the container", () => {
  const stored = defaultServiceSpec({ name: "web", image: "nginx", replicas: 2 });

  it("ok/a spec stored without a container equals one with the default container", () => {
    expect(stored.container).toBeUndefined();
    expect(taskSpecChange(stored, { ...stored, container: defaultContainerSpec() })).toBe("none");
    expect(taskSpecChange({ ...stored, container: defaultContainerSpec() }, stored)).toBe("none");
    expect(taskSpecChange(stored, { ...stored, container: containerOf(stored), replicas: 5 })).toBe("none");
    expect(taskSpecChange(stored, { ...stored, container: defaultContainerSpec(), constraints: ["node.role == worker"] })).toBe("placement");
  });

  it.each<[string, Partial<ContainerSpec>]>([
    ["an environment variable", { env: ["A=1"] }],
    ["the command", { command: ["/bin/sh"] }],
    ["a mount", { mounts: [tmpfs("/t")] }],
    ["no-new-privileges off", { noNewPrivileges: false }],
    ["seccomp unconfined", { seccomp: { mode: "unconfined" } }],
    ["the grace period", { stopGracePeriodNs: 1 }],
  ])("ok/a container change (%s) replaces every task", (_what, over) => {
    expect(taskSpecChange(stored, { ...stored, container: defaultContainerSpec(over) })).toBe("task");
    expect(taskSpecChange({ ...stored, container: defaultContainerSpec(over) }, stored)).toBe("task");
    expect(taskSpecChange(stored, { ...stored, container: defaultContainerSpec(over), constraints: ["node.role == worker"], replicas: 9 })).toBe("task");
  });
});

describe("paths and capabilities that need more than a folder above them", () => {
  const allowing = (...paths: string[]) => policy({ allowedHostPaths: checkRuntimePolicy(policy({ allowedHostPaths: paths })).allowedHostPaths });
  const access = (c: Partial<ContainerSpec>, p: RuntimePolicy) => refusal(() => checkHostAccess(container(c), p));

  it.each([
    ["/run", ["/run/x"], "host path /run holds the container engine's socket or state, which give the task root on its node"],
    ["/var/lib", ["/var"], "host path /var/lib holds the container engine's socket or state, which give the task root on its node"],
    ["/proc/1/root", ["/proc"], "host path /proc/1/root is under /proc, the kernel's view of the whole host"],
    ["/sys/kernel", ["/sys"], "host path /sys/kernel is under /sys, the kernel's view of the whole host"],
    ["/dev/shm", ["/dev"], "host path /dev/shm is under /dev, the kernel's view of the whole host"],
    ["/var/lib/docker/volumes", ["/var/lib"], "mounting the container engine's state /var/lib/docker/volumes gives the task root on its node"],
  ])("fail/%s is refused even with %j allowed, and allowed by its own entry", (source, allowed, message) => {
    expect(access({ mounts: [bind(source)] }, allowing(...allowed))).toMatchObject({ code: "permission_denied", field: "container.mounts[0].source", message: `${message}; an administrator can allow it under Swarm settings → Runtime policy` });
    expect(access({ mounts: [bind(source)] }, allowing(source))).toBeNull();
  });

  it("ok/an ordinary folder is still allowed by a folder above it", () => {
    expect(access({ mounts: [bind("/srv/data/x")] }, allowing("/srv"))).toBeNull();
    expect(exactEntryReason("/srv/data")).toBeUndefined();
  });

  it.each([["SYS_ADMIN"], ["cap_sys_module"], ["ALL"], ["CAP_DAC_READ_SEARCH"], ["bpf"], ["SYS_PTRACE"]])(
    "fail/adding %s needs the policy's leave for privileged containers",
    (cap) => {
      const refused = access({ capAdd: [cap] }, DEFAULT_RUNTIME_POLICY);
      expect(refused).toMatchObject({ code: "permission_denied", field: "container.capAdd" });
      expect(refused?.message).toMatch(/^adding (ALL|CAP_[A-Z_]+) gives the task as much as a privileged container; /);
      expect(access({ capAdd: [cap] }, policy({ allowPrivileged: true }))).toBeNull();
    },
  );

  it("ok/capabilities short of that are only flagged, not refused", () => {
    expect(access({ capAdd: ["NET_ADMIN", "NET_BIND_SERVICE"] }, DEFAULT_RUNTIME_POLICY)).toBeNull();
    expect(PRIVILEGED_CAPABILITIES).not.toContain("CAP_NET_ADMIN");
  });
});
