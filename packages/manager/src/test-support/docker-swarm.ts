/**
 * Docker Engine 20.10's own answers, captured from a real two-engine swarm (one manager,
 * one worker) on this machine, for the pure mappings' tests. The live behaviour is the
 * CLI's engine tests' (apps/cli/src/environments/*.integration.test.ts).
 */

export const TRUST_ROOT = `-----BEGIN CERTIFICATE-----
MIIBajCCARCgAwIBAgIUN/lvz5Thy5nmJ3/7S2xkWGTq7Q4wCgYIKoZIzj0EAwIw
EzERMA8GA1UEAxMIc3dhcm0tY2EwHhcNMjYxMjA2MjIzNzAwWhcNNDYxMjAxMjIz
NzAwWjATMREwDwYDVQQDEwhzd2FybS1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABFsgETbls4eNrzMHXRNqUNlV2JGeeZYYRn4WWgL+34pzBSBLs/g7g1/XRQop
9adJnjfZ11PYyQsRejccxK0cbwujQjBAMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMB
Af8EBTADAQH/MB0GA1UdDgQWBBRQpiqESUd4gaMnNc3ymanklXL41DAKBggqhkjO
PQQDAgNIADBFAiEA0vdxLUS0QFjqK24p058K6kG5q3X8Wolm+D5wrg81wjECIEDG
pa61A1Pwgn60hJQvBz+OSKQcOVIwjoHpGYmdF260
-----END CERTIFICATE-----
`;

/** The swarm's (and each node's) TLSInfo: the root's subject `CN=swarm-ca` and its P-256 key, base64 DER. */
export const TLS_INFO = {
  TrustRoot: TRUST_ROOT,
  CertIssuerSubject: "MBMxETAPBgNVBAMTCHN3YXJtLWNh",
  CertIssuerPublicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWyARNuWzh42vMwddE2pQ2VXYkZ55lhhGfhZaAv7finMFIEuz+DuDX9dFCin1p0meN9nXU9jJCxF6NxzErRxvCw==",
};

/** Checked with openssl: `sha256sum` of the key's DER, and `openssl x509 -fingerprint -sha256` of the root. */
export const ISSUER_KEY_SHA256 = "75ae12dd663af0ee681726b208667518153096e012e51bef3cbdcb1705f1b454";
export const TRUST_ROOT_FINGERPRINT = "FA:24:4B:5B:2F:AA:CB:9B:1C:B6:03:3A:3F:7E:30:35:DA:B0:40:2C:EE:10:6D:7B:0E:F7:5A:E9:5A:AD:C7:02";
/** `sha256sum` of the PEM, and the worker join token Docker made for this root. */
export const TRUST_ROOT_PEM_SHA256 = "916748eb768e20d431a5920a077b9ccbb91794f8a424eced70a075e40170a02d";
export const WORKER_TOKEN = "SWMTKN-1-3mgqhfekzflwmqc6zhuwkqb0ngzcmir5afz132il9utlxjl165-7kvwjghbb2efhkftfogkrn35l";

/** `GET /nodes/xa`: the leader. */
export const LEADER_NODE = {
  ID: "may08my016ym22qi6fwy4pu8h",
  Version: { Index: 9 },
  CreatedAt: "2026-12-06T22:42:29.956154559Z",
  UpdatedAt: "2026-12-06T22:42:30.059992906Z",
  Spec: { Labels: {}, Role: "manager", Availability: "active" },
  Description: {
    Hostname: "xa",
    Platform: { Architecture: "x86_64", OS: "linux" },
    Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276182528 },
    Engine: { EngineVersion: "20.10.24+dfsg1", Plugins: [{ Type: "Log", Name: "awslogs" }, { Type: "Network", Name: "overlay" }] },
    TLSInfo: TLS_INFO,
  },
  Status: { State: "ready", Addr: "127.0.0.1" },
  ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "127.0.0.1:24771" },
};

/** `GET /nodes/xb` after `docker node update --label-add zone=a --availability drain xb`. */
export const WORKER_NODE = {
  ID: "par5sme28cmyba5ldyestsgbq",
  Version: { Index: 513 },
  CreatedAt: "2026-12-06T22:42:31.361598269Z",
  UpdatedAt: "2026-12-06T22:48:11.903414222Z",
  Spec: { Labels: { zone: "a" }, Role: "worker", Availability: "drain" },
  Description: {
    Hostname: "xb",
    Platform: { Architecture: "x86_64", OS: "linux" },
    Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276182528 },
    Engine: { EngineVersion: "20.10.24+dfsg1", Plugins: [{ Type: "Log", Name: "awslogs" }, { Type: "Log", Name: "fluentd" }] },
    TLSInfo: TLS_INFO,
  },
  Status: { State: "ready", Addr: "127.0.0.1" },
};

/** `GET /info`'s Swarm section on the leader (the rest of `info` left out). */
export const INFO = {
  ServerVersion: "20.10.24+dfsg1",
  Swarm: {
    NodeID: "may08my016ym22qi6fwy4pu8h",
    NodeAddr: "127.0.0.1",
    LocalNodeState: "active",
    ControlAvailable: true,
    Error: "",
    RemoteManagers: [{ NodeID: "may08my016ym22qi6fwy4pu8h", Addr: "127.0.0.1:24771" }],
    Nodes: 2,
    Managers: 1,
    Cluster: {
      ID: "ejh04k2yx0apnuzq8xrwukjq7",
      Version: { Index: 10 },
      CreatedAt: "2026-12-06T22:42:29.95612777Z",
      UpdatedAt: "2026-12-06T22:42:30.063897799Z",
      Spec: {
        Name: "default",
        Labels: {},
        Orchestration: { TaskHistoryRetentionLimit: 5 },
        Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
        Dispatcher: { HeartbeatPeriod: 5000000000 },
        CAConfig: { NodeCertExpiry: 7776000000000000 },
        TaskDefaults: {},
        EncryptionConfig: { AutoLockManagers: false },
      },
      TLSInfo: TLS_INFO,
      RootRotationInProgress: false,
      DefaultAddrPool: null,
      SubnetSize: 24,
      DataPathPort: 4789,
    },
  },
};

/** `GET /networks?filters={"scope":["swarm"]}` with an encrypted and an internal, attachable network. */
export const NETWORKS = [
  {
    Name: "ingress",
    Id: "eimu4zpk4v65g9doc6olkygne",
    Created: "2026-12-06T22:42:29.956215039Z",
    Scope: "swarm",
    Driver: "overlay",
    EnableIPv6: false,
    IPAM: { Driver: "default", Options: null, Config: [{ Subnet: "10.0.0.0/24", Gateway: "10.0.0.1" }] },
    Internal: false,
    Attachable: false,
    Ingress: true,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: null,
    Options: { "com.docker.network.driver.overlay.vxlanid_list": "4096" },
    Labels: null,
  },
  {
    Name: "net1",
    Id: "r9j2hrb43s4tpbfkhi1l1p3q8",
    Created: "2026-12-06T22:43:51.548910366Z",
    Scope: "swarm",
    Driver: "overlay",
    EnableIPv6: false,
    IPAM: { Driver: "default", Options: null, Config: [{ Subnet: "10.0.1.0/24", Gateway: "10.0.1.1" }] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: null,
    Options: { "com.docker.network.driver.overlay.vxlanid_list": "4097", encrypted: "" },
    Labels: { a: "b" },
  },
  {
    Name: "n3",
    Id: "u9jwjfg5u3y60ro23djy5947z",
    Created: "2026-12-06T22:43:51.608153685Z",
    Scope: "swarm",
    Driver: "overlay",
    EnableIPv6: false,
    IPAM: { Driver: "default", Options: null, Config: [{ Subnet: "10.99.0.0/24", Gateway: "10.99.0.1" }] },
    Internal: true,
    Attachable: true,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: null,
    Options: { "com.docker.network.driver.overlay.vxlanid_list": "4098" },
    Labels: null,
  },
];

/** `GET /services` (trimmed to what networks read): `s1` on net1 and n3. */
export const SERVICES = [
  {
    ID: "i9n6nor9shwipqj01ezwv83l2",
    Version: { Index: 530 },
    Spec: {
      Name: "s1",
      TaskTemplate: { ContainerSpec: { Image: "busybox:none" }, Networks: [{ Target: "r9j2hrb43s4tpbfkhi1l1p3q8" }, { Target: "u9jwjfg5u3y60ro23djy5947z" }] },
      Mode: { Replicated: { Replicas: 1 } },
    },
    Endpoint: {
      Spec: { Mode: "vip" },
      VirtualIPs: [
        { NetworkID: "r9j2hrb43s4tpbfkhi1l1p3q8", Addr: "10.0.1.2/24" },
        { NetworkID: "u9jwjfg5u3y60ro23djy5947z", Addr: "10.99.0.2/24" },
      ],
    },
  },
];
