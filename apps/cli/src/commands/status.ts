import type { AdminClient } from "../client/index.js";

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [d && `${d}d`, (d || h) && `${h}h`, (d || h || m) && `${m}m`, `${s}s`].filter(Boolean).join(" ");
}

/** `rampart status`: the server and its store. Exit status 0 only when healthy. */
export async function statusCommand(client: AdminClient, out: (line: string) => void): Promise<number> {
  const s = await client.system.status.query();
  const engine = s.store.kind === "pglite" ? "PGlite (embedded PostgreSQL)" : "PostgreSQL";
  const applied = `${s.store.appliedMigrations} migration${s.store.appliedMigrations === 1 ? "" : "s"} applied`;
  const pending = s.store.pendingMigrations.length === 0 ? "none pending" : `pending: ${s.store.pendingMigrations.join(", ")}`;
  out(`Server:  rampart ${s.version} (pid ${s.runtime.pid}, node ${s.runtime.node}), up ${duration(s.uptimeSeconds)}`);
  out(`Store:   ${engine} at ${s.store.location}`);
  out(`         ${s.store.reachable ? "reachable" : `unreachable (${s.store.problem ?? "no answer"})`}, ${applied}, ${pending}`);
  out(`Setup:   ${s.setupComplete ? "complete" : "waiting for the first administrator (see the setup code the server printed)"}`);
  out(`Health:  ${s.healthy ? "healthy" : "unhealthy"}`);
  return s.healthy ? 0 : 1;
}
