import { describe, expect, it } from "vitest";
import {
  DEFAULT_SORT,
  EMPTY_FILTER,
  certExpiresSoon,
  countStates,
  expiringCertificates,
  filterNodes,
  indexNodes,
  labelChips,
  naturalCompare,
  sortNodes,
  type NodeView,
} from "./nodes";

const NOW = new Date("2026-01-01T00:00:00Z");
const DAY = 86_400_000;

function makeNode(over: Partial<NodeView> & { hostname: string }): NodeView {
  return {
    id: over.hostname.padEnd(25, "x"),
    role: "worker",
    availability: "active",
    labels: {},
    engineLabels: {},
    platform: { os: "linux", arch: "x86_64" },
    resources: { nanoCpus: 2e9, memoryBytes: 2 ** 31 },
    engineVersion: "rampart-agent 0.1.0",
    runtime: { kind: "docker", detail: "unix:///var/run/docker.sock", securityOptions: ["seccomp", "apparmor"] },
    addr: "10.0.0.1",
    isLeader: false,
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
    lastHeartbeatAt: NOW,
    state: "ready",
    managerStatus: null,
    tls: { status: "ready", role: "worker", notBefore: NOW, notAfter: new Date(NOW.getTime() + 90 * DAY), serial: "01", issuance: null },
    ...over,
  };
}

const hostnames = (items: Array<{ node: NodeView }>) => items.map((i) => i.node.hostname);

describe("naturalCompare", () => {
  it.each([
    ["node-2", "node-10", -1],
    ["node-10", "node-2", 1],
    ["node-2", "node-2", 0],
    ["Node-1", "node-2", -1],
    ["node-01", "node-1", 1],
    ["node-1", "node-1a", -1],
    ["a", "b", -1],
    ["web9", "web10", -1],
    ["10.0.0.2", "10.0.0.10", -1],
    ["", "a", -1],
  ])("%s vs %s", (a, b, sign) => expect(Math.sign(naturalCompare(a, b))).toBe(sign));

  it("ok/sorts a list the way people read it", () => {
    expect(["node-10", "node-2", "node-1", "Node-3"].sort(naturalCompare)).toEqual(["node-1", "node-2", "Node-3", "node-10"]);
  });
});

describe("filterNodes", () => {
  const nodes = indexNodes([
    makeNode({ hostname: "web-1", id: "abc123def456ghi789jkl000m", labels: { zone: "eu-west" } }),
    makeNode({ hostname: "db-1", id: "zzz999", role: "manager", engineLabels: { storage: "SSD" }, state: "down" }),
    makeNode({ hostname: "cache-1", id: "qqq111", availability: "drain", state: "unknown" }),
  ]);

  it.each<[string, Partial<typeof EMPTY_FILTER>, string[]]>([
    ["ok/empty filter keeps all", {}, ["web-1", "db-1", "cache-1"]],
    ["ok/hostname, case-insensitive", { search: "WEB" }, ["web-1"]],
    ["ok/ID prefix", { search: "ABC123" }, ["web-1"]],
    ["ok/ID middle does not match", { search: "def456" }, []],
    ["ok/label key", { search: "zone" }, ["web-1"]],
    ["ok/label value", { search: "eu-west" }, ["web-1"]],
    ["ok/label key=value", { search: "zone=eu" }, ["web-1"]],
    ["ok/engine label value", { search: "ssd" }, ["db-1"]],
    ["ok/status", { state: "down" }, ["db-1"]],
    ["ok/role", { role: "manager" }, ["db-1"]],
    ["ok/availability", { availability: "drain" }, ["cache-1"]],
    ["ok/all conditions together", { search: "1", role: "worker", state: "ready" }, ["web-1"]],
    ["ok/whitespace around the search is ignored", { search: "  cache " }, ["cache-1"]],
  ])("%s", (_name, filter, expected) => {
    expect(hostnames(filterNodes(nodes, { ...EMPTY_FILTER, ...filter }))).toEqual(expected);
  });
});

describe("sortNodes", () => {
  const nodes = indexNodes([
    makeNode({ hostname: "node-10", state: "down", tls: { status: "unknown", role: null, notBefore: null, notAfter: null, serial: null, issuance: null } }),
    makeNode({ hostname: "node-2", role: "manager", managerStatus: "reachable" }),
    makeNode({ hostname: "node-1", role: "manager", managerStatus: "leader", isLeader: true }),
    makeNode({ hostname: "node-3", availability: "drain", tls: { status: "ready", role: "worker", notBefore: NOW, notAfter: new Date(NOW.getTime() + DAY), serial: "02", issuance: null } }),
  ]);

  it.each<[string, Parameters<typeof sortNodes>[1], string[]]>([
    ["ok/hostname in natural order", DEFAULT_SORT, ["node-1", "node-2", "node-3", "node-10"]],
    ["ok/hostname descending", { key: "hostname", direction: "desc" }, ["node-10", "node-3", "node-2", "node-1"]],
    ["ok/status, ties by hostname", { key: "state", direction: "asc" }, ["node-1", "node-2", "node-3", "node-10"]],
    ["ok/status descending", { key: "state", direction: "desc" }, ["node-10", "node-1", "node-2", "node-3"]],
    ["ok/manager status, workers last", { key: "managerStatus", direction: "asc" }, ["node-1", "node-2", "node-3", "node-10"]],
    ["ok/manager status descending, workers still last", { key: "managerStatus", direction: "desc" }, ["node-2", "node-1", "node-3", "node-10"]],
    ["ok/cert expiry, none last", { key: "certExpiry", direction: "asc" }, ["node-3", "node-1", "node-2", "node-10"]],
    ["ok/cert expiry descending, none still last", { key: "certExpiry", direction: "desc" }, ["node-1", "node-2", "node-3", "node-10"]],
    ["ok/availability", { key: "availability", direction: "desc" }, ["node-3", "node-1", "node-2", "node-10"]],
  ])("%s", (_name, sort, expected) => expect(hostnames(sortNodes(nodes, sort))).toEqual(expected));

  it("ok/does not change its input", () => {
    const before = hostnames(nodes);
    sortNodes(nodes, { key: "hostname", direction: "desc" });
    expect(hostnames(nodes)).toEqual(before);
  });
});

describe("summaries", () => {
  const nodes = [
    makeNode({ hostname: "a", state: "down" }),
    makeNode({ hostname: "b", tls: { status: "ready", role: "worker", notBefore: NOW, notAfter: new Date(NOW.getTime() + 3 * DAY), serial: "1", issuance: null } }),
    makeNode({ hostname: "c", tls: { status: "ready", role: "worker", notBefore: NOW, notAfter: new Date(NOW.getTime() - DAY), serial: "2", issuance: null } }),
  ];

  it("ok/counts states", () => expect(countStates(nodes)).toEqual({ ready: 2, down: 1, unknown: 0 }));
  it("ok/expiring certificates, soonest first, expired included", () => {
    expect(expiringCertificates(nodes, NOW).map((n) => n.hostname)).toEqual(["c", "b"]);
  });
  it.each([
    [null, false],
    [new Date(NOW.getTime() + 13 * DAY), true],
    [new Date(NOW.getTime() + 15 * DAY), false],
  ])("certExpiresSoon(%s) → %s", (date, soon) => expect(certExpiresSoon(date, NOW)).toBe(soon));
  it("ok/label chips show the first few and count the rest", () => {
    expect(labelChips({ zone: "a", env: "prod", gpu: "", rack: "1" })).toEqual({ shown: ["env=prod", "gpu"], more: 2 });
    expect(labelChips({})).toEqual({ shown: [], more: 0 });
  });
});

describe("at scale", () => {
  it("ok/indexes, filters and sorts 10,000 nodes correctly (timing is in nodes.bench.ts)", () => {
    const N = 10_000;
    const states = ["ready", "down", "unknown"] as const;
    // Node i is called node-k with k = 7919·i mod N: 7919 is prime to N, so k runs over
    // 0…N-1 once each, in an order unlike i's.
    const number = (i: number) => (i * 7919) % N;
    const nodes = Array.from({ length: N }, (_, i) =>
      makeNode({
        hostname: `node-${number(i)}`,
        id: `${i.toString(36).padStart(8, "0")}${"x".repeat(17)}`,
        state: states[i % 3]!,
        labels: { zone: `zone-${i % 5}`, rack: String(i % 40) },
        engineLabels: { disk: i % 2 ? "ssd" : "hdd" },
      }),
    );
    /** The hostnames of the nodes whose index passes `keep`, by their number: natural order, worked out without the code under test. */
    const expected = (keep: (i: number) => boolean) =>
      Array.from({ length: N }, (_, i) => i)
        .filter(keep)
        .map(number)
        .sort((a, b) => a - b)
        .map((k) => `node-${k}`);

    const sorted = sortNodes(indexNodes(nodes), DEFAULT_SORT);
    expect(hostnames(sorted)).toEqual(Array.from({ length: N }, (_, k) => `node-${k}`));

    // zone-3 and Ready: i ≡ 3 (mod 5) and i ≡ 0 (mod 3), that is i ≡ 3 (mod 15): 667 nodes.
    const zone3Ready = hostnames(filterNodes(sorted, { ...EMPTY_FILTER, search: "zone-3", state: "ready" }));
    expect(zone3Ready).toHaveLength(667);
    expect(zone3Ready).toEqual(expected((i) => i % 5 === 3 && i % 3 === 0));

    // "node-1" is in the hostnames whose number starts with 1: 1, 10–19, 100–199, 1000–1999.
    const bySearch = hostnames(filterNodes(sorted, { ...EMPTY_FILTER, search: "node-1" }));
    expect(bySearch).toHaveLength(1 + 10 + 100 + 1000);
    expect(bySearch).toEqual(expected((i) => String(number(i)).startsWith("1")));

    // An ID prefix: ids are i in base 36, padded to 8, so "0000002" is i = 72…107 (2·36 to 3·36−1).
    const byId = hostnames(filterNodes(sorted, { ...EMPTY_FILTER, search: "0000002" }));
    expect(byId).toHaveLength(36);
    expect(byId).toEqual(expected((i) => i >= 72 && i < 108));
  });
});
