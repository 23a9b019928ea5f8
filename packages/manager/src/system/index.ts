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

export interface SystemInfo {
  /** Addresses the server listens on, as given to it. */
  listen: { http: string; tls: boolean; nodeEndpoint: string; socket: string | null };
}

export function createSystemService(deps: ManagerDeps, setupNeeded: () => Promise<boolean>, startedAt: Date) {
  return {
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
