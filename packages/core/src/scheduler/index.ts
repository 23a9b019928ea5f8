/**
 * The scheduler (swarm-semantics.md §2): SwarmKit's placement rules as a pure, replayable
 * state machine, with an explanation for every node a task could not use. Other code
 * imports it only through this file.
 */
export {
  Scheduler,
  explainPlacement,
  summarizeVerdicts,
  type NodeUsage,
  type NodeVerdict,
  type SchedulerSnapshot,
  type TaskFailure,
  type TaskStatusView,
} from "./scheduler.js";
export { FILTER_NAMES, explainFilter, type FilterName } from "./filters.js";
export { explainCounts, noSuitableNodeError } from "./pipeline.js";
export { NodeLedger, encodeHostPort, failureKey, type LedgerTask } from "./node-ledger.js";
export { GenericPool, type GenericClaim } from "./generic-resources.js";
export { spreadLevels, spreadTreeCounts, type SpreadLevel, type SpreadTreeSummary } from "./decision-tree.js";
export * from "./types.js";
