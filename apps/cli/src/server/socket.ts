import { chmodSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import type { Server } from "node:http";

/** True when something is already answering on the socket (another server). */
function inUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/**
 * Listens on the admin socket with mode 0600 from the first instant (the umask is
 * tightened around listen), so no other user can connect even briefly. A stale socket
 * left by a crash is removed; a live one means another server owns this directory.
 */
export async function listenAdminSocket(server: Server, path: string): Promise<void> {
  if (await inUse(path)) throw new Error(`another Rampart server is listening on ${path}`);
  rmSync(path, { force: true });
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  chmodSync(path, 0o600);
}
