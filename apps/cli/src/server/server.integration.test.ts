import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import { join } from "node:path";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../client/index.js";
import { statusCommand } from "../commands/status.js";
import { mutate, query, sessionCookieFrom, startTestServer, type TestServer } from "../test-support/server.js";
import { startServer } from "./index.js";

describe.each(testStoreKinds())("rampart server on %s", (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it("ok/healthz reports the store reachable and migrated", async () => {
    const response = await fetch(`${s.server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", store: { kind, reachable: true, migrated: true } });
  });

  it("ok/pages carry a nonce CSP and the security headers", async () => {
    const response = await fetch(`${s.server.url}/setup`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const html = await response.text();
    expect(html).toContain(`nonce="${nonce}"`);
    // Every script tag has the nonce.
    const scripts = html.match(/<script[^>]*>/g)!;
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const again = await fetch(`${s.server.url}/setup`);
    expect(again.headers.get("content-security-policy")).not.toBe(csp);
  });

  it.each(["evil.example:PORT", "[::1]evil.example:PORT", "[::1]evil.example"])("fail/a request naming host %s is turned away (DNS rebinding)", async (hostHeader) => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(s.server.url);
      const req = request({ host: url.hostname, port: url.port, path: "/api/trpc/auth.setupStatus", headers: { host: hostHeader.replace("PORT", url.port) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(421);
    expect((await fetch(`${s.server.url.replace("127.0.0.1", "localhost")}/healthz`)).status).toBe(200);
  });

  it("ok/the admin socket is mode 0600 and answers status as the local administrator", async () => {
    expect(statSync(s.server.socketPath).mode & 0o777).toBe(0o600);
    const lines: string[] = [];
    const code = await statusCommand(createAdminClient({ socketPath: s.server.socketPath }), (l) => lines.push(l));
    expect(code).toBe(0);
    expect(lines.join("\n")).toMatch(/Store: +(PGlite|PostgreSQL)/);
    expect(lines.join("\n")).toContain("Health:  healthy");
  });

  it("ok/setup, login, an authenticated call and logout work over HTTP", async () => {
    const base = s.server.url;
    expect(s.setupCode).toMatch(/^[0-9A-Z]{4}-/);
    expect((await mutate(base, "auth.setup", { code: s.setupCode, username: "admin", password: "correct horse battery" })).status).toBe(200);
    const login = await mutate(base, "auth.login", { username: "admin", password: "correct horse battery" });
    expect(login.status).toBe(200);
    const cookie = sessionCookieFrom(login);
    expect((await query(base, "system.status", cookie)).status).toBe(200);
    expect((await mutate(base, "auth.logout", null, cookie)).status).toBe(200);
    expect((await query(base, "system.status", cookie)).status).toBe(401);
    const second = await mutate(base, "auth.setup", { code: s.setupCode, username: "mallory", password: "correct horse battery" });
    expect(second.status).toBe(412);
  });

  it("ok/no secret reached the server log", () => {
    const logs = s.logs.join("");
    expect(logs).not.toContain("correct horse battery");
    expect(logs).not.toContain(s.setupCode!);
  });

  // PGlite's store locks the data directory, so the store refuses first; a PostgreSQL
  // store keeps no files there, and the admin socket, already answering, refuses instead.
  const refusal = {
    pglite: { by: "the store's lock", message: () => `the data directory is in use by another Rampart process (pid ${process.pid}); stop it first` },
    postgres: { by: "the admin socket", message: () => `another Rampart server is listening on ${s.server.socketPath}` },
  }[kind];
  it(`fail/a second server on the same data directory is refused by ${refusal.by}`, async () => {
    await expect(startServer({ ...s.options, announceSetupCode: () => undefined })).rejects.toThrow(refusal.message());
    expect((await fetch(`${s.server.url}/healthz`)).status).toBe(200);
  });

  it("ok/writes acknowledged before shutdown survive a restart", async () => {
    const base = s.server.url;
    const cookie = sessionCookieFrom(await mutate(base, "auth.login", { username: "admin", password: "correct horse battery" }));
    const writes = Array.from({ length: 20 }, (_, i) => mutate(base, "apiToken.create", { name: `t${i}` }, cookie));
    // Shut down once the first write is answered, while the rest are in flight.
    await Promise.race(writes);
    const closing = s.server.close();
    const results = await Promise.allSettled(writes);
    await closing;
    const acknowledged = results.filter((r) => r.status === "fulfilled" && r.value.status === 200).length;
    await s.restart();
    const count = await s.server.runtime.store.prisma.apiToken.count();
    expect(count).toBeGreaterThanOrEqual(acknowledged);
    expect(acknowledged).toBeGreaterThan(0);
  });
});

describe("rampart server over TLS", () => {
  let s: TestServer;
  let ca: Buffer;
  beforeAll(async () => {
    const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "rampart-tls-"));
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    ca = readFileSync(join(dir, "cert.pem"));
    s = await startTestServer("pglite", { tlsCert: join(dir, "cert.pem"), tlsKey: join(dir, "key.pem") });
  });
  afterAll(async () => {
    await s?.dispose();
  });

  function get(path: string): Promise<{ status: number; headers: Record<string, unknown>; protocol: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${s.server.url}${path}`, { ca }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, headers: res.headers, protocol: (res.socket as TLSSocket).getProtocol() ?? "" });
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("ok/serves HTTPS with TLS 1.2 or later, HSTS and upgrade-insecure-requests", async () => {
    expect(s.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await get("/healthz");
    expect(health.status).toBe(200);
    expect(["TLSv1.2", "TLSv1.3"]).toContain(health.protocol);
    expect(health.headers["strict-transport-security"]).toBe("max-age=31536000");
    const page = await get("/login");
    expect(page.headers["content-security-policy"]).toContain("upgrade-insecure-requests");
  });

  it("fail/TLS 1.1 is refused", async () => {
    const { connect } = await import("node:tls");
    const port = Number(new URL(s.server.url).port);
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, ca, maxVersion: "TLSv1.1", minVersion: "TLSv1" }, () => resolve("connected"));
      socket.on("error", (e) => resolve(e.message));
    });
    expect(outcome).not.toBe("connected");
  });
});
