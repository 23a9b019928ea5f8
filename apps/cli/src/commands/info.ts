import { humanDuration } from "@rampart/core";
import type { SwarmInfo } from "@rampart/api/schema";
import type { AdminClient } from "../client/index.js";
import { runtimePolicyLines, type Out } from "./swarm.js";

/**
 * `rampart info`: the server, then the Swarm section of `docker info` (§8.4) with the
 * fields Rampart has, where docker prints them. Raft and address-pool fields are left
 * out: the store is PostgreSQL, not Raft, and networks are not there yet (ADR 0005).
 * Rampart's runtime policy (ADR 0019) comes last, under `Runtime Policy:`. On a
 * connected Docker Swarm (`--env NAME`), the Swarm section is Docker's own, whole.
 */
export async function info(client: AdminClient, out: Out): Promise<number> {
  const status = await client.system.status.query();
  const s = await client.swarm.info.query();
  out("Server:");
  out(` Version: ${status.version}`);
  out(` Store: ${status.store.kind === "pglite" ? "PGlite" : "PostgreSQL"} (${status.healthy ? "healthy" : "unhealthy"})`);
  if (s.docker) {
    for (const line of dockerSwarmLines({ ...s, docker: s.docker })) out(line);
    return 0;
  }
  out(" Swarm: active");
  out(`  NodeID: ${s.nodeId}`);
  out(`  Is Manager: ${s.isManager}`);
  out(`  ClusterID: ${s.clusterId}`);
  out(`  Managers: ${s.managers}`);
  out(`  Nodes: ${s.nodes}`);
  out("  Orchestration:");
  out(`   Task History Retention Limit: ${s.taskHistoryLimit}`);
  out("  Dispatcher:");
  out(`   Heartbeat Period: ${humanDuration(s.heartbeatPeriodMs)}`);
  out("  CA Configuration:");
  out(`   Expiry Duration: ${humanDuration(s.certExpiryMs)}`);
  out(`   Force Rotate: ${s.forceRotate}`);
  out(`  Autolock Managers: ${s.autolock}`);
  out(`  Root Rotation In Progress: ${s.rootRotationInProgress}`);
  out(`  Node Address: ${s.nodeAddress.replace(/:\d+$/, "").replace(/^\[|\]$/g, "")}`);
  out("  Manager Addresses:");
  for (const addr of [...s.managerAddresses].sort()) out(`   ${addr}`);
  const { version: _version, ...policy } = await client.swarm.runtimePolicy.query();
  for (const line of runtimePolicyLines(policy)) out(line);
  return 0;
}

/**
 * A connected swarm's part of `rampart info`: the environment and its engine, then the
 * Swarm section as the docker CLI prints it (its lines, order and conditions), then
 * Rampart's reading of the trust root, which docker does not print.
 */
export function dockerSwarmLines(s: SwarmInfo & { docker: NonNullable<SwarmInfo["docker"]> }): string[] {
  const d = s.docker;
  const lines = [`Environment: ${d.environment} (Docker Swarm)`, ` Server Version: ${d.serverVersion}`, ` Swarm: ${d.localNodeState}`, `  NodeID: ${s.nodeId}`];
  if (d.error) lines.push(`  Error: ${d.error}`);
  lines.push(`  Is Manager: ${s.isManager}`, `  ClusterID: ${s.clusterId}`, `  Managers: ${s.managers}`, `  Nodes: ${s.nodes}`);
  if (d.defaultAddrPool) lines.push(`  Default Address Pool: ${d.defaultAddrPool.map((p) => `${p}  `).join("")}`, `  SubnetSize: ${d.subnetSize ?? ""}`);
  if (d.dataPathPort !== null) lines.push(`  Data Path Port: ${d.dataPathPort}`);
  lines.push("  Orchestration:", `   Task History Retention Limit: ${s.taskHistoryLimit}`, "  Raft:", `   Snapshot Interval: ${d.raft.snapshotInterval}`);
  if (d.raft.keepOldSnapshots !== null) lines.push(`   Number of Old Snapshots to Retain: ${d.raft.keepOldSnapshots}`);
  lines.push(
    `   Heartbeat Tick: ${d.raft.heartbeatTick}`,
    `   Election Tick: ${d.raft.electionTick}`,
    "  Dispatcher:",
    `   Heartbeat Period: ${humanDuration(s.heartbeatPeriodMs)}`,
    "  CA Configuration:",
    `   Expiry Duration: ${humanDuration(s.certExpiryMs)}`,
    `   Force Rotate: ${s.forceRotate}`,
  );
  if (d.externalCas.length > 0) lines.push("   External CAs:", ...d.externalCas.map((ca) => `     ${ca.protocol}: ${ca.url}`));
  lines.push(`  Autolock Managers: ${s.autolock}`, `  Root Rotation In Progress: ${s.rootRotationInProgress}`, `  Node Address: ${d.nodeAddr}`);
  if (s.managerAddresses.length > 0) lines.push("  Manager Addresses:", ...[...s.managerAddresses].sort().map((a) => `   ${a}`));
  if (d.trustRoot) {
    lines.push(
      "  Trust Root:",
      `   Subject: ${d.trustRoot.subject}`,
      `   SHA-256 Fingerprint: ${d.trustRoot.fingerprintSha256}`,
      `   Not After: ${d.trustRoot.notAfter.toISOString()}`,
      `   Digest (in join tokens): ${s.rootCaDigest}`,
    );
  } else if (d.trustRootProblem) {
    lines.push(`  Trust Root: cannot be read: ${d.trustRootProblem}`);
  }
  return lines;
}
