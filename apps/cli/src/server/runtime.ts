import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { kekSource, openKeyring, openStore, type Store } from "@rampart/db";
import { createManager, type Logger, type Manager } from "@rampart/manager";

export interface RuntimeOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  kekFile: string | undefined;
  version: string;
  log: Logger;
}

export interface Runtime {
  store: Store;
  manager: Manager;
  /** The one-time setup code, when the first administrator is still to be created. */
  setupCode: string | undefined;
  close(): Promise<void>;
}

/**
 * Opens the store, applies migrations, unlocks the sealed-field keys and builds the
 * application services. If any step fails the store is closed again, so a failed start
 * never leaves the PGlite directory locked.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  try {
    const applied = await store.migrate();
    if (applied.length > 0) options.log.info({ migrations: applied }, "store migrated");
    const { codec, kekCreated } = await openKeyring(store.prisma, kekSource(options.dataDir, options.kekFile));
    if (kekCreated) options.log.info({ path: `${options.dataDir}/kek` }, "created the key-encryption key");
    const manager = createManager({
      store,
      codec,
      log: options.log,
      now: () => new Date(),
      random: (n) => new Uint8Array(randomBytes(n)),
      version: options.version,
    });
    const setupCode = await manager.auth.issueSetupCode();
    return { store, manager, setupCode, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
