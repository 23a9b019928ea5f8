import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHarness, serveApi, type Harness } from "../test-support/harness.js";
import { clientIp } from "./handler.js";

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
    ["malformed JSON", "{not json", 400, "the request body is not valid JSON", undefined],
    ["a wrong type", json({ username: 42, password: "correct horse battery" }), 400, "username:", "username"],
    ["a missing field", json({ username: "admin" }), 400, "password:", "password"],
    ["an unknown field", json({ username: "admin", password: "x", admin: true }), 400, '"admin"', "admin"],
    ["an empty body", "", 400, "", undefined],
    ["a JSON array", "[1,2]", 400, "", undefined],
    ["null input", json(null), 400, "", undefined],
  ])("fail/%s is a 400 naming the problem", async (_label, body, status, message, field) => {
    const response = await post("auth.login", body);
    expect(response.status).toBe(status);
    const error = await errorOf(response);
    expect(error.message).toContain(message);
    expect(error.message.length).toBeGreaterThan(0);
    if (field) expect(error.data.field).toBe(field);
  });

  it("fail/a JSON parse error does not echo the body", async () => {
    const response = await post("auth.login", '{"password": "hunter2-secret-value", oops}');
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain("hunter2-secret-value");
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

  it("fail/queries with broken input are 400", async () => {
    const response = await fetch(`${base}/system.status?input=%7Bbroken`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
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

  it.each([
    [false, "203.0.113.5, 198.51.100.1", "127.0.0.1"],
    [true, "203.0.113.5, 198.51.100.1", "198.51.100.1"],
    [true, "", "127.0.0.1"],
  ])("ok/with trustProxy=%s and X-Forwarded-For %j the client is %s", (trust, forwarded, expected) => {
    const req = { headers: forwarded ? { "x-forwarded-for": forwarded } : {}, socket: { remoteAddress: "127.0.0.1" } };
    expect(clientIp(req as never, trust)).toBe(expected);
  });
});
