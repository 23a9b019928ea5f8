import { generateKeyPairSync, sign, X509Certificate } from "node:crypto";
import { buildCsr, toPem } from "@rampart/core";
import { openStore, type Store } from "@rampart/db";
import { createTestStore, type TestStore } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manager } from "../index.js";
import { openTestManager, testActor, verifiedPeer } from "../test-support/manager.js";

/**
 * The deny list and the join tokens are the store's alone: two managers over one
 * PostgreSQL database, each with its own pool as two processes would have, and what one
 * does is in force in the other at once. PGlite cannot be opened by a second process at
 * all (its directory lock refuses it; see the server tests), so this needs PostgreSQL.
 */
describe.skipIf(!process.env.DATABASE_URL)("two managers on one PostgreSQL store (needs DATABASE_URL)", () => { // reason: PGlite is one process with one connection, so two managers cannot share it
  let t: TestStore;
  let other: Store;
  let a: Manager;
  let b: Manager;

  beforeAll(async () => {
    t = await createTestStore("postgres");
    a = await openTestManager(t);
    other = await openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
    b = await openTestManager({ ...t, store: other });
  });
  afterAll(async () => {
    a?.stop();
    b?.stop();
    await other?.close();
    await t?.dispose();
  });

  const csr = () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const der = buildCsr(new Uint8Array(publicKey.export({ type: "spki", format: "der" })), (info) => new Uint8Array(sign("sha256", info, privateKey)));
    return toPem(der, "CERTIFICATE REQUEST");
  };
  const description = (hostname: string) => ({ hostname, os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} });
  /** A heartbeat as the node endpoint's listener hands it over: the chain verified, the leaf's DER. */
  const heartbeat = (m: Manager, pem: string) =>
    m.nodeEndpoint.handle({ method: "POST", path: "/v1/heartbeat", body: {}, ip: "192.0.2.7", peer: verifiedPeer(new X509Certificate(pem).raw) });

  it("fail/a node removed through one manager is refused by the other at once", async () => {
    const token = await a.cluster.revealToken("worker", testActor, null);
    const joined = await a.nodes.join({ token, csrPem: csr(), description: description("shared-1") }, null);
    if (!("certificatePem" in joined)) throw new Error(`the join was not signed: ${joined.pending.reason}`);
    expect((await heartbeat(b, joined.certificatePem)).status).not.toBe(403);
    await a.nodes.remove(joined.nodeId, true, testActor, null);
    const refused = await heartbeat(b, joined.certificatePem);
    expect(refused).toMatchObject({ status: 403, body: { error: expect.stringContaining(`Permission denied: node ${joined.nodeId} was removed from swarm`) } });
  });

  it("fail/a join token rotated through one manager is refused by the other at once, and the new one is accepted", async () => {
    const old = await b.cluster.revealToken("worker", testActor, null);
    const rotated = await a.cluster.rotateToken("worker", testActor, null);
    await expect(b.nodes.join({ token: old, csrPem: csr(), description: description("late") }, null)).rejects.toThrow(
      "A valid join token is necessary to join this cluster",
    );
    expect(await b.cluster.revealToken("worker", testActor, null)).toBe(rotated);
    await expect(b.nodes.join({ token: rotated, csrPem: csr(), description: description("on-time") }, null)).resolves.toMatchObject({ role: "worker" });
    // And the other way round: the manager that did not rotate can rotate next.
    const again = await b.cluster.rotateToken("worker", testActor, null);
    await expect(a.nodes.join({ token: rotated, csrPem: csr(), description: description("later") }, null)).rejects.toThrow(
      "A valid join token is necessary to join this cluster",
    );
    await expect(a.nodes.join({ token: again, csrPem: csr(), description: description("later") }, null)).resolves.toMatchObject({ role: "worker" });
  });
});
