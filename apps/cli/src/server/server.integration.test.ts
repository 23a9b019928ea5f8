import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import { join } from "node:path";
import { postgresStoreName } from "@rampart/db";
import { createPostgresDatabase, testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../client/index.js";
import { statusCommand } from "../commands/status.js";
import { mutate, query, sessionCookieFrom, startTestServer, type TestServer } from "../test-support/server.js";
import { waitFor } from "../test-support/wait.js";
import { startServer } from "./index.js";
import { describeThisMachine, memoryStore, NodeAgent } from "../agent/agent.js";
import { tmpfsSecretStore } from "../agent/secrets.js";

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
    const setup = await mutate(base, "auth.setup", { code: s.setupCode, username: "admin", password: "correct horse battery" });
    expect(setup.status).toBe(200);
    // Setup signs the new administrator in: its cookie already works.
    expect((await query(base, "system.status", sessionCookieFrom(setup))).status).toBe(200);
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

  // The store refuses first: PGlite's lock on the data directory, or on PostgreSQL the
  // advisory lock the first server holds on the database (one server owns a store).
  const refusal = {
    pglite: { by: "the store's lock", message: () => `the data directory is in use by another Rampart process (pid ${process.pid}); stop it first` },
    postgres: { by: "the store's advisory lock", message: () => `the store ${postgresStoreName(s.databaseUrl!)} is in use by another Rampart server; stop it first` },
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

/**
 * Until manager replicas exist, one server owns a store. PGlite's directory lock is
 * checked above (a second process cannot open PGlite at all); here, two real processes
 * on one PostgreSQL database, each with a data directory of its own.
 */
describe.skipIf(!process.env.DATABASE_URL)("two rampart server processes on one PostgreSQL database (needs DATABASE_URL)", () => { // reason: on PGlite one process owns the data directory, so a second server never reaches the store lock
  const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
  const dirs: string[] = [];
  let first: ChildProcess | undefined;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let url: string;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    // With a password (trust authentication ignores it), to show it is never printed.
    const withPassword = new URL(database.url);
    withPassword.username = "postgres";
    withPassword.password = "pg-password-canary";
    url = withPassword.toString();
  });
  afterAll(async () => {
    first?.kill("SIGTERM");
    if (first && first.exitCode === null) await once(first, "exit");
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function server(dir = mkdtempSync(join(tmpdir(), "rampart-owner-"))): ChildProcess & { stderrText: () => string } {
    dirs.push(dir);
    const child = spawn(process.execPath, [MAIN, "server", "--data-dir", dir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0", "--log-level", "warn"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, DATABASE_URL: url },
    });
    let text = "";
    child.stderr!.on("data", (c: Buffer) => (text += c.toString()));
    return Object.assign(child, { stderrText: () => text });
  }

  it("fail/a second server on the same DATABASE_URL exits non-zero with one line naming the store, and the first keeps serving", async () => {
    const ownerDir = mkdtempSync(join(tmpdir(), "rampart-owner-"));
    const owner = server(ownerDir);
    first = owner;
    await waitFor(() => owner.stderrText().includes("Rampart is ready at"), "the first server to be ready", { timeoutMs: 60_000 });
    const second = server();
    const [code] = (await once(second, "exit")) as [number];
    expect(code).not.toBe(0);
    const name = postgresStoreName(database.url);
    expect(name).toMatch(/^127\.0\.0\.1:5432\/rampart_t_[0-9a-f]+$/);
    // Its first line names the data directory and the store; then the one error line.
    const [firstLine, ...rest] = second.stderrText().split("\n");
    expect(firstLine).toMatch(new RegExp(`^Rampart \\S+: data directory /\\S+, cluster store PostgreSQL ${name.replaceAll(".", "\\.")}$`));
    expect(rest.join("\n")).toBe(`Error: the store ${name} is in use by another Rampart server; stop it first\n`);
    expect(second.stderrText()).not.toContain("pg-password-canary");
    const ready = /Rampart is ready at (\S+)/.exec(owner.stderrText())![1]!;
    expect((await fetch(`${ready}/healthz`)).status).toBe(200);
    // Once the owner stops, the lock goes with it and a server may start again (with the
    // owner's directory: the key-encryption key is there).
    owner.kill("SIGTERM");
    expect(((await once(owner, "exit")) as [number])[0]).toBe(0);
    first = server(ownerDir);
    await waitFor(() => (first as ReturnType<typeof server>).stderrText().includes("Rampart is ready at"), "the next server to be ready", { timeoutMs: 60_000 });
  }, 120_000);
});

describe("shutdown while an agent is connected", () => {
  it("ok/close() finishes while a real agent keeps polling and heartbeating (it used to wait for ever)", async () => {
    const s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
    const token = await s.server.runtime.manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
    const root = mkdtempSync("/dev/shm/rampart-test-secrets-");
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", "busy-agent", {}),
      store: memoryStore(),
      secrets: tmpfsSecretStore(root),
    });
    try {
      await agent.join();
      agent.start();
      // Its connection is busy: a long poll for assignments, and heartbeats.
      await new Promise((r) => setTimeout(r, 1_000));
      // A hang is what this catches: busy kept-alive connections held the node listener open.
      const outcome = await Promise.race([s.server.close().then(() => "closed"), new Promise((r) => setTimeout(() => r("still open after 30 s"), 30_000))]);
      expect(outcome).toBe("closed");
    } finally {
      await agent.shutdown();
      await s.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
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
