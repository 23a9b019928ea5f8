import { defaultServiceSpec, type ServiceSpec } from "../service/index.js";
import type { OrchestratorNode, OrchestratorService, OrchestratorTask } from "../orchestrator/types.js";

/** Small factories for the orchestration tests: a service, its tasks, and nodes. */

export const spec: ServiceSpec = defaultServiceSpec({ name: "web", image: "nginx", replicas: 3 });

export const service = (over: Partial<OrchestratorService> = {}): OrchestratorService => ({ id: "svc", specVersion: 1, spec, ...over });

/** Status times in whole seconds from a fixed start, so a slot's history has an order. */
export const at = (seconds: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, seconds));

export const task = (id: string, slot: number | null, over: Partial<OrchestratorTask> = {}): OrchestratorTask => ({
  id,
  serviceId: "svc",
  slot,
  nodeId: null,
  specVersion: 1,
  desiredState: "running",
  state: "pending",
  ...over,
});

export const running = (id: string, slot: number, nodeId: string, over: Partial<OrchestratorTask> = {}) =>
  task(id, slot, { nodeId, state: "running", ...over });

export const node = (id: string, over: Partial<OrchestratorNode> = {}): OrchestratorNode => ({
  id,
  role: "worker",
  hostname: id,
  labels: {},
  engineLabels: {},
  platform: { os: "linux", arch: "x86_64" },
  addr: null,
  state: "ready",
  availability: "active",
  ...over,
});
