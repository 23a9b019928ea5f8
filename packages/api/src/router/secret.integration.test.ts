import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SECRET_MESSAGES } from "@rampart/core";
import { countCanary, newCanary, testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../http/cookie.js";
import { appRouter } from "../root.js";
import { createHarness, serveApi, type Harness } from "../test-support/harness.js";
import type { Meta } from "../trpc.js";

const vectors = JSON.parse(readFileSync(fileURLToPath(new URL("../../../../reference/vectors/secrets.json", import.meta.url)), "utf8")) as {
  names: Array<{ name: string; valid: boolean; error?: string }>;
};

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString("base64");
const SIZE_ERROR = "secret data must be larger than 0 and less than 512000 bytes";

type Caller = Awaited<ReturnType<Harness["caller"]>>;

describe.each(testStoreKinds())("secrets through the API on %s", (kind) => {
  let h: Harness;
  let admin: Caller;
  const nodeIds: string[] = [];

  beforeAll(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    admin = await h.caller({ sessionToken: await h.login("admin", "correct horse battery") });
    nodeIds.push(...(await h.joinWorkers(["node-1", "node-2", "node-3"])));
  });
  afterAll(async () => {
    await h.dispose();
  });

  const db = () => h.t.store.prisma;
  const counts = async () => ({ secrets: await db().secret.count(), services: await db().service.count(), audit: await db().auditEvent.count() });
  const settle = () => h.settle();
  const ref = (s: { id: string; name: string }, target?: string) => ({ secretId: s.id, secretName: s.name, ...(target !== undefined ? { target } : {}) });
  const service = (name: string, secrets?: unknown[]) => ({ name, image: "nginx", replicas: 2, ...(secrets ? { secrets } : {}) }) as Parameters<Caller["service"]["create"]>[0];

  it("ok/create, list, get, relabel and remove: metadata only, every step audited", async () => {
    const created = await admin.secret.create({ name: "db_password", data: b64("hunter2"), labels: { env: "prod" } });
    expect(created).toEqual({
      id: created.id,
      name: "db_password",
      size: 7,
      labels: { env: "prod" },
      version: 1,
      createdAt: h.clock.now,
      updatedAt: h.clock.now,
      services: [],
      nodes: [],
    });
    expect(created.id).toMatch(/^[0-9a-z]{25}$/);
    expect((await admin.secret.list()).map((s) => s.name)).toContain("db_password");
    expect(await admin.secret.list({ search: "DB_PASS" })).toEqual([created]);
    for (const r of [created.id, created.id.slice(0, 8), "db_password"]) expect(await admin.secret.get({ ref: r })).toEqual(created);

    h.clock.advance(1000);
    const relabelled = await admin.secret.update({ ref: "db_password", version: 1, labels: { env: "staging", team: "a" } });
    expect(relabelled).toMatchObject({ version: 2, labels: { env: "staging", team: "a" }, updatedAt: h.clock.now, createdAt: created.createdAt, size: 7 });
    expect(await admin.secret.remove({ ref: created.id })).toEqual({ id: created.id, name: "db_password" });
    await expect(admin.secret.get({ ref: created.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: `secret ${created.id} not found` });

    const events = await h.manager.audit.list({ targetId: created.id, limit: 10 });
    expect(events.map((e) => [e.action, e.outcome, e.targetName, e.actorName])).toEqual([
      ["secret.remove", "success", "db_password", "admin"],
      ["secret.update", "success", "db_password", "admin"],
      ["secret.create", "success", "db_password", "admin"],
    ]);
  });

  it.each([
    ...vectors.names.filter((n) => !n.valid).map((n) => [JSON.stringify(n.name), n.name, n.error!] as const),
    ["65 characters", "a".repeat(65), vectors.names.find((n) => n.name === ".")!.error!] as const,
  ])("fail/the name %s is a 400 with Swarm's words, and nothing is written", async (_label, name, message) => {
    const before = await counts();
    await expect(admin.secret.create({ name, data: b64("x") })).rejects.toMatchObject({ code: "BAD_REQUEST", message });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["empty", 0],
    ["512000 bytes", 512_000],
    ["600000 bytes", 600_000],
  ])("fail/a payload of %s is a 400 with Swarm's words, and nothing is written", async (_label, size) => {
    const before = await counts();
    await expect(admin.secret.create({ name: `size-${size}`, data: b64(new Uint8Array(size)) })).rejects.toMatchObject({ code: "BAD_REQUEST", message: SIZE_ERROR });
    expect(await counts()).toEqual(before);
  });

  it("ok/511999 bytes and one byte are both accepted, and the payload opens intact", async () => {
    const big = new Uint8Array(511_999).map((_, i) => i % 251);
    const created = await admin.secret.create({ name: "largest", data: b64(big) });
    expect(created.size).toBe(511_999);
    const opened = await h.manager.secrets.openPayload(created.id);
    expect(Buffer.compare(opened, Buffer.from(big))).toBe(0);
    expect((await admin.secret.create({ name: "smallest", data: b64("\u0000") })).size).toBe(1);
  });

  it.each([
    ["not base64", "not base64!"],
    ["URL alphabet", "-_8="],
    ["missing padding", "aGk"],
  ])("fail/a payload in %s is a 400 naming the field", async (_label, data) => {
    const before = await counts();
    await expect(admin.secret.create({ name: "bad-b64", data })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("must be base64") });
    expect(await counts()).toEqual(before);
  });

  it("fail/a duplicate name is a 409 with Swarm's words, and nothing is written", async () => {
    await admin.secret.create({ name: "dup", data: b64("1") });
    const before = await counts();
    await expect(admin.secret.create({ name: "dup", data: b64("2") })).rejects.toMatchObject({ code: "CONFLICT", message: "secret dup already exists" });
    expect(await counts()).toEqual(before);
  });

  it("fail/only labels change: a new name, or any data at all, is refused; an unchanged name and a stale version are told apart", async () => {
    const s = await admin.secret.create({ name: "immutable", data: b64("v1"), labels: { a: "1" } });
    const before = await counts();
    await expect(admin.secret.update({ ref: s.id, version: 1, labels: { a: "2" }, name: "renamed" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "only updates to Labels are allowed",
    });
    // The payload is never compared: the right one, a wrong one and one that is not even base64 get one answer.
    for (const data of [b64("v1"), b64("v2"), b64("v1 "), "not base64!", null]) {
      await expect(admin.secret.update({ ref: s.id, version: 1, labels: { a: "2" }, data: data as never })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining(SECRET_MESSAGES.dataInUpdate),
      });
    }
    expect(await counts()).toEqual(before);
    expect((await admin.secret.get({ ref: s.id })).labels).toEqual({ a: "1" });
    const ok = await admin.secret.update({ ref: s.id, version: 1, labels: { a: "2" }, name: "immutable" });
    expect(ok).toMatchObject({ version: 2, labels: { a: "2" } });
    await expect(admin.secret.update({ ref: s.id, version: 1, labels: {} })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(admin.secret.update({ ref: s.id, version: 2, labels: { "bad key": "x" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("fail/bad references in a service spec get Swarm's words as 400s, and nothing is written", async () => {
    const a = await admin.secret.create({ name: "ref-a", data: b64("a") });
    const b = await admin.secret.create({ name: "ref-b", data: b64("b") });
    const cases: Array<[unknown[], string]> = [
      [[{ secretId: "404", secretName: "404", target: "secret.txt" }], "secret not found: 404"],
      [[{ secretId: a.id, secretName: "ref-b" }], "secret not found: ref-b"],
      [[{ secretId: "x", secretName: "x" }, ref(a), { secretId: "y", secretName: "y" }], "secrets not found: x, y"],
      [[ref(a, "same.txt"), ref(b, "same.txt")], "secret references 'ref-a' and 'ref-b' have a conflicting target: 'same.txt'"],
      [[ref(a), ref(b, "ref-a")], "secret references 'ref-a' and 'ref-b' have a conflicting target: 'ref-a'"],
      [[{ secretId: "", secretName: "", target: "" }], "malformed secret reference"],
      [[{ secretId: a.id, secretName: "" }], "malformed secret reference"],
      [[ref(a, "")], "malformed file secret reference, invalid target file name provided"],
      [[{ ...ref(a), uid: "root" }], "invalid uid 'root' for secret 'ref-a': must be a decimal number"],
      [[{ ...ref(a), mode: 0o4755 }], "invalid mode for secret 'ref-a': use permission bits from 0 to 0777"],
      [[ref(a), ref(b, "../escape.txt")], "secret target '../escape.txt' leaves /run/secrets: '..' is not allowed in a target"],
      [[ref(a, "sub/../../x")], "secret target 'sub/../../x' leaves /run/secrets: '..' is not allowed in a target"],
      [[ref(a, "/etc/cron.d/x")], "secret target '/etc/cron.d/x' is an absolute path: give a file name, which tasks read under /run/secrets"],
    ];
    const before = await counts();
    for (const [secrets, message] of cases) {
      await expect(admin.service.create(service("refs", secrets))).rejects.toMatchObject({ code: "BAD_REQUEST", message });
    }
    expect(await counts()).toEqual(before);
    // The node would refuse an escaping target too, but only once a task reached it; the API names the reference at fault.
    await expect(admin.service.create(service("refs", [ref(a), ref(b, "../escape.txt")]))).rejects.toMatchObject({ cause: { field: "secrets[1].target" } });

    const created = await admin.service.create(service("refs-ok", [ref(a), ref(a, "again.txt")]));
    const afterCreate = await counts();
    for (const [secrets, message] of cases) {
      await expect(admin.service.update({ ref: created.id, version: created.version, spec: service("refs-ok", secrets) })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message,
      });
    }
    expect(await counts()).toEqual(afterCreate);
    expect((await admin.service.get({ ref: created.id })).spec.secrets).toEqual([
      { secretId: a.id, secretName: "ref-a", target: "ref-a", uid: "0", gid: "0", mode: 0o444 },
      { secretId: a.id, secretName: "ref-a", target: "again.txt", uid: "0", gid: "0", mode: 0o444 },
    ]);
  });

  it("ok/grants and revokes are audited with the service as context; leaving `secrets` out of an update keeps them", async () => {
    const a = await admin.secret.create({ name: "grant-a", data: b64("a") });
    const b = await admin.secret.create({ name: "grant-b", data: b64("b") });
    const grantEvents = async () =>
      (await admin.audit.list({ search: "grant-", limit: 50 })).events
        .filter((e) => e.action === "secret.grant" || e.action === "secret.revoke")
        .map((e) => [e.action, e.targetName, e.contextType, e.contextName])
        .reverse();

    const web = await admin.service.create(service("grant-web", [{ ...ref(a, "a.txt"), uid: "1000", gid: "1000", mode: 0o400 }]));
    expect(await grantEvents()).toEqual([["secret.grant", "grant-a", "service", "grant-web"]]);
    const [event] = (await admin.audit.list({ action: "secret.grant", targetId: a.id, limit: 1 })).events;
    expect(event).toMatchObject({ targetType: "secret", targetId: a.id, contextId: web.id, actorName: "admin", outcome: "success" });

    // An update that does not mention secrets (an older form, the planner) keeps them.
    const scaled = await admin.service.update({ ref: web.id, version: web.version, spec: { name: "grant-web", image: "nginx", replicas: 3 } });
    expect((await admin.service.get({ ref: web.id })).spec.secrets).toEqual([
      { secretId: a.id, secretName: "grant-a", target: "a.txt", uid: "1000", gid: "1000", mode: 0o400 },
    ]);
    expect(await grantEvents()).toHaveLength(1);

    // Rotation's shape: b under the same target, a gone.
    const moved = await admin.service.update({ ref: web.id, version: scaled.version, spec: service("grant-web", [ref(b, "a.txt")]) });
    expect((await grantEvents()).slice(1)).toEqual([
      ["secret.grant", "grant-b", "service", "grant-web"],
      ["secret.revoke", "grant-a", "service", "grant-web"],
    ]);
    expect((await admin.secret.get({ ref: a.id })).services).toEqual([]);
    expect((await admin.secret.get({ ref: b.id })).services).toEqual([{ id: web.id, name: "grant-web", references: [{ target: "a.txt", uid: "0", gid: "0", mode: 0o444 }] }]);

    const cleared = await admin.service.update({ ref: web.id, version: moved.version, spec: service("grant-web", []) });
    expect((await admin.service.get({ ref: web.id })).spec.secrets).toBeUndefined();
    await admin.service.update({ ref: web.id, version: cleared.version, spec: service("grant-web", [ref(a)]) });
    await admin.service.remove({ ref: web.id });
    expect((await grantEvents()).slice(3)).toEqual([
      ["secret.revoke", "grant-b", "service", "grant-web"],
      ["secret.grant", "grant-a", "service", "grant-web"],
      ["secret.revoke", "grant-a", "service", "grant-web"],
    ]);
  });

  it("ok/inspect shows the services that reference a secret and the nodes that hold it now", async () => {
    const s = await admin.secret.create({ name: "where", data: b64("w") });
    expect((await admin.secret.get({ ref: s.id })).nodes).toEqual([]);
    const svc = await admin.service.create({ name: "where-svc", image: "nginx", replicas: 2, maxReplicasPerNode: 1, secrets: [ref(s)] });
    await settle();
    const tasks = (await admin.service.get({ ref: svc.id })).tasks.filter((t) => t.state === "assigned");
    expect(tasks).toHaveLength(2);
    const view = await admin.secret.get({ ref: s.id });
    expect(view.services.map((u) => u.name)).toEqual(["where-svc"]);
    expect(view.nodes.map((n) => n.nodeId).sort()).toEqual(tasks.map((t) => t.nodeId!).sort());
    expect(view.nodes.every((n) => n.tasks === 1 && n.hostname !== null)).toBe(true);
    expect((await admin.secret.list({ search: "where" }))[0]!.nodes).toEqual(view.nodes);
    expect(await h.manager.secrets.nodesHolding(s.id)).toEqual(view.nodes);
    expect(await h.manager.secrets.servicesUsing(s.id)).toEqual(view.services);

    await admin.service.scale({ ref: svc.id, replicas: 0 });
    await settle();
    // Tasks told to shut down hold the secret until they leave RUNNING; Rampart's tasks here never ran.
    const live = (await admin.service.get({ ref: svc.id })).tasks.filter((t) => ["assigned", "accepted", "preparing", "ready", "starting", "running"].includes(t.state));
    expect((await admin.secret.get({ ref: s.id })).nodes.reduce((n, x) => n + x.tasks, 0)).toBe(live.length);
  });

  it("fail/a secret in use is not removed, with Swarm's words (one service, then two)", async () => {
    const s = await admin.secret.create({ name: "in-use", data: b64("u") });
    await admin.service.create(service("users-b", [ref(s)]));
    const before = await counts();
    await expect(admin.secret.remove({ ref: "in-use" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "secret 'in-use' is in use by the following service: users-b",
    });
    await admin.service.create(service("users-a", [ref(s, "other")]));
    await expect(admin.secret.remove({ ref: s.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "secret 'in-use' is in use by the following services: users-a, users-b",
    });
    expect((await counts()).secrets).toBe(before.secrets);
    await admin.service.remove({ ref: "users-a" });
    await admin.service.remove({ ref: "users-b" });
    await admin.secret.remove({ ref: s.id });
    await expect(admin.service.create(service("users-c", [ref(s)]))).rejects.toMatchObject({ code: "BAD_REQUEST", message: "secret not found: in-use" });
  });

  it("ok/removing a secret and granting it at the same moment cannot leave a dangling reference", async () => {
    for (let i = 0; i < 10; i++) {
      const s = await admin.secret.create({ name: `race-${i}`, data: b64("r") });
      const [removed, granted] = await Promise.allSettled([admin.secret.remove({ ref: s.id }), admin.service.create(service(`race-${i}`, [ref(s)]))]);
      // Exactly one wins, whichever order the store serialised them in.
      expect([removed.status, granted.status].sort()).toEqual(["fulfilled", "rejected"]);
      const exists = (await db().secret.count({ where: { id: s.id } })) === 1;
      const referenced = (await h.manager.secrets.servicesUsing(s.id)).length > 0;
      expect(referenced).toBe(exists);
      if (granted.status === "fulfilled") await admin.service.remove({ ref: `race-${i}` });
    }
  });

  it("ok/no list or get procedure, and no log line, ever shows a payload", async () => {
    const canary = newCanary("secret");
    const s = await admin.secret.create({ name: "canary", data: b64(canary), labels: { kind: "canary" } });
    const svc = await admin.service.create(service("canary-svc", [ref(s)]));
    await settle();
    const responses: unknown[] = [s, svc];
    responses.push(await admin.secret.update({ ref: s.id, version: 1, labels: { kind: "still" } }));
    responses.push(await admin.secret.update({ ref: s.id, version: 2, labels: { kind: "still" }, data: b64(canary) as never }).catch((error: unknown) => String(error)));
    // Every query procedure of the whole API, with every kind of input it might take.
    const inputs = [undefined, {}, { ref: s.id }, { ref: "canary" }, { ref: svc.id }, { ref: nodeIds[0]! }, { limit: 200 }, { search: "canary" }];
    const queries = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>).filter(([, p]) => p._def.type === "query");
    expect(queries.map(([path]) => path)).toEqual(expect.arrayContaining(["secret.list", "secret.get", "service.get", "audit.list"]));
    let answered = 0;
    for (const [path] of queries) {
      const [ns, name] = path.split(".") as [string, string];
      const procedure = (admin as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[ns]![name]!;
      for (const input of inputs) {
        try {
          responses.push(await procedure(input));
          answered++;
        } catch {
          // Not an input this procedure takes.
        }
      }
    }
    expect(answered).toBeGreaterThan(queries.length);
    const haystack = Buffer.from(JSON.stringify(responses));
    expect(haystack.includes("canary-svc")).toBe(true);
    for (const [form, n] of countCanary(haystack, canary)) expect(n, `a response holds the payload as ${form}`).toBe(0);
    const logs = Buffer.from(JSON.stringify(h.log.lines));
    for (const [form, n] of countCanary(logs, canary)) expect(n, `a log line holds the payload as ${form}`).toBe(0);
    await admin.service.remove({ ref: svc.id });
    responses.push(await admin.secret.remove({ ref: s.id }));
    for (const [form, n] of countCanary(Buffer.from(JSON.stringify(responses)), canary)) expect(n, form).toBe(0);
  });

  it("ok/reads need cluster:read, writes cluster:admin, and no procedure opens a payload", () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>;
    const secret = Object.entries(procedures).filter(([path]) => path.startsWith("secret."));
    expect(Object.fromEntries(secret.map(([path, p]) => [path, p._def.meta?.permission]))).toEqual({
      "secret.list": "cluster:read",
      "secret.get": "cluster:read",
      "secret.create": "cluster:admin",
      "secret.update": "cluster:admin",
      "secret.remove": "cluster:admin",
      "secret.rotate": "cluster:admin",
      "secret.rotation": "cluster:read",
    });
  });
});

describe.each(testStoreKinds())("secret payloads over HTTP on %s", (kind) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof serveApi>>;
  let base: string;
  let host: string;
  let cookie: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    cookie = `${SESSION_COOKIE}=${await h.login("admin", "correct horse battery")}`;
    api = await serveApi(h);
    ({ base, host } = api);
  });
  afterAll(async () => {
    await api.close();
    await h.dispose();
  });

  const create = (name: string, size: number) =>
    fetch(`${base}/secret.create`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://${host}`, cookie },
      body: JSON.stringify({ json: { name, data: b64(new Uint8Array(size).fill(7)) } }),
    });

  it("ok/the largest payload fits in a request", async () => {
    const response = await create("largest", 511_999);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"size":511999');
  });

  it("fail/a payload that fits in a request but not in a secret gets Swarm's words as a 400", async () => {
    for (const size of [512_000, 700_000]) {
      const response = await create(`too-big-${size}`, size);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { json: { message: string } } }).error.json.message).toBe(SIZE_ERROR);
    }
  });

  it("fail/a payload that is not base64 is a 400 that names the field and does not echo it", async () => {
    const response = await fetch(`${base}/secret.create`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://${host}`, cookie },
      body: JSON.stringify({ json: { name: "bad", data: "hunter2-not-base64!" } }),
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { json: { message: "data: must be base64 (standard alphabet, with padding)", data: { field: "data" } } } });
    expect(text).not.toContain("hunter2");
  });

  it("fail/an update's data is no oracle: the right guess and a wrong one get byte-identical answers, and nothing is written", async () => {
    const value = "hunter2-the-real-value";
    const created = (await (await fetch(`${base}/secret.create`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://${host}`, cookie },
      body: JSON.stringify({ json: { name: "guessed", data: b64(value) } }),
    }).then((r) => r.json())) as { result: { data: { json: { id: string } } } }).result.data.json;
    const guess = async (data: string) => {
      const response = await fetch(`${base}/secret.update`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: `http://${host}`, cookie },
        body: JSON.stringify({ json: { ref: created.id, version: 1, labels: { tried: "yes" }, data: b64(data) } }),
      });
      return { status: response.status, body: await response.text() };
    };
    const audited = () => h.t.store.prisma.auditEvent.count();
    const before = await audited();
    const right = await guess(value);
    const wrong = await guess("hunter3-a-wrong-guess!");
    expect(right.status).toBe(400);
    expect(right).toEqual(wrong);
    expect(JSON.parse(right.body)).toMatchObject({ error: { json: { message: `data: ${SECRET_MESSAGES.dataInUpdate}`, data: { field: "data" } } } });
    expect(await audited()).toBe(before);
    expect((await h.manager.secrets.get(created.id)).version).toBe(1);
  });

  it("fail/a body over 1 MiB is a 413 before anything is parsed", async () => {
    const before = await h.t.store.prisma.secret.count();
    const response = await create("way-too-big", 800_000);
    expect(response.status).toBe(413);
    expect(await h.t.store.prisma.secret.count()).toBe(before);
    expect(h.log.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});

describe.each(testStoreKinds())("refused secret fetches on %s", (kind) => {
  let h: Harness;
  let nodeId: string;
  let secret: { id: string; name: string };

  beforeAll(async () => {
    h = await createHarness(kind);
    [nodeId] = (await h.joinWorkers(["filler"])) as [string];
    secret = await h.manager.secrets.create({ name: "not-yours", data: new TextEncoder().encode("v"), labels: {} }, { type: "system", id: null, name: "test" }, null);
  });
  afterAll(async () => {
    await h.dispose();
  });

  const refused = async () => h.manager.audit.list({ action: "secret.refused", limit: 500 });
  const randomId = () => Array.from(randomBytes(25), (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");

  it("fail/a node that fills the refusal table cannot switch auditing off: a real refusal after it is counted into a summary", async () => {
    const fillers = Array.from({ length: 10_000 }, randomId);
    const results = await Promise.allSettled(fillers.map((id) => h.manager.delivery.fetch(nodeId, id, "192.0.2.9")));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    const individually = (await refused()).length;
    expect(individually).toBeGreaterThan(0);
    expect(individually).toBeLessThan(200);

    // The real one: a secret that exists, which no task of the node references.
    await expect(h.manager.delivery.fetch(nodeId, secret.id, "192.0.2.9")).rejects.toMatchObject({ code: "permission_denied" });
    // Within the minute nothing is lost in memory: the summary is written when the minute is up.
    h.clock.advance(60_000);
    await h.manager.delivery.flushRefusals();
    const events = await refused();
    const summaries = events.filter((e) => e.targetId === null);
    expect(summaries).toHaveLength(1);
    const counted = Number(/^(\d+) refusals from node /.exec(summaries[0]!.reason!)![1]);
    expect(summaries[0]).toMatchObject({ actorId: nodeId, contextId: nodeId, outcome: "denied" });
    // Every refusal appears once: one by one, or in the summary's count.
    expect(events.length - 1 + counted).toBe(fillers.length + 1);
  });

  it("fail/the same secret refused again within the minute is counted, not dropped; a new minute audits it by itself again", async () => {
    const before = (await refused()).length;
    const alone = async () => (await refused()).filter((e) => e.targetId === secret.id).length;
    const aloneBefore = await alone();
    for (let i = 0; i < 3; i++) await expect(h.manager.delivery.fetch(nodeId, secret.id, null)).rejects.toMatchObject({ code: "permission_denied" });
    expect((await refused()).length).toBe(before + 1);
    h.clock.advance(60_000);
    // The next refusal closes the previous minute: its summary counts the two repeats.
    await expect(h.manager.delivery.fetch(nodeId, secret.id, null)).rejects.toMatchObject({ code: "permission_denied" });
    const events = await refused();
    expect(events.length).toBe(before + 3);
    expect(events.find((e) => e.targetId === null && e.reason?.startsWith("2 refusals from node "))).toBeDefined();
    expect(await alone()).toBe(aloneBefore + 2);
  });
});
