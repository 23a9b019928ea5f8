import { apiTokenRouter } from "./router/api-token.js";
import { authRouter } from "./router/auth.js";
import { systemRouter } from "./router/system.js";
import { createCallerFactory, router } from "./trpc.js";

export const appRouter = router({
  auth: authRouter,
  system: systemRouter,
  apiToken: apiTokenRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side callers, for tests and for the server's own use. */
export const createCaller = createCallerFactory(appRouter);
