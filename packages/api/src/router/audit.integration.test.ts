import type { AuditEventInput } from "@rampart/core";
import { createUser } from "@rampart/db";
import { countCanary, newCanary, testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_EXPORT_MAX_ROWS, type AuditEventOutput } from "../schema/audit.schema.js";
import { SESSION_COOKIE } from "../http/cookie.js";
import { createHarness, description, serveApi, type Harness } from "../test-support/harness.js";

type Caller = Awaited<ReturnType<Harness["caller"]>>;

const b64 = (data: string) => Buffer.from(data).toString("base64");

describe.each(testStoreKinds())("audit names and export through the API on %s", (kind) => {
  let h: Harness;
  let admin: Caller;
  let nodeIds: string[];
  let session: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    session = await h.login("admin", "correct horse battery");
    admin = await h.caller({ sessionToken: session, ip: "198.51.100.7" });
    nodeIds = await h.joinWorkers(["node-a", "node-b"]);
  });
  afterAll(async () => {
    await h.dispose();
  });

  /** Every event the list shows for a filter, all pages. */
  async function listAll(c: Caller, filters: { action?: AuditEventOutput["action"]; search?: string; targetId?: string; outcome?: AuditEventOutput["outcome"] } = {}) {
    const all: AuditEventOutput[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.audit.list({ ...filters, limit: 200, ...(cursor ? { cursor } : {}) });
      all.push(...page.events);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  it("ok/node, service, secret and user targets, and user, API-token and node actors, carry their names now beside their IDs", async () => {
    const secret = await admin.secret.create({ name: "names_db_password", data: b64("x") });
    const service = await admin.service.create({ name: "names-web", image: "nginx", replicas: 1, secrets: [{ secretId: secret.id, secretName: secret.name }] });
    await admin.node.update({ ref: nodeIds[0]!, labelAdd: { zone: "a" } });
    const adminUser = (await admin.auth.me())!.user;

    const page = (await admin.audit.list({ limit: 200 })).events;
    const one = (action: string, targetId: string) => page.find((e) => e.action === action && e.targetId === targetId)!;

    const created = one("service.create", service.id);
    expect(created).toMatchObject({ targetName: "names-web", targetNow: { exists: true, name: "names-web" } });
    expect(created).toMatchObject({ actorType: "user", actorId: adminUser.id, actorName: "admin", actorNow: { exists: true, name: "admin" } });
    expect(one("secret.create", secret.id)).toMatchObject({ targetNow: { exists: true, name: "names_db_password" }, contextNow: null });
    expect(one("secret.grant", secret.id)).toMatchObject({ contextType: "service", contextId: service.id, contextNow: { exists: true, name: "names-web" } });
    expect(one("node.update", nodeIds[0]!)).toMatchObject({ targetType: "node", targetNow: { exists: true, name: "node-a" } });
    // A node renews its own certificate: the node is the actor.
    expect(page.find((e) => e.action === "node.join" && e.targetId === nodeIds[1])).toMatchObject({ targetNow: { exists: true, name: "node-b" } });
    expect(page.find((e) => e.action === "auth.login" && e.targetType === "user")).toMatchObject({ targetNow: { exists: true, name: "admin" } });
    // Objects the store keeps no rows for have nothing to look up.
    expect(page.find((e) => e.action === "cluster.init")).toMatchObject({ targetType: "cluster", targetNow: null });

    // An API token acts for its owner: the actor shows the owner's username, the token target its own name.
    const token = await admin.apiToken.create({ name: "names-ci" });
    const viaToken = await h.caller({ bearerToken: token.token });
    await viaToken.service.scale({ ref: service.id, replicas: 2 });
    const again = (await admin.audit.list({ limit: 200 })).events;
    expect(again.find((e) => e.action === "apitoken.create")).toMatchObject({ targetId: token.info.id, targetNow: { exists: true, name: "names-ci" } });
    expect(again.find((e) => e.actorType === "apitoken")).toMatchObject({ actorId: token.info.id, actorName: "admin", actorNow: { exists: true, name: "admin" } });
  });

  it("ok/a renamed node shows its hostname now, and the event keeps the name it recorded", async () => {
    await h.manager.nodes.updateDescription(nodeIds[1]!, description("node-b-renamed"), null);
    const join = (await listAll(admin, { action: "node.join" })).find((e) => e.targetId === nodeIds[1]);
    expect(join).toMatchObject({ targetName: "node-b", targetNow: { exists: true, name: "node-b-renamed" } });
  });

  it("ok/removed objects are marked removed, with the name the event recorded and no other", async () => {
    const secret = await admin.secret.create({ name: "gone_secret", data: b64("x") });
    const service = await admin.service.create({ name: "gone-web", image: "nginx", replicas: 1, secrets: [{ secretId: secret.id, secretName: secret.name }] });
    await admin.service.remove({ ref: service.id });
    await admin.secret.remove({ ref: secret.id });
    await h.settle();
    await admin.node.remove({ ref: nodeIds[0]!, force: true });

    const secretEvents = await listAll(admin, { targetId: secret.id });
    expect(secretEvents.map((e) => e.action)).toEqual(["secret.remove", "secret.revoke", "secret.grant", "secret.create"]);
    for (const e of secretEvents) expect(e.targetNow).toEqual({ exists: false, name: null });
    expect(secretEvents.map((e) => e.targetName)).toEqual(["gone_secret", "gone_secret", "gone_secret", "gone_secret"]);
    const grant = secretEvents.find((e) => e.action === "secret.grant")!;
    expect(grant).toMatchObject({ contextId: service.id, contextName: "gone-web", contextNow: { exists: false, name: null } });
    for (const e of await listAll(admin, { targetId: service.id })) expect(e.targetNow).toEqual({ exists: false, name: null });
    const nodeEvents = await listAll(admin, { targetId: nodeIds[0]! });
    expect(nodeEvents.length).toBeGreaterThan(1);
    for (const e of nodeEvents) expect(e).toMatchObject({ targetName: "node-a", targetNow: { exists: false, name: null } });
  });

  it("ok/the export returns every event the list shows for the same filters, all pages, newest first, and is audited", async () => {
    // More events than one list page holds, under one searchable actor name.
    const events: AuditEventInput[] = Array.from({ length: 450 }, (_, i) => ({
      actor: { type: "system", id: null, name: "export-filler" },
      action: i % 3 === 0 ? "cert.renew" : "node.update",
      target: { type: "node", id: nodeIds[1]!, name: `filler-${i}` },
      outcome: i % 5 === 0 ? "failure" : "success",
    }));
    await h.manager.audit.recordMany(events);

    for (const filters of [{ search: "export-filler" }, { search: "EXPORT-FILLER", action: "cert.renew" as const }, { search: "export-filler", outcome: "failure" as const }, { targetId: nodeIds[1]! }, {}]) {
      const listed = await listAll(admin, filters);
      const exported = await admin.audit.export({ ...filters, format: "json" });
      expect(exported.truncated).toBe(false);
      expect(exported.cap).toBe(AUDIT_EXPORT_MAX_ROWS);
      // The export of `{}` was itself audited after the list was read: compare what both saw.
      expect(exported.events.filter((e) => e.action !== "audit.export").map((e) => e.id)).toEqual(listed.filter((e) => e.action !== "audit.export").map((e) => e.id));
      expect(exported.events.find((e) => e.targetId === nodeIds[1])?.targetNow).toEqual({ exists: true, name: "node-b-renamed" });
    }
    expect((await listAll(admin, { search: "export-filler", action: "cert.renew" })).length).toBe(150);

    const exports = await listAll(admin, { action: "audit.export" });
    expect(exports).toHaveLength(5);
    expect(exports[0]).toMatchObject({ actorName: "admin", actorType: "user", outcome: "success", targetType: "audit", ip: "198.51.100.7" });
    expect(exports.at(-1)!.reason).toBe('450 rows as JSON; search "export-filler"');
    expect(exports.at(-2)!.reason).toBe('150 rows as JSON; action cert.renew, search "EXPORT-FILLER"');
    expect(exports.at(-3)!.reason).toBe('90 rows as JSON; outcome failure, search "export-filler"');
    expect(exports[0]!.reason).toMatch(/^[\d,]+ rows as JSON; no filters$/);

    await admin.audit.export({ action: "secret.rotate", format: "csv" });
    expect((await admin.audit.list({ action: "audit.export", limit: 1 })).events[0]!.reason).toBe("0 rows as CSV; action secret.rotate");
  });

  it("ok/the export stops at its stated cap, keeping the newest rows, and says so", async () => {
    const filler: AuditEventInput[] = Array.from({ length: AUDIT_EXPORT_MAX_ROWS + 5 }, (_, i) => ({
      actor: { type: "system", id: null, name: "cap-filler" },
      action: "cert.renew",
      target: { type: "node", id: null, name: `cap-${i}` },
      outcome: "success",
    }));
    await h.manager.audit.recordMany(filler);
    const exported = await admin.audit.export({ search: "cap-filler", format: "csv" });
    expect(exported.truncated).toBe(true);
    expect(exported.events).toHaveLength(AUDIT_EXPORT_MAX_ROWS);
    expect(exported.events[0]!.targetName).toBe(`cap-${AUDIT_EXPORT_MAX_ROWS + 4}`);
    expect(exported.events.at(-1)!.targetName).toBe("cap-5");
    expect((await admin.audit.list({ action: "audit.export", limit: 1 })).events[0]!.reason).toBe('10,000 rows as CSV, the newest of more that matched; search "cap-filler"');
  });

  it("fail/bad export input is a 400 naming the field, over HTTP as the browser sends it, and nothing is audited", async () => {
    const before = (await listAll(admin, { action: "audit.export" })).length;
    const api = await serveApi(h);
    try {
      const post = async (input: unknown) => {
        const response = await fetch(`${api.base}/audit.export`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: `http://${api.host}`, cookie: `${SESSION_COOKIE}=${session}` },
          body: JSON.stringify({ json: input }),
        });
        const body = (await response.json()) as { error?: { json: { message: string; data: { field?: string } } } };
        return { status: response.status, message: body.error?.json.message, field: body.error?.json.data.field };
      };
      expect(await post({ format: "xml" })).toMatchObject({ status: 400, field: "format", message: expect.stringMatching(/format/i) });
      expect(await post({ format: "csv", search: "x".repeat(129) })).toMatchObject({ status: 400, field: "search" });
      expect(await post({ format: "csv", action: "secret.steal" })).toMatchObject({ status: 400, field: "action" });
      expect(await post({ format: "csv", limit: 5 })).toMatchObject({ status: 400, field: "limit" });
      expect(await post({ search: "x" })).toMatchObject({ status: 400, field: "format" });
      // The control: the same request, well formed, answers 200.
      expect(await post({ format: "csv", action: "secret.steal".replace("steal", "rotate") })).toMatchObject({ status: 200 });
      // A cursor that is not a number is named, not taken for a broken body.
      for (const cursor of ["abc", "1e3", "99999999999999999999"]) {
        const response = await fetch(`${api.base}/audit.list?input=${encodeURIComponent(JSON.stringify({ json: { cursor } }))}`, {
          headers: { origin: `http://${api.host}`, cookie: `${SESSION_COOKIE}=${session}` },
        });
        const body = (await response.json()) as { error?: { json: { message: string; data: { field?: string } } } };
        expect({ status: response.status, field: body.error?.json.data.field, message: body.error?.json.message }).toEqual({
          status: 400,
          field: "cursor",
          message: "cursor: cursor must be an event id",
        });
      }
    } finally {
      await api.close();
    }
    expect((await listAll(admin, { action: "audit.export" })).length).toBe(before + 1);
  });

  it("fail/a viewer may neither list nor export the log", async () => {
    const viewer = await createUser(h.t.store.prisma, { id: "audit-viewer", username: "audit-viewer", passwordHash: "x", role: "viewer" });
    const token = await h.manager.apiTokens.create(viewer, { name: "v" }, null);
    const c = await h.caller({ bearerToken: token.token });
    await expect(c.audit.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(c.audit.export({ format: "json" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("ok/names and exports never carry a secret's value or a token", async () => {
    const canary = newCanary("audit-secret");
    const secret = await admin.secret.create({ name: "audit_canary", data: b64(canary) });
    await admin.service.create({ name: "audit-canary-svc", image: "nginx", replicas: 1, secrets: [{ secretId: secret.id, secretName: secret.name }] });
    await h.settle();
    const apiToken = await admin.apiToken.create({ name: "audit-canary-token" });
    await (await h.caller({ bearerToken: apiToken.token })).system.status();
    const workerToken = await h.manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);

    const responses = [await admin.audit.list({ limit: 200 }), await admin.audit.export({ format: "json" }), await admin.audit.export({ search: "audit_canary", format: "csv" })];
    const haystack = Buffer.from(JSON.stringify(responses));
    // The control: the names are there.
    expect(haystack.includes("audit-canary-svc")).toBe(true);
    expect(haystack.includes("audit-canary-token")).toBe(true);
    for (const [form, n] of countCanary(haystack, canary)) expect(n, `a response holds the payload as ${form}`).toBe(0);
    for (const [form, n] of countCanary(haystack, apiToken.token.split("_").slice(2).join("_"))) expect(n, `a response holds the API token as ${form}`).toBe(0);
    for (const [form, n] of countCanary(haystack, workerToken)) expect(n, `a response holds the join token as ${form}`).toBe(0);
  });
});
