import { countCanary, newCanary, testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../root.js";
import { createHarness, type Harness } from "../test-support/harness.js";
import type { Meta } from "../trpc.js";

/**
 * The rotation workflow (issue 5, point 6) through the API: a new version, every
 * service moved to it under the same target, the rollout followed from the tasks until
 * none holds the old version, and the old version removed only then. Nodes are
 * simulated by reporting task states as an agent would.
 */

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString("base64");
const SIZE_ERROR = "secret data must be larger than 0 and less than 512000 bytes";
const HOLDING = ["assigned", "accepted", "preparing", "ready", "starting", "running"];

type Caller = Awaited<ReturnType<Harness["caller"]>>;

describe.each(testStoreKinds())("secret rotation on %s", (kind) => {
  let h: Harness;
  let admin: Caller;
  /** Every API answer, searched for payloads at the end. */
  const responses: unknown[] = [];
  const canaries: string[] = [];

  beforeAll(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    admin = await h.caller({ sessionToken: await h.login("admin", "correct horse battery") });
    await h.joinWorkers(["node-1", "node-2", "node-3"]);
  });
  afterAll(async () => {
    await h.dispose();
  });

  const db = () => h.t.store.prisma;
  const settle = () => h.settle();
  const keep = <T>(value: T): T => (responses.push(value), value);
  const payload = () => {
    const canary = newCanary("rotation");
    canaries.push(canary);
    return canary;
  };
  const snapshot = async () => ({
    secrets: (await db().secret.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } })).map((s) => s.name),
    services: await db().service.findMany({ select: { id: true, version: true, specVersion: true, spec: true }, orderBy: { id: "asc" } }),
    tasks: await db().task.count(),
    audit: await db().auditEvent.count(),
  });
  /** The tasks of a service, as a node sees them: ASSIGNED to RUNNING. */
  const liveTasks = async (ref: string) => (await admin.service.get({ ref })).tasks.filter((t) => HOLDING.includes(t.state));
  /** Each task's node reports it, as its agent would. */
  const report = async (tasks: ReadonlyArray<{ id: string; nodeId: string | null }>, state: "running" | "shutdown") => {
    for (const t of tasks) await h.manager.assignments.report(t.nodeId!, { taskId: t.id, state });
  };

  it("ok/two services with different targets move together; the rollout is followed until no task holds the old version", async () => {
    const old = keep(await admin.secret.create({ name: "db_password", data: b64(payload()), labels: { env: "prod" } }));
    const tls = keep(await admin.secret.create({ name: "tls_key", data: b64(payload()) }));
    const api = await admin.service.create({
      name: "api",
      image: "api:1",
      replicas: 2,
      maxReplicasPerNode: 1,
      secrets: [{ secretId: old.id, secretName: old.name, target: "db", uid: "1000", gid: "1001", mode: 0o400 }],
    });
    const web = await admin.service.create({
      name: "web",
      image: "nginx",
      replicas: 1,
      secrets: [
        { secretId: tls.id, secretName: tls.name, target: "key.pem" },
        { secretId: old.id, secretName: old.name },
      ],
    });
    await settle();
    const before = [...(await liveTasks("api")), ...(await liveTasks("web"))];
    expect(before).toHaveLength(3);
    await report(before, "running");

    // Before the rotation the old version is in use, and Swarm refuses to remove it.
    await expect(admin.secret.remove({ ref: "db_password" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "secret 'db_password' is in use by the following services: api, web",
    });

    const audited = await db().auditEvent.count();
    const rotated = keep(await admin.secret.rotate({ ref: "db_password", data: b64(payload()) }));
    expect(rotated.from).toMatchObject({ id: old.id, name: "db_password", services: [] });
    expect(rotated.to).toMatchObject({ name: "db_password_v2", labels: { env: "prod" }, version: 1 });
    expect(rotated.to.id).not.toBe(old.id);
    expect(rotated.services).toEqual([
      { id: api.id, name: "api" },
      { id: web.id, name: "web" },
    ]);
    // Same target, owner and mode as before, on the new version.
    expect(rotated.to.services).toEqual([
      { id: api.id, name: "api", references: [{ target: "db", uid: "1000", gid: "1001", mode: 0o400 }] },
      { id: web.id, name: "web", references: [{ target: "db_password", uid: "0", gid: "0", mode: 0o444 }] },
    ]);
    const to = rotated.to;
    expect((await admin.service.get({ ref: "api" })).spec.secrets).toEqual([
      { secretId: to.id, secretName: "db_password_v2", target: "db", uid: "1000", gid: "1001", mode: 0o400 },
    ]);
    expect((await admin.service.get({ ref: "web" })).spec.secrets).toEqual([
      { secretId: tls.id, secretName: "tls_key", target: "key.pem", uid: "0", gid: "0", mode: 0o444 },
      { secretId: to.id, secretName: "db_password_v2", target: "db_password", uid: "0", gid: "0", mode: 0o444 },
    ]);
    // Each move is a normal service update at the version read.
    expect((await admin.service.get({ ref: "api" })).version).toBe(api.version + 1);
    expect((await admin.service.get({ ref: "web" })).version).toBe(web.version + 1);

    // Audited: the new version's creation, one rotate event (old → new), and each service's update, grant and revoke.
    const events = (await h.manager.audit.list({ limit: 50 })).slice(0, (await db().auditEvent.count()) - audited).reverse();
    expect(events.map((e) => [e.action, e.targetName, e.contextName])).toEqual([
      ["secret.create", "db_password_v2", null],
      ["secret.rotate", "db_password", "db_password_v2"],
      ["service.update", "api", null],
      ["secret.grant", "db_password_v2", "api"],
      ["secret.revoke", "db_password", "api"],
      ["service.update", "web", null],
      ["secret.grant", "db_password_v2", "web"],
      ["secret.revoke", "db_password", "web"],
    ]);
    expect(events.every((e) => e.outcome === "success" && e.actorName === "admin")).toBe(true);
    const rotate = events[1]!;
    expect(rotate).toMatchObject({ targetType: "secret", targetId: old.id, contextType: "secret", contextId: to.id });
    expect((await h.manager.audit.list({ targetId: old.id, limit: 10 })).map((e) => e.action)).toEqual([
      "secret.revoke",
      "secret.revoke",
      "secret.rotate",
      "secret.grant",
      "secret.grant",
      "secret.create",
    ]);

    // The rollout: the old tasks still run with the old version; the new ones are placed by
    // the scheduler, which may or may not have run yet.
    const first = keep(await admin.secret.rotation({ from: "db_password", to: "db_password_v2" }));
    expect(first).toMatchObject({
      from: { id: old.id, name: "db_password" },
      to: { id: to.id, name: "db_password_v2" },
      services: [
        { id: api.id, name: "api", updated: true },
        { id: web.id, name: "web", updated: true },
      ],
      tasksOnOld: 3,
      done: false,
      canRemoveOld: true,
    });
    expect([0, 3]).toContain(first.tasksOnNew);
    expect(first.nodesWithOld.reduce((n, x) => n + x.tasks, 0)).toBe(3);
    expect(new Set(first.nodesWithOld.map((n) => n.nodeId))).toEqual(new Set(before.map((t) => t.nodeId)));
    expect(first.nodesWithOld.every((n) => typeof n.hostname === "string")).toBe(true);

    await settle();
    const after = [...(await liveTasks("api")), ...(await liveTasks("web"))].filter((t) => !before.some((b) => b.id === t.id));
    expect(after).toHaveLength(3);
    await report(after, "running");
    expect(keep(await admin.secret.rotation({ from: old.id, to: to.id }))).toMatchObject({ tasksOnOld: 3, tasksOnNew: 3, done: false });

    // Each old task its node stops counts down, until none holds the old version.
    const seen: number[] = [];
    for (const t of before) {
      await report([t], "shutdown");
      const progress = keep(await admin.secret.rotation({ from: old.id, to: to.id }));
      seen.push(progress.tasksOnOld);
      expect(progress.done).toBe(progress.tasksOnOld === 0);
    }
    expect(seen).toEqual([2, 1, 0]);
    const last = keep(await admin.secret.rotation({ from: old.id, to: to.id }));
    expect(last).toMatchObject({ tasksOnOld: 0, tasksOnNew: 3, nodesWithOld: [], done: true, canRemoveOld: true });
    expect((await admin.secret.get({ ref: old.id })).nodes).toEqual([]);
    expect((await admin.secret.get({ ref: to.id })).nodes.reduce((n, x) => n + x.tasks, 0)).toBe(3);

    // Now the old version goes, with the usual procedure.
    expect(keep(await admin.secret.remove({ ref: "db_password" }))).toEqual({ id: old.id, name: "db_password" });
    await expect(admin.secret.rotation({ from: old.id, to: to.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await admin.service.remove({ ref: "api" });
    await admin.service.remove({ ref: "web" });
  });

  it("ok/a service that gets the old version back is not done, and the old one cannot be removed", async () => {
    const old = keep(await admin.secret.create({ name: "regrant", data: b64(payload()) }));
    const svc = await admin.service.create({ name: "regrant-svc", image: "nginx", replicas: 0, secrets: [{ secretId: old.id, secretName: old.name }] });
    const rotated = keep(await admin.secret.rotate({ ref: old.id, data: b64(payload()) }));
    expect(keep(await admin.secret.rotation({ from: old.id, to: rotated.to.id }))).toMatchObject({
      services: [{ id: svc.id, name: "regrant-svc", updated: true }],
      tasksOnOld: 0,
      done: true,
      canRemoveOld: true,
    });
    const other = await admin.service.create({ name: "late", image: "nginx", replicas: 0, secrets: [{ secretId: old.id, secretName: old.name, target: "x" }] });
    expect(keep(await admin.secret.rotation({ from: old.id, to: rotated.to.id }))).toMatchObject({
      services: [
        { id: other.id, name: "late", updated: false },
        { id: svc.id, name: "regrant-svc", updated: true },
      ],
      done: false,
      canRemoveOld: false,
    });
    await expect(admin.secret.remove({ ref: old.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "secret 'regrant' is in use by the following service: late",
    });
    await admin.service.remove({ ref: "late" });
    await admin.service.remove({ ref: svc.id });
  });

  it.each([
    ["api_key", undefined, "api_key_v2"],
    ["api_key_v7", undefined, "api_key_v8"],
    ["cert_v09", undefined, "cert_v10"],
    ["plain.v2", undefined, "plain.v2_v2"],
    ["named", "named-2026-11", "named-2026-11"],
  ])("ok/%s, named %s, becomes %s; the labels are the old version's unless given", async (name, given, expected) => {
    const old = keep(await admin.secret.create({ name, data: b64(payload()), labels: { team: "core" } }));
    const rotated = keep(await admin.secret.rotate({ ref: name, data: b64(payload()), ...(given ? { name: given, labels: { team: "edge" } } : {}) }));
    expect(rotated).toMatchObject({ from: { id: old.id, name }, to: { name: expected, labels: { team: given ? "edge" : "core" } }, services: [] });
    // With no service to move, the rollout is over at once.
    expect(keep(await admin.secret.rotation({ from: name, to: expected }))).toMatchObject({ services: [], tasksOnOld: 0, done: true, canRemoveOld: true });
    await admin.secret.remove({ ref: name });
    await admin.secret.remove({ ref: expected });
  });

  describe("a rotation that fails leaves nothing behind", () => {
    let oldId: string;

    beforeAll(async () => {
      const old = keep(await admin.secret.create({ name: "stable", data: b64(payload()) }));
      oldId = old.id;
      keep(await admin.secret.create({ name: "taken", data: b64(payload()) }));
      await admin.service.create({ name: "stable-a", image: "nginx", replicas: 1, secrets: [{ secretId: old.id, secretName: old.name, target: "a" }] });
      await admin.service.create({ name: "stable-b", image: "nginx", replicas: 1, secrets: [{ secretId: old.id, secretName: old.name, target: "b" }] });
      await settle();
    });

    it.each([
      ["a new name in use", { name: "taken" }, b64("x"), "CONFLICT", "secret taken already exists"],
      ["a new name that is the old one", { name: "stable" }, b64("x"), "CONFLICT", "secret stable already exists"],
      ["an empty payload", {}, "", "BAD_REQUEST", SIZE_ERROR],
      ["a payload of 512000 bytes", {}, b64(new Uint8Array(512_000)), "BAD_REQUEST", SIZE_ERROR],
      [
        "an invalid name",
        { name: "-bad" },
        b64("x"),
        "BAD_REQUEST",
        "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
      ],
      ["a bad label", { labels: { "a b": "c" } }, b64("x"), "BAD_REQUEST", expect.stringContaining("label")],
    ])("fail/%s", async (_label, extra, data, code, message) => {
      const before = await snapshot();
      await expect(admin.secret.rotate({ ref: "stable", data, ...extra })).rejects.toMatchObject({ code, message });
      expect(await snapshot()).toEqual(before);
    });

    it("fail/an unknown secret is a 404", async () => {
      const before = await snapshot();
      await expect(admin.secret.rotate({ ref: "nope", data: b64("x") })).rejects.toMatchObject({ code: "NOT_FOUND", message: "secret nope not found" });
      expect(await snapshot()).toEqual(before);
    });

    it("fail/a service update that fails half-way undoes the new version and the services already moved", async () => {
      const before = await snapshot();
      const services = h.manager.services;
      const updateIn = services.updateIn;
      let calls = 0;
      services.updateIn = async (...args) => {
        if (++calls === 2) throw new Error("the store went away");
        return updateIn(...args);
      };
      try {
        await expect(admin.secret.rotate({ ref: "stable", data: b64(payload()) })).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
      } finally {
        services.updateIn = updateIn;
      }
      expect(calls).toBe(2);
      expect(await snapshot()).toEqual(before);
      expect((await admin.secret.get({ ref: oldId })).services.map((s) => s.name)).toEqual(["stable-a", "stable-b"]);
    });

    it("fail/a rotation from a secret to itself, or to one that does not exist, is refused", async () => {
      await expect(admin.secret.rotation({ from: "stable", to: oldId })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(admin.secret.rotation({ from: "stable", to: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "secret nope not found" });
    });
  });

  it("ok/rotate needs cluster:admin and rotation cluster:read", () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta; type: string } }>;
    expect(procedures["secret.rotate"]!._def).toMatchObject({ type: "mutation", meta: { permission: "cluster:admin" } });
    expect(procedures["secret.rotation"]!._def).toMatchObject({ type: "query", meta: { permission: "cluster:read" } });
  });

  it("ok/no answer and no log line holds a payload", () => {
    expect(canaries.length).toBeGreaterThan(10);
    expect(responses.length).toBeGreaterThan(20);
    const answers = Buffer.from(JSON.stringify(responses));
    const logs = Buffer.from(JSON.stringify(h.log.lines));
    for (const canary of canaries) {
      for (const [form, n] of countCanary(answers, canary)) expect(n, `an answer holds a payload as ${form}`).toBe(0);
      for (const [form, n] of countCanary(logs, canary)) expect(n, `a log line holds a payload as ${form}`).toBe(0);
    }
  });
});
