/**
 * Docker Engine 20.10's own answers during one root rotation (`docker swarm ca --rotate`)
 * of a real three-engine swarm (one manager, two workers) on this machine: `GET /info`'s
 * Swarm section and `GET /nodes`, before, while no node had renewed yet, once every node
 * had, and after the rotation finished. Trimmed only of the engines' plugin lists; each
 * TLS info's parts are written once below. For the pure PKI mappings' tests; the live
 * behaviour is apps/cli/src/environments/pki.integration.test.ts's.
 */

/** The root before the rotation (the swarm's `CN=swarm-ca`, made by `swarm init`). */
export const OLD_ROOT =
  "-----BEGIN CERTIFICATE-----\nMIIBazCCARCgAwIBAgIURzKg08D0V0KkwF05OKTxCjj5wS8wCgYIKoZIzj0EAwIw\nEzERMA8GA1UEAxMIc3dhcm0tY2EwHhcNMjYxMjA3MDIxMDAwWhcNNDYxMjAyMDIx\nMDAwWjATMREwDwYDVQQDEwhzd2FybS1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH\nA0IABN+xkA0bkn82TFosFGxaxWM25lnCKAumn/pKDlGmmLFqevaooxqI+aycXVtD\nXB/Mam0FJvWT6vjzoZYXYeWLL9SjQjBAMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMB\nAf8EBTADAQH/MB0GA1UdDgQWBBSHVyJ/weyfzq2FrTGDmzxosoWrJzAKBggqhkjO\nPQQDAgNJADBGAiEAxYqvSQiL6k9n6PH6yPA2wR2nZ7ghkWf48Fa8ezjnz0ACIQCo\nWBR0kW0AwIAf3+g0dPSPrGd2ffm97+FviikJXdwugA==\n-----END CERTIFICATE-----\n";
/** The root Docker made for the rotation (`ForceRotate` 0 → 1). */
export const NEW_ROOT =
  "-----BEGIN CERTIFICATE-----\nMIIBajCCARCgAwIBAgIUOzAJZZMHmNOUKPsb1LFm1cLl7nkwCgYIKoZIzj0EAwIw\nEzERMA8GA1UEAxMIc3dhcm0tY2EwHhcNMjYxMjA3MDIxMDAwWhcNNDYxMjAyMDIx\nMDAwWjATMREwDwYDVQQDEwhzd2FybS1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH\nA0IABOPSAfYlkJNHW5dwpB9Hwc8NgkKlZcwZRi+qSIVqW91YN6DUzU6LX0bA7jYL\nggY6SeHqYp9AscqgQsPQpgImJ4KjQjBAMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMB\nAf8EBTADAQH/MB0GA1UdDgQWBBS63wPT9t4nbEV/J//1Uc/AEwlUYDAKBggqhkjO\nPQQDAgNIADBFAiEAoYvZpYh6uXP5zvX98AGnja5x1Y3EL5MwmzkXSS/r5WYCIGfH\naQkYrC09JikEmU+/Fth66Pd1yw9zWSwK7XEsa9zV\n-----END CERTIFICATE-----\n";
/** Both roots' subject: base64 DER of `CN=swarm-ca`. */
export const SWARM_CA_SUBJECT = "MBMxETAPBgNVBAMTCHN3YXJtLWNh";
/** Each root's SubjectPublicKeyInfo, base64 DER: the issuer key a node reports. */
export const OLD_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE37GQDRuSfzZMWiwUbFrFYzbmWcIoC6af+koOUaaYsWp69qijGoj5rJxdW0NcH8xqbQUm9ZPq+POhlhdh5Ysv1A==";
export const NEW_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49IB9iWQk0dbl3CkH0fBzw2CQqVlzBlGL6pIhWpb3Vg3oNTNTotfRsDuNguCBjpJ4epin0CxyqBCw9CmAiYngg==";

/** Before: no rotation; the swarm's and every node's TLS info are the old root's. */
export const INFO_BEFORE = {
  ServerVersion: "20.10.24+dfsg1",
  Swarm: {
    NodeID: "uix0lvm4m2ubzv2nqweyeavqi",
    NodeAddr: "127.0.0.1",
    LocalNodeState: "active",
    ControlAvailable: true,
    Error: "",
    RemoteManagers: [{ NodeID: "uix0lvm4m2ubzv2nqweyeavqi", Addr: "127.0.0.1:34827" }],
    Nodes: 3,
    Managers: 1,
    Cluster: {
      ID: "0mq6tzu104v0n28m1yuhb6zp5",
      Version: { Index: 10 },
      CreatedAt: "2026-12-07T02:15:22.565042889Z",
      UpdatedAt: "2026-12-07T02:15:23.226749289Z",
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
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: OLD_KEY },
      RootRotationInProgress: false,
      DefaultAddrPool: null,
      SubnetSize: 24,
      DataPathPort: 4789,
    },
  },
};
export const NODES_BEFORE = [
  {
    ID: "uix0lvm4m2ubzv2nqweyeavqi",
    Version: { Index: 9 },
    CreatedAt: "2026-12-07T02:15:22.56520222Z",
    UpdatedAt: "2026-12-07T02:15:23.193032731Z",
    Spec: { Labels: {}, Role: "manager", Availability: "active" },
    Description: {
      Hostname: "cap-a",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: OLD_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
    ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "127.0.0.1:34827" },
  },
  {
    ID: "af552u9t540u9ujrwee3ojb3r",
    Version: { Index: 15 },
    CreatedAt: "2026-12-07T02:15:23.893221444Z",
    UpdatedAt: "2026-12-07T02:15:24.124284914Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-b",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: OLD_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
  {
    ID: "ciwhat2lvwgkbckjvjw5c2qrp",
    Version: { Index: 20 },
    CreatedAt: "2026-12-07T02:15:24.476156233Z",
    UpdatedAt: "2026-12-07T02:15:24.649467499Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-c",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: OLD_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
];

/** 175 ms after the update: a rotation under way, the swarm's issuer already the new root's, its trust root still the old one; no node renewed yet. */
export const INFO_ROTATING = {
  ServerVersion: "20.10.24+dfsg1",
  Swarm: {
    NodeID: "uix0lvm4m2ubzv2nqweyeavqi",
    NodeAddr: "127.0.0.1",
    LocalNodeState: "active",
    ControlAvailable: true,
    Error: "",
    RemoteManagers: [{ NodeID: "uix0lvm4m2ubzv2nqweyeavqi", Addr: "127.0.0.1:34827" }],
    Nodes: 3,
    Managers: 1,
    Cluster: {
      ID: "0mq6tzu104v0n28m1yuhb6zp5",
      Version: { Index: 21 },
      CreatedAt: "2026-12-07T02:15:22.565042889Z",
      UpdatedAt: "2026-12-07T02:15:25.719652679Z",
      Spec: {
        Name: "default",
        Labels: {},
        Orchestration: { TaskHistoryRetentionLimit: 5 },
        Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
        Dispatcher: { HeartbeatPeriod: 5000000000 },
        CAConfig: { NodeCertExpiry: 7776000000000000, ForceRotate: 1 },
        TaskDefaults: {},
        EncryptionConfig: { AutoLockManagers: false },
      },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
      RootRotationInProgress: true,
      DefaultAddrPool: null,
      SubnetSize: 24,
      DataPathPort: 4789,
    },
  },
};
export const NODES_NOT_RENEWED = [
  {
    ID: "uix0lvm4m2ubzv2nqweyeavqi",
    Version: { Index: 22 },
    CreatedAt: "2026-12-07T02:15:22.56520222Z",
    UpdatedAt: "2026-12-07T02:15:25.723769668Z",
    Spec: { Labels: {}, Role: "manager", Availability: "active" },
    Description: {
      Hostname: "cap-a",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: OLD_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
    ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "127.0.0.1:34827" },
  },
  {
    ID: "af552u9t540u9ujrwee3ojb3r",
    Version: { Index: 22 },
    CreatedAt: "2026-12-07T02:15:23.893221444Z",
    UpdatedAt: "2026-12-07T02:15:25.72357992Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-b",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: OLD_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
  {
    ID: "ciwhat2lvwgkbckjvjw5c2qrp",
    Version: { Index: 22 },
    CreatedAt: "2026-12-07T02:15:24.476156233Z",
    UpdatedAt: "2026-12-07T02:15:25.7237178Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-c",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: OLD_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
];

/** 800 ms after: every node presents a certificate from the new root (signed under the cross-signed one) and still trusts the old root. */
export const NODES_RENEWED = [
  {
    ID: "uix0lvm4m2ubzv2nqweyeavqi",
    Version: { Index: 29 },
    CreatedAt: "2026-12-07T02:15:22.56520222Z",
    UpdatedAt: "2026-12-07T02:15:26.367816239Z",
    Spec: { Labels: {}, Role: "manager", Availability: "active" },
    Description: {
      Hostname: "cap-a",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
    ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "127.0.0.1:34827" },
  },
  {
    ID: "af552u9t540u9ujrwee3ojb3r",
    Version: { Index: 29 },
    CreatedAt: "2026-12-07T02:15:23.893221444Z",
    UpdatedAt: "2026-12-07T02:15:26.367513417Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-b",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
  {
    ID: "ciwhat2lvwgkbckjvjw5c2qrp",
    Version: { Index: 29 },
    CreatedAt: "2026-12-07T02:15:24.476156233Z",
    UpdatedAt: "2026-12-07T02:15:26.367940174Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-c",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: OLD_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
];

/** 3.3 s after: the rotation finished; the new root is the trust root, and every node holds it. */
export const INFO_AFTER = {
  ServerVersion: "20.10.24+dfsg1",
  Swarm: {
    NodeID: "uix0lvm4m2ubzv2nqweyeavqi",
    NodeAddr: "127.0.0.1",
    LocalNodeState: "active",
    ControlAvailable: true,
    Error: "",
    RemoteManagers: [{ NodeID: "uix0lvm4m2ubzv2nqweyeavqi", Addr: "127.0.0.1:34827" }],
    Nodes: 3,
    Managers: 1,
    Cluster: {
      ID: "0mq6tzu104v0n28m1yuhb6zp5",
      Version: { Index: 30 },
      CreatedAt: "2026-12-07T02:15:22.565042889Z",
      UpdatedAt: "2026-12-07T02:15:28.732625011Z",
      Spec: {
        Name: "default",
        Labels: {},
        Orchestration: { TaskHistoryRetentionLimit: 5 },
        Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
        Dispatcher: { HeartbeatPeriod: 5000000000 },
        CAConfig: { NodeCertExpiry: 7776000000000000, ForceRotate: 1 },
        TaskDefaults: {},
        EncryptionConfig: { AutoLockManagers: false },
      },
      TLSInfo: { TrustRoot: NEW_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
      RootRotationInProgress: false,
      DefaultAddrPool: null,
      SubnetSize: 24,
      DataPathPort: 4789,
    },
  },
};
export const NODES_AFTER = [
  {
    ID: "uix0lvm4m2ubzv2nqweyeavqi",
    Version: { Index: 31 },
    CreatedAt: "2026-12-07T02:15:22.56520222Z",
    UpdatedAt: "2026-12-07T02:15:28.888126435Z",
    Spec: { Labels: {}, Role: "manager", Availability: "active" },
    Description: {
      Hostname: "cap-a",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: NEW_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
    ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "127.0.0.1:34827" },
  },
  {
    ID: "af552u9t540u9ujrwee3ojb3r",
    Version: { Index: 31 },
    CreatedAt: "2026-12-07T02:15:23.893221444Z",
    UpdatedAt: "2026-12-07T02:15:28.888504569Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-b",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: NEW_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
  {
    ID: "ciwhat2lvwgkbckjvjw5c2qrp",
    Version: { Index: 31 },
    CreatedAt: "2026-12-07T02:15:24.476156233Z",
    UpdatedAt: "2026-12-07T02:15:28.888402447Z",
    Spec: { Labels: {}, Role: "worker", Availability: "active" },
    Description: {
      Hostname: "cap-c",
      Platform: { Architecture: "x86_64", OS: "linux" },
      Resources: { NanoCPUs: 2000000000, MemoryBytes: 25276157952 },
      Engine: { EngineVersion: "20.10.24+dfsg1" },
      TLSInfo: { TrustRoot: NEW_ROOT, CertIssuerSubject: SWARM_CA_SUBJECT, CertIssuerPublicKey: NEW_KEY },
    },
    Status: { State: "ready", Addr: "127.0.0.1" },
  },
];
