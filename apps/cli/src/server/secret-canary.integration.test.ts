import { appRouter } from "@rampart/api";
import { countCanary, newCanary, testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeThisMachine, memoryStore, NodeAgent } from "../agent/agent.js";
import { memorySecretStore, type SecretStore } from "../agent/secrets.js";
import { mutate, query, sessionCookieFrom, startTestServer, type TestServer } from "../test-support/server.js";
import { waitFor } from "../test-support/wait.js";

const system = { type: "system" as const, id: null, name: "test" };
const b64 = (text: string) => Buffer.from(text).toString("base64");

/**
 * A secret's whole life through the real server, over HTTP as the browser calls it and
 * over mTLS as agents do, with the server logging at debug level: create, grant,
 * delivery to two real agents, relabel, rotation and removal, and every query procedure
 * of the API asked with every kind of input. Afterwards no log line and no API response
 * holds either value, in any encoding. The agents do hold them (the one path meant to
 * reveal a value), which shows the values were really there to leak.
 */
describe.each(testStoreKinds())("secret values in logs and API responses on %s", (kind) => {
  let s: TestServer;
  let cookie = "";
  const agents: NodeAgent[] = [];
  /** Per agent, every value it was delivered. */
  const delivered: string[][] = [];
  const responses: string[] = [];

  beforeAll(async () => {
    s = await startTestServer(kind, { nodeListen: "127.0.0.1:0" });
    const base = s.server.url;
    await mutate(base, "auth.setup", { code: s.setupCode, username: "admin", password: "correct horse battery" });
    cookie = sessionCookieFrom(await mutate(base, "auth.login", { username: "admin", password: "correct horse battery" }));
    const token = await s.server.runtime.manager.cluster.revealToken("worker", system, null);
    for (const hostname of ["canary-a", "canary-b"]) {
      const memory = memorySecretStore();
      const values: string[] = [];
      const secrets: SecretStore = {
        ...memory,
        write: async (taskId, ref, data) => {
          values.push(Buffer.from(data).toString());
          await memory.write(taskId, ref, data);
        },
      };
      const agent = new NodeAgent({ address: s.server.nodeAddress, token, description: describeThisMachine("test", hostname, {}), store: memoryStore(), secrets });
      await agent.join();
      agent.start();
      agents.push(agent);
      delivered.push(values);
    }
  });
  afterAll(async () => {
    for (const agent of agents) await agent.shutdown();
    await s?.dispose();
  });


  /** A call through the real HTTP handler; the body is kept for the search. */
  async function call(kindOf: "query" | "mutation", path: string, input: unknown): Promise<{ status: number; json: unknown }> {
    const response =
      kindOf === "mutation"
        ? await mutate(s.server.url, path, input, cookie)
        : await query(s.server.url, input === undefined ? path : `${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, cookie);
    const text = await response.text();
    responses.push(text);
    expect(response.status, `${path}: ${text.slice(0, 200)}`).toBeLessThan(500);
    return { status: response.status, json: JSON.parse(text) };
  }
  const ok = async (kindOf: "query" | "mutation", path: string, input: unknown) => {
    const { status, json } = await call(kindOf, path, input);
    expect(status, `${path}: ${JSON.stringify(json).slice(0, 200)}`).toBe(200);
    return (json as { result: { data: { json: Record<string, unknown> } } }).result.data.json;
  };

  /** Whether every agent was delivered `value`. */
  const held = (value: string) => delivered.every((values) => values.includes(value));

  it("ok/no log line at debug level and no response of any procedure holds a value", async () => {
    const first = newCanary("secret");
    const second = newCanary("rotated");
    const secret = await ok("mutation", "secret.create", { name: "canary_secret", data: b64(first), labels: { kind: "canary" } });
    const service = await ok("mutation", "service.create", {
      name: "canary-svc",
      image: "nginx",
      replicas: 2,
      maxReplicasPerNode: 1,
      // Not the server's own node, which runs no agent here.
      constraints: ["node.role == worker"],
      secrets: [{ secretId: secret.id, secretName: "canary_secret", mode: 0o400 }],
    });
    await waitFor(() => held(first), "both agents to hold the first value");
    await ok("mutation", "secret.update", { ref: secret.id, version: 1, labels: { kind: "still-canary" } });
    // A payload sent with an update is refused unread, whatever it holds, and never echoed.
    await call("mutation", "secret.update", { ref: secret.id, version: 2, labels: { kind: "again" }, data: b64(first) });
    await call("mutation", "secret.update", { ref: secret.id, version: 2, labels: {}, data: b64(second) });
    const rotation = (await ok("mutation", "secret.rotate", { ref: secret.id, data: b64(second) })) as { to: { id: string } };
    await waitFor(() => held(second), "both agents to hold the rotated value");

    // Every query procedure of the whole API, with every kind of input it may take.
    const inputs = [
      undefined,
      {},
      { ref: secret.id },
      { ref: rotation.to.id },
      { ref: "canary_secret" },
      { ref: service.id },
      { from: secret.id, to: rotation.to.id },
      { targetId: secret.id, limit: 200 },
      { limit: 200 },
      { search: "canary" },
    ];
    const queries = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
      .filter(([, p]) => p._def.type === "query")
      .map(([path]) => path);
    let answered = 0;
    for (const path of queries) {
      for (const input of inputs) if ((await call("query", path, input)).status === 200) answered++;
    }
    expect(answered).toBeGreaterThan(queries.length);

    await ok("mutation", "service.remove", { ref: service.id });
    await ok("mutation", "secret.remove", { ref: secret.id });
    await ok("mutation", "secret.remove", { ref: rotation.to.id });

    const logs = s.logs.join("");
    const lines = s.logs.length;
    // Controls: debug lines were written, the secret's name and ID are in the responses,
    // and the node endpoint's secret route was called (so a leak there would show).
    expect(logs).toContain('"level":20');
    expect(logs).toContain(`/v1/secrets/${secret.id}`);
    const haystack = Buffer.from(responses.join("\n"));
    expect(haystack.includes("canary_secret")).toBe(true);

    let logHits = 0;
    let responseHits = 0;
    for (const value of [first, second]) {
      for (const [form, n] of countCanary(Buffer.from(logs), value)) {
        logHits += n;
        expect(n, `a log line holds a value as ${form}`).toBe(0);
      }
      for (const [form, n] of countCanary(haystack, value)) {
        responseHits += n;
        expect(n, `an API response holds a value as ${form}`).toBe(0);
      }
    }
    console.log(`secrets.canary.${kind}.debugLogHits: ${logHits} (${lines} lines at debug level searched)`);
    console.log(`secrets.canary.${kind}.responseHits: ${responseHits} (${responses.length} responses of ${queries.length} query procedures and the mutations searched)`);
  });
});
