import { apiTokenRouter } from "./router/api-token.js";
import { auditRouter } from "./router/audit.js";
import { nodeRouter } from "./router/node.js";
import { overviewRouter } from "./router/overview.js";
import { plannerRouter } from "./router/planner.js";
import { secretRouter } from "./router/secret.js";
import { serviceRouter } from "./router/service.js";
import { swarmRouter } from "./router/swarm.js";
import { authRouter } from "./router/auth.js";
import { systemRouter } from "./router/system.js";
import { userRouter } from "./router/user.js";
import { createCallerFactory, router } from "./trpc.js";

export const appRouter = router({
  auth: authRouter,
  system: systemRouter,
  apiToken: apiTokenRouter,
  swarm: swarmRouter,
  node: nodeRouter,
  audit: auditRouter,
  service: serviceRouter,
  planner: plannerRouter,
  secret: secretRouter,
  user: userRouter,
  overview: overviewRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side callers, for tests and for the server's own use. */
export const createCaller = createCallerFactory(appRouter);
