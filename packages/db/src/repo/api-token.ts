import type { ApiTokenInfo, User } from "@rampart/core";
import type { Db } from "../prisma.js";
import { findUserById } from "./user.js";

const infoSelect = {
  id: true,
  name: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

/** The sealed-field context of a token's secret: table `api_token`, its row, column `secret`. */
export const apiTokenSecretContext = (id: string) => ({ table: "api_token", rowId: id, column: "secret" });

export async function createApiToken(
  db: Db,
  input: { id: string; userId: string; name: string; sealedSecret: Uint8Array<ArrayBuffer>; createdAt: Date; expiresAt: Date },
): Promise<ApiTokenInfo> {
  return db.apiToken.create({
    data: {
      id: input.id,
      userId: input.userId,
      name: input.name,
      secret: input.sealedSecret,
      createdAt: input.createdAt,
      expiresAt: input.expiresAt,
    },
    select: infoSelect,
  });
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenInfo[]> {
  return db.apiToken.findMany({ where: { userId }, select: infoSelect, orderBy: { createdAt: "desc" } });
}

/** The token with its sealed secret and owner, for authentication only. */
export async function findApiTokenForAuth(
  db: Db,
  id: string,
): Promise<{ info: ApiTokenInfo; sealedSecret: Uint8Array; user: User } | null> {
  const row = await db.apiToken.findUnique({ where: { id }, select: { ...infoSelect, userId: true, secret: true } });
  if (!row) return null;
  const user = await findUserById(db, row.userId);
  if (!user) return null;
  const { secret, userId: _userId, ...info } = row;
  return { info, sealedSecret: secret, user };
}

export async function findApiToken(db: Db, userId: string, id: string): Promise<ApiTokenInfo | null> {
  return db.apiToken.findFirst({ where: { id, userId }, select: infoSelect });
}

export async function revokeApiToken(db: Db, userId: string, id: string, at: Date): Promise<boolean> {
  const { count } = await db.apiToken.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: at } });
  return count === 1;
}

export async function touchApiToken(db: Db, id: string, at: Date): Promise<void> {
  await db.apiToken.updateMany({ where: { id }, data: { lastUsedAt: at } });
}
