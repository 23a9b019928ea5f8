/**
 * The orchestrators live in core (pure, shared with the placement planner); the
 * manager applies their plans to the store. Re-exported here so services code keeps
 * one import site.
 */
export {
  globalEligible,
  planGlobal,
  planNodeDown,
  planReplicated,
  type OrchestratorNode,
  type Plan,
} from "@rampart/core";
