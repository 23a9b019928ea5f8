import { parseGoDuration } from "@rampart/core";
import { dockerPki, type CaChange, type ConnectedEnvironment } from "@rampart/manager";
import type { z } from "zod";
import { clientOf, type Context } from "../context.js";
import { dockerEnvOf } from "../env.js";
import { unlockKeyOutput, updateAutolockInput, updateAutolockOutput } from "../schema/autolock.schema.js";
import { pkiNodesInput, pkiNodesOutput, pkiRotateInput, pkiStatusOutput, pkiUpdateInput, type externalCaInput } from "../schema/pki.schema.js";
import { clusterProcedure, router } from "../trpc.js";

const expiryOf = (text: string | undefined) => (text === undefined ? undefined : parseGoDuration(text, "certExpiry"));

const externalCasOf = (list: z.infer<typeof externalCaInput>[] | undefined) => list?.map((ca) => ({ protocol: ca.protocol, url: ca.url, caCert: ca.caCert, ...(ca.options ? { options: ca.options } : {}) }));

/** The connected swarm's PKI for this request. */
const dockerPkiOf = (ctx: Context, env: ConnectedEnvironment) => dockerPki(env, ctx.manager.audit, ctx.manager.deps.now);

/** A CA change on the environment the call names: Docker's `/swarm/update`, or the native cluster's; then the new status. */
async function applyCaChange(ctx: Parameters<typeof dockerEnvOf>[0] & { principal: NonNullable<Context["principal"]> }, change: CaChange) {
  const docker = await dockerEnvOf(ctx);
  if (docker) return dockerPkiOf(ctx, docker).changeCa(change, ctx.principal.actor, clientOf(ctx).ip);
  await ctx.manager.cluster.changeCa(change, ctx.principal.actor, clientOf(ctx).ip);
  return ctx.manager.pki.status();
}

/**
 * The PKI dashboard and its operations (ADR 0021), on Rampart's own cluster and on a
 * connected Docker Swarm (ADR 0020: the same shapes from what Docker's API gives, and
 * what it does not give null and named in `notReported`): the trust root, a rotation and
 * its progress, external CAs, expiry, autolock and key ages, warnings, and a page of
 * nodes. Rotation, CA and autolock changes and unlock-key reveals are audited by the
 * manager.
 */
export const pkiRouter = router({
  status: clusterProcedure("cluster:read", "docker")
    .output(pkiStatusOutput)
    .query(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerPkiOf(ctx, docker).status();
      return ctx.manager.pki.status();
    }),

  /** One page of the node table, sorted and filtered on the server (it holds 10,000 nodes). */
  nodes: clusterProcedure("cluster:read", "docker")
    .input(pkiNodesInput)
    .output(pkiNodesOutput)
    .query(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerPkiOf(ctx, docker).nodes(input);
      return ctx.manager.pki.nodes(input);
    }),

  /** `swarm ca --rotate`: a new root (made, or given), cross-signed by the current one. On a connected swarm, Docker's own rotation. */
  rotate: clusterProcedure("cluster:admin", "docker")
    .input(pkiRotateInput)
    .output(pkiStatusOutput)
    .mutation(async ({ ctx, input }) => {
      const given = input.caCert !== "" || input.caKey !== "";
      const change: CaChange = {
        version: input.version,
        signingCaCert: input.caCert,
        signingCaKey: input.caKey,
        forceRotate: !given,
        externalCas: externalCasOf(input.externalCas),
        certExpiryMs: expiryOf(input.certExpiry),
      };
      return applyCaChange(ctx, change);
    }),

  /** `swarm update --external-ca/--cert-expiry`: checked as a CA change, without a rotation. */
  update: clusterProcedure("cluster:admin", "docker")
    .input(pkiUpdateInput)
    .output(pkiStatusOutput)
    .mutation(async ({ ctx, input }) => {
      const change: CaChange = {
        version: input.version,
        // The current root, as it is: a change of external CAs or expiry keeps it (and stops nothing).
        signingCaCert: "",
        signingCaKey: "",
        forceRotate: false,
        externalCas: externalCasOf(input.externalCas),
        certExpiryMs: expiryOf(input.certExpiry),
      };
      return applyCaChange(ctx, change);
    }),

  /**
   * `swarm unlock-key`: the unlock key as it is, the one path that returns it (as a join
   * token's reveal, `tokens:reveal`). Audited; the key is in the answer only. On a
   * connected swarm, Docker's key (`GET /swarm/unlockkey`).
   */
  revealUnlockKey: clusterProcedure("tokens:reveal", "docker")
    .output(unlockKeyOutput)
    .mutation(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return { unlockKey: await dockerPkiOf(ctx, docker).revealUnlockKey(ctx.principal.actor, clientOf(ctx).ip) };
      return { unlockKey: await ctx.manager.autolock.reveal(ctx.principal.actor, clientOf(ctx).ip) };
    }),

  /** `swarm unlock-key --rotate`: a new unlock key, answered once; the old one opens nothing from then on. Audited. */
  rotateUnlockKey: clusterProcedure("cluster:admin", "docker")
    .output(unlockKeyOutput)
    .mutation(async ({ ctx }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return { unlockKey: await dockerPkiOf(ctx, docker).rotateUnlockKey(ctx.principal.actor, clientOf(ctx).ip) };
      return { unlockKey: await ctx.manager.autolock.rotate(ctx.principal.actor, clientOf(ctx).ip) };
    }),

  /** `swarm update --autolock=true|false` at the settings' version; turning it on answers with the new key, once. Audited. */
  setAutolock: clusterProcedure("cluster:admin", "docker")
    .input(updateAutolockInput)
    .output(updateAutolockOutput)
    .mutation(async ({ ctx, input }) => {
      const docker = await dockerEnvOf(ctx);
      if (docker) return dockerPkiOf(ctx, docker).setAutolock(input, ctx.principal.actor, clientOf(ctx).ip);
      const { view, unlockKey } = await ctx.manager.autolock.update(input, ctx.principal.actor, clientOf(ctx).ip);
      return { ...view, unlockKey };
    }),
});
