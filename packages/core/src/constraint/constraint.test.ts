import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  cidrContains,
  engineLabelMixups,
  evaluateConstraint,
  explainNode,
  goTrimSpace,
  ipEqual,
  labelValue,
  nodeMatches,
  parseCidr,
  parseConstraint,
  parseConstraints,
  parseIp,
  type ConstraintNode,
} from "./index.js";

const node: ConstraintNode = {
  id: "n1",
  role: "worker",
  hostname: "web-1",
  labels: { zone: "eu-1", pcidss: "yes" },
  engineLabels: {},
  platform: { os: "linux", arch: "x86_64" },
  addr: "10.0.3.7",
};

describe("IP addresses as Go reads them", () => {
  it.each([
    ["10.0.0.1", true],
    ["2001:db8::2", true],
    ["::ffff:10.0.0.1", true],
    ["::", true],
    ["1:2:3:4:5:6:7:8", true],
    ["1:2:3:4:5:6:1.2.3.4", true],
    ["010.0.0.1", false],
    ["256.0.0.1", false],
    ["1:2:3:4:5:6:7:8:9", false],
    ["1::2::3", false],
    ["fe80::1%eth0", false],
    ["not_ip_addr", false],
  ])("%s parses: %s", (text, ok) => expect(parseIp(text) !== undefined).toBe(ok));

  it("ok/IPv4 and its IPv4-mapped form are equal; zero runs compress", () => {
    expect(ipEqual(parseIp("10.0.0.1")!, parseIp("::ffff:10.0.0.1")!)).toBe(true);
    expect(ipEqual(parseIp("2001:db8:0::2")!, parseIp("2001:db8::2")!)).toBe(true);
  });

  it.each([
    ["186.17.9.4/24", "186.17.9.41", true],
    ["186.17.9.4/24", "186.17.10.41", false],
    ["0.0.0.0/0", "8.8.8.8", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
  ])("ok/%s contains %s: %s", (cidr, ip, inside) => expect(cidrContains(parseCidr(cidr)!, parseIp(ip)!)).toBe(inside));

  it.each(["186.17.9.41/34", "10.0.0.1", "10.0.0.1/x", "2001:db8::/129"])("fail/%s is not a CIDR block", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe("explanations", () => {
  it.each([
    ["node.labels.zone == eu-1", true, "node.labels.zone is \"eu-1\""],
    ["node.labels.zone == us-1", false, "node.labels.zone is \"eu-1\", not \"us-1\""],
    ["node.labels.rack == r1", false, "node.labels.rack is nothing, not \"r1\""],
    ["node.labels.rack != r1", true, "node.labels.rack is nothing"],
    ["node.role == manager", false, "node.role is \"worker\", not \"manager\""],
    ["node.name == web-1", false, "\"node.name\" is not a key Swarm knows, so it matches no node"],
    ["node.ip == 10.0.0.0/16", true, "the node's address 10.0.3.7 is inside 10.0.0.0/16"],
    ["node.ip != 10.0.3.7", false, "the node's address 10.0.3.7 is 10.0.3.7"],
    ["node.ip == 300.1.1.1", false, "\"300.1.1.1\" is neither an IP address nor a CIDR block, so it matches no node"],
  ])("%s → %s: %s", (expr, matched, reason) => {
    expect(evaluateConstraint(parseConstraint(expr), node)).toMatchObject({ matched, reason });
  });

  it("ok/explainNode gives one result per constraint, in order", () => {
    const results = explainNode(["node.labels.pcidss == yes", "node.platform.os == windows"].map(parseConstraint), node);
    expect(results.map((r) => r.matched)).toEqual([true, false]);
  });

  it("ok/TrimSpace trims what Go trims, not a byte-order mark", () => {
    expect(goTrimSpace("\u00a0 key \u3000")).toBe("key");
    expect(goTrimSpace("\ufeffkey")).toBe("\ufeffkey");
  });
});

describe("label names every JavaScript object inherits", () => {
  const names = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "__defineGetter__"];

  it.each(names.flatMap((name) => ["node.labels", "engine.labels"].map((prefix) => [`${prefix}.${name}`])))("ok/%s is missing on a node without it: == fails, != holds", (key) => {
    expect(evaluateConstraint(parseConstraint(`${key} == x`), node)).toEqual({
      constraint: { key, op: "==", value: "x" },
      matched: false,
      actual: "",
      reason: `${key} is nothing, not "x"`,
    });
    expect(evaluateConstraint(parseConstraint(`${key} != x`), node)).toMatchObject({ matched: true, actual: "", reason: `${key} is nothing` });
  });

  it("ok/a node that has such a label is matched on it, __proto__ included (JSON gives it as an own key)", () => {
    const labels = JSON.parse('{"__proto__":"x","constructor":"y","toString":"z"}') as Record<string, string>;
    const labelled: ConstraintNode = { ...node, labels, engineLabels: labels };
    expect(nodeMatches(parseConstraints(["node.labels.__proto__ == x", "node.labels.constructor == Y", "engine.labels.toString != x"]), labelled)).toBe(true);
    expect(nodeMatches(parseConstraints(["node.labels.__proto__ != x"]), labelled)).toBe(false);
  });

  it("ok/labelValue reads own entries only", () => {
    expect(names.map((name) => labelValue({}, name))).toEqual(names.map(() => ""));
    expect(labelValue(Object.create({ zone: "inherited" }) as Record<string, string>, "zone")).toBe("");
    expect(labelValue(undefined, "zone")).toBe("");
    expect(labelValue({ zone: "eu" }, "zone")).toBe("eu");
  });
});

describe("keys and values with letters that fold to ASCII", () => {
  const labelled: ConstraintNode = { ...node, hostname: "straße", labels: { zone: "eu-1" }, engineLabels: { zone: "eu-1" } };

  it.each([
    // Go slices the label prefix by bytes: `ſ` is two bytes, so `node.labelſ.` is not the prefix.
    ["fail/node.labelſ.zone is no key Swarm knows", "node.labelſ.zone == eu-1", false],
    ["fail/node.labelſ.zone is no key for != either", "node.labelſ.zone != us-1", false],
    ["fail/engine.labelſ.zone is no key Swarm knows", "engine.labelſ.zone == eu-1", false],
    ["ok/NODE.LABELS.zone: the prefix ignores ASCII case", "NODE.LABELS.zone == eu-1", true],
    ["ok/the fixed keys fold rune by rune: node.hoſtname", "node.hoſtname != web-1", true],
    ["fail/ss is not ß", "node.hostname == strasse", false],
    ["ok/!= holds where ß is not ss", "node.hostname != strasse", true],
  ])("%s", (_n, expr, matched) => expect(nodeMatches(parseConstraints([expr]), labelled)).toBe(matched));

  it("ok/the Kelvin sign in a value equals k in a label", () => {
    const kelvin: ConstraintNode = { ...node, labels: { unit: "k" } };
    expect(nodeMatches(parseConstraints(["node.labels.unit == \u212a"]), kelvin)).toBe(true);
  });

  it("fail/a dotless ı in a label is not i", () => {
    const dotless: ConstraintNode = { ...node, labels: { tier: "ı" } };
    expect(nodeMatches(parseConstraints(["node.labels.tier == i"]), dotless)).toBe(false);
    expect(nodeMatches(parseConstraints(["node.labels.tier != i"]), dotless)).toBe(true);
  });
});

/** testdata/go-oracle.json's node_ip rows: SwarmKit's node.ip test, answered by Go (testdata/README.md). */
interface IpCase {
  value: string;
  addr: string;
  parsed: "ip" | "cidr" | "neither";
  eq: boolean;
  neq: boolean;
}

function readIpCases(): IpCase[] {
  const data = JSON.parse(readFileSync(new URL("./testdata/go-oracle.json", import.meta.url), "utf8")) as Record<string, unknown>;
  if (!Array.isArray(data.node_ip)) throw new Error("testdata/go-oracle.json has no node_ip rows");
  for (const row of data.node_ip as Array<Record<string, unknown>>) {
    const ok =
      typeof row.value === "string" &&
      typeof row.addr === "string" &&
      ["ip", "cidr", "neither"].includes(row.parsed as string) &&
      typeof row.eq === "boolean" &&
      typeof row.neq === "boolean";
    if (!ok) throw new Error(`bad node_ip row ${JSON.stringify(row)}`);
  }
  return data.node_ip as IpCase[];
}

describe("node.ip as Go's net package and SwarmKit answer it", () => {
  const cases = readIpCases();
  // The value as written, untrimmed: these rows test the matching, not the parser.
  const verdict = (value: string, addr: string, op: "==" | "!=") =>
    evaluateConstraint({ key: "node.ip", op, value }, { ...node, addr: addr === "" ? null : addr }).matched;

  it.each(cases.map((c) => [`${c.eq || c.neq ? "ok" : "fail"}/${JSON.stringify(c.value)} on ${JSON.stringify(c.addr)}`, c] as const))(
    "%s (Go's answer)",
    (_n, c) => {
      expect([verdict(c.value, c.addr, "=="), verdict(c.value, c.addr, "!=")]).toEqual([c.eq, c.neq]);
      expect(parseIp(c.value) ? "ip" : parseCidr(c.value) ? "cidr" : "neither").toBe(c.parsed);
    },
  );

  it.each([
    // net/netip (Go 1.22 on) allows at most four hex digits a group; the oracle's Go 1.19 allowed more.
    ["fail/a five-digit IPv6 group is no address", "::00001"],
    ["fail/nor is it a CIDR block", "::00001/128"],
  ])("%s", (_n, value) => {
    expect(parseIp(value)).toBeUndefined();
    expect(parseCidr(value)).toBeUndefined();
  });
});

describe("a node label the node lacks, where it reports an engine label of that name", () => {
  const agentLabelled: ConstraintNode = { ...node, labels: {}, engineLabels: { pcidss: "yes" } };
  const [constraint] = parseConstraints(["node.labels.pcidss == yes"]);

  it("fail/the reason says the node reports it as an engine label, and where node labels are set", () => {
    const result = evaluateConstraint(constraint!, agentLabelled);
    expect(result.matched).toBe(false);
    expect(result.reason).toBe('node.labels.pcidss is nothing, not "yes"; the node reports engine label pcidss="yes", but node labels are set with `node update --label-add`');
  });

  it("ok/a node with the node label, or without the engine label, gets the plain reason", () => {
    expect(evaluateConstraint(constraint!, node).reason).toBe('node.labels.pcidss is "yes"');
    expect(evaluateConstraint(constraint!, { ...node, labels: {} }).reason).toBe('node.labels.pcidss is nothing, not "yes"');
    // An engine-label constraint is what it says: no hint.
    const [engine] = parseConstraints(["engine.labels.pcidss == no"]);
    expect(evaluateConstraint(engine!, agentLabelled).reason).toBe('engine.labels.pcidss is "yes", not "no"');
  });
});

describe("engineLabelMixups", () => {
  const constraints = parseConstraints(["node.labels.pcidss == yes", "node.labels.zone == eu-1", "engine.labels.disk == ssd", "node.role == worker"]);
  it("ok/names each node label no node carries that some node reports as an engine label", () => {
    const nodes: Array<Pick<ConstraintNode, "labels" | "engineLabels">> = [
      { labels: { zone: "eu-1" }, engineLabels: { pcidss: "yes", zone: "eu-1" } },
      { labels: {}, engineLabels: { disk: "ssd" } },
    ];
    expect(engineLabelMixups(constraints, nodes)).toEqual(["pcidss"]);
  });
  it("ok/none for '!=', which holds on a node without the label", () => {
    expect(engineLabelMixups(parseConstraints(["node.labels.pcidss != no"]), [{ labels: {}, engineLabels: { pcidss: "yes" } }])).toEqual([]);
  });
  it("ok/none once a node carries the node label, or when no node reports it", () => {
    expect(engineLabelMixups(constraints, [{ labels: { pcidss: "no" }, engineLabels: { pcidss: "yes" } }])).toEqual([]);
    expect(engineLabelMixups(constraints, [{ labels: {}, engineLabels: {} }])).toEqual([]);
  });
});
