import { RampartError } from "@rampart/core";
import { z } from "zod";

/**
 * The Engine API's objects as this code reads them (ADR 0020): one loose zod schema per
 * object (node, service, task, secret, network, the swarm and `/info`), each checking
 * the fields some module reads and keeping every other field as Docker sent it, so a
 * spec read here and written back changes only what the writer changed.
 *
 * Every answer goes through `readDocker`: an answer that does not fit is Docker
 * answering something this Rampart does not expect (an API it does not know), said as
 * such with the field, never a ZodError that the API would answer with a 500.
 */

/**
 * Docker's answer read through `schema`; one that does not fit is a `failed_precondition`
 * naming `what` was read and the first field that did not fit.
 */
export function readDocker<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? `field ${issue.path.join(".")}` : "answer";
  throw new RampartError("failed_precondition", `Docker answered something unexpected for ${what}: its ${field} does not fit (${issue?.message ?? "unreadable"})`);
}

export const stringMap = z.record(z.string(), z.string());

/** The ID Docker gives an object it created (dockerode's handle carries it as `id`). */
export const dockerIdSchema = z.string().min(1);

const versionSchema = z.looseObject({ Index: z.number() });

const genericResourcesSchema = z.array(
  z.looseObject({
    DiscreteResourceSpec: z.looseObject({ Kind: z.string(), Value: z.number() }).optional(),
    NamedResourceSpec: z.looseObject({ Kind: z.string(), Value: z.string() }).optional(),
  }),
);
export type DockerGenericResources = z.infer<typeof genericResourcesSchema>;

// ---- a service's spec (and a task's, which is its service's task template) ----------------

export const dockerMountSchema = z.looseObject({
  Type: z.string().optional(),
  Source: z.string().optional(),
  Target: z.string().optional(),
  ReadOnly: z.boolean().optional(),
  TmpfsOptions: z.looseObject({ SizeBytes: z.number().optional(), Mode: z.number().optional() }).optional(),
});
export type DockerMount = z.infer<typeof dockerMountSchema>;

/** A service's or a task's reference to a secret; one without `File` is Docker's runtime target (Windows credential specs). */
export const dockerSecretRefSchema = z.looseObject({
  File: z.looseObject({ Name: z.string().optional(), UID: z.string().optional(), GID: z.string().optional(), Mode: z.number().optional() }).optional(),
  SecretID: z.string().optional(),
  SecretName: z.string().optional(),
});
export type DockerSecretRef = z.infer<typeof dockerSecretRefSchema>;

/** A network a service's tasks join, by its ID once Docker has resolved it. */
export const dockerNetworkAttachmentSchema = z.looseObject({ Target: z.string().optional(), Aliases: z.array(z.string()).nullish() });
export type DockerNetworkAttachment = z.infer<typeof dockerNetworkAttachmentSchema>;

export const dockerPortSchema = z.looseObject({
  Name: z.string().optional(),
  Protocol: z.string().optional(),
  TargetPort: z.number().optional(),
  PublishedPort: z.number().optional(),
  PublishMode: z.string().optional(),
});
export type DockerPort = z.infer<typeof dockerPortSchema>;

export const dockerContainerSpecSchema = z.looseObject({
  Image: z.string().optional(),
  Labels: stringMap.nullish(),
  Command: z.array(z.string()).nullish(),
  Args: z.array(z.string()).nullish(),
  Hostname: z.string().optional(),
  Env: z.array(z.string()).nullish(),
  Dir: z.string().optional(),
  User: z.string().optional(),
  Privileges: z
    .looseObject({
      Seccomp: z.looseObject({ Mode: z.string().optional(), Profile: z.string().optional() }).nullish(),
      AppArmor: z.looseObject({ Mode: z.string().optional() }).nullish(),
      NoNewPrivileges: z.boolean().optional(),
    })
    .nullish(),
  Init: z.boolean().nullish(),
  StopSignal: z.string().optional(),
  ReadOnly: z.boolean().optional(),
  Mounts: z.array(dockerMountSchema).nullish(),
  StopGracePeriod: z.number().nullish(),
  Secrets: z.array(dockerSecretRefSchema).nullish(),
  CapabilityAdd: z.array(z.string()).nullish(),
  CapabilityDrop: z.array(z.string()).nullish(),
});
export type DockerContainerSpec = z.infer<typeof dockerContainerSpecSchema>;

export const dockerTaskTemplateSchema = z.looseObject({
  ContainerSpec: dockerContainerSpecSchema.optional(),
  Resources: z
    .looseObject({
      Limits: z.looseObject({ NanoCPUs: z.number().optional(), MemoryBytes: z.number().optional() }).nullish(),
      Reservations: z.looseObject({ NanoCPUs: z.number().optional(), MemoryBytes: z.number().optional(), GenericResources: genericResourcesSchema.nullish() }).nullish(),
    })
    .nullish(),
  RestartPolicy: z
    .looseObject({ Condition: z.string().optional(), Delay: z.number().optional(), MaxAttempts: z.number().optional(), Window: z.number().optional() })
    .nullish(),
  Placement: z
    .looseObject({
      Constraints: z.array(z.string()).nullish(),
      Preferences: z.array(z.looseObject({ Spread: z.looseObject({ SpreadDescriptor: z.string() }).optional() })).nullish(),
      MaxReplicas: z.number().optional(),
    })
    .nullish(),
  Networks: z.array(dockerNetworkAttachmentSchema).nullish(),
});
export type DockerTaskTemplate = z.infer<typeof dockerTaskTemplateSchema>;

/** A Docker ServiceSpec. */
export const dockerServiceSpecSchema = z.looseObject({
  Name: z.string().optional(),
  Labels: stringMap.nullish(),
  TaskTemplate: dockerTaskTemplateSchema.optional(),
  Mode: z
    .looseObject({
      Replicated: z.looseObject({ Replicas: z.number().optional() }).nullish(),
      Global: z.looseObject({}).nullish(),
      ReplicatedJob: z.looseObject({ MaxConcurrent: z.number().optional(), TotalCompletions: z.number().optional() }).nullish(),
      GlobalJob: z.looseObject({}).nullish(),
    })
    .optional(),
  Networks: z.array(dockerNetworkAttachmentSchema).nullish(),
  EndpointSpec: z.looseObject({ Mode: z.string().optional(), Ports: z.array(dockerPortSchema).nullish() }).nullish(),
});
export type DockerServiceSpec = z.infer<typeof dockerServiceSpecSchema>;

// ---- the objects ---------------------------------------------------------------------

/** A service as `GET /services` and `GET /services/{id}` give it. */
export const dockerServiceSchema = z.looseObject({
  ID: z.string(),
  Version: versionSchema,
  CreatedAt: z.string(),
  UpdatedAt: z.string(),
  Spec: dockerServiceSpecSchema,
  Endpoint: z
    .looseObject({
      Spec: z.looseObject({ Mode: z.string().optional() }).nullish(),
      Ports: z.array(dockerPortSchema).nullish(),
      VirtualIPs: z.array(z.looseObject({ NetworkID: z.string().optional(), Addr: z.string().optional() })).nullish(),
    })
    .nullish(),
  UpdateStatus: z.looseObject({ State: z.string().optional(), StartedAt: z.string().optional(), CompletedAt: z.string().optional(), Message: z.string().optional() }).nullish(),
});
export type DockerService = z.infer<typeof dockerServiceSchema>;

/** The answer to `POST /services/{id}/update`: Docker's warnings about the spec it took. */
export const dockerUpdateAnswerSchema = z.looseObject({ Warnings: z.array(z.string()).nullish() });

/** A task as `GET /tasks` gives it; its spec is the task template it was made with. */
export const dockerTaskSchema = z.looseObject({
  ID: z.string(),
  CreatedAt: z.string(),
  UpdatedAt: z.string(),
  ServiceID: z.string(),
  Slot: z.number().optional(),
  NodeID: z.string().optional(),
  Spec: dockerTaskTemplateSchema.optional(),
  Status: z.looseObject({
    Timestamp: z.string().optional(),
    State: z.string(),
    Message: z.string().optional(),
    Err: z.string().optional(),
    ContainerStatus: z.looseObject({ ContainerID: z.string().optional(), ExitCode: z.number().optional() }).nullish(),
  }),
  DesiredState: z.string(),
});
export type DockerTask = z.infer<typeof dockerTaskSchema>;

/** A secret as `GET /secrets` and `GET /secrets/{id}` give it: metadata only (Docker never returns a value). */
export const dockerSecretSchema = z.looseObject({
  ID: z.string(),
  Version: versionSchema,
  CreatedAt: z.string(),
  UpdatedAt: z.string(),
  Spec: z.looseObject({
    Name: z.string(),
    Labels: stringMap.nullish(),
    Driver: z.looseObject({ Name: z.string() }).nullish(),
  }),
});
export type DockerSecret = z.infer<typeof dockerSecretSchema>;

/** The swarm's, or a node's, view of the CA (`TLSInfo`): base64 DER for the issuer's name and key. */
export const dockerTlsInfoSchema = z.looseObject({
  TrustRoot: z.string().optional(),
  CertIssuerSubject: z.string().optional(),
  CertIssuerPublicKey: z.string().optional(),
});
export type DockerTlsInfo = z.infer<typeof dockerTlsInfoSchema>;

/** A node as `GET /nodes` and `GET /nodes/{id}` give it. */
export const dockerNodeSchema = z.looseObject({
  ID: z.string(),
  Version: versionSchema,
  CreatedAt: z.string(),
  UpdatedAt: z.string(),
  Spec: z.looseObject({
    Labels: stringMap.nullish(),
    Role: z.enum(["worker", "manager"]),
    Availability: z.enum(["active", "pause", "drain"]),
  }),
  Description: z
    .looseObject({
      Hostname: z.string().optional(),
      Platform: z.looseObject({ Architecture: z.string().optional(), OS: z.string().optional() }).nullish(),
      Resources: z.looseObject({ NanoCPUs: z.number().optional(), MemoryBytes: z.number().optional(), GenericResources: genericResourcesSchema.nullish() }).nullish(),
      Engine: z
        .looseObject({
          EngineVersion: z.string().optional(),
          Labels: stringMap.nullish(),
          Plugins: z.array(z.looseObject({ Type: z.string(), Name: z.string() })).nullish(),
        })
        .nullish(),
      TLSInfo: dockerTlsInfoSchema.nullish(),
    })
    .nullish(),
  Status: z.looseObject({ State: z.string(), Message: z.string().optional(), Addr: z.string().optional() }),
  ManagerStatus: z.looseObject({ Leader: z.boolean().optional(), Reachability: z.string().optional(), Addr: z.string().optional() }).nullish(),
});
export type DockerNode = z.infer<typeof dockerNodeSchema>;

/** A network as `GET /networks` and `GET /networks/{id}` give it. */
export const dockerNetworkSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Created: z.string().optional(),
  Scope: z.string(),
  Driver: z.string(),
  EnableIPv6: z.boolean().optional(),
  IPAM: z.looseObject({ Config: z.array(z.looseObject({ Subnet: z.string().optional(), Gateway: z.string().optional() })).nullish() }).nullish(),
  Internal: z.boolean().optional(),
  Attachable: z.boolean().optional(),
  Ingress: z.boolean().optional(),
  Options: stringMap.nullish(),
  Labels: stringMap.nullish(),
});
export type DockerNetwork = z.infer<typeof dockerNetworkSchema>;

export const dockerSwarmSpecSchema = z.looseObject({
  Orchestration: z.looseObject({ TaskHistoryRetentionLimit: z.number().nullish() }).nullish(),
  Raft: z
    .looseObject({
      SnapshotInterval: z.number().optional(),
      KeepOldSnapshots: z.number().nullish(),
      LogEntriesForSlowFollowers: z.number().optional(),
      ElectionTick: z.number().optional(),
      HeartbeatTick: z.number().optional(),
    })
    .nullish(),
  Dispatcher: z.looseObject({ HeartbeatPeriod: z.number().optional() }).nullish(),
  CAConfig: z
    .looseObject({
      NodeCertExpiry: z.number().optional(),
      ExternalCAs: z.array(z.looseObject({ Protocol: z.string(), URL: z.string() })).nullish(),
      ForceRotate: z.number().optional(),
    })
    .nullish(),
  EncryptionConfig: z.looseObject({ AutoLockManagers: z.boolean().optional() }).nullish(),
});
export type DockerSwarmSpec = z.infer<typeof dockerSwarmSpecSchema>;

/** The swarm as `GET /info` describes it (`Swarm.Cluster`): no join tokens. */
export const dockerClusterSchema = z.looseObject({
  ID: z.string(),
  Version: versionSchema,
  CreatedAt: z.string(),
  UpdatedAt: z.string(),
  Spec: dockerSwarmSpecSchema,
  TLSInfo: dockerTlsInfoSchema.nullish(),
  RootRotationInProgress: z.boolean().optional(),
  DefaultAddrPool: z.array(z.string()).nullish(),
  SubnetSize: z.number().optional(),
  DataPathPort: z.number().optional(),
});

/** The swarm as `GET /swarm` gives it: the same, with the join tokens (read only to reveal or rotate one). */
export const dockerSwarmSchema = dockerClusterSchema.extend({ JoinTokens: z.looseObject({ Worker: z.string(), Manager: z.string() }) });

/** `GET /info`, the parts read here. */
export const dockerInfoSchema = z.looseObject({
  ServerVersion: z.string().optional(),
  Swarm: z.looseObject({
    NodeID: z.string(),
    NodeAddr: z.string(),
    LocalNodeState: z.string(),
    ControlAvailable: z.boolean(),
    Error: z.string().optional(),
    RemoteManagers: z.array(z.looseObject({ NodeID: z.string(), Addr: z.string() })).nullish(),
    Nodes: z.number().optional(),
    Managers: z.number().optional(),
    Cluster: dockerClusterSchema.nullish(),
  }),
});
export type DockerInfo = z.infer<typeof dockerInfoSchema>;
