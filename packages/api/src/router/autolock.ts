import type { Actor } from "@rampart/core";
import { clientOf } from "../context.js";
import {
  autolockOutput,
  lockStatusOutput,
  swarmUnlockInput,
  unlockKeyOutput,
  swarmUnlockOutput,
  updateAutolockInput,
  updateAutolockOutput,
} from "../schema/autolock.schema.js";
import { clusterProcedure, publicProcedure, router } from "../trpc.js";

/** A connected swarm's autolock is Docker's own, with its own unlock key, which Rampart never holds. */
const DOCKER_AUTOLOCK = {
  refused:
    "a connected Docker Swarm's autolock is Docker's: turn it on or off with docker swarm update --autolock, and read or rotate its key with docker swarm unlock-key, on one of its managers",
};

/**
 * Autolock on Rampart's own cluster (ADR 0022). `status` and `unlock` are public: a
 * locked server can check no credential (its API tokens are sealed), and the unlock key
 * is itself the credential: 256 random bits, every attempt counted and audited. They are
 * the only procedures a locked server serves.
 */
export const autolockRouter = router({
  /** Whether the server is locked; nothing else. */
  status: publicProcedure.output(lockStatusOutput).query(({ ctx }) => ctx.manager.autolock.status()),

  /** `rampart swarm unlock`, the unlock page. Swarm's words for a malformed key, a wrong one, and a server not locked. */
  unlock: publicProcedure
    .input(swarmUnlockInput)
    .output(swarmUnlockOutput)
    .mutation(async ({ ctx, input }) => {
      const { ip } = clientOf(ctx);
      const actor: Actor = ctx.principal?.actor ?? { type: "anonymous", id: null, name: ip ?? "unknown" };
      await ctx.manager.autolock.unlock(input.unlockKey, actor, ip);
      return { ok: true as const };
    }),

  get: clusterProcedure("cluster:read", DOCKER_AUTOLOCK)
    .output(autolockOutput)
    .query(({ ctx }) => ctx.manager.autolock.get()),

  /** `swarm update --autolock=true|false` at the settings' version. Turning it on answers with the new key, once. Audited. */
  update: clusterProcedure("cluster:admin", DOCKER_AUTOLOCK)
    .input(updateAutolockInput)
    .output(updateAutolockOutput)
    .mutation(async ({ ctx, input }) => {
      const { view, unlockKey } = await ctx.manager.autolock.update(input, ctx.principal.actor, clientOf(ctx).ip);
      return { ...view, unlockKey };
    }),

  /** The one path that returns the unlock key as it is. Audited; the key is in the answer only. */
  reveal: clusterProcedure("tokens:reveal", DOCKER_AUTOLOCK)
    .output(unlockKeyOutput)
    .mutation(async ({ ctx }) => ({ unlockKey: await ctx.manager.autolock.reveal(ctx.principal.actor, clientOf(ctx).ip) })),

  /** A new unlock key wraps the same key-encryption key; the old one opens nothing from now on. Audited. */
  rotate: clusterProcedure("cluster:admin", DOCKER_AUTOLOCK)
    .output(unlockKeyOutput)
    .mutation(async ({ ctx }) => ({ unlockKey: await ctx.manager.autolock.rotate(ctx.principal.actor, clientOf(ctx).ip) })),
});
