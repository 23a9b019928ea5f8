import { createApiTokenService } from "./api-tokens/index.js";
import { createAuditService } from "./audit/index.js";
import { createAuthService } from "./auth/index.js";
import type { ManagerDeps } from "./deps.js";
import { createSystemService } from "./system/index.js";

export type { Logger, ManagerDeps } from "./deps.js";
export type { AuditService } from "./audit/index.js";
export type { AuthService, AuthenticatedSession, ClientInfo, LoginResult } from "./auth/index.js";
export type { ApiTokenService, CreatedApiToken } from "./api-tokens/index.js";
export type { Health, SystemService, SystemStatus } from "./system/index.js";

/** The application services, built once per server process over one store. */
export function createManager(deps: ManagerDeps) {
  const startedAt = deps.now();
  const audit = createAuditService(deps);
  const auth = createAuthService(deps, audit);
  const apiTokens = createApiTokenService(deps, audit);
  const system = createSystemService(deps, () => auth.setupNeeded(), startedAt);
  return { deps, audit, auth, apiTokens, system };
}

export type Manager = ReturnType<typeof createManager>;
