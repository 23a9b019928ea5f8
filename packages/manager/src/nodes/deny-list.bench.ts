/**
 * node.authorise.*: what the node endpoint's authorisation costs now that the deny list
 * is read from the store on every check (ADR 0015). A heartbeat through the endpoint's
 * handler (certificate parsed, role, deny list and cluster checked, heartbeat recorded)
 * for 1,000 joined nodes: one at a time (`.serial`, µs per call) and 1,000 at once as a
 * fleet's heartbeats arrive (`.burst`, calls a second), where checks share one read.
 * On PGlite; on PostgreSQL too when DATABASE_URL is set.
 */
import { generateKeyPairSync, sign, X509Certificate } from "node:crypto";
import { buildCsr, toPem } from "@rampart/core";
import { createTestStore, testStoreKinds } from "@rampart/db/testing";
import { openTestManager, testActor, verifiedPeer } from "../test-support/manager.js";

const NODES = 1000;

for (const kind of testStoreKinds()) {
  const t = await createTestStore(kind);
  const manager = await openTestManager(t);
  const token = await manager.cluster.revealToken("worker", testActor, null);
  const ders: Uint8Array[] = [];
  for (let i = 0; i < NODES; i++) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const csr = toPem(buildCsr(new Uint8Array(publicKey.export({ type: "spki", format: "der" })), (info) => new Uint8Array(sign("sha256", info, privateKey))), "CERTIFICATE REQUEST");
    const joined = await manager.nodes.join({ token, csrPem: csr, description: { hostname: `bench-${i}`, os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "bench", engineLabels: {} } }, null);
    if (!("certificatePem" in joined)) throw new Error(`join ${i} was not signed: ${joined.pending.reason}`);
    ders.push(new X509Certificate(joined.certificatePem).raw);
  }
  const beat = async (der: Uint8Array) => {
    const r = await manager.nodeEndpoint.handle({ method: "POST", path: "/v1/heartbeat", body: {}, ip: null, peer: verifiedPeer(der) });
    if (r.status !== 200) throw new Error(`heartbeat refused: ${JSON.stringify(r.body)}`);
  };
  for (const der of ders.slice(0, 100)) await beat(der);

  let started = performance.now();
  for (const der of ders) await beat(der);
  console.log(`node.authorise.${kind}.serial: ${(((performance.now() - started) * 1000) / NODES).toFixed(0)} us`);

  started = performance.now();
  await Promise.all(ders.map(beat));
  console.log(`node.authorise.${kind}.burst: ${(NODES / ((performance.now() - started) / 1000)).toFixed(0)} calls/s`);

  manager.stop();
  await t.dispose();
}
