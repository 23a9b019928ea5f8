import type { Db } from "../prisma.js";

/**
 * Custom seccomp profiles, stored once by name so that many services can share one
 * (ADR 0019). A profile is never changed in place: a task's container is made with the
 * profile it names, so a new version is a new name.
 */
export interface SeccompProfileRecord {
  id: string;
  name: string;
  /** SHA-256 of the content, hex. */
  digest: string;
  /** The content's length in bytes. */
  size: number;
  createdAt: Date;
}

const select = { id: true, name: true, digest: true, content: true, createdAt: true } as const;

const toRecord = (row: { id: string; name: string; digest: string; content: string; createdAt: Date }): SeccompProfileRecord => ({
  id: row.id,
  name: row.name,
  digest: row.digest,
  size: Buffer.byteLength(row.content),
  createdAt: row.createdAt,
});

export async function listSeccompProfiles(db: Db): Promise<SeccompProfileRecord[]> {
  return (await db.seccompProfile.findMany({ select, orderBy: { name: "asc" } })).map(toRecord);
}

export async function getSeccompProfile(db: Db, name: string): Promise<(SeccompProfileRecord & { content: string }) | null> {
  const row = await db.seccompProfile.findUnique({ where: { name }, select });
  return row ? { ...toRecord(row), content: row.content } : null;
}

export async function createSeccompProfile(
  db: Db,
  input: { id: string; name: string; content: string; digest: string; at: Date },
): Promise<SeccompProfileRecord> {
  return toRecord(
    await db.seccompProfile.create({
      data: { id: input.id, name: input.name, content: input.content, digest: input.digest, createdAt: input.at },
      select,
    }),
  );
}

export async function deleteSeccompProfile(db: Db, name: string): Promise<boolean> {
  const { count } = await db.seccompProfile.deleteMany({ where: { name } });
  return count > 0;
}

/** The services whose spec names this custom profile, by name. */
export async function servicesUsingSeccompProfile(db: Db, name: string): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM service
      WHERE spec->'container'->'seccomp'->>'mode' = 'custom' AND spec->'container'->'seccomp'->>'profile' = $1
      ORDER BY name`,
    name,
  );
  return rows.map((r) => r.name);
}

/** Whether a task assigned to this node (ASSIGNED to RUNNING) names this custom profile. */
export async function nodeNeedsSeccompProfile(db: Db, nodeId: string, name: string): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<{ found: number }[]>(
    `SELECT 1 AS found FROM task
      WHERE node_id = $1 AND state = ANY($2::text[])
        AND spec->'container'->'seccomp'->>'mode' = 'custom' AND spec->'container'->'seccomp'->>'profile' = $3
      LIMIT 1`,
    nodeId,
    ["assigned", "accepted", "preparing", "ready", "starting", "running"],
    name,
  );
  return rows.length > 0;
}

/**
 * Locks a profile's row for the rest of the transaction (FOR SHARE: a service naming it;
 * FOR UPDATE: its removal), so a service is never created naming a profile that is
 * being removed. False when there is no such profile.
 */
export async function lockSeccompProfile(db: Db, name: string, mode: "share" | "update"): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM seccomp_profile WHERE name = $1 FOR ${mode === "share" ? "SHARE" : "UPDATE"}`, name);
  return rows.length > 0;
}
