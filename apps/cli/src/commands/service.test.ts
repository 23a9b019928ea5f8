import { defaultContainerSpec, defaultServiceSpec, type ServiceSpec } from "@rampart/core";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import type { AdminClient } from "../client/index.js";
import {
  applySpecChanges,
  bytesSize,
  displayImage,
  draftSpec,
  ellipsis,
  formatServiceList,
  formatServicePretty,
  formatTaskList,
  goParseUint,
  parseMemoryBytes,
  parseNanoCpus,
  parsePlacementPref,
  parseSpecChanges,
  parseUintFlag,
  ramInBytes,
  randomServiceName,
  serviceCreate,
  serviceRm,
  serviceScale,
  serviceUpdate,
  type ServiceDetail,
  type ServiceView,
  type TaskView,
} from "./service.js";
import { UsageError } from "./cli.js";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe("ramInBytes (go-units RAMInBytes)", () => {
  it.each([
    ["ok/bare bytes", "1024", 1024],
    ["ok/b suffix", "10b", 10],
    ["ok/B suffix", "10B", 10],
    ["ok/k", "1k", 1024],
    ["ok/kb", "1kb", 1024],
    ["ok/KiB", "1KiB", 1024],
    ["ok/m", "256m", 256 * MiB],
    ["ok/MiB", "512MiB", 512 * MiB],
    ["ok/MB is binary too", "512MB", 512 * MiB],
    ["ok/g", "1g", GiB],
    ["ok/G", "1G", GiB],
    ["ok/GiB with a space", "1 GiB", GiB],
    ["ok/fraction", "1.5g", 1.5 * GiB],
    ["ok/t", "2t", 2 * 1024 ** 4],
    ["ok/p", "1p", 1024 ** 5],
    ["ok/fraction of a byte is cut", "1.9", 1],
    ["ok/trailing space", "12 ", 12],
  ])("%s: %s", (_name, input, bytes) => {
    expect(ramInBytes(input)).toBe(bytes);
  });

  it.each([
    ["fail/no digit", "abc", "invalid size: 'abc'"],
    ["fail/empty", "", "invalid size: ''"],
    ["fail/negative", "-1", "invalid size: '-1'"],
    ["fail/unknown unit", "1x", "invalid suffix: 'x'"],
    ["fail/i without b", "1ki", "invalid suffix: 'ki'"],
    ["fail/gig", "1gig", "invalid suffix: 'gig'"],
    ["fail/bb", "1bb", "invalid suffix: 'bb'"],
    ["fail/too long, case kept", "1KiBs", "invalid suffix: 'KiBs'"],
    ["fail/two dots", "1.2.3m", 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
  ])("%s: %s", (_name, input, message) => {
    expect(() => ramInBytes(input)).toThrow(message);
  });

  it("fail/the flag error names the flag as docker does", () => {
    expect(() => parseMemoryBytes("1x")).toThrow(new UsageError(`invalid argument "1x" for "--reserve-memory" flag: invalid suffix: 'x'`));
  });
});

describe("parseNanoCpus (docker's opts.ParseCPUs)", () => {
  it.each([
    ["ok/half", "0.5", 5e8],
    ["ok/whole", "2", 2e9],
    ["ok/decimal", "1.5", 1.5e9],
    ["ok/no leading digit", ".25", 2.5e8],
    ["ok/trailing dot", "2.", 2e9],
    ["ok/fraction", "1/4", 2.5e8],
    ["ok/exponent", "1e-3", 1e6],
    ["ok/one nanoCPU", "0.000000001", 1],
    ["ok/negative is parsed (the server refuses it)", "-1", -1e9],
  ])("%s: %s", (_name, input, nanos) => {
    expect(parseNanoCpus(input)).toBe(nanos);
  });

  it.each([
    ["fail/not a number", "abc", `invalid argument "abc" for "--reserve-cpu" flag: failed to parse abc as a rational number`],
    ["fail/empty", "", `invalid argument "" for "--reserve-cpu" flag: failed to parse  as a rational number`],
    ["fail/division by zero", "1/0", `invalid argument "1/0" for "--reserve-cpu" flag: failed to parse 1/0 as a rational number`],
    ["fail/finer than a nanoCPU", "0.0000000001", `invalid argument "0.0000000001" for "--reserve-cpu" flag: value is too precise`],
    ["fail/a third", "1/3", `invalid argument "1/3" for "--reserve-cpu" flag: value is too precise`],
    ["fail/a unit", "1cpu", `invalid argument "1cpu" for "--reserve-cpu" flag: failed to parse 1cpu as a rational number`],
  ])("%s: %s", (_name, input, message) => {
    expect(() => parseNanoCpus(input)).toThrow(new UsageError(message));
  });
});

describe("goParseUint (strconv.ParseUint)", () => {
  it.each([
    ["ok/decimal", "3", 0, 3n],
    ["ok/hex", "0x10", 0, 16n],
    ["ok/octal by leading zero", "010", 0, 8n],
    ["ok/0o", "0o17", 0, 15n],
    ["ok/binary", "0b11", 0, 3n],
    ["ok/underscores", "1_000", 0, 1000n],
    ["ok/zero", "0", 0, 0n],
    ["ok/base 10 reads 010 as ten", "010", 10, 10n],
  ] as const)("%s: %s", (_name, input, base, value) => {
    expect(goParseUint(input, base)).toBe(value);
  });

  it.each([
    ["fail/sign", "-1", 0, "invalid syntax"],
    ["fail/plus", "+1", 0, "invalid syntax"],
    ["fail/letters", "x", 0, "invalid syntax"],
    ["fail/empty", "", 0, "invalid syntax"],
    ["fail/leading underscore", "_1", 0, "invalid syntax"],
    ["fail/double underscore", "1__0", 0, "invalid syntax"],
    ["fail/underscore in base 10", "1_0", 10, "invalid syntax"],
    ["fail/8 is not octal", "08", 0, "invalid syntax"],
    ["fail/overflow", "18446744073709551616", 0, "value out of range"],
  ] as const)("%s: %s", (_name, input, base, why) => {
    expect(() => goParseUint(input, base)).toThrow(`strconv.ParseUint: parsing ${JSON.stringify(input)}: ${why}`);
  });

  it("fail/the flag error names the flag", () => {
    expect(() => parseUintFlag("two", "replicas")).toThrow(`invalid argument "two" for "--replicas" flag: strconv.ParseUint: parsing "two": invalid syntax`);
  });
});

describe("parsePlacementPref (docker's placementPrefOpts.Set)", () => {
  it("ok/spread gives the descriptor", () => {
    expect(parsePlacementPref("spread=node.labels.zone")).toBe("node.labels.zone");
  });

  it("ok/an empty descriptor is docker's to accept", () => {
    expect(parsePlacementPref("spread=")).toBe("");
  });

  it.each([
    ["fail/no strategy", "node.labels.zone", 'placement preference must be of the format "<strategy>=<arg>"'],
    ["fail/empty strategy", "=node.labels.zone", 'placement preference must be of the format "<strategy>=<arg>"'],
    ["fail/another strategy", "binpack=x", "unsupported placement preference binpack (only spread is supported)"],
    ["fail/strategy case matters", "Spread=x", "unsupported placement preference Spread (only spread is supported)"],
  ])("%s: %s", (_name, input, reason) => {
    expect(() => parsePlacementPref(input)).toThrow(new UsageError(`invalid argument "${input}" for "--placement-pref" flag: ${reason}`));
  });
});

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => defaultServiceSpec({ name: "web", image: "nginx:alpine", ...over });

describe("specs from flags", () => {
  it("ok/create: defaults, then every flag in its field, constraints in the order given", () => {
    expect(draftSpec(parseSpecChanges({}), "web", "nginx:alpine")).toEqual(spec());
    const changes = parseSpecChanges({
      replicas: "3",
      constraint: ["node.role==worker", "node.labels.zone==a"],
      "placement-pref": ["spread=node.labels.zone"],
      "replicas-max-per-node": "2",
      "reserve-cpu": "0.5",
      "reserve-memory": "256m",
    });
    expect(draftSpec(changes, "web", "nginx")).toEqual(
      spec({
        image: "nginx",
        replicas: 3,
        constraints: ["node.role==worker", "node.labels.zone==a"],
        preferences: ["node.labels.zone"],
        maxReplicasPerNode: 2,
        reservations: { nanoCpus: 5e8, memoryBytes: 256 * MiB },
      }),
    );
  });

  it("ok/create: a global service has no replica count", () => {
    expect(draftSpec(parseSpecChanges({ mode: "global" }), "agent", "agent:1")).toMatchObject({ mode: "global", replicas: 0 });
  });

  it.each([
    ["fail/unknown mode", { mode: "job" }, "Unknown mode: job, only replicated and global supported"],
    ["fail/replicas with global", { mode: "global", replicas: "2" }, "replicas can only be used with replicated or replicated-job mode"],
    ["fail/max per node with global", { mode: "global", "replicas-max-per-node": "1" }, "replicas-max-per-node can only be used with replicated or replicated-job mode"],
  ])("%s", (_name, values, message) => {
    expect(() => draftSpec(parseSpecChanges(values), "x", "y")).toThrow(new UsageError(message));
  });

  it("ok/update: constraints added, removed and sorted; preferences removed then added; one reservation kept", () => {
    const current = spec({
      constraints: ["node.role==worker", "node.labels.zone==a"],
      preferences: ["node.labels.zone", "node.labels.rack"],
      reservations: { nanoCpus: 1e9, memoryBytes: 512 * MiB },
    });
    const next = applySpecChanges(
      current,
      parseSpecChanges({
        "constraint-add": ["node.labels.disk==ssd"],
        "constraint-rm": ["node.labels.zone==a"],
        "placement-pref-rm": ["spread=node.labels.zone"],
        "placement-pref-add": ["spread=node.labels.dc"],
        "reserve-memory": "1g",
      }),
    );
    expect(next).toEqual({
      ...current,
      constraints: ["node.labels.disk==ssd", "node.role==worker"],
      preferences: ["node.labels.rack", "node.labels.dc"],
      reservations: { nanoCpus: 1e9, memoryBytes: GiB },
    });
    expect(current.constraints).toEqual(["node.role==worker", "node.labels.zone==a"]);
  });

  it("ok/update without flags keeps the spec as it is", () => {
    const current = spec({ constraints: ["b==1", "a==1"] });
    expect(applySpecChanges(current, parseSpecChanges({}))).toEqual(current);
  });

  it("fail/update: replicas of a global service", () => {
    expect(() => applySpecChanges(spec({ mode: "global", replicas: 0 }), parseSpecChanges({ replicas: "2" }))).toThrow(
      "replicas can only be used with replicated mode",
    );
  });

  it("ok/an unnamed service gets docker's kind of name, never boring_wozniak", () => {
    const picks = [7, 54, 0, 0];
    expect(randomServiceName((n) => picks.shift()! % n)).toBe("admiring_albattani");
    expect(randomServiceName()).toMatch(/^[a-z]+_[a-z]+$/);
  });
});

describe("output", () => {
  it.each([
    ["ok/a tagged image loses its digest", "nginx:1.25@sha256:abcd", "nginx:1.25"],
    ["ok/an untagged one keeps it", "nginx@sha256:abcd", "nginx@sha256:abcd"],
    ["ok/the default registry is left out", "docker.io/library/nginx:latest", "nginx:latest"],
    ["ok/a registry port is not a tag", "registry:5000/app", "registry:5000/app"],
  ])("%s", (_name, image, shown) => {
    expect(displayImage(image)).toBe(shown);
  });

  it.each([
    [512 * MiB, "512MiB"],
    [1.5 * GiB, "1.5GiB"],
    [4 * MiB, "4MiB"],
    [1023, "1023B"],
  ])("ok/bytesSize %d is %s", (bytes, text) => {
    expect(bytesSize(bytes)).toBe(text);
  });

  it("ok/ellipsis cuts at 30 characters with …", () => {
    expect(ellipsis("no suitable node (scheduling constraints not satisfied on 1 node)", 30)).toBe("no suitable node (scheduling …");
    expect(ellipsis("short", 30)).toBe("short");
  });

  const view = (over: Partial<ServiceView>): ServiceView => ({
    id: "abcdefghijklmnopqrstuvwxy",
    name: "web",
    version: 1,
    specVersion: 1,
    spec: spec(),
    createdAt: new Date(0),
    updatedAt: new Date(0),
    running: 0,
    desired: 1,
    pending: 1,
    ...over,
  });

  it("ok/service ls: docker's columns, natural order, 12-character IDs", () => {
    const text = formatServiceList([
      view({ id: "b".repeat(25), name: "web-10", running: 3, desired: 3 }),
      view({ id: "c".repeat(25), name: "agent", spec: spec({ mode: "global", replicas: 0, image: "docker.io/library/agent:1" }), running: 2, desired: 2 }),
      view({ id: "a".repeat(25), name: "web-2", spec: spec({ maxReplicasPerNode: 2 }), running: 1, desired: 3 }),
    ]);
    expect(text).toBe(
      [
        "ID             NAME      MODE         REPLICAS               IMAGE",
        "cccccccccccc   agent     global       2/2                    agent:1",
        "aaaaaaaaaaaa   web-2     replicated   1/3 (max 2 per node)   nginx:alpine",
        "bbbbbbbbbbbb   web-10    replicated   3/3                    nginx:alpine",
      ].join("\n"),
    );
  });

  it("ok/service ps: slots in order, history indented, errors quoted and cut unless --no-trunc, the container ID last", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    const task = (over: Partial<TaskView>): TaskView => ({
      id: "t".repeat(25),
      serviceId: "s",
      slot: 1,
      nodeId: null,
      specVersion: 1,
      desiredState: "running",
      state: "pending",
      message: null,
      err: null,
      containerId: null,
      exitCode: null,
      createdAt: new Date(now.getTime() - 60_000),
      updatedAt: new Date(now.getTime() - 5_000),
      ...over,
    });
    const service: Pick<ServiceDetail, "name" | "spec" | "tasks"> = {
      name: "web",
      spec: spec(),
      tasks: [
        task({ id: "task2pending0000000000000", slot: 2, err: "no suitable node (scheduling constraints not satisfied on 1 node)" }),
        task({ id: "task1old00000000000000000", nodeId: "node1", desiredState: "shutdown", state: "shutdown", createdAt: new Date(now.getTime() - 600_000) }),
        task({ id: "task1new00000000000000000", nodeId: "node1", state: "running", containerId: "c0ffee".repeat(10) + "abcd", updatedAt: new Date(now.getTime() - 90_000) }),
      ],
    };
    const hostnames = new Map([["node1", "worker-1"]]);
    expect(formatTaskList([service], { noTrunc: false, now, hostnames }).split("\n").map((l) => l.trimEnd())).toEqual([
      "ID             NAME        IMAGE          NODE       DESIRED STATE   CURRENT STATE                ERROR                              CONTAINER",
      "task1new0000   web.1       nginx:alpine   worker-1   Running         Running about a minute ago                                      c0ffeec0ffee",
      "task1old0000    \\_ web.1   nginx:alpine   worker-1   Shutdown        Shutdown 5 seconds ago",
      'task2pending   web.2       nginx:alpine              Running         Pending 5 seconds ago        "no suitable node (scheduling …"',
    ]);
    const full = formatTaskList([service], { noTrunc: true, now, hostnames });
    expect(full).toContain('"no suitable node (scheduling constraints not satisfied on 1 node)"');
    expect(full).toContain("task2pending0000000000000");
    expect(full).toContain(` ${"c0ffee".repeat(10)}abcd\n`);
  });

  it("ok/service ps: a global task is named after its node", () => {
    const service = {
      name: "agent",
      spec: spec({ mode: "global", replicas: 0 }),
      tasks: [
        {
          id: "x".repeat(25),
          serviceId: "s",
          slot: null,
          nodeId: "n".repeat(25),
          specVersion: 1,
          desiredState: "running",
          state: "running",
          message: null,
          err: null,
          containerId: null,
          exitCode: null,
          createdAt: new Date(0),
          updatedAt: new Date(0),
        },
      ],
    };
    expect(formatTaskList([service], { noTrunc: false, now: new Date(0), hostnames: new Map() })).toContain(`agent.${"n".repeat(25)}`);
  });

  it("ok/inspect --pretty follows docker's template", () => {
    const lines = formatServicePretty({
      id: "id1",
      name: "web",
      spec: spec({
        replicas: 3,
        constraints: ["node.role==worker", "node.labels.zone==a"],
        preferences: ["node.labels.zone"],
        maxReplicasPerNode: 2,
        reservations: { nanoCpus: 5e8, memoryBytes: 512 * MiB },
      }),
    });
    expect(lines).toEqual([
      "",
      "ID:\t\tid1",
      "Name:\t\tweb",
      "Service Mode:\tReplicated",
      " Replicas:\t3",
      "Placement:",
      " Constraints:\t[node.role==worker node.labels.zone==a]",
      " Preferences:   [spread=node.labels.zone]",
      " Max Replicas Per Node:   2",
      "ContainerSpec:",
      " Image:\t\tnginx:alpine",
      "Security:",
      " Seccomp:\t\tdefault",
      " AppArmor:\t\tdefault",
      " No New Privileges:\ttrue",
      " Privileged:\t\tfalse",
      "Resources:",
      " Reservations:",
      "  CPU:\t\t0.5",
      "  Memory:\t512MiB",
    ]);
  });
});

describe("inspect --pretty of a swarm's service", () => {
  const docker = {
    updateStatus: { state: "completed", message: "update completed", startedAt: new Date(0), completedAt: new Date(60_000) },
    dockerOnly: [],
    endpoint: { mode: "vip", ports: [{ protocol: "tcp" as const, targetPort: 80, publishedPort: 30001, publishMode: "ingress" as const }], virtualIps: [] },
    networks: [
      { id: "hostid", name: "host", aliases: [] },
      { id: "aaa", name: "backend", aliases: [] },
      { id: "bbb", name: null, aliases: [] },
    ],
    hardening: { apiVersion: "1.41", carried: false, note: "This swarm's manager speaks Engine API 1.41; …" },
    notReported: [],
  };

  it("ok/docker's UpdateStatus, networks and endpoint mode; the ports as Swarm allocated them; what the engine cannot carry", () => {
    const lines = formatServicePretty({ id: "id1", name: "web", spec: spec({ container: defaultContainerSpec({ hostNetwork: true }) }), docker }, new Date(120_000));
    expect(lines.slice(5, 10)).toEqual(["UpdateStatus:", " State:\t\tcompleted", " Started:\t2 minutes ago", " Completed:\tAbout a minute ago", " Message:\tupdate completed"]);
    expect(lines).toContain(" Engine:\t\tThis swarm's manager speaks Engine API 1.41; …");
    expect(lines.slice(-7)).toEqual(["Networks: host backend bbb", "Endpoint Mode:\tvip", "Ports:", " PublishedPort = 30001", "  Protocol = tcp", "  TargetPort = 80", "  PublishMode = ingress"]);
  });
});

/** A stand-in for the tRPC client: only the procedures a test gives. */
function fakeClient(service: Record<string, unknown>): AdminClient {
  return { service } as unknown as AdminClient;
}

function serverError(message: string, code = "BAD_REQUEST"): TRPCClientError<never> {
  return new TRPCClientError(message, { result: { error: { message, code: -32600, data: { code, httpStatus: 400 } } } as never });
}

describe("commands against a stand-in client", () => {
  it("ok/create sends the spec and prints the ID", async () => {
    const sent: unknown[] = [];
    const client = fakeClient({ create: { mutate: async (spec: unknown) => (sent.push(spec), { id: "newid" }) } });
    const lines: string[] = [];
    expect(await serviceCreate(client, (l) => lines.push(l), ["nginx"], { name: "web", constraint: ["node.labels.zone==eu"] })).toBe(0);
    expect(lines).toEqual(["newid"]);
    expect(sent).toEqual([spec({ image: "nginx", constraints: ["node.labels.zone==eu"] })]);
  });

  it("fail/create refuses a bad flag before any request", async () => {
    const client = fakeClient({});
    await expect(serviceCreate(client, () => undefined, ["nginx"], { "reserve-memory": "lots" })).rejects.toThrow(
      `invalid argument "lots" for "--reserve-memory" flag: invalid size: 'lots'`,
    );
    await expect(serviceCreate(client, () => undefined, [], {})).rejects.toThrow('"rampart service create" requires at least 1 argument: IMAGE [COMMAND] [ARG...]');
  });

  it("ok/update writes at the version it read and prints SERVICE", async () => {
    const updates: unknown[] = [];
    const client = fakeClient({
      get: { query: async () => ({ id: "sid", name: "web", version: 7, spec: spec() }) },
      update: { mutate: async (input: unknown) => (updates.push(input), {}) },
    });
    const lines: string[] = [];
    await serviceUpdate(client, (l) => lines.push(l), ["web"], { replicas: "4" });
    expect(updates).toEqual([{ ref: "sid", version: 7, spec: spec({ replicas: 4 }) }]);
    expect(lines).toEqual(["web"]);
  });

  it("ok/overlay networks: create names them; update sends the service's own less --network-rm, plus --network-add; none named sends none", async () => {
    const sent: unknown[] = [];
    const client = fakeClient({
      create: { mutate: async (input: unknown) => (sent.push(input), { id: "newid" }) },
      get: { query: async () => ({ id: "sid", name: "web", version: 7, spec: spec(), docker: { networks: [{ id: "hostid", name: "host" }, { id: "aaa", name: "backend" }, { id: "bbb", name: "db" }] } }) },
      update: { mutate: async (input: unknown) => (sent.push(input), {}) },
    });
    await serviceCreate(client, () => undefined, ["nginx"], { name: "web", network: ["backend", "host"] });
    await serviceUpdate(client, () => undefined, ["web"], { "network-rm": ["db"], "network-add": ["front"] });
    await serviceUpdate(client, () => undefined, ["web"], { replicas: "2" });
    expect(sent).toEqual([
      { ...spec({ image: "nginx", container: defaultContainerSpec({ hostNetwork: true }) }), networks: ["backend"] },
      { ref: "sid", version: 7, spec: { ...spec(), networks: ["aaa", "front"] } },
      { ref: "sid", version: 7, spec: spec({ replicas: 2 }) },
    ]);
  });

  it("ok/scale goes on past a failure and reports each one as docker does", async () => {
    const services: Record<string, ServiceSpec> = { web: spec(), agent: spec({ mode: "global", replicas: 0 }) };
    const scaled: unknown[] = [];
    const client = fakeClient({
      get: {
        query: async ({ ref }: { ref: string }) => {
          const s = services[ref];
          if (!s) throw serverError(`service ${ref} not found`, "NOT_FOUND");
          return { id: `${ref}-id`, spec: s };
        },
      },
      scale: { mutate: async (input: unknown) => (scaled.push(input), {}) },
    });
    const lines: string[] = [];
    await expect(serviceScale(client, (l) => lines.push(l), ["agent=2", "web=3", "nope=1", "web=x"])).rejects.toThrow(
      [
        "agent: scale can only be used with replicated or replicated-job mode",
        "nope: service nope not found",
        'web: invalid replicas value x: strconv.ParseUint: parsing "x": invalid syntax',
      ].join("\n"),
    );
    expect(lines).toEqual(["web scaled to 3"]);
    expect(scaled).toEqual([{ ref: "web-id", replicas: 3 }]);
  });

  it("fail/scale checks every specifier before it changes anything", async () => {
    await expect(serviceScale(fakeClient({}), () => undefined, ["web=1", "web"])).rejects.toThrow(new UsageError("invalid scale specifier 'web'"));
  });

  it("fail/rm stops when the server cannot be reached, instead of reporting it per service", async () => {
    const unreachable = new TRPCClientError("fetch failed");
    const client = fakeClient({ remove: { mutate: async () => Promise.reject(unreachable) } });
    await expect(serviceRm(client, () => undefined, ["a", "b"])).rejects.toBe(unreachable);
  });

  it("ok/rm prints each removed service and reports the rest", async () => {
    const client = fakeClient({
      remove: { mutate: async ({ ref }: { ref: string }) => (ref === "b" ? Promise.reject(serverError("service b not found")) : { id: ref }) },
    });
    const lines: string[] = [];
    await expect(serviceRm(client, (l) => lines.push(l), ["a", "b", "c"])).rejects.toThrow("service b not found");
    expect(lines).toEqual(["a", "c"]);
  });
});
