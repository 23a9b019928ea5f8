import { request } from "node:http";
import { ENV_PROCEDURES, type AppRouter } from "@rampart/api";
import { createTRPCClient, httpLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import superjson from "superjson";
import { adminSocketProblem } from "../server/files.js";

export type AdminClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/**
 * A `fetch` that speaks HTTP over a Unix socket: the local admin channel. Before each
 * request it checks that the socket is the server's (`adminSocketProblem`), so nothing,
 * least of all a secret's value, is sent to a socket someone else put there.
 */
function socketFetch(socketPath: string): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const problem = adminSocketProblem(socketPath);
    if (problem) throw new Error(problem);
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const headers = new Headers(init?.headers);
    const body = init?.body === undefined || init.body === null ? undefined : String(init.body);
    if (body !== undefined) headers.set("content-length", String(Buffer.byteLength(body)));
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        { socketPath, path: url.pathname + url.search, method: init?.method ?? "GET", headers: Object.fromEntries(headers) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const responseHeaders = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") responseHeaders.set(k, v);
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: responseHeaders }));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }) as typeof fetch;
}

export interface Target {
  /** Local: the server's admin socket. */
  socketPath?: string;
  /** Remote: the server's URL and an API token. */
  host?: string;
  token?: string;
  /** The environment every cluster procedure is called on (`--env`, ADR 0020). */
  env?: string;
}

/**
 * Adds `env` to the input of every cluster procedure, so each command serves the chosen
 * environment without passing it itself. An input that names its own `env` keeps it.
 */
function envLink(env: string): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) => {
      if (!ENV_PROCEDURES.has(op.path)) return next(op);
      const input = op.input === undefined ? {} : op.input;
      if (input === null || typeof input !== "object" || Array.isArray(input) || "env" in input) return next(op);
      return next({ ...op, input: { ...input, env } });
    };
}

export function describeTarget(target: Target): string {
  return target.host ?? `unix://${target.socketPath}`;
}

export function createAdminClient(target: Target): AdminClient {
  const env = target.env === undefined ? [] : [envLink(target.env)];
  if (target.host) {
    const base = target.host.replace(/\/+$/, "");
    const token = target.token;
    return createTRPCClient<AppRouter>({
      links: [
        ...env,
        httpLink({
          url: `${base}/api/trpc`,
          transformer: superjson,
          headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
        }),
      ],
    });
  }
  return createTRPCClient<AppRouter>({
    links: [...env, httpLink({ url: "http://rampart/api/trpc", transformer: superjson, fetch: socketFetch(target.socketPath!) })],
  });
}

/** A message for a failed call: the server's own words, or why it could not be reached. */
export function explainClientError(error: unknown, target: Target): string {
  if (error instanceof TRPCClientError) {
    const cause = (error.cause ?? {}) as { code?: string };
    if (cause.code === "ENOENT" || cause.code === "ECONNREFUSED" || error.message === "fetch failed") {
      return `Cannot connect to the Rampart server at ${describeTarget(target)}. Is the server running?`;
    }
    if (cause.code === "EACCES") {
      return `Permission denied on ${describeTarget(target)}: only the user that runs rampart server may use it.`;
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
