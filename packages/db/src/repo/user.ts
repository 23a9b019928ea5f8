import { isRole, RampartError, type User } from "@rampart/core";
import type { Db } from "../prisma.js";

const userSelect = { id: true, username: true, role: true, createdAt: true } as const;

function toUser(row: { id: string; username: string; role: string; createdAt: Date }): User {
  if (!isRole(row.role)) throw new RampartError("internal", "stored user has an unknown role");
  return { id: row.id, username: row.username, role: row.role, createdAt: row.createdAt };
}

export async function createUser(
  db: Db,
  input: { id: string; username: string; passwordHash: string; role: User["role"] },
): Promise<User> {
  return toUser(await db.user.create({ data: input, select: userSelect }));
}

export async function findUserById(db: Db, id: string): Promise<User | null> {
  const row = await db.user.findUnique({ where: { id }, select: userSelect });
  return row ? toUser(row) : null;
}

export async function findUserByName(db: Db, username: string): Promise<User | null> {
  const row = await db.user.findUnique({ where: { username }, select: userSelect });
  return row ? toUser(row) : null;
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.user.update({ where: { id }, data: { passwordHash }, select: { id: true } });
}

/** The user and their password hash, for login only. */
export async function findCredentials(db: Db, username: string): Promise<{ user: User; passwordHash: string } | null> {
  const row = await db.user.findUnique({ where: { username }, select: { ...userSelect, passwordHash: true } });
  return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
}

export async function countUsers(db: Db): Promise<number> {
  return db.user.count();
}
