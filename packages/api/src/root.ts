import { apiTokenRouter } from "./router/api-token.js";
import { auditRouter } from "./router/audit.js";
import { autolockRouter } from "./router/autolock.js";
import { nodeRouter } from "./router/node.js";
import { overviewRouter } from "./router/overview.js";
import { plannerRouter } from "./router/planner.js";
import { secretRouter } from "./router/secret.js";
import { serviceRouter } from "./router/service.js";
import { swarmRouter } from "./router/swarm.js";
import { authRouter } from "./router/auth.js";
import { systemRouter } from "./router/system.js";
import { userRouter } from "./router/user.js";
import { environmentRouter } from "./router/environment.js";
import { networkRouter } from "./router/network.js";
import { pkiRouter } from "./router/pki.js";
import { createCallerFactory, router, type Meta } from "./trpc.js";

export const appRouter = router({
  auth: authRouter,
  system: systemRouter,
  apiToken: apiTokenRouter,
  swarm: swarmRouter,
  autolock: autolockRouter,
  node: nodeRouter,
  audit: auditRouter,
  service: serviceRouter,
  planner: plannerRouter,
  secret: secretRouter,
  user: userRouter,
  overview: overviewRouter,
  environment: environmentRouter,
  network: networkRouter,
  pki: pkiRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side callers, for tests and for the server's own use. */
export const createCaller = createCallerFactory(appRouter);

/** The procedures whose input takes `env` (ADR 0020): what `rampart --env` adds it to. */
export const ENV_PROCEDURES: ReadonlySet<string> = new Set(
  Object.entries(appRouter._def.procedures)
    .filter(([, procedure]) => (procedure as unknown as { _def: { meta?: Meta } })._def.meta?.env === true)
    .map(([path]) => path),
);
