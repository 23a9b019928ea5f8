import { describe, expect, it } from "vitest";
import { capitalise, checkHostname, formatTable, naturalCompare, nodeState, parseLabel } from "./index.js";

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
