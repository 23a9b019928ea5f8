import { RampartError } from "@rampart/core";

/**
 * Autolock on Rampart's own cluster (swarm-semantics.md §5, ADR 0022): Swarm's texts,
 * with rampart's command where Swarm names docker's.
 */
export const SWARM_LOCKED_MESSAGE = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "rampart swarm unlock" to unlock it.';
export const INVALID_UNLOCK_KEY_MESSAGE = "swarm could not be unlocked: invalid key provided";
export const NOT_LOCKED_MESSAGE = "swarm is not locked";
export const AUTOLOCK_OFF_MESSAGE = "cannot rotate because autolock is not turned on";
export const NO_UNLOCK_KEY_MESSAGE = "no unlock key is set";

/** What every call to a locked server gets, whatever it asks for (moby's errSwarmLocked: unavailable). */
export const swarmLocked = (): RampartError => new RampartError("unavailable", SWARM_LOCKED_MESSAGE);

/** Whether the server is locked: all that anyone may ask before signing in (the unlock page, `rampart swarm unlock`). */
export interface LockStatus {
  locked: boolean;
}
