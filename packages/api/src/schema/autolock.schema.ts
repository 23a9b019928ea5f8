import { z } from "zod";
import { dateSchema } from "./common.schema.js";

/**
 * Autolock (swarm-semantics.md §5, ADR 0022). An unlock key is `SWMKEY-1-` and 43
 * characters; the bound only keeps oversized input away from the parser, whose one
 * message for any malformed key is Swarm's `invalid key string`.
 */
export const UNLOCK_KEY_MAX_LENGTH = 256;

/** Whether the server is locked: the one thing a locked server tells anyone. */
export const lockStatusOutput = z.object({ locked: z.boolean() });

export const swarmUnlockInput = z.strictObject({
  unlockKey: z.string().min(1, "unlock key is required").max(UNLOCK_KEY_MAX_LENGTH, "invalid key string"),
});

export const swarmUnlockOutput = z.object({ ok: z.literal(true) });

export const autolockOutput = z.object({
  /** Spec.EncryptionConfig.AutoLockManagers. */
  autolock: z.boolean(),
  /** The swarm settings' version, which `update` is checked against. */
  version: z.number().int(),
  /** When the unlock key was made; null with autolock off. */
  unlockKeyRotatedAt: dateSchema.nullable(),
  /** Why autolock cannot be turned on here, or why the data directory's keys do not yet follow it; null when all is well. */
  problem: z.string().nullable(),
});

export const updateAutolockInput = z.strictObject({
  version: z.number().int().min(1),
  autolock: z.boolean(),
});

/** With the new unlock key when this call turned autolock on: shown once. */
export const updateAutolockOutput = autolockOutput.extend({ unlockKey: z.string().nullable() });

export const unlockKeyOutput = z.object({ unlockKey: z.string() });

export type AutolockInfo = z.infer<typeof autolockOutput>;
