import type { SessionTimes, User } from "@rampart/core";
import type { Db } from "../prisma.js";
import { findUserById } from "./user.js";

export interface StoredSession extends SessionTimes {
  id: string;
  userId: string;
}

const sessionSelect = { id: true, userId: true, createdAt: true, lastSeenAt: true, expiresAt: true } as const;

export async function createSession(
  db: Db,
  input: {
    id: string;
    tokenHash: Uint8Array<ArrayBuffer>;
    userId: string;
    createdAt: Date;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<StoredSession> {
  return db.session.create({
    data: { ...input, lastSeenAt: input.createdAt },
    select: sessionSelect,
  });
}

export async function findSessionByTokenHash(
  db: Db,
  tokenHash: Uint8Array<ArrayBuffer>,
): Promise<{ session: StoredSession; user: User } | null> {
  const session = await db.session.findUnique({ where: { tokenHash }, select: sessionSelect });
  if (!session) return null;
  const user = await findUserById(db, session.userId);
  return user ? { session, user } : null;
}

export async function touchSession(db: Db, id: string, at: Date): Promise<void> {
  await db.session.updateMany({ where: { id }, data: { lastSeenAt: at } });
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.session.deleteMany({ where: { id } });
}

/** Ends every session a user has; how many there were. */
export async function deleteSessionsOfUser(db: Db, userId: string): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { userId } });
  return count;
}

/** Removes sessions past their absolute or idle limit. */
export async function deleteExpiredSessions(db: Db, now: Date, idleCutoff: Date): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lte: idleCutoff } }] },
  });
  return count;
}
