import { defaultServiceSpec, type SecretReference } from "@rampart/core";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import type { AdminClient } from "../client/index.js";
import {
  followRotation,
  formatRotationProgress,
  formatSecretList,
  formatSecretPretty,
  goTimeString,
  matchesSecretFilters,
  octalMode,
  parseLabels,
  parseSecretFilters,
  readSecretData,
  secretCreate,
  secretRm,
  secretRotate,
  type PayloadSource,
  type RotateOptions,
  type RotationProgress,
  type SecretView,
} from "./secret.js";
import { parseSecretFlags, resolveSecretFlags, serviceCreate, serviceUpdate, updatedSecrets, type ServiceDetail } from "./service.js";
import { UsageError } from "./cli.js";

const SIZE_ERROR = "secret data must be larger than 0 and less than 512000 bytes";
const at = new Date("2026-11-28T12:00:00.000Z");

const source = (files: Record<string, string | Uint8Array>, stdin: string | Uint8Array = ""): PayloadSource => ({
  async readFile(path) {
    const found = files[path];
    if (found === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    return new Uint8Array(Buffer.from(found));
  },
  readStdin: async () => new Uint8Array(Buffer.from(stdin)),
});

const view = (over: Partial<SecretView> = {}): SecretView => ({
  id: "abcdefghijklmnopqrstuvwxy",
  name: "db_password",
  size: 7,
  labels: {},
  version: 1,
  createdAt: at,
  updatedAt: at,
  services: [],
  nodes: [],
  ...over,
});

const progress = (over: Partial<RotationProgress> = {}): RotationProgress => ({
  from: { id: "old", name: "db_password" },
  to: { id: "new", name: "db_password_v2" },
  services: [
    { id: "s1", name: "api", updated: true },
    { id: "s2", name: "web", updated: true },
  ],
  tasksOnOld: 0,
  tasksOnNew: 3,
  nodesWithOld: [],
  done: true,
  canRemoveOld: true,
  ...over,
});

const notFound = (message: string) =>
  new TRPCClientError(message, { result: { error: { message, code: -32004, data: { code: "NOT_FOUND", httpStatus: 404 } } } } as never);

describe("readSecretData (docker's readSecretData, with Swarm's size rule before sending)", () => {
  it("ok/a file, and standard input for -", async () => {
    expect(Buffer.from(await readSecretData(source({ "/s": "hunter2" }), "/s")).toString()).toBe("hunter2");
    expect(Buffer.from(await readSecretData(source({}, "from stdin\n"), "-")).toString()).toBe("from stdin\n");
  });

  it.each([
    ["fail/no file is an empty payload", undefined, {}],
    ["fail/an empty file", "/empty", { "/empty": "" }],
    ["fail/512000 bytes", "/big", { "/big": new Uint8Array(512_000) }],
  ])("%s: Swarm's size message", async (_label, file, files) => {
    await expect(readSecretData(source(files), file)).rejects.toThrow(SIZE_ERROR);
  });

  it("ok/511999 bytes is the largest", async () => {
    expect((await readSecretData(source({ "/max": new Uint8Array(511_999) }), "/max")).length).toBe(511_999);
  });

  it("fail/a missing file, in docker's words", async () => {
    await expect(readSecretData(source({}), "/nope")).rejects.toThrow('Error reading content from "/nope": open /nope: no such file or directory');
  });
});

describe("labels and filters", () => {
  it("ok/--label k=v, and a bare key is an empty value", () => {
    expect(parseLabels(["env=prod", "team=a=b", "flag"])).toEqual({ env: "prod", team: "a=b", flag: "" });
    expect(parseLabels([])).toBeUndefined();
  });

  it("fail/a label key with a space is a flag error", () => {
    expect(() => parseLabels(["a b=c"])).toThrow(UsageError);
    expect(() => parseLabels(["a b=c"])).toThrow(/^invalid argument "a b=c" for "--label" flag: /);
  });

  it.each([
    ["ok/name is a prefix", ["name=db"], ["db_password", "db_password_v2"]],
    ["ok/keys are case-insensitive and trimmed", [" NAME = tls"], ["tls"]],
    ["ok/values of one key are alternatives", ["name=tls", "name=db_password_v2"], ["db_password_v2", "tls"]],
    ["ok/id is a prefix", ["id=bbb"], ["db_password_v2"]],
    ["ok/label=key", ["label=env"], ["db_password", "db_password_v2"]],
    ["ok/label=key=value", ["label=env=prod"], ["db_password"]],
    ["ok/different keys must all match", ["label=env", "name=db_password_v"], ["db_password_v2"]],
    ["ok/an empty filter is ignored", [""], ["db_password", "db_password_v2", "tls"]],
  ])("%s", (_label, flags, expected) => {
    const secrets = [
      view({ id: "aaa1", name: "db_password", labels: { env: "prod" } }),
      view({ id: "bbb2", name: "db_password_v2", labels: { env: "staging" } }),
      view({ id: "ccc3", name: "tls", labels: {} }),
    ];
    const filters = parseSecretFilters(flags);
    expect(secrets.filter((s) => matchesSecretFilters(s, filters)).map((s) => s.name)).toEqual(expected);
  });

  it("fail/a filter without = is a flag error; an unknown key is the daemon's error", () => {
    expect(() => parseSecretFilters(["name"])).toThrow(new UsageError('invalid argument "name" for "--filter" flag: bad format of filter (expected name=value)'));
    expect(() => parseSecretFilters(["driver=x"])).toThrow("invalid filter 'driver'");
  });
});

describe("output", () => {
  it("ok/ls: docker's columns, full IDs, natural name order, times ago", () => {
    const now = new Date(at.getTime() + 90_000);
    const text = formatSecretList(
      [view({ id: "b".repeat(25), name: "key10" }), view({ id: "a".repeat(25), name: "key9", updatedAt: new Date(at.getTime() + 89_500) })],
      now,
    );
    expect(text.split("\n")).toEqual([
      "ID                          NAME      DRIVER    CREATED              UPDATED",
      `${"a".repeat(25)}   key9                About a minute ago   Less than a second ago`,
      `${"b".repeat(25)}   key10               About a minute ago   About a minute ago`,
    ]);
  });

  it.each([
    [new Date("2026-11-28T12:00:00.000Z"), "2026-11-28 12:00:00 +0000 UTC"],
    [new Date("2026-11-28T12:00:00.120Z"), "2026-11-28 12:00:00.12 +0000 UTC"],
    [new Date("2026-01-02T03:04:05.006Z"), "2026-01-02 03:04:05.006 +0000 UTC"],
  ])("ok/Go's time String() for %s", (date, expected) => {
    expect(goTimeString(date)).toBe(expected);
  });

  it.each([
    [0o444, "0444"],
    [0o400, "0400"],
    [0, "0000"],
    [0o7, "0007"],
  ])("ok/mode %i is %s", (mode, expected) => {
    expect(octalMode(mode)).toBe(expected);
  });

  it("ok/inspect --pretty: docker's template, then size, services and nodes; never a value", () => {
    const lines = formatSecretPretty(
      view({
        labels: { team: "a", env: "", app: "web" },
        services: [{ id: "s", name: "api", references: [{ target: "db", uid: "1000", gid: "1001", mode: 0o400 }] }],
        nodes: [
          { nodeId: "n1", hostname: "node-1", tasks: 2 },
          { nodeId: "n2", hostname: null, tasks: 1 },
        ],
      }),
    );
    expect(lines).toEqual([
      "ID:              abcdefghijklmnopqrstuvwxy",
      "Name:              db_password",
      "Labels:",
      " - app=web",
      " - env",
      " - team=a",
      "Driver:            ",
      "Created at:        2026-11-28 12:00:00 +0000 UTC",
      "Updated at:        2026-11-28 12:00:00 +0000 UTC",
      "Size:              7 bytes",
      "Services:",
      " - api: target db, uid 1000, gid 1001, mode 0400",
      "Nodes:",
      " - node-1: 2 tasks",
      " - n2: 1 task",
    ]);
    expect(formatSecretPretty(view())).not.toContain("Labels:");
  });

  it("ok/inspect --pretty on a Docker Swarm: the size is not reported, the driver is Docker's", () => {
    const lines = formatSecretPretty(view({ size: null, docker: { driver: "vault" } }));
    expect(lines).toContain("Size:              not reported by Docker");
    expect(lines).toContain("Driver:            vault");
  });

  it.each([
    [progress({ tasksOnOld: 3, tasksOnNew: 0, done: false, nodesWithOld: [{ nodeId: "n1", hostname: "node-1", tasks: 2 }, { nodeId: "n2", hostname: null, tasks: 1 }] }),
      "2/2 services moved; 3 tasks still with db_password on 2 nodes (node-1, n2); 0 tasks with db_password_v2"],
    [progress({ tasksOnOld: 1, tasksOnNew: 1, done: false, nodesWithOld: [{ nodeId: "n1", hostname: "node-1", tasks: 1 }], services: [{ id: "s", name: "a", updated: false }] }),
      "0/1 service moved; 1 task still with db_password on 1 node (node-1); 1 task with db_password_v2"],
    [progress(), "2/2 services moved; 0 tasks still with db_password; 3 tasks with db_password_v2"],
  ])("ok/a progress line: %#", (p, expected) => {
    expect(formatRotationProgress(p)).toBe(expected);
  });
});

/** A client that answers `secret.rotation` with each state in turn, and records the other calls. */
function rotationClient(states: RotationProgress[]) {
  const calls: Array<[string, unknown]> = [];
  let i = 0;
  const client = {
    secret: {
      rotate: {
        async mutate(input: unknown) {
          calls.push(["rotate", input]);
          return {
            from: view({ id: "old", name: "db_password" }),
            to: view({ id: "new", name: "db_password_v2" }),
            services: [
              { id: "s1", name: "api" },
              { id: "s2", name: "web" },
            ],
          };
        },
      },
      rotation: {
        async query(input: unknown) {
          calls.push(["rotation", input]);
          return states[Math.min(i++, states.length - 1)]!;
        },
      },
      remove: {
        async mutate(input: unknown) {
          calls.push(["remove", input]);
          return { id: "old", name: "db_password" };
        },
      },
    },
  };
  return { client: client as unknown as AdminClient, calls };
}

const options = (over: Partial<RotateOptions> = {}): RotateOptions => ({ detach: false, removeOld: false, intervalMs: 5, sleep: async () => undefined, ...over });

describe("secret rotate", () => {
  const midway = progress({ tasksOnOld: 3, tasksOnNew: 0, done: false, nodesWithOld: [{ nodeId: "n1", hostname: "node-1", tasks: 3 }] });
  const later = progress({ tasksOnOld: 1, tasksOnNew: 2, done: false, nodesWithOld: [{ nodeId: "n1", hostname: "node-1", tasks: 1 }] });

  it("ok/prints the new ID, follows the rollout a line per change, then says how to remove the old version", async () => {
    const { client, calls } = rotationClient([midway, midway, later, progress()]);
    const lines: string[] = [];
    expect(await secretRotate(client, (l) => lines.push(l), ["db_password", "/new"], source({ "/new": "s3cret" }), options())).toBe(0);
    expect(lines).toEqual([
      "new",
      "Created db_password_v2 to replace db_password; 2 services moved to it: api, web",
      formatRotationProgress(midway),
      formatRotationProgress(later),
      formatRotationProgress(progress()),
      "Rollout complete: no service references db_password and no task holds it.",
      "To remove the old version: rampart secret rm db_password",
    ]);
    expect(calls[0]).toEqual(["rotate", { ref: "db_password", data: Buffer.from("s3cret").toString("base64") }]);
    expect(calls.slice(1).every(([what, input]) => what === "rotation" && JSON.stringify(input) === '{"from":"old","to":"new"}')).toBe(true);
    expect(calls).toHaveLength(5);
    expect(lines.join("\n")).not.toContain("s3cret");
  });

  it("ok/--remove-old removes the old version once the rollout is over; --name and labels are sent", async () => {
    const { client, calls } = rotationClient([later, progress()]);
    const lines: string[] = [];
    await secretRotate(client, (l) => lines.push(l), ["db_password", "-"], source({}, "from stdin"), options({ removeOld: true, name: "db-2026", labels: { a: "b" } }));
    expect(calls[0]).toEqual(["rotate", { ref: "db_password", data: Buffer.from("from stdin").toString("base64"), name: "db-2026", labels: { a: "b" } }]);
    expect(calls.at(-1)).toEqual(["remove", { ref: "old" }]);
    expect(lines.at(-1)).toBe("Removed db_password");
  });

  it("ok/--detach does not follow", async () => {
    const { client, calls } = rotationClient([midway]);
    const lines: string[] = [];
    await secretRotate(client, (l) => lines.push(l), ["db_password", "/new"], source({ "/new": "x" }), options({ detach: true }));
    expect(calls.map(([what]) => what)).toEqual(["rotate"]);
    expect(lines.at(-1)).toBe("Once no task holds it, remove the old version with: rampart secret rm db_password");
  });

  it.each([
    [["db_password"], options(), '"rampart secret rotate" requires exactly 2 arguments: SECRET and FILE (or - for standard input)'],
    [["db_password", "/new"], options({ detach: true, removeOld: true }), "--remove-old waits for the rollout to finish, so it cannot be used with --detach"],
  ])("fail/usage: %j", async (args, opts, message) => {
    const { client, calls } = rotationClient([]);
    await expect(secretRotate(client, () => undefined, args, source({ "/new": "x" }), opts)).rejects.toThrow(new UsageError(message));
    expect(calls).toEqual([]);
  });

  it("fail/an oversized payload is refused before anything is sent", async () => {
    const { client, calls } = rotationClient([]);
    await expect(secretRotate(client, () => undefined, ["db_password", "/big"], source({ "/big": new Uint8Array(600_000) }), options())).rejects.toThrow(SIZE_ERROR);
    expect(calls).toEqual([]);
  });

  const onDocker = (phase: NonNullable<RotationProgress["docker"]>["phase"], over: Partial<RotationProgress> = {}): RotationProgress =>
    progress({ docker: { phase, why: phase === "stopped" ? "service web: update paused: task failed" : null, oldRemoved: phase === "complete", services: [] }, ...over });

  it("ok/on a Docker Swarm, following waits for Rampart to remove the old version, and does not remove it again", async () => {
    const { client, calls } = rotationClient([onDocker("rolling-out", { done: false, tasksOnOld: 1 }), onDocker("rolling-out"), onDocker("complete")]);
    const lines: string[] = [];
    await secretRotate(client, (l) => lines.push(l), ["db_password", "/new"], source({ "/new": "x" }), options({ removeOld: true }));
    expect(calls.filter(([what]) => what === "rotation")).toHaveLength(3);
    expect(calls.some(([what]) => what === "remove")).toBe(false);
    expect(lines.at(-1)).toBe("Removed db_password");
  });

  it("fail/on a Docker Swarm, a stopped rotation ends the follow with where and why", async () => {
    const { client } = rotationClient([onDocker("stopped", { done: false })]);
    await expect(followRotation(client, () => undefined, "old", "new", { intervalMs: 1, sleep: async () => undefined })).rejects.toThrow(
      "The rotation stopped: service web: update paused: task failed. db_password stays while anything uses it.",
    );
  });

  it("ok/followRotation sleeps between looks and stops when done", async () => {
    const { client } = rotationClient([midway, later, progress()]);
    const sleeps: number[] = [];
    const last = await followRotation(client, () => undefined, "old", "new", { intervalMs: 250, sleep: async (ms) => void sleeps.push(ms) });
    expect(last.done).toBe(true);
    expect(sleeps).toEqual([250, 250]);
  });
});

describe("secret create and rm", () => {
  it("ok/create sends the payload once, base64, with the labels, and prints only the ID", async () => {
    const sent: unknown[] = [];
    const client = { secret: { create: { mutate: async (input: unknown) => (sent.push(input), view({ id: "newid" })) } } } as unknown as AdminClient;
    const lines: string[] = [];
    await secretCreate(client, (l) => lines.push(l), ["db_password", "/s"], ["env=prod"], source({ "/s": "hunter2" }));
    expect(sent).toEqual([{ name: "db_password", data: Buffer.from("hunter2").toString("base64"), labels: { env: "prod" } }]);
    expect(lines).toEqual(["newid"]);
  });

  it("fail/create takes one or two arguments", async () => {
    const client = {} as AdminClient;
    await expect(secretCreate(client, () => undefined, [], undefined, source({}))).rejects.toThrow(UsageError);
    await expect(secretCreate(client, () => undefined, ["a", "b", "c"], undefined, source({}))).rejects.toThrow(
      '"rampart secret create" requires at least 1 and at most 2 arguments',
    );
  });

  it("ok/rm prints each one removed and reports the others after, in the server's words", async () => {
    const client = {
      secret: {
        remove: {
          async mutate({ ref }: { ref: string }) {
            if (ref === "used") throw notFound("secret 'used' is in use by the following service: web");
            return { id: ref, name: ref };
          },
        },
      },
    } as unknown as AdminClient;
    const lines: string[] = [];
    await expect(secretRm(client, (l) => lines.push(l), ["a", "used", "b"])).rejects.toThrow("secret 'used' is in use by the following service: web");
    expect(lines).toEqual(["a", "b"]);
  });
});

describe("--secret, --secret-add and --secret-rm on services", () => {
  const secrets: Record<string, string> = { db_password: "id-db", tls_key: "id-tls" };
  const lookup = {
    secret: {
      get: {
        async query({ ref }: { ref: string }) {
          // The server also finds secrets by ID or ID prefix; the CLI takes names only, as docker does.
          if (ref === "id-db") return view({ id: "id-db", name: "db_password" });
          const id = secrets[ref];
          if (!id) throw notFound(`secret ${ref} not found`);
          return view({ id, name: ref });
        },
      },
    },
  };

  it("ok/short and long forms, with the docker CLI's defaults", () => {
    expect(parseSecretFlags(["db_password", "source=tls_key,target=key.pem,uid=1000,gid=1001,mode=0400"], "secret")).toEqual([
      { secretName: "db_password", target: "db_password", uid: "0", gid: "0", mode: 0o444 },
      { secretName: "tls_key", target: "key.pem", uid: "1000", gid: "1001", mode: 0o400 },
    ]);
  });

  it.each([
    ["target=x", "source is required"],
    ["source=a,bogus=1", "invalid field in secret request: bogus"],
    ["source=a,mode=09", 'invalid mode specified: strconv.ParseUint: parsing "09": invalid syntax'],
    ["source=a,x", "invalid field 'x' must be a key=value pair"],
  ])("fail/--secret %s is docker's flag error", (value, reason) => {
    expect(() => parseSecretFlags([value], "secret-add")).toThrow(new UsageError(`invalid argument "${value}" for "--secret-add" flag: ${reason}`));
  });

  it("ok/names are looked up for their IDs", async () => {
    const refs = await resolveSecretFlags(lookup, parseSecretFlags(["db_password", "source=tls_key,target=t"], "secret"));
    expect(refs.map((r) => [r.secretId, r.secretName, r.target])).toEqual([
      ["id-db", "db_password", "db_password"],
      ["id-tls", "tls_key", "t"],
    ]);
  });

  it.each([
    [["nope"], "secret not found: nope"],
    [["id-db"], "secret not found: id-db"],
  ])("fail/%j: docker's 'secret not found'", async (flags, message) => {
    await expect(resolveSecretFlags(lookup, parseSecretFlags(flags, "secret"))).rejects.toThrow(message);
  });

  it("fail/two flags with one target are refused before any lookup", async () => {
    await expect(resolveSecretFlags({} as typeof lookup, parseSecretFlags(["db_password", "source=tls_key,target=db_password"], "secret"))).rejects.toThrow(
      new UsageError("duplicate secret target for tls_key not allowed"),
    );
  });

  it("ok/--secret-rm drops every target of a name, then --secret-add appends", () => {
    const ref = (name: string, target: string): SecretReference => ({ secretId: `id-${name}`, secretName: name, target, uid: "0", gid: "0", mode: 0o444 });
    const current = [ref("a", "a"), ref("b", "b1"), ref("b", "b2"), ref("c", "c")];
    expect(updatedSecrets(current, ["b", "nope"], [ref("d", "b1")])).toEqual([ref("a", "a"), ref("c", "c"), ref("d", "b1")]);
    expect(updatedSecrets(current, [], [])).toEqual(current);
  });

  it("ok/service create sends the references; update adds and removes at the version read", async () => {
    const sent: Array<[string, unknown]> = [];
    const detail = {
      id: "svc",
      version: 4,
      spec: defaultServiceSpec({
        name: "web",
        image: "nginx",
        secrets: [{ secretId: "id-db", secretName: "db_password", target: "db", uid: "0", gid: "0", mode: 0o400 }],
      }),
    } as unknown as ServiceDetail;
    const client = {
      ...lookup,
      service: {
        create: { mutate: async (input: unknown) => (sent.push(["create", input]), { id: "svc" }) },
        get: { query: async () => detail },
        update: { mutate: async (input: unknown) => (sent.push(["update", input]), detail) },
      },
    } as unknown as AdminClient;
    await serviceCreate(client, () => undefined, ["nginx"], { name: "web", secret: ["source=db_password,target=db,mode=0400"] });
    expect(sent[0]![1]).toMatchObject({ name: "web", secrets: [{ secretId: "id-db", secretName: "db_password", target: "db", uid: "0", gid: "0", mode: 0o400 }] });
    await serviceUpdate(client, () => undefined, ["web"], { "secret-rm": ["db_password"], "secret-add": ["source=tls_key,target=db"] });
    expect(sent[1]![1]).toMatchObject({
      ref: "svc",
      version: 4,
      spec: { secrets: [{ secretId: "id-tls", secretName: "tls_key", target: "db", uid: "0", gid: "0", mode: 0o444 }] },
    });
    await serviceUpdate(client, () => undefined, ["web"], { replicas: "2" });
    expect((sent[2]![1] as { spec: { secrets: unknown } }).spec.secrets).toEqual(detail.spec.secrets);
  });
});
