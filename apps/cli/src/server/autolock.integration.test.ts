import { execFileSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { parseUnlockKey } from "@rampart/core";
import { nodeKeyPassphrase, readLockState, unwrapKek } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { SWARM_LOCKED_MESSAGE, UNLOCK_MAX_FAILURES_PER_ADDRESS } from "@rampart/manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliWith } from "../test-support/cli.js";
import { mutate, query, startTestServer, type TestServer } from "../test-support/server.js";
import { startServer } from "./index.js";

const KEY = /SWMKEY-1-[A-Za-z0-9+/]{43}/;
const LOCKED_ERROR = `Error: ${SWARM_LOCKED_MESSAGE}\n`;

/** docker's printUnlockCommand, with rampart's command. */
const unlockText = (key: string) =>
  "To unlock a swarm manager after it restarts, run the `rampart swarm unlock`\n" +
  `command and provide the following key:\n\n    ${key}\n\n` +
  "Remember to store this key in a password manager, since without it you\n" +
  "will not be able to restart the manager.\n";

/** Every form binary key material could take in a file or a dump: raw, hex (both cases), base64 and base64url at each alignment. */
function forms(raw: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>([
    ["raw", raw],
    ["hex", Buffer.from(raw.toString("hex"))],
    ["HEX", Buffer.from(raw.toString("hex").toUpperCase())],
  ]);
  for (const alphabet of ["base64", "base64url"] as const) {
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString(alphabet);
      out.set(`${alphabet}+${offset}`, Buffer.from(encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + raw.length)) / 6))));
    }
  }
  return out;
}

function found(haystack: Buffer, raw: Buffer): string[] {
  return [...forms(raw)].filter(([, needle]) => haystack.includes(needle)).map(([form]) => form);
}

function filesUnder(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name))),
  );
}

/** A request to the node endpoint over TLS: its chain verified against `ca` (its names are node IDs, as an agent sees them), or not verified at all. */
function nodeRequest(address: string, method: string, path: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`https://${address}${path}`, { method, ...(ca ? { ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false }), headers: { "content-type": "application/json" } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end(method === "POST" ? "{}" : undefined);
  });
}

/**
 * Autolock end to end on a real server and the built CLI (ADR 0022): turned on with
 * Swarm's texts; a restart comes up locked and serves nothing but its unlock, the data
 * directory and a dump of the store holding no usable key; Swarm's answers to bad keys,
 * counted per address; the right key finishes the start in the same process; a rotated
 * key works and the old one is refused; turned off, the keys are back in the clear.
 */
describe.each(testStoreKinds())("autolock on a real server on %s", (kind) => {
  let s: TestServer;
  let key: string;
  let secretId: string;
  const certificates = () => join(s.dataDir, "certificates");
  const nodeKeyPath = () => join(certificates(), "swarm-node.key");

  beforeAll(async () => {
    s = await startTestServer(kind);
    const created = await runCliWith({ input: "autolock canary value" }, s.dataDir, "secret", "create", "db-password", "-");
    expect(created.code, created.stderr).toBe(0);
    secretId = created.stdout.trim();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  /** The KEK that the store's wrapped copy opens to with `unlockKey` (the server running). */
  async function kekFor(unlockKey: string) {
    const lock = (await readLockState(s.server.runtime.store.prisma))!;
    return { lock, kek: unwrapKek(lock.clusterId, parseUnlockKey(unlockKey), lock.wrappedKek!)! };
  }
  /** What the KEK was when autolock was turned on, and the wrapped copy: the same across restarts until it is turned off. */
  let keys: Awaited<ReturnType<typeof kekFor>>;

  it("ok/turned on through the CLI: Swarm's texts, the KEK's file gone, the node key encrypted under it", async () => {
    expect(existsSync(join(s.dataDir, "kek"))).toBe(true);
    const result = await runCli(s.dataDir, "swarm", "update", "--autolock=true");
    expect(result.code, result.stderr).toBe(0);
    key = KEY.exec(result.stdout)![0];
    expect(result.stdout).toBe(`Swarm updated.\n${unlockText(key)}`);
    expect(existsSync(join(s.dataDir, "kek"))).toBe(false);
    const pem = readFileSync(nodeKeyPath(), "utf8");
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(statSync(nodeKeyPath()).mode & 0o777).toBe(0o600);
    // openssl reads it with the passphrase derived from the KEK the key unwraps, and not without.
    keys = await kekFor(key);
    const passphrase = nodeKeyPassphrase(keys.kek);
    expect(() => execFileSync("openssl", ["pkey", "-in", nodeKeyPath(), "-passin", "pass:wrong", "-noout"], { stdio: "pipe" })).toThrow();
    execFileSync("openssl", ["pkey", "-in", nodeKeyPath(), "-passin", `pass:${passphrase}`, "-noout"], { stdio: "pipe" });
    // Shown again only through the audited reveal.
    const shown = await runCli(s.dataDir, "swarm", "unlock-key", "-q");
    expect(shown.stdout).toBe(`${key}\n`);
    const reveals = await s.server.runtime.manager.audit.list({ action: "unlockkey.reveal", limit: 10 });
    expect(reveals.map((e) => e.actorName)).toEqual(["local-admin", "local-admin"]);
    expect(JSON.stringify(s.logs)).not.toContain(key.slice(9));
  });

  it("ok/restarted, it comes up locked: /healthz, the API on the socket and over HTTP, the pages and the node endpoint refuse everything with Swarm's sentence", async () => {
    await s.restart();
    expect(s.server.locked).toBe(true);
    const health = await fetch(`${s.server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "locked", store: { kind, reachable: true, migrated: true } });

    for (const args of [["node", "ls"], ["secret", "inspect", "db-password"], ["swarm", "join-token", "worker"], ["swarm", "unlock-key"], ["info"]]) {
      const result = await runCli(s.dataDir, ...args);
      expect([result.code, result.stderr], args.join(" ")).toEqual([1, LOCKED_ERROR]);
      expect(result.stdout, args.join(" ")).toBe("");
    }
    const status = await runCli(s.dataDir, "swarm", "update", "--autolock=false");
    expect(status.stderr).toBe(LOCKED_ERROR);

    for (const path of ["secret.list", "swarm.ca", "auth.setupStatus", "autolock.get"]) {
      const response = await query(s.server.url, path);
      expect(response.status, path).toBe(503);
      expect(((await response.json()) as { error: { json: { message: string } } }).error.json.message, path).toBe(SWARM_LOCKED_MESSAGE);
    }
    expect(await (await query(s.server.url, "autolock.status")).json()).toMatchObject({ result: { data: { json: { locked: true } } } });
    const login = await mutate(s.server.url, "auth.login", { username: "admin", password: "whatever it is" });
    expect(login.status).toBe(503);

    const page = await fetch(`${s.server.url}/secrets`, { redirect: "manual" });
    expect([page.status, page.headers.get("location")]).toEqual([303, "/unlock"]);

    // The node endpoint: a client that does not verify reads the sentence; one that verifies against the root refuses the handshake.
    for (const [method, path] of [["GET", "/v1/ca"], ["POST", "/v1/join"], ["POST", "/v1/heartbeat"]] as const) {
      const answer = await nodeRequest(s.server.nodeAddress, method, path);
      expect([answer.status, JSON.parse(answer.body)], path).toEqual([503, { error: SWARM_LOCKED_MESSAGE }]);
    }
    const root = readFileSync(join(certificates(), "swarm-root-ca.crt"), "utf8");
    await expect(nodeRequest(s.server.nodeAddress, "GET", "/v1/ca", root)).rejects.toThrow();
    expect(JSON.stringify(s.logs)).not.toContain(key.slice(9));
  });

  it("ok/stopped while locked: neither the data directory nor a dump of the store holds a usable key", async () => {
    const { lock, kek } = keys;
    const nodeKey = createPrivateKey({ key: readFileSync(nodeKeyPath()), passphrase: nodeKeyPassphrase(kek) });
    const scalar = Buffer.from(nodeKey.export({ format: "jwk" }).d!, "base64url");
    const pkcs8 = nodeKey.export({ type: "pkcs8", format: "der" });
    await s.server.close();
    const secrets = [
      ["the KEK", kek.export()],
      ["the unlock key", Buffer.from(parseUnlockKey(key))],
      ["the node key's scalar", scalar],
      ["the node key", pkcs8],
    ] as const;
    const dumps: Array<[string, Buffer]> = [["data directory", filesUnder(s.dataDir)]];
    if (kind === "postgres") dumps.push(["pg_dump", execFileSync("pg_dump", ["--no-owner", "--data-only", s.databaseUrl!], { maxBuffer: 256 << 20 })]);
    for (const [where, dump] of dumps) {
      // Controls: the wrapped KEK is in the store (PGlite's files, or the dump as hex), so the search can find key material.
      if (kind === "pglite" || where === "pg_dump") expect(found(dump, Buffer.from(lock.wrappedKek!)), `${where}: control`).not.toEqual([]);
      for (const [what, raw] of secrets) expect(found(dump, raw), `${where}: ${what}`).toEqual([]);
    }
    expect(existsSync(join(s.dataDir, "kek"))).toBe(false);
    s.server = await startServer(s.options);
    expect(s.server.locked).toBe(true);
  });

  it("fail/Swarm's words for a malformed key and a wrong one; failed attempts from one address are held back, and audited", async () => {
    const malformed = await runCliWith({ input: "SWMKEY-1-not a key\n" }, s.dataDir, "swarm", "unlock");
    expect([malformed.code, malformed.stderr]).toEqual([1, "Error: invalid key string\n"]);
    const wrong = await runCliWith({ input: "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8\n" }, s.dataDir, "swarm", "unlock");
    expect([wrong.code, wrong.stderr]).toEqual([1, "Error: swarm could not be unlocked: invalid key provided\n"]);

    // The admin socket is not held back; the unlock page's address is: past its limit even the right key waits there.
    for (let i = 0; i < UNLOCK_MAX_FAILURES_PER_ADDRESS; i++) {
      const response = await mutate(s.server.url, "autolock.unlock", { unlockKey: "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8" });
      expect(response.status).toBe(401);
    }
    const held = await mutate(s.server.url, "autolock.unlock", { unlockKey: key });
    expect(held.status).toBe(429);
    expect(((await held.json()) as { error: { json: { message: string } } }).error.json.message).toBe("too many failed attempts; try again in 15 minutes");
    expect(s.server.locked).toBe(true);
  });

  it("ok/the right key on standard input unlocks it: the start finishes in the same process, and the secret reads as before", async () => {
    const unlocked = await runCliWith({ input: `${key}\n` }, s.dataDir, "swarm", "unlock");
    expect([unlocked.code, unlocked.stdout, unlocked.stderr]).toEqual([0, "", ""]);
    expect(s.server.locked).toBe(false);
    expect((await fetch(`${s.server.url}/healthz`)).status).toBe(200);
    const inspect = await runCli(s.dataDir, "secret", "inspect", "db-password");
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain(secretId);
    const value = await s.server.runtime.manager.secrets.openPayload(secretId);
    expect(Buffer.from(value).toString()).toBe("autolock canary value");
    expect(await nodeRequest(s.server.nodeAddress, "GET", "/v1/ca", readFileSync(join(certificates(), "swarm-root-ca.crt"), "utf8"))).toMatchObject({ status: 200 });

    const again = await runCliWith({ input: `${key}\n` }, s.dataDir, "swarm", "unlock");
    expect([again.code, again.stderr]).toEqual([1, "Error: swarm is not locked\n"]);
    const events = await s.server.runtime.manager.audit.list({ action: "swarm.unlock", limit: 50 });
    expect(events.filter((e) => e.outcome === "success").map((e) => e.actorName)).toEqual(["local-admin"]);
    // The socket's two, the page address's ten, and its lockout, once.
    expect(events.filter((e) => e.outcome === "denied").length).toBe(2 + UNLOCK_MAX_FAILURES_PER_ADDRESS + 1);
    expect(events.filter((e) => e.reason?.includes("may not try again")).map((e) => e.ip)).toEqual(["127.0.0.1"]);
    expect(readFileSync(nodeKeyPath(), "utf8")).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(existsSync(join(s.dataDir, "kek"))).toBe(false);
    expect(JSON.stringify(s.logs)).not.toContain(key.slice(9));
  });

  it("ok/a rotated key opens the next start, and the old one is refused", async () => {
    const rotated = await runCli(s.dataDir, "swarm", "unlock-key", "--rotate");
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = KEY.exec(rotated.stdout)![0];
    expect(next).not.toBe(key);
    expect(rotated.stdout).toBe(`Successfully rotated manager unlock key.\n\n${unlockText(next)}`);
    await s.restart();
    expect(s.server.locked).toBe(true);
    const old = await runCliWith({ input: `${key}\n` }, s.dataDir, "swarm", "unlock");
    expect(old.stderr).toBe("Error: swarm could not be unlocked: invalid key provided\n");
    const unlocked = await runCliWith({ input: `${next}\n` }, s.dataDir, "swarm", "unlock");
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(s.server.locked).toBe(false);
    key = next;
  });

  it("ok/turned off: the KEK back in its file, the node key in the clear, and the next start needs no key", async () => {
    const off = await runCli(s.dataDir, "swarm", "update", "--autolock=false");
    expect([off.code, off.stdout]).toEqual([0, "Swarm updated.\n"]);
    const kekFile = join(s.dataDir, "kek");
    expect(statSync(kekFile).mode & 0o777).toBe(0o600);
    expect((await readLockState(s.server.runtime.store.prisma))?.wrappedKek).toBeNull();
    // The KEK that autolock kept wrapped, back in its file.
    expect(readFileSync(kekFile)).toEqual(keys.kek.export());
    expect(readFileSync(nodeKeyPath(), "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect((await runCli(s.dataDir, "swarm", "unlock-key")).stderr).toBe("Error: no unlock key is set\n");
    expect((await runCli(s.dataDir, "swarm", "unlock-key", "--rotate")).stderr).toBe("Error: cannot rotate because autolock is not turned on\n");
    await s.restart();
    expect(s.server.locked).toBe(false);
    expect((await fetch(`${s.server.url}/healthz`)).status).toBe(200);
    const value = await s.server.runtime.manager.secrets.openPayload(secretId);
    expect(Buffer.from(value).toString()).toBe("autolock canary value");
  });
});
