import {
  API_TOKEN_ID_BYTES,
  API_TOKEN_SECRET_BYTES,
  RampartError,
  apiTokenExpiry,
  formatApiToken,
  isRampartError,
  newApiTokenId,
  normalizeApiTokenName,
  parseApiToken,
  type Actor,
  type ApiTokenInfo,
  type User,
} from "@rampart/core";
import {
  apiTokenSecretContext,
  createApiToken,
  findApiToken,
  findApiTokenForAuth,
  listApiTokens,
  revokeApiToken,
  touchApiToken,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import { equalBytes } from "../hash.js";

/** How often `last_used_at` is written: to the minute is enough and spares the store. */
const TOUCH_EVERY_MS = 60 * 1000;

export interface CreatedApiToken {
  /** The whole token. Returned once, at creation, and never again. */
  token: string;
  info: ApiTokenInfo;
}

/**
 * API tokens let the CLI and scripts act as a user from another machine. The secret is
 * a sealed field (DESIGN.md §3) and is compared in constant time.
 */
/** API tokens act as a user; the local admin channel has no user to own one. */
function requireOwner(owner: User | null): User {
  if (!owner) {
    throw new RampartError(
      "failed_precondition",
      "API tokens belong to a user account; sign in to the web UI, or use --host with an API token",
    );
  }
  return owner;
}

export function createApiTokenService(deps: ManagerDeps, audit: AuditService) {
  const db = deps.store.prisma;
  const userActor = (user: User): Actor => ({ type: "user", id: user.id, name: user.username });

  return {
    /** A new token for `owner`, expiring after `expiresInDays` (90 by default, 365 at most). */
    async create(owner: User | null, input: { name: string; expiresInDays?: number | undefined }, ip: string | null): Promise<CreatedApiToken> {
      const user = requireOwner(owner);
      const name = normalizeApiTokenName(input.name);
      const now = deps.now();
      const expiresAt = apiTokenExpiry(now, input.expiresInDays);
      const id = newApiTokenId(deps.random(API_TOKEN_ID_BYTES));
      const { token, secret } = formatApiToken(id, deps.random(API_TOKEN_SECRET_BYTES));
      const info = await deps.store.transaction(async (tx) => {
        const created = await createApiToken(tx, {
          id,
          userId: user.id,
          name,
          sealedSecret: deps.codec.sealText(apiTokenSecretContext(id), secret),
          createdAt: now,
          expiresAt,
        });
        await audit.record(
          { actor: userActor(user), action: "apitoken.create", target: { type: "apitoken", id, name }, outcome: "success", ip },
          tx,
        );
        return created;
      });
      return { token, info };
    },

    list: (owner: User | null) => listApiTokens(db, requireOwner(owner).id),

    async revoke(owner: User | null, id: string, ip: string | null): Promise<ApiTokenInfo> {
      const user = requireOwner(owner);
      const existing = await findApiToken(db, user.id, id);
      if (!existing) throw new RampartError("not_found", `API token ${id} does not exist`, { field: "id" });
      if (existing.revokedAt) return existing;
      await deps.store.transaction(async (tx) => {
        await revokeApiToken(tx, user.id, id, deps.now());
        await audit.record(
          {
            actor: userActor(user),
            action: "apitoken.revoke",
            target: { type: "apitoken", id, name: existing.name },
            outcome: "success",
            ip,
          },
          tx,
        );
      });
      return (await findApiToken(db, user.id, id))!;
    },

    /** The user a bearer token acts as, or null for any token that is not valid now. */
    async authenticate(token: string): Promise<{ user: User; tokenId: string } | null> {
      let parts;
      try {
        parts = parseApiToken(token);
      } catch (error) {
        if (isRampartError(error)) return null;
        throw error;
      }
      const found = await findApiTokenForAuth(db, parts.id);
      if (!found) return null;
      const now = deps.now();
      if (found.info.revokedAt || found.info.expiresAt <= now) return null;
      const stored = deps.codec.open(apiTokenSecretContext(parts.id), found.sealedSecret);
      const presented = Buffer.from(parts.secret, "utf8");
      const valid = equalBytes(stored, presented);
      stored.fill(0);
      if (!valid) return null;
      if (!found.info.lastUsedAt || now.getTime() - found.info.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
        await touchApiToken(db, parts.id, now);
      }
      return { user: found.user, tokenId: parts.id };
    },
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
