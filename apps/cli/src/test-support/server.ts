import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase } from "@rampart/db/testing";
import type { StoreKind } from "@rampart/db";
import { csrFor } from "../server/identity.js";
import { createLogger } from "../server/log.js";
import { startServer, type RunningServer, type ServerOptions } from "../server/index.js";
import { Writable } from "node:stream";

export const WEB_DIR = fileURLToPath(new URL("../../../web", import.meta.url));

export interface TestServer {
  server: RunningServer;
  /** The options it was started with, for starting another against the same directory. */
  options: ServerOptions;
  dataDir: string;
  setupCode: string | undefined;
  logs: string[];
  databaseUrl: string | undefined;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** A real `rampart server` in this process, on a fresh store of the given kind. */
export async function startTestServer(kind: StoreKind, overrides: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "rampart-server-test-"));
  const database = kind === "postgres" ? await createPostgresDatabase() : undefined;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  let setupCode: string | undefined;
  const options: ServerOptions = {
    dataDir,
    databaseUrl: database?.url,
    kekFile: undefined,
    listen: "127.0.0.1:0",
    nodeListen: "127.0.0.1:0",
    tlsCert: undefined,
    tlsKey: undefined,
    insecureHttp: false,
    trustProxy: false,
    advertiseAddr: undefined,
    webDir: WEB_DIR,
    version: "test",
    log: createLogger("debug", sink),
    announceSetupCode: (code) => void (setupCode = code),
    // No engine unless a test brings one: whatever this machine runs stays out of it, and
    // the server's own node reports runtime none (ADR 0019).
    dockerHost: `unix://${dataDir}/no-engine.sock`,
    ...overrides,
  };
  const handle: TestServer = {
    server: await startServer(options),
    options,
    dataDir,
    get setupCode() {
      return setupCode;
    },
    logs,
    databaseUrl: database?.url,
    async restart() {
      await handle.server.close();
      handle.server = await startServer(options);
    },
    async dispose() {
      await handle.server.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Calls a tRPC mutation the way the browser does: JSON, same origin, superjson envelope. */
export async function mutate(base: string, path: string, input: unknown, cookie?: string): Promise<Response> {
  return fetch(`${base}/api/trpc/${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: base,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify({ json: input }),
  });
}

export async function query(base: string, path: string, cookie?: string): Promise<Response> {
  return fetch(`${base}/api/trpc/${path}`, { headers: cookie ? { cookie } : {} });
}

export function sessionCookieFrom(response: Response): string {
  const header = response.headers.get("set-cookie") ?? "";
  return header.split(";")[0]!;
}

/** A node's identity as TLS options: its PKCS#8 key and its certificate, both PEM. */
export interface NodeIdentity {
  key: string;
  cert: string;
  nodeId: string;
}

/**
 * Joins a worker through the node endpoint with a fresh P-256 key. `post` sends a JSON
 * body to `/v1/join` with the test's own TLS client.
 */
export async function joinWorker(
  s: TestServer,
  hostname: string,
  post: (body: unknown) => Promise<{ status: number; json: Record<string, unknown> }>,
): Promise<NodeIdentity> {
  const token = await s.server.runtime.manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const description = { hostname, os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} };
  const result = await post({ token, csr: csrFor(privateKey), description });
  if (result.status !== 200) throw new Error(`join answered ${result.status}: ${JSON.stringify(result.json)}`);
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: result.json.certificatePem as string, nodeId: result.json.nodeId as string };
}
