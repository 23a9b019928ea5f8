import { randomBytes } from "node:crypto";
import { kekSource, openKeyring } from "@rampart/db";
import type { TestStore } from "@rampart/db/testing";
import { createManager, type Manager, type PeerCertificate } from "../index.js";

export const testActor = { type: "system" as const, id: null, name: "test" };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A manager over a test store, with a fixed clock and a silent log, its swarm created and its nodes loaded. */
export async function openTestManager(t: TestStore): Promise<Manager> {
  const { codec } = await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined));
  const manager = createManager({
    store: t.store,
    codec,
    log: quiet,
    now: () => new Date("2026-11-28T12:00:00.000Z"),
    random: (n) => new Uint8Array(randomBytes(n)),
    version: "test",
    nodeAddress: "127.0.0.1:2377",
  });
  await manager.cluster.init();
  await manager.nodes.load();
  return manager;
}

/**
 * A peer whose chain the TLS layer verified, presenting this leaf, on a connection of
 * its own (so the endpoint reads its certificate afresh), as the listener describes one.
 */
export function verifiedPeer(der: Uint8Array): PeerCertificate {
  return { authorized: true, authorizationError: null, presented: true, der: () => der, connection: {} };
}
