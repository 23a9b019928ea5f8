import type { KeyObject } from "node:crypto";
import { RampartError, isRampartError, parseUnlockKey, type Actor } from "@rampart/core";
import { unwrapKek, type SealedCodec } from "@rampart/db";
import { createAuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import { INVALID_UNLOCK_KEY_MESSAGE, NOT_LOCKED_MESSAGE, swarmLocked, type LockStatus } from "./messages.js";
import { beginUnlock, UNLOCK_LOCKOUT_REASON, unlockKeys, unlockSucceeded } from "./throttle.js";

/** What a locked server has: a store, and nothing sealed in it can be opened yet. */
export type LockedDeps = Omit<ManagerDeps, "codec" | "nodeAddress">;

/** While locked there is no codec; this one refuses every use with Swarm's words, so nothing sealed is ever read. */
const LOCKED_CODEC: SealedCodec = {
  activeKeyId: "locked",
  seal: () => {
    throw swarmLocked();
  },
  open: () => {
    throw swarmLocked();
  },
  sealText: () => {
    throw swarmLocked();
  },
  openText: () => {
    throw swarmLocked();
  },
};

/**
 * A locked server's one service (ADR 0022): Swarm's unlock. Each attempt is counted
 * before the key is looked at (throttle.ts; the admin socket's are not), and its
 * outcome audited, never the key.
 * The right key unwraps the KEK, and `open` finishes starting the server in this
 * process with it; attempts are taken one at a time, so the server opens once.
 */
export function createLockedAutolock(deps: LockedDeps, lock: { clusterId: string; wrappedKek: Uint8Array }, open: (kek: KeyObject) => Promise<void>) {
  const db = deps.store.prisma;
  const audit = createAuditService({ ...deps, codec: LOCKED_CODEC, nodeAddress: "" });
  let unlocked = false;
  let turn: Promise<unknown> = Promise.resolve();

  const target = { type: "cluster", id: lock.clusterId };

  async function attempt(text: string, actor: Actor, ip: string | null): Promise<void> {
    if (unlocked) throw new RampartError("conflict", NOT_LOCKED_MESSAGE);
    // The admin socket is the machine's own administrator (whoever may open it is root, as
    // with docker.sock): audited like anyone, never held back. Everyone else is counted first.
    const keys = actor.type === "local" ? undefined : unlockKeys(ip);
    if (keys) {
      const counted = await beginUnlock(db, keys, deps.now());
      if (counted.reached.length > 0) {
        await audit.record({ actor, action: "swarm.unlock", target, outcome: "denied", reason: UNLOCK_LOCKOUT_REASON, ip });
      }
      if (counted.refusal) throw counted.refusal;
    }
    const denied = async (reason: string) => audit.record({ actor, action: "swarm.unlock", target, outcome: "denied", reason, ip });
    let key: Uint8Array;
    try {
      key = parseUnlockKey(text.trim());
    } catch (error) {
      if (isRampartError(error)) await denied("invalid key string");
      throw error;
    }
    const kek = unwrapKek(lock.clusterId, key, lock.wrappedKek);
    key.fill(0);
    if (!kek) {
      await denied("invalid key provided");
      throw new RampartError("unauthenticated", INVALID_UNLOCK_KEY_MESSAGE, { field: "unlockKey" });
    }
    try {
      await open(kek);
    } catch (error) {
      deps.log.error({ error: error instanceof Error ? error.name : String(error) }, "the unlocked server could not finish starting");
      await audit.record({ actor, action: "swarm.unlock", target, outcome: "failure", reason: "the key was right, but the server could not finish starting", ip });
      throw isRampartError(error) ? error : new RampartError("internal", "the key was right, but the server could not finish starting; see its log");
    }
    unlocked = true;
    if (keys) await unlockSucceeded(db, keys);
    await audit.record({ actor, action: "swarm.unlock", target, outcome: "success", ip });
  }

  return {
    status(): LockStatus {
      return { locked: !unlocked };
    },

    /** `rampart swarm unlock` and the unlock page: Swarm's answers (invalid key string, invalid key provided, swarm is not locked). */
    unlock(text: string, actor: Actor, ip: string | null): Promise<void> {
      const result = turn.then(() => attempt(text, actor, ip));
      turn = result.catch(() => undefined);
      return result;
    },
  };
}

export type LockedAutolock = ReturnType<typeof createLockedAutolock>;
