export { appRouter, createCaller, ENV_PROCEDURES, type AppRouter } from "./root.js";
export { createContext, LOCAL_ACTOR, type Context, type Principal, type RequestMeta } from "./context.js";
export { lockedManager, lockedRouter, LOCKED_PROCEDURES } from "./locked.js";
export { createApiHandler, MAX_BODY_BYTES, sameOriginProblem, type ApiHandlerOptions } from "./http/handler.js";
export { SESSION_COOKIE, readCookie } from "./http/cookie.js";
export { ERROR_STATUS } from "./errors.js";
export type { Meta, Requirement } from "./trpc.js";
