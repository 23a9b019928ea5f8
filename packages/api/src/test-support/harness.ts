import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buildCsr, toPem, type NodeDescription } from "@rampart/core";
import { kekSource, openKeyring } from "@rampart/db";
import { createTestStore, type TestStore } from "@rampart/db/testing";
import type { StoreKind } from "@rampart/db";
import { createManager, type Logger, type Manager } from "@rampart/manager";
import { createContext, type RequestMeta } from "../context.js";
import { createApiHandler } from "../http/handler.js";
import { createCaller } from "../root.js";

export interface LogLine {
  level: string;
  obj: object;
  msg: string | undefined;
}

/** A logger that keeps every line, so tests can search logs for leaked values. */
export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A browser request with no credentials, from a documentation address. */
export const anonymousRequest: RequestMeta = {
  channel: "http",
  ip: "192.0.2.1",
  userAgent: "vitest",
  sessionToken: undefined,
  bearerToken: undefined,
  background: false,
  setCookie: () => undefined,
};

export interface Harness {
  t: TestStore;
  manager: Manager;
  log: ReturnType<typeof memoryLogger>;
  clock: { now: Date; advance(ms: number): void };
  /** A caller as seen through one request's credentials. */
  caller(meta?: Partial<RequestMeta>): Promise<ReturnType<typeof createCaller>>;
  /** Every Set-Cookie value any caller produced, oldest first. */
  cookies: string[];
  /** Issues a setup code and creates the first admin; returns their credentials. */
  setupAdmin(username?: string, password?: string): Promise<{ username: string; password: string }>;
  /** Joins worker nodes with these hostnames, each heartbeating (Ready); their IDs, in order. */
  joinWorkers(hostnames: readonly string[]): Promise<string[]>;
  /** Waits for the reconciler's rounds, then runs a scheduling pass. */
  settle(): Promise<void>;
  /** Logs in and returns the session token from the Set-Cookie header. */
  login(username: string, password: string, ip?: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createHarness(kind: StoreKind): Promise<Harness> {
  const t = await createTestStore(kind);
  const { codec } = await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined));
  const log = memoryLogger();
  const clock = {
    now: new Date("2026-11-28T12:00:00.000Z"),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const manager = createManager({
    store: t.store,
    codec,
    log,
    now: () => clock.now,
    random: (n) => new Uint8Array(randomBytes(n)),
    version: "test",
    nodeAddress: "127.0.0.1:2377",
  });
  await manager.cluster.init();
  await manager.nodes.load();
  // This server's own node, the leader, as `rampart server` creates it.
  await manager.nodes.ensureLocalNode({ nodeId: undefined, csrPem: newCsr().csrPem, description: description("rampart-server"), addr: "127.0.0.1" });

  const cookies: string[] = [];
  const caller: Harness["caller"] = async (meta = {}) => {
    const request: RequestMeta = { ...anonymousRequest, setCookie: (c) => void cookies.push(c), ...meta };
    return createCaller(await createContext(manager, request));
  };

  const login: Harness["login"] = async (username, password, ip = "192.0.2.1") => {
    const c = await caller({ ip });
    await c.auth.login({ username, password });
    const cookie = cookies.at(-1)!;
    return /^__Host-rampart_session=([^;]+);/.exec(cookie)![1]!;
  };

  return {
    t,
    manager,
    log,
    clock,
    caller,
    cookies,
    login,
    async setupAdmin(username = "admin", password = "correct horse battery") {
      const code = (await manager.auth.issueSetupCode())!;
      await (await caller()).auth.setup({ code, username, password });
      return { username, password };
    },
    async joinWorkers(hostnames) {
      const token = await manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
      const ids: string[] = [];
      for (const hostname of hostnames) {
        const { nodeId } = await manager.nodes.join({ token, csrPem: newCsr().csrPem, description: description(hostname) }, null);
        manager.nodes.heartbeat(nodeId, null);
        ids.push(nodeId);
      }
      await manager.reconciler.settled();
      return ids;
    },
    async settle() {
      await manager.settled();
    },
    dispose: () => {
      manager.stop();
      return t.dispose();
    },
  };
}

/** A node's key and a CSR for it, as an agent would make them. */
export function newCsr(): { csrPem: string; privateKey: ReturnType<typeof generateKeyPairSync>["privateKey"] } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const der = buildCsr(spki, (info) => new Uint8Array(sign("sha256", info, privateKey)));
  return { csrPem: toPem(der, "CERTIFICATE REQUEST"), privateKey };
}

export function description(hostname: string, engineLabels: Record<string, string> = {}): NodeDescription {
  return { hostname, os: "linux", arch: "x86_64", nanoCpus: 2e9, memoryBytes: 4 * 1024 ** 3, engineVersion: "0.1.0", engineLabels };
}

/**
 * The API handler on a real HTTP server on a free loopback port, as the browser reaches
 * it: `base` is `http://<host>/api/trpc`.
 */
export async function serveApi(h: Harness, options: { maxBodyBytes?: number } = {}): Promise<{ base: string; host: string; close(): Promise<void> }> {
  const handle = createApiHandler({ manager: h.manager, log: h.log, channel: "http", ...options });
  const server = createServer((req, res) => void handle(req, res, new URL(req.url!, "http://x").pathname.slice("/api/trpc/".length)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base: `http://${host}/api/trpc`, host, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
