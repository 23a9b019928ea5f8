import type { Logger } from "@rampart/manager";
import type { LocalNode, Runtime } from "./runtime.js";

/** How often heartbeats are written to the store, in one statement. */
const HEARTBEAT_FLUSH_MS = 2_000;
/** How often this server checks whether its own node certificate is due for renewal. */
const RENEWAL_CHECK_MS = 60_000;
const SWEEP_MS = 10 * 60_000;
const STATE_CHECK_MS = 2_000;
/** How often refused secret fetches not audited one by one are written as summaries. */
const REFUSAL_SUMMARY_MS = 10_000;

/**
 * The server's background work: flushing heartbeats, its own node's heartbeat and
 * certificate renewal, and sweeping expired sessions and counters. Each timer is
 * unref'd, and a failure is logged and retried on the next tick.
 */
export function startTimers(runtime: Runtime, log: Logger, onLocalRenewed: (local: LocalNode) => void) {
  const { manager } = runtime;
  const guard = (what: string, work: () => Promise<unknown>) => () => {
    work().catch((error: unknown) => log.warn({ error: error instanceof Error ? error.name : String(error) }, `${what} failed`));
  };
  const every = (ms: number, work: () => void) => {
    const timer = setInterval(work, ms);
    timer.unref();
    return timer;
  };
  /** Renews this server's node certificate if it is due, or no longer issued as the CA issues now. */
  const renewLocal = async () => {
    const renewed = await runtime.renewLocalNode();
    if (renewed) {
      onLocalRenewed(renewed);
      log.info({ nodeId: renewed.nodeId }, "renewed this server's node certificate");
    }
  };
  // A root rotation asks for it at once; it has no assignment poll to hear that on.
  manager.rootRotation.onRenewLocal(renewLocal);
  const selfBeat = () => manager.nodes.heartbeat(runtime.local.nodeId, null);
  selfBeat();
  const timers = [
    every(HEARTBEAT_FLUSH_MS, guard("heartbeat flush", () => manager.nodes.flushHeartbeats())),
    every(1_000, selfBeat),
    every(
      RENEWAL_CHECK_MS,
      guard("node certificate renewal", renewLocal),
    ),
    every(SWEEP_MS, guard("sweep", () => manager.auth.sweep())),
    // Node state comes from heartbeats; look for changes a few times a period.
    every(STATE_CHECK_MS, guard("node state check", () => manager.reconciler.checkDownNodes())),
    every(REFUSAL_SUMMARY_MS, guard("refusal summaries", () => manager.delivery.flushRefusals())),
  ];
  // Catch up at start: restarts, the enforcer's sweep, every service, the reaper, a pass.
  void guard("catching up at start", async () => {
    await manager.reconciler.checkDownNodes();
    await manager.start();
  })();
  // Connected swarms: each connection's state, checked every few seconds (ADR 0020).
  manager.environments.startMonitor();
  // Their event streams, recorded as observed audit events, resumed where each stopped.
  manager.environmentEvents.start();
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
      manager.stop();
    },
    /** Writes heartbeats and refusal counts still in memory, before the store closes. */
    async flush() {
      await manager.nodes.flushHeartbeats().catch(() => undefined);
      await manager.delivery.flushRefusals(true).catch(() => undefined);
    },
  };
}

/**
 * What the server prints when it creates the swarm: `docker swarm init`'s first line
 * (swarm-semantics.md §8.1), and where to get the join commands, which carry tokens and
 * so are shown only through the audited reveal.
 */
export function swarmInitText(nodeId: string): string {
  return (
    `Swarm initialized: current node (${nodeId}) is now a manager.\n\n` +
    "To add a worker to this swarm, run 'rampart swarm join-token worker' and follow the instructions.\n\n" +
    "To add a manager to this swarm, run 'rampart swarm join-token manager' and follow the instructions.\n"
  );
}
