import type { IncomingMessage, ServerResponse } from "node:http";
import { createApiHandler, lockedManager, lockedRouter } from "@rampart/api";
import type { Store } from "@rampart/db";
import { SWARM_LOCKED_MESSAGE, type LockedAutolock, type Logger, type Manager } from "@rampart/manager";
import { contentSecurityPolicy, newNonce, setSecurityHeaders } from "./headers.js";

export type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What a locked server (ADR 0022) serves from: its unlock, and its store's status for /healthz. */
export interface LockedServing {
  autolock: LockedAutolock;
  store: Store;
  version: string;
}

export interface RouterOptions {
  /** The manager once the server serves; undefined while it is locked. Read on every request. */
  manager: () => Manager | undefined;
  /** While the server is locked: what it serves instead. */
  locked?: LockedServing;
  log: Logger;
  channel: "http" | "socket";
  tls: boolean;
  trustProxy: boolean;
  /** Refuse Host headers that are not loopback names (the server listens on loopback). */
  loopbackHostsOnly: boolean;
  inFlight: InFlight;
  /** Renders the UI; absent on the admin socket, which serves the API only. */
  next?: NextHandler;
}

const API_PREFIX = "/api/trpc/";

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** `/healthz`: 200 when the store is reachable and migrated, 503 otherwise. No secrets, no location. */
async function health(manager: Manager, res: ServerResponse): Promise<void> {
  const { ok, version, store } = await manager.system.health();
  sendJson(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", version, store });
}

/** `/healthz` while locked: 503 and `locked`, like `docker info`'s `Swarm: locked`; the store's state beside it. */
async function lockedHealth(locked: LockedServing, res: ServerResponse): Promise<void> {
  const { kind, reachable, migrated, pendingMigrations, problem } = await locked.store.status();
  sendJson(res, 503, { status: "locked", version: locked.version, store: { kind, reachable, migrated, pendingMigrations, ...(problem ? { problem } : {}) } });
}

/** The page a locked server shows, and what that page needs from Next (its scripts and styles, the icon). */
export const UNLOCK_PAGE = "/unlock";

/** Whether a locked server hands `path` to Next: the unlock page and its assets, nothing else. */
export function servedWhileLocked(path: string): boolean {
  return path === UNLOCK_PAGE || path.startsWith("/_next/") || path === "/icon.svg" || path === "/favicon.ico";
}

/**
 * A server on loopback answers only to loopback names. A web page whose own host name
 * has been re-pointed at 127.0.0.1 (DNS rebinding) sends its own name as Host, and is
 * turned away before it can reach the API. The whole header is matched: a loopback name,
 * then nothing but an optional port (`[::1]evil.example` is not loopback).
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  return host !== undefined && /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d{1,5})?$/i.test(host);
}

/** Counts requests being handled, so shutdown can wait for them before closing the store. */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  enter(): () => void {
    this.count++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Resolves when nothing is in flight, or after `ms`; true if it drained. */
  drained(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** Routes one request: health, the API, or the UI. Every response gets the security headers. */
export function createRouter(options: RouterOptions) {
  const common = { log: options.log, channel: options.channel, trustProxy: options.trustProxy, tls: options.tls };
  let api: ReturnType<typeof createApiHandler> | undefined;
  let apiFor: Manager | undefined;
  /** The API for the manager serving now; made once, when it first answers. */
  const apiOf = (manager: Manager) => {
    if (apiFor !== manager) {
      api = createApiHandler({ ...common, manager });
      apiFor = manager;
    }
    return api!;
  };
  const lockedApi = options.locked ? createApiHandler({ ...common, manager: lockedManager(options.locked.autolock), router: lockedRouter }) : undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const leave = options.inFlight.enter();
    try {
      await route(req, res);
    } finally {
      leave();
    }
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    setSecurityHeaders(res, options.tls);
    const path = (req.url ?? "/").split("?", 1)[0]!;
    res.on("finish", () =>
      options.log.debug(
        { method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started), channel: options.channel },
        "request",
      ),
    );
    if (options.loopbackHostsOnly && !isLoopbackHostHeader(req.headers.host)) {
      return sendJson(res, 421, {
        error: { message: "this server answers only to loopback host names such as 127.0.0.1", code: "MISDIRECTED_REQUEST" },
      });
    }
    const manager = options.manager();
    const locked = manager ? undefined : options.locked;
    try {
      if (path === "/healthz") {
        if (manager) return await health(manager, res);
        if (locked) return await lockedHealth(locked, res);
        return sendJson(res, 503, { status: "starting" });
      }
      if (path.startsWith(API_PREFIX)) {
        res.setHeader("cache-control", "no-store");
        let procedure: string;
        try {
          procedure = decodeURIComponent(path.slice(API_PREFIX.length));
        } catch {
          return sendJson(res, 400, { error: { message: "the procedure path is not valid URL encoding", code: "BAD_REQUEST" } });
        }
        const handle = manager ? apiOf(manager) : lockedApi;
        if (!handle) return sendJson(res, 503, { error: { message: "the server is starting", code: "SERVICE_UNAVAILABLE" } });
        return await handle(req, res, procedure);
      }
      if (!options.next) return sendJson(res, 404, { error: { message: `no route for ${path}`, code: "NOT_FOUND" } });
      if (!manager && !servedWhileLocked(path)) {
        // A locked server shows its unlock page and nothing else (ADR 0022).
        if (req.method === "GET" || req.method === "HEAD") {
          res.writeHead(303, { location: UNLOCK_PAGE, "cache-control": "no-store" });
          return void res.end();
        }
        return sendJson(res, 503, { error: { message: SWARM_LOCKED_MESSAGE, code: "SERVICE_UNAVAILABLE" } });
      }
      // Next reads the nonce from the request's CSP header and puts it on its scripts.
      const nonce = newNonce();
      const csp = contentSecurityPolicy(nonce, options.tls);
      req.headers["content-security-policy"] = csp;
      req.headers["x-nonce"] = nonce;
      res.setHeader("content-security-policy", csp);
      await options.next(req, res);
    } catch (error) {
      options.log.error({ path, error: error instanceof Error ? error.name : typeof error }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: { message: "internal server error", code: "INTERNAL_SERVER_ERROR" } });
      else res.destroy();
    }
  }
}
