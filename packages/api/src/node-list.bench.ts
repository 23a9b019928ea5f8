/**
 * node.ls.10k: milliseconds for `node.list` with 10,000 nodes in the store, through the
 * procedure and the response transformer (everything the server does but the socket
 * write). The nodes are inserted straight into the store, as if they had joined.
 * Target (DESIGN.md §6): under 200 ms.
 */
import { createHarness } from "./test-support/harness.js";
import { transformer } from "./transformer.js";

const h = await createHarness("pglite");
try {
  const now = Date.now();
  const rows = Array.from({ length: 10_000 }, (_, i) => ({
    id: `n${String(i).padStart(24, "0")}`,
    hostname: `node-${i}`,
    role: i % 100 === 0 ? "manager" : "worker",
    labels: { zone: `zone-${i % 10}`, rack: `r${i % 40}` },
    engineLabels: { disk: i % 3 ? "ssd" : "hdd" },
    os: "linux",
    arch: "x86_64",
    nanoCpus: 4_000_000_000n,
    memoryBytes: 8_000_000_000n,
    engineVersion: "0.1.0",
    certSerial: "ab",
    certPem: "-----BEGIN CERTIFICATE-----",
    certRole: "swarm-worker",
    certNotBefore: new Date(now),
    certNotAfter: new Date(now + 90 * 86400_000),
    lastHeartbeatAt: new Date(now),
  }));
  for (let i = 0; i < rows.length; i += 1000) await h.t.store.prisma.node.createMany({ data: rows.slice(i, i + 1000) });
  const loadStart = performance.now();
  await h.manager.nodes.load();
  console.log(`node.registry.load.10k: ${(performance.now() - loadStart).toFixed(0)} ms`);
  const admin = await h.caller({ channel: "socket" });
  const once = async () => JSON.stringify(transformer.output.serialize(await admin.node.list()));
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    bytes = (await once()).length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`node.ls.10k: ${times[4]!.toFixed(0)} ms`);
  console.log(`node.ls.10k.bytes: ${bytes} B`);
} finally {
  await h.dispose();
}
