import { parentPort, workerData } from "node:worker_threads";
import { predictPlacement, type PlacementPrediction, type PlannerCluster, type Sandbox } from "@rampart/core";

/**
 * The fidelity check's worker thread (fidelity-tracker.ts starts it): the planner's
 * prediction runs the planner over up to MAX_NODE_ORDERS node orders, seconds of work on
 * a large swarm, which would stop the server answering if it ran on the event loop. The
 * snapshot and sandbox come in as plain data (structured clone) and the prediction goes
 * back the same way, so it is the very result `predictPlacement` gives in the main thread.
 */

/** The `workerData` the tracker starts this file with: a module imported for its types alone listens to nothing. */
export const FIDELITY_WORKER = "rampart-fidelity-prediction";

export interface PredictionRequest {
  cluster: PlannerCluster;
  sandbox: Sandbox;
}

export type PredictionReply = { prediction: PlacementPrediction } | { error: string };

/** One request's answer: the prediction, or why there is none (a sandbox the planner cannot plan). */
export function answer(request: PredictionRequest): PredictionReply {
  try {
    return { prediction: predictPlacement(request.cluster, request.sandbox) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const port = parentPort;
if (port && workerData === FIDELITY_WORKER) port.on("message", (request: PredictionRequest) => port.postMessage(answer(request)));
