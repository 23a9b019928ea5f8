import { describe, expect, it } from "vitest";
import {
  checkNodeGenericResources,
  parseNodeGenericResource,
  NO_VERIFIED_CHAIN,
  authorizeNode,
  capitalise,
  checkHostname,
  deniedMessage,
  formatTable,
  naturalCompare,
  nodeState,
  parseLabel,
} from "./index.js";

describe("docker tables", () => {
  it("ok/matches docker's node-list-sort golden file", () => {
    const rows = [
      ["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION"],
      ["nodeID3  ", "node-1-foo", "Ready", "Active", "", "1.13.0"],
      ["nodeID1 *", "node-2-foo", "Ready", "Active", "Leader", "."],
      ["nodeID2  ", "node-10-foo", "Ready", "Active", "Reachable", "18.03.0-ce"],
    ];
    expect(formatTable(rows)).toBe(
      [
        "ID          HOSTNAME      STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION",
        "nodeID3     node-1-foo    Ready     Active                          1.13.0",
        "nodeID1 *   node-2-foo    Ready     Active         Leader           .",
        "nodeID2     node-10-foo   Ready     Active         Reachable        18.03.0-ce",
      ].join("\n"),
    );
  });

  it("ok/natural order", () => {
    expect(["node-10-foo", "node-2-foo", "node-1-foo", "a"].sort(naturalCompare)).toEqual(["a", "node-1-foo", "node-2-foo", "node-10-foo"]);
  });

  it("ok/capitalises like docker", () => {
    expect(capitalise("READY")).toBe("Ready");
    expect(capitalise("drain")).toBe("Drain");
  });
});

describe("node state", () => {
  const now = new Date("2026-01-01T00:00:30Z");
  it.each([
    [null, "unknown"],
    [new Date("2026-01-01T00:00:20Z"), "ready"],
    [new Date("2026-01-01T00:00:15Z"), "ready"],
    [new Date("2026-01-01T00:00:14Z"), "down"],
  ])("ok/last heartbeat %s is %s", (last, state) => expect(nodeState(last, 5000, now)).toBe(state));
});

describe("labels and hostnames", () => {
  it.each([
    ["zone=eu-1", ["zone", "eu-1"]],
    ["pcidss", ["pcidss", ""]],
    ["a=b=c", ["a", "b=c"]],
  ])("ok/%s", (text, pair) => expect(parseLabel(text)).toEqual(pair));
  it.each(["=x", "has space=1", ""])("fail/label %j", (text) => expect(() => parseLabel(text)).toThrow("invalid label key"));
  it("fail/hostname", () => expect(() => checkHostname("bad host")).toThrow("hostname must be"));
});

describe("a node's generic resources (--generic-resource KIND=N)", () => {
  it.each([
    ["gpu=2", ["gpu", 2]],
    [" fpga.intel = 1 ", ["fpga.intel", 1]],
    ["gpu=+3", ["gpu", 3]],
  ])("ok/%j", (text, parsed) => expect(parseNodeGenericResource(text)).toEqual(parsed));

  it.each([
    ["gpu", "expected KIND=N, e.g. gpu=2"],
    ["gpu=", "no count: give a count, e.g. gpu=2"],
    ["gpu=UUID1", "named resources are not supported: give a count, e.g. gpu=2"],
    ["gpu=0", "generic resource gpu must be a positive whole number, got 0"],
    ["gpu=-2", "generic resource gpu must be a positive whole number, got -2"],
    ["gpu=99999999999999999", "generic resource gpu must be a positive whole number, got 100000000000000000"],
    ["=2", "a generic resource needs a kind, e.g. gpu=1"],
    ["g,pu=2", "invalid generic resource kind \"g,pu\": at most 128 characters, without spaces, '=' or ','"],
  ])("fail/%j: %s", (text, message) => {
    expect(() => parseNodeGenericResource(text)).toThrow(message);
  });

  it("fail/more kinds than a node may advertise", () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 1]));
    expect(() => checkNodeGenericResources(many)).toThrow("a node advertises at most 64 generic resource kinds");
    expect(checkNodeGenericResources({ gpu: 2 })).toEqual({ gpu: 2 });
  });
});

describe("what a refused node is told (ca/auth.go)", () => {
  const manager = { cn: "m1", o: "C", ous: ["swarm-manager"] };
  const worker = { cn: "w1", o: "C", ous: ["swarm-worker"] };
  const base = { blacklist: [] as string[], clusterOrg: "C", required: ["swarm-worker", "swarm-manager"] };
  const peerRole = (inner: string) => `Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = ${inner}`;
  const forwarderRole = (inner: string) => `Permission denied: unauthorized forwarder role: rpc error: code = PermissionDenied desc = ${inner}`;

  it.each([
    ["fail/no client certificate", { ...base, peer: null }, "no client certificates in request", peerRole("no client certificates in request")],
    [
      "fail/a worker on a manager route",
      { ...base, peer: worker, required: ["swarm-manager"] },
      "Permission denied: remote certificate not part of OUs: [swarm-manager]",
      peerRole("Permission denied: remote certificate not part of OUs: [swarm-manager]"),
    ],
    [
      "fail/a removed node",
      { ...base, peer: worker, blacklist: ["w1"] },
      "Permission denied: node w1 was removed from swarm",
      peerRole("Permission denied: node w1 was removed from swarm"),
    ],
    [
      "fail/another cluster",
      { ...base, peer: { ...worker, o: "X" } },
      "Permission denied: remote certificate not part of organization: C",
      peerRole("Permission denied: remote certificate not part of organization: C"),
    ],
    [
      "fail/a worker forwarding",
      { ...base, peer: worker, forwarded: { cn: "w2", org: "C", ous: ["swarm-worker"] } },
      "Permission denied: remote certificate not part of OUs: [swarm-manager]",
      forwarderRole("Permission denied: remote certificate not part of OUs: [swarm-manager]"),
    ],
    [
      "fail/forwarded without a certificate of its own",
      { ...base, peer: null, forwarded: { cn: "w2", org: "C", ous: ["swarm-worker"] } },
      "no client certificates in request",
      forwarderRole("no client certificates in request"),
    ],
    [
      "fail/a forwarded role the route does not take",
      { ...base, required: ["swarm-manager"], peer: manager, forwarded: { cn: "w2", org: "C", ous: ["swarm-worker"] } },
      "Permission denied: unauthorized forwarded role, expecting: [swarm-manager]",
      "Permission denied: unauthorized forwarded role, expecting: [swarm-manager]",
    ],
  ])("%s", (_n, input, error, message) => {
    expect(authorizeNode(input)).toEqual({ allow: false, error, message });
  });

  it("ok/a chain that does not verify, in Swarm's words", () => {
    expect(deniedMessage(NO_VERIFIED_CHAIN)).toBe(peerRole("no verified chains for remote certificate"));
  });
});
