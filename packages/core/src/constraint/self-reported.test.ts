import { describe, expect, it } from "vitest";
import { constraintWarnings, isSelfReportedKey } from "./self-reported.js";

describe("self-reported constraint keys", () => {
  it.each([
    ["ok/node.hostname is the node's claim", "node.hostname", true],
    ["ok/in any case", "Node.HostName", true],
    ["ok/an engine label is the node's claim", "engine.labels.zone", true],
    ["ok/the platform is the node's claim", "node.platform.os", true],
    ["ok/so is the architecture", "node.platform.arch", true],
    ["fail/node.id is the CA's name for the node", "node.id", false],
    ["fail/node labels are set by an administrator", "node.labels.zone", false],
    ["fail/the role is the certificate's", "node.role", false],
    ["fail/the address is what the manager sees", "node.ip", false],
    ["fail/the bare engine label prefix is no key", "engine.labels.", false],
  ])("%s", (_name, key, expected) => {
    expect(isSelfReportedKey(key)).toBe(expected);
  });

  it("ok/one warning per self-reported constraint, in order, naming it; none for the boundary keys or unparseable text", () => {
    const warnings = constraintWarnings(["node.id==abc", "node.hostname == w1", "node.labels.zone==a", "engine.labels.gpu!=no", "garbage"]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^constraint 'node.hostname == w1' reads node.hostname, which each node reports about itself/);
    expect(warnings[1]).toMatch(/^constraint 'engine.labels.gpu!=no' reads engine.labels.gpu,/);
    expect(warnings[0]).toContain("not a security boundary");
  });
});
