import type { SealedCodec, Store } from "@rampart/db";

/** The logger shape the manager needs; pino satisfies it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Everything the application services reach outside themselves. Clocks and randomness
 * come in here, so tests can drive time forward.
 */
export interface ManagerDeps {
  store: Store;
  codec: SealedCodec;
  log: Logger;
  now: () => Date;
  random: (bytes: number) => Uint8Array;
  version: string;
  /** Where nodes reach this server's node endpoint (host:port), for join commands. */
  nodeAddress: string;
}
