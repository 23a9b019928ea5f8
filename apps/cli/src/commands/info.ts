import { humanDuration } from "@rampart/core";
import type { AdminClient } from "../client/index.js";
import { runtimePolicyLines, type Out } from "./swarm.js";

/**
 * `rampart info`: the server, then the Swarm section of `docker info` (§8.4) with the
 * fields Rampart has, where docker prints them. Raft and address-pool fields are left
 * out: the store is PostgreSQL, not Raft, and networks are not there yet (ADR 0005).
 * Rampart's runtime policy (ADR 0019) comes last, under `Runtime Policy:`.
 */
export async function info(client: AdminClient, out: Out): Promise<number> {
  const status = await client.system.status.query();
  const s = await client.swarm.info.query();
  out("Server:");
  out(` Version: ${status.version}`);
  out(` Store: ${status.store.kind === "pglite" ? "PGlite" : "PostgreSQL"} (${status.healthy ? "healthy" : "unhealthy"})`);
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
