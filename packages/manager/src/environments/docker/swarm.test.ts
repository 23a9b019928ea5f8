import { describe, expect, it } from "vitest";
import { isRampartError, joinTokenDigest } from "@rampart/core";
import { INFO, TRUST_ROOT_FINGERPRINT, TRUST_ROOT_PEM_SHA256, WORKER_TOKEN } from "../../test-support/docker-swarm.js";
import { dockerInfoSchema, readDocker } from "./schema.js";
import { dockerJoinCommand, swarmInfoOf, updatedSwarmSpec } from "./swarm.js";

const info = (raw: unknown = INFO) => dockerInfoSchema.parse(raw);

describe("a Docker swarm in swarm.info's shape", () => {
  it("ok/docker info's Swarm section, in the native fields and the docker part", () => {
    const s = swarmInfoOf(info(), "prod");
    expect(s).toMatchObject({
      nodeId: "may08my016ym22qi6fwy4pu8h",
      isManager: true,
      clusterId: "ejh04k2yx0apnuzq8xrwukjq7",
      managers: 1,
      nodes: 2,
      heartbeatPeriodMs: 5_000,
      certExpiryMs: 90 * 24 * 3_600_000,
      taskHistoryLimit: 5,
      forceRotate: 0,
      autolock: false,
      rootRotationInProgress: false,
      nodeAddress: "127.0.0.1:24771",
      managerAddresses: ["127.0.0.1:24771"],
      rootCaDigest: `sha256:${TRUST_ROOT_PEM_SHA256}`,
      version: 10,
    });
    expect(s.docker).toMatchObject({
      environment: "prod",
      serverVersion: "20.10.24+dfsg1",
      localNodeState: "active",
      error: null,
      nodeAddr: "127.0.0.1",
      defaultAddrPool: null,
      subnetSize: null,
      dataPathPort: 4789,
      raft: { snapshotInterval: 10000, keepOldSnapshots: 0, logEntriesForSlowFollowers: 500, electionTick: 10, heartbeatTick: 1 },
      externalCas: [],
    });
    expect(s.docker.trustRoot).toMatchObject({ subject: "CN=swarm-ca", issuerSubject: "CN=swarm-ca", fingerprintSha256: TRUST_ROOT_FINGERPRINT });
    expect(s.docker.trustRoot?.notAfter.toISOString()).toBe("2046-12-01T22:37:00.000Z");
    expect(s.docker.trustRootProblem).toBeNull();
  });

  it.each([
    ["not PEM at all", "not a certificate", /^Docker's trust root is not a PEM certificate this Rampart can read \(/],
    ["a PEM whose body is not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", /^Docker's trust root is not a PEM certificate this Rampart can read \(/],
    ["none", "", /^Docker reported no trust root$/],
  ])("fail/a trust root that is %s is null, and says why; the rest of the view stands", (_what, trustRoot, why) => {
    const raw = structuredClone(INFO);
    raw.Swarm.Cluster.TLSInfo = { ...raw.Swarm.Cluster.TLSInfo, TrustRoot: trustRoot };
    const s = swarmInfoOf(info(raw), "prod");
    expect(s.docker.trustRoot).toBeNull();
    expect(s.docker.trustRootProblem).toMatch(why);
    expect(s.clusterId).toBe("ejh04k2yx0apnuzq8xrwukjq7");
  });

  it("ok/the root's digest is the one Docker's join tokens carry", () => {
    expect(WORKER_TOKEN.split("-")[2]).toBe(joinTokenDigest(TRUST_ROOT_PEM_SHA256));
  });

  it("ok/external CAs by protocol and URL, and the address pools Docker was given", () => {
    const raw = structuredClone(INFO) as { Swarm: { Cluster: Record<string, unknown> & { Spec: { CAConfig: Record<string, unknown> } } } };
    raw.Swarm.Cluster.Spec.CAConfig.ExternalCAs = [{ Protocol: "cfssl", URL: "https://ca.example:8888", CACert: "" }];
    raw.Swarm.Cluster.DefaultAddrPool = ["10.10.0.0/16"];
    const s = swarmInfoOf(info(raw), "prod");
    expect(s.docker).toMatchObject({ externalCas: [{ protocol: "cfssl", url: "https://ca.example:8888" }], defaultAddrPool: ["10.10.0.0/16"], subnetSize: 24 });
  });

  it("fail/an engine that no longer describes the swarm says its state", () => {
    const raw = { ...INFO, Swarm: { ...INFO.Swarm, ControlAvailable: false, Cluster: undefined } };
    expect(() => swarmInfoOf(info(raw), "prod")).toThrow("Docker did not describe the swarm: the engine is not (or no longer) a swarm manager (its swarm state is active)");
  });
});

describe("the swarm spec for an update", () => {
  const spec = INFO.Swarm.Cluster.Spec;

  it("ok/only what was asked changes, in nanoseconds; the rest goes back as Docker gave it", () => {
    const next = updatedSwarmSpec(spec, { version: 10, certExpiryMs: 720 * 3_600_000, heartbeatPeriodMs: 10_000, taskHistoryLimit: 2 });
    expect(next).toEqual({
      ...spec,
      CAConfig: { NodeCertExpiry: 720 * 3_600_000 * 1e6 },
      Dispatcher: { HeartbeatPeriod: 10e9 },
      Orchestration: { TaskHistoryRetentionLimit: 2 },
    });
  });

  it("ok/nothing asked, nothing changed", () => {
    expect(updatedSwarmSpec(spec, { version: 10 })).toEqual(spec);
  });
});

describe("Docker's answers read through a schema", () => {
  it("fail/an answer this Rampart cannot read says where, never a 500", () => {
    let error: unknown;
    try {
      readDocker(dockerInfoSchema, { Swarm: { NodeID: 7 } }, "the engine's info");
    } catch (e) {
      error = e;
    }
    expect(isRampartError(error) && error.code).toBe("failed_precondition");
    expect((error as Error).message).toMatch(/^Docker answered something unexpected for the engine's info: its field Swarm\.NodeID does not fit \(/);
  });
});

it("ok/the join command is docker's", () => {
  expect(dockerJoinCommand("SWMTKN-1-x-y", "127.0.0.1:2377")).toBe("docker swarm join --token SWMTKN-1-x-y 127.0.0.1:2377");
});
