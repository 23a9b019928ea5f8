import { ENV_NAME_MAX_LENGTH, isRampartError, NATIVE_ENV, roleHasPermission, type Permission } from "@rampart/core";
import { initTRPC, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import type { Context, Principal } from "./context.js";
import { ERROR_STATUS } from "./errors.js";
import { isLibraryMessage, issuePath, issueSentence } from "./schema/messages.js";
import { transformer } from "./transformer.js";

/**
 * What a procedure needs: `public` (anyone, e.g. login), `authenticated` (any signed-in
 * principal, e.g. logout), or one permission from core's list.
 */
export type Requirement = Permission | "public" | "authenticated";

export interface Meta {
  permission: Requirement;
  /** A cluster procedure: its input takes `env` (ADR 0020). */
  env?: boolean;
}

/**
 * Turns zod issues into one message naming each field at fault. Zod's own texts become
 * sentences (schema/messages.ts: "Replicas must be at most 100,000"); a message a schema
 * set on purpose (often Swarm's words, which clients match on) is kept, after its path.
 */
export function describeZodError(error: ZodError): { message: string; field: string | undefined } {
  const parts = error.issues.map((issue) => {
    if (isLibraryMessage(issue)) return issueSentence(issue);
    return `${issuePath(issue) || "input"}: ${issue.message}`;
  });
  const first = error.issues[0];
  let field = first && first.path.length > 0 ? issuePath(first) : undefined;
  if (!field && first?.code === "unrecognized_keys") field = first.keys[0];
  return { message: parts.join("; "), field };
}

/**
 * PostgreSQL text cannot hold U+0000, so a NUL in any string would fail in the store
 * as a 500. It is refused up front, for every procedure, naming where it was.
 */
export function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (depth > 32 || value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes("\u0000")) return `${path} (a key)`;
    const found = findNul(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer,
    isDev: false,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      let message = shape.message;
      let field: string | undefined;
      let retryAfterSeconds: number | undefined;
      if (cause instanceof ZodError) {
        ({ message, field } = describeZodError(cause));
      } else if (isRampartError(cause)) {
        field = cause.field;
        retryAfterSeconds = cause.retryAfterSeconds;
      } else if (cause instanceof Error) {
        // A library or the engine refused the input (superjson, a stack overflow): its
        // words describe our internals, not the request, and are not echoed.
        message = "the request's input is not in the form the API takes";
      }
      // JSON.parse's own message quotes the input, which may hold a secret.
      if (error.code === "PARSE_ERROR" || cause instanceof SyntaxError) message = "the request body is not valid JSON";
      // An unexpected error echoes nothing: the log has the details.
      if (error.code === "INTERNAL_SERVER_ERROR") message = "internal server error";
      return {
        message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          ...(field ? { field } : {}),
          ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every procedure starts here. It refuses to run one that declares no permission, and
 * maps domain errors to tRPC codes through the one table in errors.ts.
 */
const base = t.procedure.use(async ({ meta, path, next, getRawInput }) => {
  if (!meta?.permission) {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: `procedure ${path} declares no permission` });
  }
  const nul = findNul(await getRawInput(), "input");
  if (nul) throw new TRPCError({ code: "BAD_REQUEST", message: `${nul}: must not contain NUL characters` });
  const result = await next();
  if (!result.ok && isRampartError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: ERROR_STATUS[cause.code], message: cause.message, cause });
  }
  return result;
});

export const publicProcedure = base.meta({ permission: "public" });

/**
 * The ways of signing in a procedure turns away whatever their role, each with the
 * reason its 403 gives: an API token may not mint tokens, and account recovery belongs
 * to the admin socket.
 */
export type Refusals = Partial<Record<Principal["via"], string>>;

function authorised(requirement: Exclude<Requirement, "public">, refusals: Refusals = {}) {
  return base.meta({ permission: requirement }).use(({ ctx, next }) => {
    const principal = ctx.principal;
    if (!principal) {
      throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.credentialProblem ?? "sign in first" });
    }
    if (requirement !== "authenticated" && !roleHasPermission(principal.role, requirement)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `this needs the ${requirement} permission` });
    }
    const refusal = refusals[principal.via];
    if (refusal) throw new TRPCError({ code: "FORBIDDEN", message: refusal });
    return next({ ctx: { ...ctx, principal } });
  });
}

/** A procedure any signed-in principal may call. */
export const authenticatedProcedure = authorised("authenticated");

/** A procedure that needs one permission, and is refused to the ways of signing in `refusals` names. */
export function permissionProcedure(permission: Permission, refusals?: Refusals) {
  return authorised(permission, refusals);
}

/**
 * What a cluster procedure does on a connected Docker Swarm (ADR 0020): `docker` when it
 * serves one, or the sentence that says why it cannot, which the caller gets as a 412.
 */
export type OnDocker = "docker" | { refused: string };

/**
 * A procedure on a cluster: Rampart's own, or a connected swarm named by the input's
 * `env` field. The field is taken out of the input before the procedure's own schema
 * reads it (so every strict schema takes it), checked, and handed on as `ctx.env`
 * (undefined, or `native`, for Rampart's own cluster).
 */
export function clusterProcedure(permission: Permission, onDocker: OnDocker, refusals?: Refusals) {
  return authorised(permission, refusals)
    .meta({ permission, env: true })
    .use(async ({ ctx, next, getRawInput }) => {
      let env = envOf(await getRawInput());
      if (env === NATIVE_ENV) env = undefined;
      if (env !== undefined && onDocker !== "docker") {
        // An environment that does not exist is a 404 first, whatever the procedure.
        await ctx.manager.environments.get(env);
        throw new TRPCError({ code: "PRECONDITION_FAILED", message: `${onDocker.refused} (environment ${JSON.stringify(env)} is a Docker Swarm)` });
      }
      return next({ ctx: { ...ctx, env } });
    })
    .use(async ({ next, getRawInput }) => {
      const raw = await getRawInput();
      if (!isRecord(raw) || !("env" in raw)) return next();
      const { env: _env, ...rest } = raw;
      return next({ getRawInput: async () => rest });
    })
    // Gives every input's type its `env`; the value was taken out above, so this reads
    // nothing and the procedure's own schema stays strict.
    .input(ENV_IN_TYPES);
}

const ENV_IN_TYPES = z.object({ env: z.string().optional() }).optional();

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** The input's `env`, checked: a name, or undefined. */
function envOf(raw: unknown): string | undefined {
  if (!isRecord(raw) || raw.env === undefined) return undefined;
  const given = raw.env;
  if (typeof given !== "string" || given.length === 0 || given.length > ENV_NAME_MAX_LENGTH) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `env: an environment's name, 1 to ${ENV_NAME_MAX_LENGTH} characters` });
  }
  return given;
}
