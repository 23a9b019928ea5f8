import { createHash } from "node:crypto";
import { RampartError } from "@rampart/core";
import { describe, expect, it } from "vitest";
import {
  INFO_AFTER,
  INFO_BEFORE,
  INFO_ROTATING,
  NEW_KEY,
  NEW_ROOT,
  NODES_AFTER,
  NODES_BEFORE,
  NODES_NOT_RENEWED,
  NODES_RENEWED,
  OLD_KEY,
  OLD_ROOT,
  SWARM_CA_SUBJECT,
} from "../../test-support/docker-rotation.js";
import type { CaChange } from "../../cluster/index.js";
import { queryPkiNodes } from "../../pki/index.js";
import { caChangeAudit, caChangedSpec, dockerPkiStatusOf, issuerOfRoot, PKI_FIELDS_NOT_REPORTED, pkiNodeRowOf, rootRotationProgress } from "./pki.js";
import { dockerInfoSchema, dockerNodeSchema, type DockerInfo, type DockerNode } from "./schema.js";

const NOW = new Date("2026-12-07T03:00:00Z");
const info = (raw: unknown) => dockerInfoSchema.parse(raw);
const nodes = (raw: readonly unknown[]) => raw.map((n) => dockerNodeSchema.parse(n));
const status = (i: unknown, n: readonly unknown[], secrets = 0) => dockerPkiStatusOf({ info: info(i), nodes: nodes(n), secrets, now: NOW });
const digest = (pem: string) => `sha256:${createHash("sha256").update(pem).digest("hex")}`;
const byHost = <T extends { hostname: string }>(rows: readonly T[]) => Object.fromEntries(rows.map((r) => [r.hostname, r]));
const tlsOf = (list: readonly { Description: { TLSInfo: unknown } }[]) => list.map((n) => n.Description.TLSInfo as { TrustRoot: string });
/** A node as Docker gives it, changed in one part. */
const withNode = (node: (typeof NODES_BEFORE)[number], change: Record<string, unknown>) => ({ ...node, ...change });

describe("the trust root's issuer, as SwarmKit reads it", () => {
  it("ok/each root's raw subject and key are what Docker reports for it", () => {
    expect(issuerOfRoot(OLD_ROOT)).toEqual({ subject: SWARM_CA_SUBJECT, publicKey: OLD_KEY });
    expect(issuerOfRoot(NEW_ROOT)).toEqual({ subject: SWARM_CA_SUBJECT, publicKey: NEW_KEY });
  });

  it("fail/text that is no certificate has no issuer", () => {
    expect(issuerOfRoot("not a certificate")).toBeNull();
  });
});

describe("docker swarm ca's progress (root_rotation.go's updateProgress)", () => {
  it.each([
    ["ok/before: every certificate and trust root right, nothing under way: done", INFO_BEFORE, NODES_BEFORE, { certs: 3, roots: 3, total: 3, done: true }, OLD_ROOT],
    ["ok/just started: no node renewed, roots shown as 0", INFO_ROTATING, NODES_NOT_RENEWED, { certs: 0, roots: 0, total: 3, done: false }, OLD_ROOT],
    ["ok/every node renewed, still under way: roots still shown as 0", INFO_ROTATING, NODES_RENEWED, { certs: 3, roots: 0, total: 3, done: false }, OLD_ROOT],
    ["ok/finished, nodes not yet on the new trust root: certificates right, roots counted, not done", INFO_AFTER, NODES_RENEWED, { certs: 3, roots: 0, total: 3, done: false }, NEW_ROOT],
    ["ok/finished and converged: done", INFO_AFTER, NODES_AFTER, { certs: 3, roots: 3, total: 3, done: true }, NEW_ROOT],
    ["ok/one node renewed of three", INFO_ROTATING, [NODES_RENEWED[0]!, ...NODES_NOT_RENEWED.slice(1)], { certs: 1, roots: 0, total: 3, done: false }, OLD_ROOT],
  ] as const)("%s", (_name, i, n, expected, desiredRoot) => {
    const cluster = info(i).Swarm.Cluster!;
    const progress = rootRotationProgress(cluster.TLSInfo, tlsOf(n), cluster.RootRotationInProgress === true);
    expect(progress).toEqual({ ...expected, desiredRootDigest: digest(desiredRoot) });
  });

  it("ok/a node reporting no TLS info is counted for neither", () => {
    const cluster = info(INFO_AFTER).Swarm.Cluster!;
    expect(rootRotationProgress(cluster.TLSInfo, [...tlsOf(NODES_AFTER), undefined], false)).toMatchObject({ certs: 3, roots: 0, total: 4, done: false });
  });
});

describe("a connected swarm's PKI status from Docker's own JSON", () => {
  it("ok/before a rotation: the trust root, three Ready nodes on the current root, and null where Docker gives nothing", () => {
    const s = status(INFO_BEFORE, NODES_BEFORE);
    expect(s).toMatchObject({
      kind: "docker",
      version: 10,
      trustRoot: { pem: OLD_ROOT, digest: digest(OLD_ROOT), subject: "CN=swarm-ca", key: "ECDSA P-256", keyHeld: null },
      rotation: null,
      externalCas: [],
      certExpiryMs: 90 * 24 * 3_600_000,
      forceRotate: 0,
      autolock: { enabled: false, unlockKeyRotatedAt: null },
      tokens: { workerRotatedAt: null, managerRotatedAt: null },
      lastRotatedAt: null,
      counts: { nodes: 3, ready: 3, needsRotation: 0, unknown: 0, pending: 0, expiringSoon: 0, trustRootCurrent: 3 },
      warnings: [],
    });
    expect(s.trustRoot.notAfter.toISOString()).toBe("2046-12-02T02:10:00.000Z");
    expect(s.notReported).toEqual([...PKI_FIELDS_NOT_REPORTED]);
    expect(s.timeline.every((b) => b.count === 0)).toBe(true);
  });

  it("ok/autolock off while the swarm holds secrets is core's warning", () => {
    expect(status(INFO_BEFORE, NODES_BEFORE, 2).warnings.map((w) => w.id)).toEqual(["autolock-off"]);
  });

  it("ok/a rotation just started: progress 0 of 3, the target's certificate not given, nodes still on the current root and pending", () => {
    const s = status(INFO_ROTATING, NODES_NOT_RENEWED);
    expect(s.rotation).toEqual({ startedAt: null, target: null, rotatedTls: 0, rotatedCa: 0, nodes: 3 });
    expect(s).toMatchObject({ version: 21, forceRotate: 1, trustRoot: { digest: digest(OLD_ROOT) }, counts: { ready: 0, needsRotation: 3, trustRootCurrent: 3 } });
    // A node waiting for its new certificate during a rotation is no warning: the rotation is the remedy.
    expect(s.warnings).toEqual([]);
  });

  it("ok/every node renewed during the rotation: all three counted as rotated, Ready as docker node ls says", () => {
    const s = status(INFO_ROTATING, NODES_RENEWED);
    expect(s.rotation).toEqual({ startedAt: null, target: null, rotatedTls: 3, rotatedCa: 0, nodes: 3 });
    expect(s.counts).toMatchObject({ ready: 3, needsRotation: 0 });
  });

  it("ok/finished: the new trust root, no rotation, every node Ready on it", () => {
    const s = status(INFO_AFTER, NODES_AFTER);
    expect(s).toMatchObject({ version: 30, rotation: null, trustRoot: { pem: NEW_ROOT, digest: digest(NEW_ROOT) }, counts: { ready: 3, needsRotation: 0, trustRootCurrent: 3 } });
    expect(s.trustRoot.digest).not.toBe(digest(OLD_ROOT));
  });

  it("ok/a node left on the old root after a rotation needs rotation, and is core's warning", () => {
    const s = status(INFO_AFTER, [...NODES_AFTER.slice(0, 2), NODES_BEFORE[2]!]);
    expect(s.counts).toMatchObject({ ready: 2, needsRotation: 1, trustRootCurrent: 2 });
    expect(s.warnings).toEqual([{ id: "needs-rotation", severity: "warning", text: "1 node present a certificate that does not come from the current root", nodeIds: [NODES_BEFORE[2]!.ID] }]);
  });
});

describe("a connected swarm's PKI rows", () => {
  const rows = (i: unknown, n: readonly unknown[]) => byHost(queryPkiNodes(pkiRows(i, n), { limit: 500 }, NOW).rows);
  /** The rows as the node table serves them. */
  function pkiRows(i: unknown, n: readonly unknown[]) {
    const parsed = info(i);
    const cluster = parsed.Swarm.Cluster!;
    return nodes(n).map((node) => rowOf(node, cluster));
  }
  const rowOf = (node: DockerNode, cluster: NonNullable<DockerInfo["Swarm"]["Cluster"]>) =>
    pkiNodeRowOf(node, cluster.TLSInfo, cluster.RootRotationInProgress === true, issuerOfRoot(cluster.TLSInfo?.TrustRoot ?? ""));

  it.each([
    ["ok/at rest: the current root, Ready", INFO_BEFORE, NODES_BEFORE, { issuer: "current root", tlsStatus: "ready", trustRootCurrent: true, rotation: null }],
    ["ok/rotating, not renewed: the current root, needs rotation, pending", INFO_ROTATING, NODES_NOT_RENEWED, { issuer: "current root", tlsStatus: "needs-rotation", trustRootCurrent: true, rotation: { state: "pending", reason: null } }],
    ["ok/rotating, renewed: the new root, Ready, rotated", INFO_ROTATING, NODES_RENEWED, { issuer: "new root", tlsStatus: "ready", trustRootCurrent: true, rotation: { state: "rotated", reason: null } }],
    ["ok/finished, trust root not yet taken: the current root, needs rotation", INFO_AFTER, NODES_RENEWED, { issuer: "current root", tlsStatus: "needs-rotation", trustRootCurrent: false, rotation: null }],
    ["ok/finished, a node on the old root: another root", INFO_AFTER, NODES_BEFORE, { issuer: "another root", tlsStatus: "needs-rotation", trustRootCurrent: false, rotation: null }],
  ] as const)("%s", (_name, i, n, expected) => {
    for (const row of Object.values(rows(i, n))) {
      expect(row).toMatchObject({ ...expected, issuance: null, serial: null, notBefore: null, notAfter: null, renewal: null });
    }
  });

  it("ok/a node reporting no TLS info: issuer and status unknown, trust root not known", () => {
    const bare = withNode(NODES_BEFORE[1]!, { Description: { ...NODES_BEFORE[1]!.Description, TLSInfo: undefined } });
    expect(rows(INFO_BEFORE, [bare])["cap-b"]).toMatchObject({ issuer: "unknown", tlsStatus: "unknown", trustRootCurrent: null });
  });

  it("ok/a node down during a rotation is unreachable, in Docker's words", () => {
    const down = withNode(NODES_NOT_RENEWED[2]!, { Status: { State: "down", Message: "heartbeat failure", Addr: "127.0.0.1" } });
    expect(rows(INFO_ROTATING, [down])["cap-c"]!.rotation).toEqual({
      state: "unreachable",
      reason: "Docker says the node is down (heartbeat failure): it renews when it comes back, or remove it to stop waiting for it",
    });
  });

  it("ok/the table's filter finds the nodes still on the old root during a rotation", () => {
    const mixed = pkiRows(INFO_ROTATING, [NODES_RENEWED[0]!, ...NODES_NOT_RENEWED.slice(1)]);
    expect(queryPkiNodes(mixed, { issuer: "current root", sort: "hostname" }, NOW).rows.map((r) => r.hostname)).toEqual(["cap-b", "cap-c"]);
    expect(queryPkiNodes(mixed, { tlsStatus: "ready" }, NOW).rows.map((r) => r.hostname)).toEqual(["cap-a"]);
  });
});

describe("external CAs in the status", () => {
  const withExternal = (i: typeof INFO_BEFORE, list: unknown[]) => ({
    ...i,
    Swarm: { ...i.Swarm, Cluster: { ...i.Swarm.Cluster, Spec: { ...i.Swarm.Cluster.Spec, CAConfig: { ...i.Swarm.Cluster.Spec.CAConfig, ExternalCAs: list } } } },
  });

  it("ok/each says which root it signs under: the current one (given or left empty), the new one during a rotation, or another by digest", () => {
    const list = [
      { Protocol: "cfssl", URL: "https://ca-1.example:8888/api/v1/cfssl/sign", CACert: OLD_ROOT },
      { Protocol: "cfssl", URL: "https://ca-2.example:8888/api/v1/cfssl/sign", CACert: "" },
      { Protocol: "cfssl", URL: "https://ca-3.example:8888/api/v1/cfssl/sign", CACert: NEW_ROOT, Options: { profile: "ca" } },
    ];
    expect(status(withExternal(INFO_ROTATING as typeof INFO_BEFORE, list), NODES_NOT_RENEWED).externalCas).toEqual([
      { protocol: "cfssl", url: "https://ca-1.example:8888/api/v1/cfssl/sign", signsUnder: "current root" },
      { protocol: "cfssl", url: "https://ca-2.example:8888/api/v1/cfssl/sign", signsUnder: "current root" },
      { protocol: "cfssl", url: "https://ca-3.example:8888/api/v1/cfssl/sign", signsUnder: "new root" },
    ]);
    expect(status(withExternal(INFO_BEFORE, list), NODES_BEFORE).externalCas[2]!.signsUnder).toBe(digest(NEW_ROOT));
  });
});

describe("a swarm Docker describes without a readable trust root", () => {
  it.each([
    ["fail/none reported", "", "Docker reported no trust root for the swarm"],
    ["fail/not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "Docker's trust root is not a PEM certificate this Rampart can read"],
  ])("%s", (_name, pem, message) => {
    const raw = { ...INFO_BEFORE, Swarm: { ...INFO_BEFORE.Swarm, Cluster: { ...INFO_BEFORE.Swarm.Cluster, TLSInfo: { ...INFO_BEFORE.Swarm.Cluster.TLSInfo, TrustRoot: pem } } } };
    const thrown = (() => {
      try {
        status(raw, NODES_BEFORE);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(RampartError);
    expect((thrown as RampartError).code).toBe("failed_precondition");
    expect((thrown as RampartError).message).toContain(message);
  });

  it("fail/an engine that describes no swarm is not a manager, said as such", () => {
    const raw = { ...INFO_BEFORE, Swarm: { ...INFO_BEFORE.Swarm, ControlAvailable: false, Cluster: undefined } };
    expect(() => status(raw, NODES_BEFORE)).toThrow("Docker did not describe the swarm: the engine is not (or no longer) a swarm manager (its swarm state is active)");
  });
});

describe("the spec sent for a CA change", () => {
  const spec = INFO_BEFORE.Swarm.Cluster.Spec as unknown as Record<string, unknown>;
  const base = { version: 10, signingCaCert: "", signingCaKey: "", forceRotate: false };

  it("ok/docker swarm ca --rotate: ForceRotate + 1, everything else as read", () => {
    expect(caChangedSpec(spec, { ...base, forceRotate: true }, "")).toEqual({ ...spec, CAConfig: { NodeCertExpiry: 7776000000000000, ForceRotate: 1 } });
    const again = caChangedSpec({ ...spec, CAConfig: { NodeCertExpiry: 1, ForceRotate: 4 } }, { ...base, forceRotate: true }, "");
    expect(again.CAConfig).toEqual({ NodeCertExpiry: 1, ForceRotate: 5 });
  });

  it("ok/a given root and key: both in the spec, ForceRotate kept", () => {
    expect(caChangedSpec(spec, { ...base, signingCaCert: NEW_ROOT, signingCaKey: "KEY" }, NEW_ROOT).CAConfig).toEqual({ NodeCertExpiry: 7776000000000000, SigningCACert: NEW_ROOT, SigningCAKey: "KEY" });
  });

  it("ok/external CAs replace the list; one without a certificate takes the default the caller gives (mergeSwarmSpecCAFlags)", () => {
    const changed = caChangedSpec(
      spec,
      {
        ...base,
        externalCas: [
          { protocol: "cfssl", url: "https://a.example/sign", caCert: "" },
          { protocol: "cfssl", url: "https://b.example/sign", caCert: NEW_ROOT, options: { k: "v" } },
        ],
        certExpiryMs: 3_600_000,
      },
      OLD_ROOT,
    );
    expect(changed.CAConfig).toEqual({
      NodeCertExpiry: 3_600_000_000_000,
      ExternalCAs: [
        { Protocol: "cfssl", URL: "https://a.example/sign", CACert: OLD_ROOT },
        { Protocol: "cfssl", URL: "https://b.example/sign", Options: { k: "v" }, CACert: NEW_ROOT },
      ],
    });
    expect(changed.Raft).toBe(spec.Raft);
  });

  it("ok/an empty list removes every external CA", () => {
    const withList = { ...spec, CAConfig: { NodeCertExpiry: 1, ExternalCAs: [{ Protocol: "cfssl", URL: "https://a.example/sign" }] } };
    expect(caChangedSpec(withList, { ...base, externalCas: [] }, OLD_ROOT).CAConfig).toEqual({ NodeCertExpiry: 1, ExternalCAs: [] });
  });
});

describe("a CA change's audit action", () => {
  it.each([
    ["ok/a new root made by Docker", { forceRotate: true }, false, { action: "ca.rotate", reason: "to a new root" }],
    ["ok/a given root with its key", { signingCaCert: NEW_ROOT, signingCaKey: "KEY" }, false, { action: "ca.rotate", reason: "to a given root" }],
    ["ok/a given root an external CA signs under", { signingCaCert: NEW_ROOT }, false, { action: "ca.rotate", reason: "to an external root" }],
    ["ok/the current root given again during a rotation stops it", { signingCaCert: OLD_ROOT.replace(/\n/g, "\r\n"), signingCaKey: "KEY" }, true, { action: "ca.rotate.stop", reason: "back to the current root" }],
    ["ok/the current root given again at rest changes the key only", { signingCaCert: OLD_ROOT, signingCaKey: "KEY" }, false, { action: "ca.update", reason: null }],
    ["ok/external CAs or expiry alone", { externalCas: [] }, false, { action: "ca.update", reason: null }],
  ] satisfies Array<[string, Partial<CaChange>, boolean, { action: string; reason: string | null }]>)("%s", (_name, change, inProgress, expected) => {
    expect(caChangeAudit({ version: 1, signingCaCert: "", signingCaKey: "", forceRotate: false, ...change }, OLD_ROOT, inProgress)).toEqual(expected);
  });
});
