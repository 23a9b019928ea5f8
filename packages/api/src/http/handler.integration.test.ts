import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHarness, serveApi, type Harness } from "../test-support/harness.js";
import { MAX_JSON_DEPTH } from "@rampart/core";
import { clientIp, sameOriginProblem } from "./handler.js";

/**
 * Bad input of every kind through real HTTP: each gets a 4xx whose message names what
 * is wrong, and never a 5xx.
 */
describe.each(testStoreKinds())("API over HTTP on %s", (kind) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof serveApi>>;
  let base: string;
  let host: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    api = await serveApi(h, { maxBodyBytes: 64 * 1024 });
    ({ base, host } = api);
  });
  afterAll(async () => {
    await api.close();
    await h.dispose();
  });
  // No case may reach the server's error path (which is what a 5xx would log).
  afterEach(() => {
    expect(h.log.lines.filter((l) => l.level === "error")).toEqual([]);
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://${host}`, ...headers },
      body,
    });
  const json = (value: unknown) => JSON.stringify({ json: value });

  async function errorOf(response: Response) {
    const body = (await response.json()) as { error: { json?: { message: string; data: { field?: string } }; message?: string } };
    return body.error.json ?? { message: body.error.message!, data: {} };
  }

  it("ok/a well-formed login answers 200 and sets the cookie", async () => {
    const response = await post("auth.login", json({ username: "admin", password: "correct horse battery" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/^__Host-rampart_session=/);
  });

  it.each([
    ["malformed JSON", "{not json", "the request body is not valid JSON", undefined],
    ["a wrong type", json({ username: 42, password: "correct horse battery" }), "Username must be text", "username"],
    ["a missing field", json({ username: "admin" }), "Password is required", "password"],
    ["an unknown field", json({ username: "admin", password: "x", admin: true }), 'The field "admin" is not one this takes', "admin"],
    ["an empty body", "", "the request body is not valid JSON", undefined],
    ["a JSON array", "[1,2]", "The input must be a JSON object", undefined],
    ["null input", json(null), "The input must be a JSON object", undefined],
  ])("fail/%s is a 400 naming the problem", async (_label, body, message, field) => {
    const response = await post("auth.login", body);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.message).toBe(message);
    expect(error.data.field).toBe(field);
  });

  it("fail/a JSON parse error does not echo the body", async () => {
    const response = await post("auth.login", '{"password": "hunter2-secret-value", oops}');
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain("hunter2-secret-value");
  });

  it.each([
    ["a body of open brackets", "[".repeat(60 * 1024)],
    ["an input nested one level too deep", `{"json":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`],
    ["objects nested deeper than the limit", '{"json":'.repeat(200) + "1" + "}".repeat(200)],
  ])("fail/%s is a 400 naming the depth limit, with no engine message", async (_label, body) => {
    const response = await post("auth.login", body);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text).error.message).toBe(`the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
    expect(text).not.toMatch(/call stack|RangeError/i);
  });

  it("fail/an 800 KB body of open brackets, within the 1 MiB limit, is a 400 naming the depth limit", async () => {
    const wide = await serveApi(h);
    try {
      const response = await fetch(`${wide.base}/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: `http://${wide.host}` },
        body: "[".repeat(800 * 1024),
      });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text).error.message).toBe(`the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
      expect(text).not.toMatch(/call stack|RangeError/i);
    } finally {
      await wide.close();
    }
  });

  it.each([
    ["an unknown superjson type", { username: [["custom", "nope"]] }],
    ["a __proto__ path", { "__proto__.x": ["undefined"] }],
  ])("fail/input superjson refuses (%s) is a 400 that echoes none of its words", async (_label, values) => {
    const response = await post("auth.login", JSON.stringify({ json: { username: "a", password: "b" }, meta: { values } }));
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text).error.json.message).toBe("the request's input is not in the form the API takes");
    expect(text).not.toMatch(/deserialize|__proto__|not allowed as a property/);
  });

  it("fail/a query input nested too deep is a 400 naming the depth limit", async () => {
    const deep = "[".repeat(2000) + "]".repeat(2000);
    const response = await fetch(`${base}/auth.setupStatus?input=${encodeURIComponent(deep)}`);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toBe(`the input nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it("ok/nesting within the limit still reaches the procedure's own checks", async () => {
    const response = await post("auth.login", json({ username: [[[["admin"]]]], password: "x" }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).data.field).toBe("username");
  });

  it("fail/an oversized body is a 413", async () => {
    const response = await post("auth.login", json({ username: "admin", password: "x".repeat(70 * 1024) }));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toContain("larger than 65536 bytes");
  });

  it("fail/an oversized body sent without a length is a 413 too", async () => {
    const big = "x".repeat(70 * 1024);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(json({ username: "admin", password: big })));
        controller.close();
      },
    });
    const response = await fetch(`${base}/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://${host}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it.each([
    ["text/plain", 415],
    ["application/x-www-form-urlencoded", 415],
    ["multipart/form-data; boundary=x", 415],
  ])("fail/a mutation sent as %s is refused", async (contentType, status) => {
    const response = await post("auth.login", json({ username: "admin", password: "x" }), { "content-type": contentType });
    expect(response.status).toBe(status);
    expect((await errorOf(response)).message).toBe("mutations must be sent as application/json");
  });

  it.each([
    ["another origin", { origin: "http://evil.example" }, "cross-origin requests are not allowed"],
    ["a bad origin", { origin: "not a url" }, "the Origin header is not a valid origin"],
    ["a cross-site fetch", { origin: "", "sec-fetch-site": "cross-site" }, "cross-site requests are not allowed"],
  ])("fail/a mutation from %s is refused", async (_label, headers, message) => {
    const h2: Record<string, string> = { ...headers };
    const response = await fetch(`${base}/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(h2.origin ? { origin: h2.origin } : {}), ...(h2["sec-fetch-site"] ? { "sec-fetch-site": h2["sec-fetch-site"] } : {}) },
      body: json({ username: "admin", password: "correct horse battery" }),
    });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toBe(message);
  });

  it("fail/a cookie without an origin is refused", async () => {
    const response = await fetch(`${base}/auth.logout`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "__Host-rampart_session=abc" },
      body: json(null),
    });
    expect(response.status).toBe(403);
  });

  it("fail/unknown procedures, wrong methods and mutations by GET are 4xx", async () => {
    expect((await fetch(`${base}/nope.nothing`)).status).toBe(404);
    expect((await fetch(`${base}/auth.login`, { method: "PUT" })).status).toBe(405);
    expect((await fetch(`${base}/auth.login?input=${encodeURIComponent(json({}))}`)).status).toBe(405);
    expect((await post("auth.setupStatus", json(null))).status).toBe(405);
  });

  /** A fresh session's cookie, as the browser would send it back. */
  const signedIn = async () =>
    (await post("auth.login", json({ username: "admin", password: "correct horse battery" }))).headers.get("set-cookie")!.split(";")[0]!;
  const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify({ json: value }))}`;

  it.each<[string, string, boolean, string, string | undefined]>([
    ["malformed JSON, signed out", "system.status?input=%7Bbroken", false, "the request body is not valid JSON", undefined],
    ["malformed JSON, signed in", "system.status?input=%7Bbroken", true, "the request body is not valid JSON", undefined],
    ["a bad percent escape", "auth.setupStatus?input=%ZZ", false, "the request body is not valid JSON", undefined],
    ["a wrong type", `node.get?${input({ ref: 42 })}`, true, "Reference must be text", "ref"],
    ["a missing field", `node.get?${input({})}`, true, "Reference is required", "ref"],
    ["an unknown field", `node.get?${input({ ref: "x", extra: 1 })}`, true, 'The field "extra" is not one this takes', "extra"],
    ["null input", `node.get?${input(null)}`, true, "The input must be a JSON object", undefined],
    ["no input", "node.get", true, "The input must be a JSON object", undefined],
    ["a NUL character", `node.get?${input({ ref: "a\u0000b" })}`, true, "input.ref: must not contain NUL characters", undefined],
    ["a number out of range", `audit.list?${input({ limit: -1 })}`, true, "Limit must be at least 1", "limit"],
  ])("fail/a query with %s is exactly 400 naming the problem", async (_label, path, authenticated, message, field) => {
    const response = await fetch(`${base}/${path}`, { headers: authenticated ? { cookie: await signedIn() } : {} });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.message).toBe(message);
    expect(error.data.field).toBe(field);
  });

  it.each([
    ["malformed JSON", "%7Bbroken", "the request body is not valid JSON"],
    ["an input that is not an object", encodeURIComponent("[1,2]"), '"input" needs to be an object when doing a batch call'],
  ])("fail/a batch with %s is exactly 400, and so is each call in it", async (_label, query, message) => {
    const response = await fetch(`${base}/auth.setupStatus,auth.setupStatus?batch=1&input=${query}`);
    expect(response.status).toBe(400);
    const calls = (await response.json()) as Array<{ error: { json: { message: string; data: { httpStatus: number } } } }>;
    expect(calls.map((c) => [c.error.json.data.httpStatus, c.error.json.message])).toEqual([
      [400, message],
      [400, message],
    ]);
  });

  it.each([
    ["a NUL in a field", json({ username: "ad\u0000min", password: "x" }), "input.username: must not contain NUL characters"],
    ["a NUL in a key", json({ ["user\u0000name"]: "a", password: "x" }), "must not contain NUL characters"],
  ])("fail/%s is a 400, not a database error", async (_label, body, message) => {
    const response = await post("auth.login", body);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toContain(message);
  });

  it("fail/an oversized batch is refused", async () => {
    const paths = Array.from({ length: 17 }, () => "auth.setupStatus").join(",");
    const response = await fetch(`${base}/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`);
    expect(response.status).toBe(400);
  });

  it("ok/a small batch works", async () => {
    const response = await fetch(`${base}/auth.setupStatus,auth.setupStatus?batch=1&input=${encodeURIComponent("{}")}`);
    expect(response.status).toBe(200);
  });

  it("fail/a mutation from the same host over the other scheme is refused", async () => {
    const response = await post("auth.login", json({ username: "admin", password: "correct horse battery" }), { origin: `https://${host}` });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toBe("cross-origin requests are not allowed");
  });

  it.each<[string, boolean, boolean, Record<string, string>, string | undefined]>([
    ["ok/https origin, https server", true, false, { origin: "https://rampart.example:8443" }, undefined],
    ["fail/http origin, https server", true, false, { origin: "http://rampart.example:8443" }, "cross-origin requests are not allowed"],
    ["ok/http origin, http server", false, false, { origin: "http://rampart.example:8443" }, undefined],
    ["fail/https origin, http server", false, false, { origin: "https://rampart.example:8443" }, "cross-origin requests are not allowed"],
    ["ok/https origin behind a trusted proxy saying https", false, true, { origin: "https://rampart.example:8443", "x-forwarded-proto": "https" }, undefined],
    ["fail/http origin behind a trusted proxy saying https", false, true, { origin: "http://rampart.example:8443", "x-forwarded-proto": "http, https" }, "cross-origin requests are not allowed"],
    ["fail/X-Forwarded-Proto is ignored without trustProxy", false, false, { origin: "https://rampart.example:8443", "x-forwarded-proto": "https" }, "cross-origin requests are not allowed"],
    ["fail/another port", true, false, { origin: "https://rampart.example:9443" }, "cross-origin requests are not allowed"],
  ])("%s", (_name, tls, trustProxy, headers, problem) => {
    const req = { headers: { host: "rampart.example:8443", ...headers }, socket: { remoteAddress: "127.0.0.1" } };
    expect(sameOriginProblem(req as never, { tls, trustProxy })).toBe(problem);
  });

  it.each([
    [false, "203.0.113.5, 198.51.100.1", "127.0.0.1"],
    [true, "203.0.113.5, 198.51.100.1", "198.51.100.1"],
    [true, "", "127.0.0.1"],
  ])("ok/with trustProxy=%s and X-Forwarded-For %j the client is %s", (trust, forwarded, expected) => {
    const req = { headers: forwarded ? { "x-forwarded-for": forwarded } : {}, socket: { remoteAddress: "127.0.0.1" } };
    expect(clientIp(req as never, trust)).toBe(expected);
  });
});
