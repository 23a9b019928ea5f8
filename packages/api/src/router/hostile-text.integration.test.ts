import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, serveApi, type Harness } from "../test-support/harness.js";

/**
 * Names with C1 controls or bidirectional formatting characters, sent to the real HTTP
 * API: each is a 400 whose message names the field and the code point (core's one
 * check, ADR 0013), and nothing is written. U+202E is what makes `gnp.exe` read
 * `exe.png`; U+009B is a terminal's CSI.
 */
const RLO = "\u202e";
const CSI = "\u009b";

interface Reply {
  result?: { data: { json: { version: number; id: string } } };
  error?: { json: { message: string; data: { field?: string; httpStatus: number } } };
}

describe.each(testStoreKinds())("hostile text through the API on %s", (kind) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof serveApi>>;
  let cookie: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    const admin = await h.setupAdmin();
    cookie = `__Host-rampart_session=${await h.login(admin.username, admin.password)}`;
    api = await serveApi(h);
    await h.joinWorkers(["hostile-1"]);
  });
  afterAll(async () => {
    await api.close();
    await h.dispose();
  });

  async function call(path: string, input: unknown): Promise<{ status: number; body: Reply }> {
    const response = await fetch(`${api.base}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://${api.host}`, cookie },
      body: JSON.stringify({ json: input }),
    });
    return { status: response.status, body: (await response.json()) as Reply };
  }

  const db = () => h.t.store.prisma;
  const counts = async () => ({ services: await db().service.count(), secrets: await db().secret.count(), tokens: await db().apiToken.count() });
  const service = (overrides: Record<string, unknown> = {}) => ({ name: "web", image: "nginx:alpine", replicas: 0, ...overrides });
  const b64 = (text: string) => Buffer.from(text).toString("base64");

  it.each<[string, string, () => unknown, string, string]>([
    ["a service name", "service.create", () => service({ name: `web${RLO}` }), "name", "name contains U+202E (a bidirectional override)"],
    ["a service image", "service.create", () => service({ image: `nginx${CSI}31m` }), "image", "image contains U+009B (a C1 control character)"],
    ["a constraint", "service.create", () => service({ constraints: ["node.role == worker", `node.labels.zone == gnp${RLO}exe`] }), "constraints[1]", "constraint contains U+202E (a bidirectional override)"],
    ["a secret name", "secret.create", () => ({ name: `db${RLO}pw`, data: b64("x") }), "name", "secret name contains U+202E (a bidirectional override)"],
    ["a secret label key", "secret.create", () => ({ name: "db_pw", data: b64("x"), labels: { [`env${RLO}`]: "prod" } }), "labels", "label key contains U+202E (a bidirectional override)"],
    ["a secret label value", "secret.create", () => ({ name: "db_pw", data: b64("x"), labels: { env: `prod\u2066` } }), "labels", "label value contains U+2066 (a bidirectional isolate)"],
    ["an API token name", "apiToken.create", () => ({ name: `ci\u200e`, expiresInDays: 1 }), "name", "token name contains U+200E (a bidirectional mark)"],
  ])("fail/%s on create is a 400 naming the field and the code point, and nothing is written", async (_what, path, input, field, message) => {
    const before = await counts();
    const { status, body } = await call(path, input());
    expect(status).toBe(400);
    expect(body.error?.json).toMatchObject({ message, data: { field } });
    expect(await counts()).toEqual(before);
  });

  it("fail/updates: a service's name or constraint, a secret's labels and a node's labels are a 400 naming the field, and nothing changes", async () => {
    const created = await call("service.create", service({ name: "hostile-web" }));
    expect(created.status).toBe(200);
    const version = created.body.result!.data.json.version;
    const badConstraint = await call("service.update", { ref: "hostile-web", version, spec: service({ name: "hostile-web", constraints: [`node.labels.a == ${CSI}`] }) });
    expect(badConstraint).toMatchObject({ status: 400, body: { error: { json: { message: "constraint contains U+009B (a C1 control character)", data: { field: "constraints[0]" } } } } });

    const secret = await call("secret.create", { name: "hostile_pw", data: b64("x"), labels: { env: "prod" } });
    expect(secret.status).toBe(200);
    const relabel = await call("secret.update", { ref: "hostile_pw", version: 1, labels: { env: `prod${RLO}` } });
    expect(relabel).toMatchObject({ status: 400, body: { error: { json: { message: "label value contains U+202E (a bidirectional override)", data: { field: "labels" } } } } });

    const node = await call("node.update", { ref: "hostile-1", labelAdd: { [`zone\u061c`]: "a" } });
    expect(node).toMatchObject({ status: 400, body: { error: { json: { message: "label key contains U+061C (a bidirectional mark)", data: { field: "labels" } } } } });
    const value = await call("node.update", { ref: "hostile-1", labelAdd: { zone: `a${CSI}` } });
    expect(value).toMatchObject({ status: 400, body: { error: { json: { message: "label value contains U+009B (a C1 control character)", data: { field: "labels" } } } } });

    expect((await h.manager.services.get("hostile-web")).spec.constraints).toEqual([]);
    expect((await h.manager.secrets.get("hostile_pw")).labels).toEqual({ env: "prod" });
    const [stored] = h.manager.nodes.constraintNodes().filter((n) => n.hostname === "hostile-1");
    expect(stored!.labels).toEqual({});
  });
});
