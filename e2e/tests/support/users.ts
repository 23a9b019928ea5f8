import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { Credentials } from "./admin.js";

interface Argon2 {
  hash(password: string, options: { algorithm: number; memoryCost: number; timeCost: number; parallelism: number }): Promise<string>;
}

export const VIEWER: Credentials = { username: "viewer", password: "a viewer reads and changes nothing" };

/**
 * Adds a user with the `viewer` role to a data directory before its server starts.
 * Rampart makes only its first administrator (setup) and no API creates another user,
 * so a spec that needs a second role writes it to the store itself, as an operator with
 * the data directory could (the `viewers` fixture option). The store is PGlite's, opened
 * and closed before the server takes its lock.
 */
export async function addViewer(dataDir: string, credentials: Credentials): Promise<void> {
  // Loaded here, so that only a spec with viewers pays for the store's modules. The hash is
  // argon2id from the manager's own library (a sign-in reads the parameters from the hash).
  const { createUser, openStore } = await import("../../../packages/db/dist/index.js");
  const argon2 = createRequire(new URL("../../../packages/manager/package.json", import.meta.url))("@node-rs/argon2") as Argon2;
  const store = await openStore({ dataDir });
  try {
    const passwordHash = await argon2.hash(credentials.password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await createUser(store.prisma, { id: randomBytes(12).toString("hex"), username: credentials.username, passwordHash, role: "viewer" });
  } finally {
    await store.close();
  }
}
