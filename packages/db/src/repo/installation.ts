import type { Db } from "../prisma.js";

export interface InstallationState {
  setupCodeHash: Uint8Array | null;
  setupCodeIssuedAt: Date | null;
  setupCompletedAt: Date | null;
}

export async function getInstallation(db: Db): Promise<InstallationState> {
  const row = await db.installation.findUnique({
    where: { id: 1 },
    select: { setupCodeHash: true, setupCodeIssued: true, setupCompletedAt: true },
  });
  return {
    setupCodeHash: row?.setupCodeHash ?? null,
    setupCodeIssuedAt: row?.setupCodeIssued ?? null,
    setupCompletedAt: row?.setupCompletedAt ?? null,
  };
}

export async function storeSetupCodeHash(db: Db, hash: Uint8Array<ArrayBuffer>, at: Date): Promise<void> {
  await db.installation.upsert({
    where: { id: 1 },
    create: { id: 1, setupCodeHash: hash, setupCodeIssued: at },
    update: { setupCodeHash: hash, setupCodeIssued: at },
    select: { id: true },
  });
}

/**
 * Marks setup done, but only if it was not done already: the conditional update is
 * what makes a second, concurrent setup fail rather than create a second admin.
 */
export async function markSetupComplete(db: Db, at: Date): Promise<boolean> {
  const { count } = await db.installation.updateMany({
    where: { id: 1, setupCompletedAt: null },
    data: { setupCompletedAt: at, setupCodeHash: null },
  });
  return count === 1;
}
