import { createApiTokenService } from "./api-tokens/index.js";
import { createAssignmentService } from "./assignments/index.js";
import { createAuditService } from "./audit/index.js";
import { createAuthService } from "./auth/index.js";
import { createAutolockService } from "./autolock/index.js";
import { createRotationReconciler } from "./cluster/rotation.js";
import { createPkiService } from "./pki/index.js";
import { createClusterService } from "./cluster/index.js";
import { createNodeEndpoint } from "./node-endpoint/index.js";
import { createNodeService } from "./nodes/index.js";
import { createOverviewService } from "./overview/index.js";
import { createPlannerService } from "./planner/index.js";
import type { ManagerDeps } from "./deps.js";
import { createDeliveryService } from "./delivery/index.js";
import { createEventBus, type ManagerEvents } from "./events.js";
import { createEnvironmentService } from "./environments/index.js";
import { createEventRecorder } from "./environments/docker/events.js";
import { createFidelityTracker } from "./environments/docker/fidelity-tracker.js";
import { createDockerPlannerService } from "./environments/docker/planner.js";
import { createDockerRotationService } from "./environments/docker/rotation.js";
import { createDockerServiceService } from "./environments/docker/services.js";
import { createDockerSecretService } from "./environments/docker/secrets.js";
import { createSecretService } from "./secrets/index.js";
import { createSecretRotation } from "./secrets/rotation.js";
import { createServiceService } from "./services/index.js";
import { createTaskReaper } from "./services/reaper.js";
import { createReconciler } from "./services/reconciler.js";
import { createRuntimeService } from "./runtime/index.js";
import { createLogService } from "./logs/index.js";
import { createRestartSupervisor } from "./services/restarts.js";
import { createSchedulerLoop } from "./services/scheduler-loop.js";
import { createSystemService } from "./system/index.js";

export type { Logger, ManagerDeps } from "./deps.js";
export type { AuditService } from "./audit/index.js";
export { createAuditThrottle } from "./audit/index.js";
export type { AuditExport, AuditExportRequest, AuditObjectNow, NamedAuditEvent } from "./audit/names.js";
export type { AuthService, AuthenticatedSession, ClientInfo, LoginResult } from "./auth/index.js";
export type { ApiTokenService, CreatedApiToken } from "./api-tokens/index.js";
export type { Health, SystemService, SystemStatus } from "./system/index.js";
export { createCertificateAuthority, createRootCa, subjectKeyId, verifyCsr, type CertificateAuthority, type IssuedCertificate } from "./ca/index.js";
export { checkRoot, createRootPem, crossSign, externalCaReachable, readPrivateKey } from "./ca/roots.js";
export { externalCrossSign, externalSign, nodeSignRequest, ExternalCaError, type CfsslSignRequest, type ExternalCaTls } from "./ca/external.js";
export type { CaChange, ClusterService, ClusterState, JoinTokens } from "./cluster/index.js";
export type { RotationNodeState, RotationReconciler } from "./cluster/rotation.js";
export type { NodeSigner } from "./cluster/signer.js";
export { PKI_NODE_SORTS, pkiSummary, queryPkiNodes, rootView, type PkiExternalCaView, type PkiNodeChain, type PkiNodeQuery, type PkiNodeRow, type PkiNodeSort, type PkiRootView, type PkiRotationView, type PkiService, type PkiStatus } from "./pki/index.js";
export type { NodeSession } from "./assignments/index.js";
export * from "./autolock/index.js";
export type { HeartbeatTracker } from "./nodes/heartbeats.js";
export type { ServiceService, ServiceView, OrchestratorNode, Plan } from "./services/index.js";
export type { NewSecret, PreparedSecret, SecretChange, SecretHolder, SecretService, SecretServiceUse, SecretView } from "./secrets/index.js";
export {
  nextSecretVersionName,
  type RotationProgress,
  type SecretRotation,
  type SecretRotationRequest,
  type SecretRotationService,
} from "./secrets/rotation.js";
export type { PassDecisions, SchedulerLoop } from "./services/scheduler-loop.js";
export type { RestartSupervisor } from "./services/restarts.js";
export type { TaskReaper } from "./services/reaper.js";
export type { EventBus, ManagerBus, ManagerEvents } from "./events.js";
export { ENFORCER_ERROR, ENFORCER_MESSAGE, type Reconciler } from "./services/reconciler.js";
export type { Planner } from "./planner/index.js";
export type { DeliveredSecret, DeliveryService } from "./delivery/index.js";
export { REPORTABLE_STATES, type Assignment, type AssignmentService, type ReportableState, type TaskReport } from "./assignments/index.js";
export type { OverviewService, OverviewSummary } from "./overview/index.js";
export {
  CLIENT_API_VERSION,
  OLDEST_API_VERSION,
  type Connection,
  type ConnectedEnvironment,
  type EnvironmentService,
  type EnvironmentView,
  type NewEnvironmentInput,
} from "./environments/index.js";
export type { DockerSecretChange, DockerSecretPart, DockerSecretService, DockerSecretView, NewDockerSecret } from "./environments/docker/secrets.js";
export type {
  DockerRotationPart,
  DockerRotationProgress,
  DockerRotationService,
  DockerSecretRotation,
  RotatingService,
  RotationPhase,
} from "./environments/docker/rotation.js";
export type { EventRecorder } from "./environments/docker/events.js";
export { coreSpecOf, dockerOnlyFields, dockerSpecOf, type CoreSpecReading, type SpecReadOptions, type SpecWriteOptions } from "./environments/docker/spec.js";
export { dockerServiceSchema, dockerServiceSpecSchema, type DockerService, type DockerServiceSpec } from "./environments/docker/schema.js";
export { plannerSnapshotOf, readPlannerSnapshot, readSwarmPlacement, swarmPlacementOf, taskStateOf } from "./environments/docker/snapshot.js";
export {
  HARDENING_API_VERSION,
  SERVICE_FIELDS_NOT_REPORTED,
  type DockerServiceDetail,
  type DockerServicePart,
  type DockerServiceService,
  type DockerServiceView,
  type DockerServiceWrite,
  type DockerServiceWriteResult,
  type DockerTaskView,
  type HardeningSupport,
} from "./environments/docker/services.js";
export { explainPending, type DockerPlannerService, type PendingExplanation } from "./environments/docker/planner.js";
export { createWorkerPredictor, type FidelityChange, type FidelityEnv, type FidelityJob, type FidelityOptions, type FidelityPorts, type FidelityResult, type FidelityState, type FidelityTracker, type Predictor } from "./environments/docker/fidelity-tracker.js";
export { checkSeccompProfileContent, MAX_SECCOMP_PROFILE_BYTES, type RuntimeService } from "./runtime/index.js";
export { describePolicy } from "./cluster/index.js";
export { MAX_LOG_LINE, type LogLine, type LogOptions, type LogPage, type LogService, type LogSubscription } from "./logs/index.js";
export type { CertificateDetail, JoinResult, ManagerStatus, NodeDetail, NodeService, NodeView, TlsStatus } from "./nodes/index.js";
export { issuerKeyIdOf } from "./nodes/index.js";
export { dockerNodes, NODE_FIELDS_NOT_REPORTED, type DockerNodeDetail, type DockerNodePart, type DockerNodeView, type NodeChange } from "./environments/docker/nodes.js";
export { dockerSwarm, type DockerSwarmInfo, type DockerSwarmPart, type TlsInfoView, type TrustRootView } from "./environments/docker/swarm.js";
export { dockerPki, PKI_FIELDS_NOT_REPORTED, rootRotationProgress, type DockerAutolockChange, type DockerPki, type DockerPkiRotationView, type DockerPkiStatus, type RootRotationProgress } from "./environments/docker/pki.js";
export { dockerNetworks, type NetworkView, type NewNetwork } from "./environments/docker/networks.js";
export { dockerOverview } from "./environments/docker/overview.js";
export type { EndpointRequest, EndpointResponse, NodeEndpoint, PeerCertificate } from "./node-endpoint/index.js";

/** The application services, built once per server process over one store. */
export function createManager(deps: ManagerDeps) {
  const startedAt = deps.now();
  const bus = createEventBus<ManagerEvents>();
  const audit = createAuditService(deps);
  const auth = createAuthService(deps, audit);
  const apiTokens = createApiTokenService(deps, audit);
  const system = createSystemService(deps, () => auth.setupNeeded(), startedAt);
  const cluster = createClusterService(deps, audit, () => bus.emit("clusterChanged", {}));
  const autolock = createAutolockService(deps, audit, cluster);
  const nodes = createNodeService(deps, audit, cluster);
  const secrets = createSecretService(deps, audit);
  const delivery = createDeliveryService(deps, audit);
  const assignments = createAssignmentService(deps, bus, (nodeId, tasks) => delivery.withdrawUnused(nodeId, tasks));
  const restarts = createRestartSupervisor(deps, nodes, bus);
  const runtime = createRuntimeService(deps, audit, cluster);
  const services = createServiceService(deps, audit, nodes, bus, restarts.decider, runtime);
  const logs = createLogService(deps, audit, services);
  const scheduler = createSchedulerLoop(deps, nodes, bus);
  const reaper = createTaskReaper(deps, cluster, bus);
  const reconciler = createReconciler(deps, nodes, services, restarts, bus, () => 6 * cluster.current().record.heartbeatPeriodMs);
  // Nodes hear of their own assignments at once; of anything broader (a service changed,
  // tasks told to stop or to start, tasks deleted) through one coalesced sweep.
  bus.on("tasksAssigned", ({ nodeIds }) => assignments.notify(nodeIds));
  for (const event of ["servicesChanged", "desiredStatesChanged", "tasksDeleted"] as const) bus.on(event, () => assignments.notify("all"));
  const rootRotation = createRotationReconciler(deps, cluster, nodes, assignments);
  // The dispatcher session's messages ride on the assignment poll: renew now, and the trust root.
  assignments.useSession((nodeId) => ({ rotate: nodes.certStateOf(nodeId) === "rotate", rootDigest: cluster.current().ca.rootDigestHex }));
  bus.on("clusterChanged", () => {
    rootRotation.kick();
    // A changed trust root (a rotation finished, a root changed back) reaches every node.
    assignments.notify("all");
  });
  const pki = createPkiService(deps, cluster, nodes, rootRotation, secrets);
  const nodeEndpoint = createNodeEndpoint(deps, audit, cluster, nodes, assignments, delivery, runtime, logs);
  const planner = createPlannerService(deps, audit, nodes, services);
  const rotations = createSecretRotation(deps, audit, secrets, services);
  const overview = createOverviewService(deps, { audit, nodes, secrets });
  const environments = createEnvironmentService(deps, audit);
  const dockerSecrets = createDockerSecretService(audit);
  // What a connected swarm's background work keeps is dropped once its environment is removed.
  const environmentIds = async () => new Set((await environments.list()).map((e) => e.id));
  const dockerFidelity = createFidelityTracker(deps, { environmentIds });
  const dockerRotations = createDockerRotationService(deps, audit, dockerFidelity, environmentIds);
  const dockerServices = createDockerServiceService(audit, environments, dockerFidelity);
  const dockerPlanner = createDockerPlannerService(audit, dockerServices);
  const environmentEvents = createEventRecorder(deps, audit, environments);
  let stopping: Promise<void> | undefined;
  return {
    deps,
    bus,
    audit,
    auth,
    apiTokens,
    system,
    cluster,
    autolock,
    nodes,
    nodeEndpoint,
    services,
    scheduler,
    restarts,
    reaper,
    reconciler,
    rootRotation,
    pki,
    assignments,
    planner,
    secrets,
    rotations,
    delivery,
    overview,
    runtime,
    logs,
    environments,
    dockerSecrets,
    dockerRotations,
    dockerFidelity,
    dockerServices,
    dockerPlanner,
    environmentEvents,

    /**
     * Catches up at start, as Swarm's leader does when it takes over: the restart
     * supervisor checks every task (taskinit), the enforcer sweeps every node, each
     * service is orchestrated, the reaper clears what was told to go, and the scheduler
     * places what is pending. Call after the nodes are loaded.
     */
    async start(): Promise<void> {
      await restarts.init();
      reconciler.init();
      await reconciler.settled();
      await services.reconcileServices();
      reaper.init();
      await scheduler.pass();
      rootRotation.start();
    },

    /** Waits until every loop has caught up with what happened so far, then runs a pass (tests). */
    async settled(): Promise<void> {
      for (let round = 0; round < 10; round++) {
        await reconciler.settled();
        await restarts.settled();
        await reaper.settled();
        const lost = await scheduler.commit(await scheduler.decide());
        await restarts.settled();
        if (lost.length === 0) return;
      }
    },

    stop(): void {
      scheduler.stop();
      restarts.stop();
      reaper.stop();
      rootRotation.stop();
      assignments.close();
      logs.close();
      environments.stop();
      // The connected swarms' background work ends on its own time: `stopped()` waits for it.
      stopping ??= Promise.all([dockerRotations.stop(), dockerFidelity.stop(), environmentEvents.stop()]).then(
        () => undefined,
        (error: unknown) => deps.log.warn({ err: String(error) }, "stopping the connected swarms' background work failed"),
      );
    },

    /**
     * Resolves once what `stop` ended has finished: the event recorder's last write, a
     * rotation's follow-up under way, the prediction's worker. Await it before closing the
     * store.
     */
    stopped(): Promise<void> {
      return stopping ?? Promise.resolve();
    },
  };
}

export type Manager = ReturnType<typeof createManager>;
