import { swarmLocked, type LockedAutolock, type Manager } from "@rampart/manager";
import { autolockRouter } from "./router/autolock.js";
import { appRouter } from "./root.js";
import { publicProcedure, router } from "./trpc.js";

/** The procedures a locked server serves; everything else answers Swarm's sentence. */
export const LOCKED_PROCEDURES: ReadonlySet<string> = new Set(["autolock.status", "autolock.unlock"]);

type Stub = ReturnType<typeof publicProcedure.query> | ReturnType<typeof publicProcedure.mutation>;
type Tree = { [key: string]: Tree | Stub };

/**
 * The router a locked server answers with (ADR 0022): the API's own paths, each a
 * procedure of the same kind (a query stays a GET, a mutation a POST) that reads no input
 * and refuses with Swarm's `Swarm is encrypted and needs to be unlocked…` (503), except
 * `autolock.status` and `autolock.unlock`, which are the real ones. Every client sees the
 * same answer whatever it calls and however it signed in, since no credential can be
 * checked while the keys are sealed.
 */
function buildLockedRouter() {
  const tree: Tree = {};
  const refuse = () => {
    throw swarmLocked();
  };
  const own = autolockRouter._def.procedures as unknown as Record<string, Stub>;
  for (const [path, procedure] of Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)) {
    const parts = path.split(".");
    let node = tree;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Tree;
    const name = parts.at(-1)!;
    if (LOCKED_PROCEDURES.has(path)) node[name] = own[name]!;
    else node[name] = procedure._def.type === "mutation" ? publicProcedure.mutation(refuse) : publicProcedure.query(refuse);
  }
  return router(tree);
}

export const lockedRouter = buildLockedRouter();

/**
 * What a locked server's procedures read as `ctx.manager`: the unlock service as
 * `autolock`, sign-in checks that recognise nobody, and nothing else. Any other service
 * asked for is Swarm's refusal, so a path the locked router does not cover still reads
 * nothing.
 */
export function lockedManager(autolock: Pick<LockedAutolock, "status" | "unlock">): Manager {
  // No credential can be checked while the keys are sealed: one presented is as if absent.
  const nobody = { authenticate: () => Promise.resolve(null) };
  return new Proxy({} as Manager, {
    get(_target, property) {
      if (property === "autolock") return autolock;
      if (property === "auth" || property === "apiTokens") return nobody;
      if (property === "then") return undefined;
      throw swarmLocked();
    },
  });
}
