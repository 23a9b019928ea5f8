import { describe, expect, it } from "vitest";
import { ISSUER_KEY_SHA256, LEADER_NODE, TLS_INFO, WORKER_NODE } from "../../test-support/docker-swarm.js";
import { NODE_FIELDS_NOT_REPORTED, nodeViewOf, updatedNodeSpec } from "./nodes.js";
import { dockerNodeSchema } from "./schema.js";

const node = (raw: unknown) => dockerNodeSchema.parse(raw);
const colons = (hex: string) => hex.toUpperCase().match(/../g)!.join(":");
/** Another CA's key (a P-256 SPKI of the same shape, one byte changed): a node not yet renewed after a root rotation. */
const OTHER_KEY = TLS_INFO.CertIssuerPublicKey.replace("WyAR", "WyAS");

describe("a Docker node in the native view", () => {
  it("ok/the leader: Docker's values where the view has them, null where Docker reports nothing", () => {
    const v = nodeViewOf(node(LEADER_NODE), TLS_INFO);
    expect(v).toMatchObject({
      id: "may08my016ym22qi6fwy4pu8h",
      hostname: "xa",
      role: "manager",
      availability: "active",
      labels: {},
      engineLabels: {},
      platform: { os: "linux", arch: "x86_64" },
      resources: { nanoCpus: 2e9, memoryBytes: 25276182528, generic: {} },
      engineVersion: "20.10.24+dfsg1",
      runtime: { kind: "docker", detail: "", securityOptions: [] },
      addr: "127.0.0.1",
      isLeader: true,
      version: 9,
      lastHeartbeatAt: null,
      state: "ready",
      managerStatus: "leader",
      tls: { status: "ready", role: null, notBefore: null, notAfter: null, serial: null },
    });
    expect(v.createdAt.toISOString()).toBe("2026-12-06T22:42:29.956Z");
    expect(v.docker).toEqual({
      state: "ready",
      message: null,
      managerAddr: "127.0.0.1:24771",
      reachability: "reachable",
      tlsInfo: {
        trustRoot: TLS_INFO.TrustRoot,
        issuerSubject: "CN=swarm-ca",
        certIssuerSubject: TLS_INFO.CertIssuerSubject,
        certIssuerPublicKey: TLS_INFO.CertIssuerPublicKey,
        issuerPublicKeyFingerprint: colons(ISSUER_KEY_SHA256),
      },
      chainsToCurrentRoot: true,
      namedResources: {},
      notReported: NODE_FIELDS_NOT_REPORTED,
    });
  });

  it("ok/a drained worker with a label has no manager status", () => {
    const v = nodeViewOf(node(WORKER_NODE), TLS_INFO);
    expect(v).toMatchObject({ role: "worker", availability: "drain", labels: { zone: "a" }, isLeader: false, managerStatus: null, version: 513 });
    expect(v.docker).toMatchObject({ managerAddr: null, reachability: null });
  });

  it.each([
    ["ok/issued by another CA: does not chain, needs rotation", { ...TLS_INFO, CertIssuerPublicKey: OTHER_KEY }, TLS_INFO, false, "needs-rotation"],
    ["ok/issued by the current CA but holding an old trust root: chains, still needs rotation", { ...TLS_INFO, TrustRoot: "old" }, TLS_INFO, true, "needs-rotation"],
    ["ok/no TLS info from the node: unknown", undefined, TLS_INFO, null, "unknown"],
    ["ok/no TLS info for the swarm: unknown", TLS_INFO, null, null, "unknown"],
  ] as const)("%s", (_name, nodeTls, swarmTls, chains, status) => {
    const raw = { ...WORKER_NODE, Description: { ...WORKER_NODE.Description, TLSInfo: nodeTls } };
    const v = nodeViewOf(node(raw), swarmTls);
    expect(v.docker.chainsToCurrentRoot).toBe(chains);
    expect(v.tls.status).toBe(status);
  });

  it("ok/Docker's words the view has no room for stay in the docker part", () => {
    const raw = {
      ...LEADER_NODE,
      Status: { State: "disconnected", Message: "node is currently trying to find new manager", Addr: "127.0.0.1" },
      ManagerStatus: { Reachability: "unknown", Addr: "127.0.0.1:2377" },
    };
    const v = nodeViewOf(node(raw), TLS_INFO);
    expect(v).toMatchObject({ state: "down", managerStatus: "unreachable", isLeader: false });
    expect(v.docker).toMatchObject({ state: "disconnected", message: "node is currently trying to find new manager", reachability: "unknown" });
  });

  it("ok/discrete generic resources are counted, named ones kept by kind", () => {
    const raw = {
      ...WORKER_NODE,
      Description: {
        ...WORKER_NODE.Description,
        Resources: {
          NanoCPUs: 1e9,
          MemoryBytes: 1e9,
          GenericResources: [
            { DiscreteResourceSpec: { Kind: "ssd", Value: 2 } },
            { NamedResourceSpec: { Kind: "gpu", Value: "UUID1" } },
            { NamedResourceSpec: { Kind: "gpu", Value: "UUID2" } },
          ],
        },
      },
    };
    const v = nodeViewOf(node(raw), TLS_INFO);
    expect(v.resources.generic).toEqual({ ssd: 2 });
    expect(v.docker.namedResources).toEqual({ gpu: ["UUID1", "UUID2"] });
  });
});

describe("a node's spec for an update", () => {
  it("ok/labels added and removed, availability changed, role and the rest kept", () => {
    const raw = node({ ...WORKER_NODE, Spec: { ...WORKER_NODE.Spec, Name: "kept" } });
    expect(updatedNodeSpec(raw, { labelAdd: { rack: "r1" }, labelRm: ["zone"], availability: "active" })).toEqual({
      Name: "kept",
      Labels: { rack: "r1" },
      Role: "worker",
      Availability: "active",
    });
  });

  it("fail/removing a label the node does not have names it", () => {
    expect(() => updatedNodeSpec(node(WORKER_NODE), { labelRm: ["rack"] })).toThrow("label rack does not exist on node xb");
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])("fail/%s is no label of a node without it, whatever objects inherit", (key) => {
    expect(() => updatedNodeSpec(node(WORKER_NODE), { labelRm: [key] })).toThrow(`label ${key} does not exist on node xb`);
  });

  it("ok/labels named like an object's own properties are added and removed as any other", () => {
    const added = updatedNodeSpec(node(WORKER_NODE), { labelAdd: { constructor: "c", toString: "t" } });
    expect(added.Labels).toEqual({ zone: "a", constructor: "c", toString: "t" });
    const withThem = node({ ...WORKER_NODE, Spec: { ...WORKER_NODE.Spec, Labels: added.Labels } });
    expect(updatedNodeSpec(withThem, { labelRm: ["constructor", "toString"] }).Labels).toEqual({ zone: "a" });
  });
});
