import { createApiTokenService } from "./api-tokens/index.js";
import { createAssignmentService } from "./assignments/index.js";
import { createAuditService } from "./audit/index.js";
import { createAuthService } from "./auth/index.js";
import { createClusterService } from "./cluster/index.js";
import { createNodeEndpoint } from "./node-endpoint/index.js";
import { createNodeService } from "./nodes/index.js";
import { createPlannerService } from "./planner/index.js";
import type { ManagerDeps } from "./deps.js";
import { createDeliveryService } from "./delivery/index.js";
import { createSecretRotation, createSecretService } from "./secrets/index.js";
import { createServiceService } from "./services/index.js";
import { createReconciler } from "./services/reconciler.js";
import { createSchedulerLoop } from "./services/scheduler-loop.js";
import { createSystemService } from "./system/index.js";

export type { Logger, ManagerDeps } from "./deps.js";
export type { AuditService } from "./audit/index.js";
export type { AuthService, AuthenticatedSession, ClientInfo, LoginResult } from "./auth/index.js";
export type { ApiTokenService, CreatedApiToken } from "./api-tokens/index.js";
export type { Health, SystemService, SystemStatus } from "./system/index.js";
export { createCertificateAuthority, createRootCa, subjectKeyId, verifyCsr, type CertificateAuthority, type IssuedCertificate } from "./ca/index.js";
export type { ClusterService, ClusterState, JoinTokens } from "./cluster/index.js";
export type { HeartbeatTracker } from "./nodes/heartbeats.js";
export type { ServiceService, ServiceView, OrchestratorNode, Plan } from "./services/index.js";
export type { NewSecret, PreparedSecret, SecretChange, SecretHolder, SecretService, SecretServiceUse, SecretView } from "./secrets/index.js";
export {
  nextSecretVersionName,
  type RotationProgress,
  type SecretRotation,
  type SecretRotationRequest,
  type SecretRotationService,
} from "./secrets/index.js";
export type { SchedulerLoop } from "./services/scheduler-loop.js";
export { ENFORCER_ERROR, ENFORCER_MESSAGE, type Reconciler } from "./services/reconciler.js";
export type { Planner } from "./planner/index.js";
export type { DeliveredSecret, DeliveryService } from "./delivery/index.js";
export { REPORTABLE_STATES, type Assignment, type AssignmentService, type ReportableState } from "./assignments/index.js";
export type { CertificateDetail, JoinResult, ManagerStatus, NodeDetail, NodeService, NodeView, TlsStatus } from "./nodes/index.js";
export type { EndpointRequest, EndpointResponse, NodeEndpoint, PeerCertificate } from "./node-endpoint/index.js";

/** The application services, built once per server process over one store. */
export function createManager(deps: ManagerDeps) {
  const startedAt = deps.now();
  const audit = createAuditService(deps);
  const auth = createAuthService(deps, audit);
  const apiTokens = createApiTokenService(deps, audit);
  const system = createSystemService(deps, () => auth.setupNeeded(), startedAt);
  const cluster = createClusterService(deps, audit);
  const nodes = createNodeService(deps, audit, cluster);
  // A task that ended frees room, and one that ended while it should run leaves its slot
  // empty: the orchestrator refills it and the scheduler looks again. Progress reports
  // (accepted, running) need neither.
  let taskEnded: (serviceId: string, refill: boolean) => void = () => undefined;
  const secrets = createSecretService(deps, audit);
  const delivery = createDeliveryService(deps, audit);
  const assignments = createAssignmentService(
    deps,
    ({ serviceId, ended }) => taskEnded(serviceId, ended),
    (nodeId, tasks) => delivery.withdrawUnused(nodeId, tasks),
  );
  const scheduler = createSchedulerLoop(deps, nodes, (nodeIds) => assignments.notify(nodeIds));
  // Any service change may tell nodes to stop tasks: wake every long poll to look.
  const services = createServiceService(deps, audit, nodes, () => {
    scheduler.request();
    assignments.notify("all");
  });
  taskEnded = (serviceId, refill) => {
    if (!refill) return scheduler.request();
    services
      .reconcileService(serviceId)
      .then(() => scheduler.request())
      .catch((error: unknown) => deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, "refilling a slot failed"));
  };
  const reconciler = createReconciler(
    deps,
    nodes,
    services,
    scheduler,
    () => assignments.notify("all"),
    () => 6 * cluster.current().record.heartbeatPeriodMs,
  );
  const nodeEndpoint = createNodeEndpoint(deps, audit, cluster, nodes, assignments, delivery);
  const planner = createPlannerService(deps, audit, nodes, services);
  const rotations = createSecretRotation(deps, audit, secrets, services);
  return {
    deps,
    audit,
    auth,
    apiTokens,
    system,
    cluster,
    nodes,
    nodeEndpoint,
    services,
    scheduler,
    reconciler,
    assignments,
    planner,
    secrets,
    rotations,
    delivery,
  };
}

export type Manager = ReturnType<typeof createManager>;
