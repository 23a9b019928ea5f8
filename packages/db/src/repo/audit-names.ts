import type { Db } from "../prisma.js";

/** The kinds of object an audit event can name whose rows the store still holds. */
export const AUDIT_OBJECT_KINDS = ["node", "service", "secret", "user", "apitoken"] as const;
export type AuditObjectKind = (typeof AUDIT_OBJECT_KINDS)[number];

/** An existing object's name now; for an API token, also its owner's username. */
export interface AuditObjectName {
  name: string;
  owner: string | null;
}

export type AuditObjectNames = Record<AuditObjectKind, Map<string, AuditObjectName>>;

/**
 * The names the objects with these IDs have now, one array of IDs per kind, all in one
 * statement however many events asked: an ID missing from its map names an object that
 * was removed. Only names are read (hostnames, service, secret and token names,
 * usernames), never a sealed column.
 */
export async function findAuditObjectNames(db: Db, ids: Record<AuditObjectKind, Iterable<string>>): Promise<AuditObjectNames> {
  const found: AuditObjectNames = { node: new Map(), service: new Map(), secret: new Map(), user: new Map(), apitoken: new Map() };
  const arrays = AUDIT_OBJECT_KINDS.map((kind) => [...new Set(ids[kind])]);
  if (arrays.every((a) => a.length === 0)) return found;
  const rows = await db.$queryRawUnsafe<Array<{ kind: AuditObjectKind; id: string; name: string; owner: string | null }>>(
    `SELECT 'node' AS kind, id, hostname AS name, NULL::text AS owner FROM node WHERE id = ANY($1::text[])
     UNION ALL SELECT 'service', id, name, NULL FROM service WHERE id = ANY($2::text[])
     UNION ALL SELECT 'secret', id, name, NULL FROM secret WHERE id = ANY($3::text[])
     UNION ALL SELECT 'user', id, username, NULL FROM app_user WHERE id = ANY($4::text[])
     UNION ALL SELECT 'apitoken', t.id, t.name, u.username FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.id = ANY($5::text[])`,
    ...arrays,
  );
  for (const row of rows) found[row.kind].set(row.id, { name: row.name, owner: row.owner });
  return found;
}
