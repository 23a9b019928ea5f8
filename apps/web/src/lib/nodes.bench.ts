/**
 * ui.nodes.10k: milliseconds for what the Nodes page redoes on every poll at 10,000
 * nodes: index, sort by hostname (natural order), and filter by a search and a status.
 * The table itself is virtualised, so this is the per-poll cost that grows with the
 * cluster. Median of 9 warm runs.
 */
import type { NodeViewOutput } from "@rampart/api/schema";
import { DEFAULT_SORT, EMPTY_FILTER, filterNodes, indexNodes, sortNodes } from "./nodes.js";

const now = new Date();
const states = ["ready", "down", "unknown"] as const;
const nodes: NodeViewOutput[] = Array.from({ length: 10_000 }, (_, i) => ({
  id: `${i.toString(36).padStart(8, "0")}${"x".repeat(17)}`,
  hostname: `node-${(i * 7919) % 10_000}`,
  role: i % 100 === 0 ? "manager" : "worker",
  availability: "active",
  labels: { zone: `zone-${i % 5}`, rack: String(i % 40) },
  engineLabels: { disk: i % 2 ? "ssd" : "hdd" },
  platform: { os: "linux", arch: "x86_64" },
  resources: { nanoCpus: 2e9, memoryBytes: 2 ** 31 },
  engineVersion: "0.1.0",
  runtime: { kind: "simulated", detail: "", securityOptions: [] },
  addr: "10.0.0.1",
  isLeader: false,
  createdAt: now,
  updatedAt: now,
  version: 1,
  lastHeartbeatAt: now,
  state: states[i % 3]!,
  managerStatus: null,
  tls: { status: "ready", role: "swarm-worker", notBefore: now, notAfter: new Date(now.getTime() + 90 * 86400_000), serial: "01", issuance: null },
}));

function run() {
  const sorted = sortNodes(indexNodes(nodes), DEFAULT_SORT);
  return filterNodes(sorted, { ...EMPTY_FILTER, search: "zone-3", state: "ready" }).length;
}

for (let i = 0; i < 3; i++) run();
const times: number[] = [];
for (let i = 0; i < 9; i++) {
  const started = performance.now();
  run();
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(`ui.nodes.10k: ${times[4]!.toFixed(1)} ms`);
