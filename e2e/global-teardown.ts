import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export default async function globalTeardown(): Promise<void> {
  const dataDir = process.env.RAMPART_E2E_DATA_DIR;
  if (!dataDir) return;
  const pid = Number(readFileSync(join(dataDir, "e2e-server.pid"), "utf8"));
  try {
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 100; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // The server has exited.
  }
  rmSync(dataDir, { recursive: true, force: true });
}
