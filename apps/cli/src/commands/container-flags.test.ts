import { defaultContainerSpec, defaultServiceSpec, type ContainerSpec, type ServiceSpec } from "@rampart/core";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { UsageError } from "./cli.js";
import { parseMount, parseSecurityOptions, shellWords, updateMounts, updateNetworkList } from "./container-flags.js";
import { applySpecChanges, draftSpec, formatServicePretty, parseSpecChanges, withPolicyHint, type SpecFlagValues } from "./service.js";

const MiB = 1024 ** 2;
const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => defaultServiceSpec({ name: "web", image: "nginx:alpine", ...over });
const withContainer = (over: Partial<ContainerSpec>): ServiceSpec => spec({ container: defaultContainerSpec(over) });
/** A new service's container from create's flags. */
const created = (values: SpecFlagValues): ContainerSpec | undefined => draftSpec(parseSpecChanges(values), "web", "nginx").container;
/** An existing service's container after update's flags. */
const updated = (current: ServiceSpec, values: SpecFlagValues): ContainerSpec | undefined => applySpecChanges(current, parseSpecChanges(values)).container;

describe("shellWords (google/shlex, as docker's ShlexOpt reads --entrypoint and --args)", () => {
  it.each([
    ["ok/blanks split words", "sh  -c\techo", ["sh", "-c", "echo"]],
    ["ok/single quotes are literal", `sh -c 'echo "$HOME" \\n'`, ["sh", "-c", 'echo "$HOME" \\n']],
    ["ok/double quotes let a backslash escape", `a "b \\"c\\" \\\\ d"`, ["a", 'b "c" \\ d']],
    ["ok/a backslash escapes a blank", "c\\ d e", ["c d", "e"]],
    ["ok/quotes inside a word join it", `--opt="a b"c`, ["--opt=a bc"]],
    ["ok/empty quotes are an empty word", `a '' ""`, ["a", "", ""]],
    ["ok/# at a word's start comments out the line", "a #b c\nd", ["a", "d"]],
    ["ok/# inside a word is kept", "a#b", ["a#b"]],
    ["ok/nothing", "   ", []],
  ])("%s: %j", (_name, text, words) => expect(shellWords(text)).toEqual(words));

  it.each([
    ["fail/an open single quote", "sh -c 'echo", "EOF found when expecting closing quote"],
    ["fail/an open double quote", 'a "b', "EOF found when expecting closing quote"],
    ["fail/a trailing backslash", "a\\", "EOF found after escape character"],
    ["fail/a trailing backslash in quotes", '"a\\', "EOF found after escape character"],
  ])("%s: %j", (_name, text, message) => expect(() => shellWords(text)).toThrow(message));

  it("fail/--entrypoint and --args name themselves in the flag error", () => {
    expect(() => parseSpecChanges({ entrypoint: "sh -c 'x" })).toThrow(
      new UsageError(`invalid argument "sh -c 'x" for "--entrypoint" flag: EOF found when expecting closing quote`),
    );
    expect(() => parseSpecChanges({ args: 'a"' })).toThrow(new UsageError(`invalid argument "a"" for "--args" flag: EOF found when expecting closing quote`));
  });
});

describe("parseMount (docker's MountOpt)", () => {
  it.each([
    ["ok/tmpfs with size and octal mode", "type=tmpfs,target=/cache,tmpfs-size=64m,tmpfs-mode=1770", { type: "tmpfs", source: "", target: "/cache", readOnly: false, tmpfsSizeBytes: 64 * MiB, tmpfsMode: 0o1770 }],
    ["ok/volume, read-only by a bare key", "type=volume,source=data,target=/d,readonly", { type: "volume", source: "data", target: "/d", readOnly: true }],
    ["ok/type defaults to volume; short keys", "src=data,dst=/d,ro=true", { type: "volume", source: "data", target: "/d", readOnly: true }],
    ["ok/bind; ro=0 is writable", "type=bind,source=/srv/www,destination=/www,ro=0", { type: "bind", source: "/srv/www", target: "/www", readOnly: false }],
    ["ok/keys and the type in any case", "TYPE=Bind,Source=/h,Target=/c", { type: "bind", source: "/h", target: "/c", readOnly: false }],
    ["ok/a quoted field holds a comma", '"target=/a,b",type=tmpfs', { type: "tmpfs", source: "", target: "/a,b", readOnly: false }],
    ["ok/surrounding blanks are trimmed", "  type=tmpfs,target=/t  ", { type: "tmpfs", source: "", target: "/t", readOnly: false }],
  ])("%s: %s", (_name, text, mount) => expect(parseMount(text)).toEqual(mount));

  it.each([
    ["fail/empty", " ", "value is empty"],
    ["fail/a type Rampart does not mount", "type=image,source=alpine,target=/x", 'mount type unknown: "image"; Rampart mounts bind, volume and tmpfs'],
    ["fail/tmpfs options on a bind", "type=bind,source=/h,target=/c,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'bind'"],
    ["fail/a bad boolean", "target=/c,readonly=yes", `invalid value for 'readonly': invalid boolean value ("yes"): must be one of "true", "1", "false", or "0" (default "true")`],
    ["fail/a key without a value", "type=tmpfs,target", "invalid field 'target' must be a key=value pair"],
    ["fail/an unknown key", "target=/c,colour=blue", "unknown option 'colour' in 'colour=blue'"],
    ["fail/docker's options Rampart has no field for", "type=volume,target=/c,volume-driver=nfs", "option 'volume-driver' is not supported"],
    ["fail/a bad size", "type=tmpfs,target=/t,tmpfs-size=lots", "invalid value for tmpfs-size: lots"],
    ["fail/a mode that is not octal", "type=tmpfs,target=/t,tmpfs-mode=0789", "invalid value for tmpfs-mode: 0789"],
    ["fail/an empty value", "type=tmpfs,target=", "invalid value for 'target': value is empty"],
    ["fail/blanks in a value", "type=tmpfs,target= /t", "invalid value for 'target' in 'target= /t': value should not have whitespace"],
    ["fail/blanks in a key", "type=tmpfs, target=/t", "invalid option 'target' in ' target=/t': option should not have whitespace"],
    ["fail/a bare quote", 'target=/a"b', 'bare " in non-quoted-field'],
    ["fail/bind-nonrecursive, as docker says", "type=bind,source=/h,target=/c,bind-nonrecursive", "bind-nonrecursive is deprecated, use bind-recursive=disabled instead"],
  ])("%s: %s", (_name, text, message) => expect(() => parseMount(text)).toThrow(message));

  it("fail/the flag error names --mount or --mount-add and the value", () => {
    expect(() => parseSpecChanges({ mount: ["type=image,target=/x"] })).toThrow(
      new UsageError(`invalid argument "type=image,target=/x" for "--mount" flag: mount type unknown: "image"; Rampart mounts bind, volume and tmpfs`),
    );
    expect(() => parseSpecChanges({ "mount-add": ["target"] })).toThrow(new UsageError(`invalid argument "target" for "--mount-add" flag: invalid field 'target' must be a key=value pair`));
  });

  it("ok/create keeps the mounts in the order given", () => {
    expect(created({ mount: ["type=tmpfs,target=/z", "type=volume,source=a,target=/a"] })?.mounts.map((m) => m.target)).toEqual(["/z", "/a"]);
  });

  it("ok/update: --mount-add replaces a mount by target, --mount-rm removes by target, sorted by source then target", () => {
    const current = [
      { type: "volume" as const, source: "b", target: "/b", readOnly: false },
      { type: "volume" as const, source: "a", target: "/keep", readOnly: false },
      { type: "tmpfs" as const, source: "", target: "/gone", readOnly: false },
    ];
    expect(updateMounts(current, [{ type: "volume", source: "c", target: "/b", readOnly: true }], ["/gone"])).toEqual([
      { type: "volume", source: "a", target: "/keep", readOnly: false },
      { type: "volume", source: "c", target: "/b", readOnly: true },
    ]);
    const service = withContainer({ mounts: current });
    expect(updated(service, { "mount-rm": ["/gone", "/not-there"] })?.mounts.map((m) => m.target)).toEqual(["/keep", "/b"]);
  });

  it("fail/update: two --mount-add on one target", () => {
    expect(() => updated(spec(), { "mount-add": ["type=tmpfs,target=/t", "type=volume,source=v,target=/t"] })).toThrow(
      new UsageError(`invalid argument "/t" for "--mount-add" flag: duplicate mount target`),
    );
  });
});

describe("environment and container labels", () => {
  it("ok/create: -e in order, a name given again keeps its last value, moved last (makeEnv)", () => {
    expect(created({ env: ["A=1", "B=2", "A=3", "B=2", "EMPTY="] })?.env).toEqual(["B=2", "A=3", "EMPTY="]);
  });

  it("ok/update: --env-rm by name, --env-add in place or appended; the rest kept", () => {
    const current = withContainer({ env: ["A=1", "B=2", "C=3"] });
    expect(updated(current, { "env-rm": ["B", "NOPE"], "env-add": ["C=30", "D=4"] })?.env).toEqual(["A=1", "C=30", "D=4"]);
  });

  it.each([
    [{ env: ["FOO"] }, `invalid argument "FOO" for "-e, --env" flag: give NAME=VALUE: the spec is stored in the swarm, so Rampart does not copy a variable from this shell into it`],
    [{ env: ["=x"] }, `invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x`],
    [{ "env-add": ["BAR"] }, `invalid argument "BAR" for "--env-add" flag: give NAME=VALUE`],
    [{ "container-label": ["=x"] }, `invalid argument "=x" for "--container-label" flag: invalid label '=x': empty name`],
    [{ "container-label-add": ["a b=c"] }, `invalid argument "a b=c" for "--container-label-add" flag: label 'a b' contains whitespaces`],
  ] as [SpecFlagValues, string][])("fail/%j", (values, message) => {
    expect(() => parseSpecChanges(values)).toThrow(UsageError);
    expect(() => parseSpecChanges(values)).toThrow(message);
  });

  it("ok/labels: a bare key is an empty value; update removes, then adds", () => {
    expect(created({ "container-label": ["team=web", "canary"] })?.labels).toEqual({ team: "web", canary: "" });
    const current = withContainer({ labels: { team: "web", tier: "1" } });
    expect(updated(current, { "container-label-rm": ["tier"], "container-label-add": ["team=api", "x=y"] })?.labels).toEqual({ team: "api", x: "y" });
  });
});

describe("capabilities (EffectiveCapAddCapDrop on create, updateCapabilities on update)", () => {
  it("ok/create: names normalised and sorted, ALL outweighs the rest, adding wins over dropping", () => {
    expect(created({ "cap-add": ["net_admin", "CAP_CHOWN"], "cap-drop": ["ALL"] })).toMatchObject({ capAdd: ["CAP_CHOWN", "CAP_NET_ADMIN"], capDrop: ["ALL"] });
    expect(created({ "cap-add": ["ALL", "kill"], "cap-drop": ["ALL"] })).toMatchObject({ capAdd: ["ALL"], capDrop: [] });
    expect(created({ "cap-add": ["kill"], "cap-drop": ["kill", "chown"] })).toMatchObject({ capAdd: ["CAP_KILL"], capDrop: ["CAP_CHOWN"] });
  });

  it.each([
    ["add new caps", [], [], ["NET_ADMIN"], [], ["CAP_NET_ADMIN"], []],
    ["drop new caps", [], [], [], ["NET_ADMIN"], [], ["CAP_NET_ADMIN"]],
    ["add a previously dropped cap: it is no longer dropped, and not added", [], ["CAP_NET_ADMIN"], ["NET_ADMIN"], [], [], []],
    ["drop a previously added cap, and add a new one", ["CAP_NET_ADMIN"], [], ["CHOWN"], ["NET_ADMIN"], ["CAP_CHOWN"], []],
    ["adding to ALL changes nothing", ["ALL"], [], ["NET_ADMIN"], [], ["ALL"], []],
    ["drop ALL, then add to a service with ALL", ["ALL"], [], ["NET_ADMIN"], ["ALL"], ["CAP_NET_ADMIN"], []],
    ["add takes precedence on an existing spec", ["CAP_NET_ADMIN"], ["CAP_NET_ADMIN"], ["NET_ADMIN"], ["NET_ADMIN"], ["CAP_NET_ADMIN"], []],
    ["drop all, and add new caps", ["CAP_NET_ADMIN", "CAP_KILL"], ["CAP_NET_ADMIN", "CAP_KILL"], ["CHOWN"], ["ALL"], ["CAP_CHOWN", "CAP_KILL", "CAP_NET_ADMIN"], ["ALL"]],
    ["add all caps", ["CAP_NET_ADMIN"], ["CAP_CHOWN"], ["ALL"], ["NET_ADMIN", "SYS_ADMIN"], ["ALL"], ["CAP_CHOWN", "CAP_SYS_ADMIN"]],
    ["drop all, and add all", ["CAP_NET_ADMIN"], ["CAP_CHOWN"], ["ALL"], ["ALL"], ["ALL"], ["CAP_CHOWN"]],
    ["reset both", ["CAP_KILL", "CAP_CHOWN"], ["CAP_SYS_TIME"], ["RESET"], ["RESET"], [], []],
    ["reset, then update", ["CAP_KILL"], ["CAP_SYS_TIME"], ["RESET", "NET_RAW", "SYS_NICE"], ["reset", "MKNOD", "SYS_NICE"], ["CAP_NET_RAW", "CAP_SYS_NICE"], ["CAP_MKNOD"]],
    ["reset, and add ALL", ["CAP_KILL"], ["CAP_SYS_TIME"], ["RESET", "ALL"], ["RESET", "ALL"], ["ALL"], []],
  ])("ok/update: %s", (_name, capAdd, capDrop, add, drop, expectedAdd, expectedDrop) => {
    const values: SpecFlagValues = {};
    if (add.length > 0) values["cap-add"] = add;
    if (drop.length > 0) values["cap-drop"] = drop;
    expect(updated(withContainer({ capAdd, capDrop }), values)).toMatchObject({ capAdd: expectedAdd, capDrop: expectedDrop });
  });

  it("fail/an unknown capability names the flag and the value; RESET is for update only", () => {
    expect(() => parseSpecChanges({ "cap-add": ["net_admn"] })).toThrow(new UsageError(`invalid argument "net_admn" for "--cap-add" flag: unknown capability: "CAP_NET_ADMN"`));
    expect(() => created({ "cap-drop": ["RESET"] })).toThrow(new UsageError("RESET resets a service's capabilities on update; a new service has none to reset"));
  });
});

describe("--security-opt, --privileged and --network host", () => {
  it.each([
    [["seccomp=unconfined"], { seccomp: { mode: "unconfined" } }],
    [["seccomp=default"], { seccomp: { mode: "default" } }],
    [["seccomp=strict-v2"], { seccomp: { mode: "custom", profile: "strict-v2" } }],
    [["seccomp:unconfined"], { seccomp: { mode: "unconfined" } }],
    [["apparmor=docker-nginx"], { apparmor: "docker-nginx" }],
    [["no-new-privileges"], { noNewPrivileges: true }],
    [["no-new-privileges=false"], { noNewPrivileges: false }],
    [["no-new-privileges:true"], { noNewPrivileges: true }],
    [["seccomp=unconfined", "seccomp=default", "apparmor=unconfined"], { seccomp: { mode: "default" }, apparmor: "unconfined" }],
  ])("ok/%j", (values, options) => expect(parseSecurityOptions(values)).toEqual(options));

  it.each([
    ["seccomp=/etc/docker/seccomp.json", "seccomp takes default, unconfined or the name of a profile stored in the swarm (store a file with 'rampart seccomp create NAME FILE', then give seccomp=NAME)"],
    ["label=disable", `Rampart takes seccomp=, apparmor= and no-new-privileges; "label" is not supported`],
    ["apparmor", `invalid --security-opt: "apparmor"`],
    ["seccomp=", `invalid --security-opt: "seccomp="`],
    ["no-new-privileges=maybe", "no-new-privileges takes true or false"],
  ])("fail/%s", (value, reason) => {
    expect(() => parseSecurityOptions([value])).toThrow(new UsageError(`invalid argument "${value}" for "--security-opt" flag: ${reason}`));
  });

  it("ok/create: each option sets its field; the rest keep the safe defaults", () => {
    expect(created({ "security-opt": ["seccomp=unconfined"], privileged: true, network: ["host"] })).toEqual(
      defaultContainerSpec({ seccomp: { mode: "unconfined" }, privileged: true, hostNetwork: true }),
    );
  });

  it("ok/--network host is the container's; any other name is an overlay network, kept apart from the container", () => {
    const changes = parseSpecChanges({ network: ["backend", "host", "db", "backend"] });
    expect(changes.container).toMatchObject({ hostNetworkAdd: true, networkAdd: ["backend", "db"], networkRm: [] });
    const update = parseSpecChanges({ "network-add": ["front"], "network-rm": ["back", "host"] });
    expect(update.container).toMatchObject({ hostNetworkAdd: false, hostNetworkRm: true, networkAdd: ["front"], networkRm: ["back"] });
    // An overlay network alone changes nothing in the container.
    expect(created({ network: ["backend"] })).toBeUndefined();
  });

  it.each([
    ["", "a network is named by its name or ID"],
    ["name=backend,alias=db", "give the network's name or ID: aliases and driver options (name=…,alias=…,driver-opt=…) are not supported"],
  ])("fail/--network %j says why, naming the value", (value, reason) => {
    expect(() => parseSpecChanges({ network: [value] })).toThrow(new UsageError(`invalid argument "${value}" for "--network" flag: ${reason}`));
  });

  it("ok/update: overlay networks by name or ID, removals first; one the service is on is refused as docker refuses it", () => {
    const current = [
      { id: "aaa", name: "backend" },
      { id: "bbb", name: "db" },
    ];
    expect(updateNetworkList(current, ["front"], ["db"])).toEqual(["aaa", "front"]);
    expect(updateNetworkList(current, [], ["aaa", "nope"])).toEqual(["bbb"]);
    expect(updateNetworkList(current, ["db"], ["bbb"])).toEqual(["aaa", "db"]);
    expect(() => updateNetworkList(current, ["backend"], [])).toThrow(new UsageError("service is already attached to network backend"));
  });

  it("ok/update: --network-rm host leaves it, --network-add host joins it; joining twice is refused as docker refuses it", () => {
    const onHost = withContainer({ hostNetwork: true });
    expect(updated(onHost, { "network-rm": ["host"] })?.hostNetwork).toBe(false);
    expect(updated(spec(), { "network-add": ["host"] })?.hostNetwork).toBe(true);
    expect(() => updated(onHost, { "network-add": ["host"] })).toThrow(new UsageError("service is already attached to network host"));
  });
});

describe("the other container flags", () => {
  it("ok/create: the image's command after it, --entrypoint in shell words, and each flag to its field", () => {
    const changes = parseSpecChanges({
      entrypoint: "/bin/sh -c",
      workdir: "/app",
      user: "65534:65534",
      hostname: "web-1",
      "stop-signal": "SIGQUIT",
      "stop-grace-period": "1m30s",
      init: true,
      "read-only": true,
    });
    changes.container.args = ["echo hi"];
    expect(draftSpec(changes, "web", "busybox").container).toEqual(
      defaultContainerSpec({
        command: ["/bin/sh", "-c"],
        args: ["echo hi"],
        workdir: "/app",
        user: "65534:65534",
        hostname: "web-1",
        stopSignal: "SIGQUIT",
        stopGracePeriodNs: 90e9,
        init: true,
        readOnly: true,
      }),
    );
  });

  it("ok/create: no container flag leaves the container out, for the server's defaults; no limit flag, no limits", () => {
    const draft = draftSpec(parseSpecChanges({ "reserve-cpu": "1" }), "web", "nginx");
    expect(draft).not.toHaveProperty("container");
    expect(draft).not.toHaveProperty("limits");
  });

  it("ok/update: a flag changes only what it names; everything else is kept, including from a spec without a container", () => {
    const current = withContainer({
      command: ["/entry"],
      args: ["serve"],
      env: ["A=1"],
      user: "app",
      readOnly: true,
      privileged: true,
      capDrop: ["ALL"],
      seccomp: { mode: "custom", profile: "strict" },
      mounts: [{ type: "tmpfs", source: "", target: "/tmp", readOnly: false }],
    });
    expect(updated(current, { "read-only": false })).toEqual({ ...current.container, readOnly: false });
    expect(updated(current, { privileged: false, "security-opt": ["apparmor=unconfined"] })).toEqual({ ...current.container, privileged: false, apparmor: "unconfined" });
    expect(updated(current, { args: "" })).toEqual({ ...current.container, args: [] });
    expect(updated(current, { "stop-signal": "" })).toEqual({ ...current.container, stopSignal: "" });
    expect(updated(current, { replicas: "2" })).toEqual(current.container);
    expect(updated(spec(), { init: true })).toEqual(defaultContainerSpec({ init: true }));
    expect(updated(spec(), { replicas: "2" })).toBeUndefined();
  });

  it("ok/limits: create sets the ones given (0 = none); update changes the named one and keeps the other", () => {
    expect(draftSpec(parseSpecChanges({ "limit-cpu": "0.5" }), "web", "nginx").limits).toEqual({ nanoCpus: 5e8, memoryBytes: 0 });
    const current = spec({ limits: { nanoCpus: 2e9, memoryBytes: 256 * MiB } });
    expect(applySpecChanges(current, parseSpecChanges({ "limit-memory": "1g" })).limits).toEqual({ nanoCpus: 2e9, memoryBytes: 1024 * MiB });
    expect(applySpecChanges(current, parseSpecChanges({ "reserve-cpu": "1" })).limits).toBe(current.limits);
  });

  it.each([
    [{ "limit-cpu": "lots" }, `invalid argument "lots" for "--limit-cpu" flag: failed to parse lots as a rational number`],
    [{ "limit-memory": "12x" }, `invalid argument "12x" for "--limit-memory" flag: invalid suffix: 'x'`],
    [{ "stop-signal": "SIGFOO" }, `invalid argument "SIGFOO" for "--stop-signal" flag: Invalid signal: SIGFOO`],
    [{ "stop-grace-period": "10" }, `invalid argument "10" for "--stop-grace-period" flag: time: missing unit in duration "10"`],
    [{ "stop-grace-period": "-1s" }, `invalid argument "-1s" for "--stop-grace-period" flag: duration cannot be negative`],
  ] as [SpecFlagValues, string][])("fail/%j names the flag and the value", (values, message) => {
    expect(() => parseSpecChanges(values)).toThrow(new UsageError(message));
  });
});

describe("service inspect --pretty: the container", () => {
  it("ok/docker's fields in its places, Rampart's in its style, and the protections given up", () => {
    const lines = formatServicePretty({
      id: "id1",
      name: "web",
      spec: spec({
        limits: { nanoCpus: 5e8, memoryBytes: 256 * MiB },
        container: defaultContainerSpec({
          command: ["/bin/sh", "-c"],
          args: ["echo", "hi"],
          env: ["A=1", "B=2"],
          workdir: "/app",
          init: true,
          user: "nobody",
          labels: { team: "web", canary: "" },
          stopGracePeriodNs: 30e9,
          readOnly: true,
          capAdd: ["CAP_NET_ADMIN"],
          capDrop: ["ALL"],
          mounts: [
            { type: "bind", source: "/srv", target: "/srv", readOnly: true },
            { type: "tmpfs", source: "", target: "/tmp", readOnly: false, tmpfsSizeBytes: 64 * MiB, tmpfsMode: 0o1777 },
          ],
          seccomp: { mode: "custom", profile: "strict" },
          noNewPrivileges: false,
          hostNetwork: true,
        }),
      }),
    });
    expect(lines.slice(lines.indexOf("ContainerSpec:"))).toEqual([
      "ContainerSpec:",
      " Image:\t\tnginx:alpine",
      " Command:\t/bin/sh -c",
      " Args:\t\techo hi",
      " Env:\t\tA=1 B=2",
      " Dir:\t\t/app",
      " Init:\t\ttrue",
      " User: nobody",
      " Labels:",
      "  canary",
      "  team=web",
      " Stop Grace Period:\t30s",
      " Read Only:\ttrue",
      "Capabilities:",
      " Add: CAP_NET_ADMIN",
      " Drop: ALL",
      "Mounts:",
      " Target:\t/srv",
      "  Source:\t/srv",
      "  ReadOnly:\ttrue",
      "  Type:\t\tbind",
      " Target:\t/tmp",
      "  Source:\t",
      "  ReadOnly:\tfalse",
      "  Type:\t\ttmpfs",
      "  TmpfsSize:\t64MiB",
      "  TmpfsMode:\t01777",
      "Security:",
      " Seccomp:\t\tstrict (stored profile)",
      " AppArmor:\t\tdefault",
      " No New Privileges:\tfalse",
      " Privileged:\t\tfalse",
      " Weakened:",
      "  - host networking: the host's network namespace",
      "  - no-new-privileges off: setuid programs can gain privileges",
      "  - capability added: CAP_NET_ADMIN",
      "  - host path mounted: /srv (read-only)",
      "Resources:",
      " Limits:",
      "  CPU:\t\t0.5",
      "  Memory:\t256MiB",
      "Networks: host",
    ]);
  });
});

describe("a refusal by the runtime policy", () => {
  const forbidden = (field: string) =>
    new TRPCClientError("host path /var/run/docker.sock is not allowed", {
      result: { error: { message: "not allowed", code: -32603, data: { code: "FORBIDDEN", httpStatus: 403, field } } } as never,
    });

  it("ok/names the command that allows it: the mount's own path, host networking, privileged", () => {
    const service = withContainer({
      mounts: [
        { type: "tmpfs", source: "", target: "/t", readOnly: false },
        { type: "bind", source: "/srv/my data", target: "/d", readOnly: false },
      ],
    });
    expect((withPolicyHint(forbidden("container.mounts[1].source"), service) as Error).message).toBe(
      "host path /var/run/docker.sock is not allowed\nFrom the command line: rampart swarm update --allow-host-path '/srv/my data'",
    );
    expect((withPolicyHint(forbidden("container.hostNetwork"), service) as Error).message).toMatch(/\nFrom the command line: rampart swarm update --allow-host-network$/);
    expect((withPolicyHint(forbidden("container.privileged"), service) as Error).message).toMatch(/\nFrom the command line: rampart swarm update --allow-privileged$/);
  });

  it("ok/anything else is left as it is", () => {
    const other = forbidden("ref");
    expect(withPolicyHint(other, spec())).toBe(other);
    const plain = new Error("x");
    expect(withPolicyHint(plain, spec())).toBe(plain);
  });
});
