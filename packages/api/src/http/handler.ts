import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonNestingProblem } from "@rampart/core";
import type { Logger, Manager } from "@rampart/manager";
import type { AnyTRPCRouter } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { createContext, type RequestMeta } from "../context.js";
import { appRouter } from "../root.js";
import { BACKGROUND_HEADER } from "../schema/protocol.js";
import { readCookie, SESSION_COOKIE } from "./cookie.js";

/**
 * Large enough for any input the API takes. The largest is a secret: a payload of at
 * most 511,999 bytes is 682,668 characters of base64, and its name and 64 labels add
 * under 80 kB. A body over the limit is a 413 before anything is parsed; a payload
 * that fits but is too big for a secret gets Swarm's own message (a 400).
 */
export const MAX_BODY_BYTES = 1 << 20;
export const MAX_BATCH_SIZE = 16;

export interface ApiHandlerOptions {
  manager: Manager;
  log: Logger;
  channel: RequestMeta["channel"];
  /** Take the client address from X-Forwarded-For (only behind a trusted proxy). */
  trustProxy?: boolean;
  /** The listener serves HTTPS: a browser's Origin must then be https:// too. */
  tls?: boolean;
  maxBodyBytes?: number;
  /** The procedures served: the whole API, or a locked server's `lockedRouter` (ADR 0022). */
  router?: AnyTRPCRouter;
}

function reject(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { message, code, httpStatus: status } });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client's address. Behind a trusted proxy it is the right-most X-Forwarded-For
 * entry: the one that proxy appended. Entries to its left came from the client and
 * could be anything.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = header(req, "x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  return req.socket.remoteAddress ?? null;
}

/**
 * The scheme browsers use to reach this listener: https when it serves TLS; behind a
 * trusted proxy, what the proxy says in X-Forwarded-Proto (its right-most entry, the one
 * it appended), as it terminates TLS; http otherwise.
 */
function publicScheme(req: IncomingMessage, tls: boolean, trustProxy: boolean): string {
  if (tls) return "https:";
  const forwarded = trustProxy ? header(req, "x-forwarded-proto")?.split(",").at(-1)?.trim().toLowerCase() : undefined;
  return forwarded === "https" ? "https:" : "http:";
}

/**
 * Cross-site request forgery defence for mutations: the browser's Origin (or, failing
 * that, Sec-Fetch-Site) must say the request comes from this same site: the same host
 * and port, and the same scheme (a page served over plain http is another origin than
 * the https server, and may have been written by anyone on the network path). A request
 * with neither header is not from a browser; it may only use a bearer token, never a cookie.
 */
export function sameOriginProblem(req: IncomingMessage, { tls = false, trustProxy = false }: { tls?: boolean; trustProxy?: boolean } = {}): string | undefined {
  const origin = header(req, "origin");
  const fetchSite = header(req, "sec-fetch-site");
  if (origin !== undefined) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return "the Origin header is not a valid origin";
    }
    if (url.host !== header(req, "host") || url.protocol !== publicScheme(req, tls, trustProxy)) return "cross-origin requests are not allowed";
    return undefined;
  }
  if (fetchSite !== undefined) {
    return fetchSite === "same-origin" || fetchSite === "none" ? undefined : "cross-site requests are not allowed";
  }
  if (header(req, "cookie")?.includes(SESSION_COOKIE)) {
    return "a request that carries a session cookie must come from a browser on this origin";
  }
  return undefined;
}

/**
 * Reads a mutation's body whole, up to `max` bytes: "too-large" past that. The API
 * checks it (its nesting) before tRPC parses it, and hands tRPC the text.
 */
function readBody(req: IncomingMessage, max: number): Promise<string | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off("data", onData);
        req.resume();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(";")[0]!.trim().toLowerCase() === "application/json";
}

/**
 * What the log gets for an unexpected error: its name, a Prisma code if any, and where
 * it was thrown. Never its message, which may quote an input or a query argument.
 */
export function summariseError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: typeof error };
  const frames = (error.stack ?? "").split("\n").filter((line) => line.trimStart().startsWith("at ")).slice(0, 8);
  const code = (error as { code?: unknown }).code;
  return { error: error.name, ...(typeof code === "string" ? { errorCode: code } : {}), at: frames.map((f) => f.trim()) };
}

/** Serves `/api/trpc/*` for one channel (browser HTTP, or the local admin socket). */
export function createApiHandler(options: ApiHandlerOptions) {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (req.method === "POST") {
      if (!isJson(header(req, "content-type"))) {
        return reject(res, 415, "UNSUPPORTED_MEDIA_TYPE", "mutations must be sent as application/json");
      }
      if (options.channel === "http") {
        const problem = sameOriginProblem(req, { tls: options.tls, trustProxy: options.trustProxy });
        if (problem) return reject(res, 403, "FORBIDDEN", problem);
      }
      const length = Number(header(req, "content-length") ?? "0");
      const body = length > maxBodyBytes ? "too-large" : await readBody(req, maxBodyBytes);
      if (body === "too-large") {
        return reject(res, 413, "PAYLOAD_TOO_LARGE", `the request body is larger than ${maxBodyBytes} bytes`);
      }
      const tooDeep = jsonNestingProblem(body);
      if (tooDeep) return reject(res, 400, "BAD_REQUEST", tooDeep);
      // tRPC takes a body already read from `req.body`.
      (req as IncomingMessage & { body?: string }).body = body;
    } else if (req.method !== "GET") {
      res.setHeader("allow", "GET, POST");
      return reject(res, 405, "METHOD_NOT_SUPPORTED", `method ${req.method} is not allowed here`);
    } else {
      const input = new URLSearchParams((req.url ?? "").split("?")[1] ?? "").get("input");
      const tooDeep = input === null ? undefined : jsonNestingProblem(input);
      if (tooDeep) return reject(res, 400, "BAD_REQUEST", tooDeep.replace("request body", "input"));
    }

    const authorization = header(req, "authorization");
    const bearer = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : undefined;
    const setCookies: string[] = [];
    await nodeHTTPRequestHandler({
      router: options.router ?? appRouter,
      req,
      res,
      path,
      maxBodySize: maxBodyBytes,
      // The UI batches a few queries per page; a large batch is only good for abuse.
      maxBatchSize: MAX_BATCH_SIZE,
      allowMethodOverride: false,
      createContext: ({ res: response }) => {
        const meta: RequestMeta = {
          channel: options.channel,
          ip: options.channel === "socket" ? "local" : clientIp(req, options.trustProxy ?? false),
          userAgent: header(req, "user-agent") ?? null,
          sessionToken: options.channel === "http" ? readCookie(header(req, "cookie"), SESSION_COOKIE) : undefined,
          bearerToken: bearer,
          background: header(req, BACKGROUND_HEADER) === "1",
          setCookie(cookie) {
            setCookies.push(cookie);
            response.setHeader("set-cookie", setCookies);
          },
        };
        return createContext(options.manager, meta);
      },
      onError({ error, path: procedure, type }) {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          options.log.error({ procedure, type, ...summariseError(error.cause ?? error) }, "procedure failed");
        }
      },
    });
  };
}
