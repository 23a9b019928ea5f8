import { describe, expect, it } from "vitest";
import { spreadLevels, spreadTreeCounts } from "./decision-tree.js";

describe("spreadLevels", () => {
  it.each([
    ["ok/node and engine labels, prefix in any case", ["node.labels.zone", "ENGINE.LABELS.disk"], [{ source: "node", name: "zone" }, { source: "engine", name: "disk" }]],
    ["ok/other descriptors add no level", ["node.hostname", "node.labels.", "zone"], []],
    ["ok/the label name keeps its case", ["Node.Labels.Zone"], [{ source: "node", name: "Zone" }]],
  ])("%s", (_name, prefs, levels) => {
    expect(spreadLevels(prefs)).toEqual(levels);
  });
});

describe("spreadTreeCounts", () => {
  it("ok/every level counts all nodes below it; missing labels go under \"\"", () => {
    const tree = spreadTreeCounts(
      ["node.labels.dc", "node.labels.rack"],
      [
        { labels: { dc: "dc1", rack: "r1" }, activeTasksOfService: 3 },
        { labels: { dc: "dc1" }, activeTasksOfService: 2 },
        { labels: { rack: "r9" }, activeTasksOfService: 1 },
        { activeTasksOfService: 4 },
      ],
    );
    expect(tree).toEqual({
      tasks: 10,
      next: {
        dc1: { tasks: 5, next: { r1: { tasks: 3 }, "": { tasks: 2 } } },
        "": { tasks: 5, next: { r9: { tasks: 1 }, "": { tasks: 4 } } },
      },
    });
  });

  it("ok/no levels: the root is the only leaf", () => {
    expect(spreadTreeCounts([], [{ activeTasksOfService: 2 }, { activeTasksOfService: 1 }])).toEqual({ tasks: 3 });
  });
});
