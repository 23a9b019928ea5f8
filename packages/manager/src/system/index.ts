import type { StoreStatus } from "@rampart/db";
import type { ManagerDeps } from "../deps.js";

export interface SystemStatus {
  version: string;
  startedAt: Date;
  uptimeSeconds: number;
  /** Node.js version and platform of the server process. */
  runtime: { node: string; platform: string; arch: string; pid: number };
  store: StoreStatus;
  setupComplete: boolean;
  /** True when every check passes: store reachable and fully migrated. */
  healthy: boolean;
}

export interface Health {
  ok: boolean;
  version: string;
  store: Pick<StoreStatus, "kind" | "reachable" | "migrated" | "pendingMigrations" | "problem">;
}

export function createSystemService(deps: ManagerDeps, setupNeeded: () => Promise<boolean>, startedAt: Date) {
  return {
    /** For `/healthz`, which anyone may call: no location, no credentials. */
    async health(): Promise<Health> {
      const { kind, reachable, migrated, pendingMigrations, problem } = await deps.store.status();
      return {
        ok: reachable && migrated,
        version: deps.version,
        store: { kind, reachable, migrated, pendingMigrations, ...(problem ? { problem } : {}) },
      };
    },

    async status(): Promise<SystemStatus> {
      const store = await deps.store.status();
      const now = deps.now();
      return {
        version: deps.version,
        startedAt,
        uptimeSeconds: Math.floor((now.getTime() - startedAt.getTime()) / 1000),
        runtime: { node: process.version, platform: process.platform, arch: process.arch, pid: process.pid },
        store,
        setupComplete: store.reachable ? !(await setupNeeded()) : false,
        healthy: store.reachable && store.migrated,
      };
    },
  };
}

export type SystemService = ReturnType<typeof createSystemService>;
