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

describe("label names and values every JavaScript object inherits", () => {
  it("ok/a missing constructor or __proto__ label is the \"\" branch; values named so are branches like any other", () => {
    const tree = spreadTreeCounts(
      ["node.labels.constructor", "engine.labels.__proto__"],
      [
        { labels: { constructor: "__proto__" }, activeTasksOfService: 1 },
        { labels: { constructor: "toString" }, engineLabels: {}, activeTasksOfService: 2 },
        { labels: {}, engineLabels: JSON.parse('{"__proto__":"constructor"}') as Record<string, string>, activeTasksOfService: 4 },
      ],
    );
    expect(tree).toEqual({
      tasks: 7,
      next: {
        ["__proto__"]: { tasks: 1, next: { "": { tasks: 1 } } },
        toString: { tasks: 2, next: { "": { tasks: 2 } } },
        "": { tasks: 4, next: { constructor: { tasks: 4 } } },
      },
    });
    expect(Object.keys(tree.next!)).toEqual(["__proto__", "toString", ""]);
  });
});
