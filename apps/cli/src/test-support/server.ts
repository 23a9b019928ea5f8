import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase } from "@rampart/db/testing";
import type { StoreKind } from "@rampart/db";
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
