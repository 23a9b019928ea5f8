import { describe, expect, it } from "vitest";
import { FILTER, FILTER_NAMES, explainFilter } from "./filters.js";
import { Pipeline, explainCounts, noSuitableNodeError } from "./pipeline.js";

function counts(byName: Partial<Record<(typeof FILTER_NAMES)[number], number>>): Int32Array {
  const c = new Int32Array(FILTER_NAMES.length + 1);
  for (const [name, n] of Object.entries(byName)) c[FILTER_NAMES.indexOf(name as (typeof FILTER_NAMES)[number]) + 1] = n;
  return c;
}

describe("explainFilter", () => {
  it.each([
    [FILTER.ready, 1, "1 node not available for new tasks"],
    [FILTER.ready, 3, "3 nodes not available for new tasks"],
    [FILTER.resources, 1, "insufficient resources on 1 node"],
    [FILTER.resources, 2, "insufficient resources on 2 nodes"],
    [FILTER.plugins, 1, "missing plugin on 1 node"],
    [FILTER.plugins, 2, "missing plugin on 2 nodes"],
    [FILTER.constraints, 1, "scheduling constraints not satisfied on 1 node"],
    [FILTER.constraints, 3, "scheduling constraints not satisfied on 3 nodes"],
    [FILTER.platform, 1, "unsupported platform on 1 node"],
    [FILTER.platform, 3, "unsupported platform on 3 nodes"],
    [FILTER.hostPorts, 1, "host-mode port already in use on 1 node"],
    [FILTER.hostPorts, 2, "host-mode port already in use on 2 nodes"],
    [FILTER.maxReplicas, 1, "max replicas per node limit exceed"],
    [FILTER.maxReplicas, 5, "max replicas per node limit exceed"],
  ])("ok/filter %i on %i node(s): %s", (code, n, text) => {
    expect(explainFilter(code, n)).toBe(text);
  });
});

describe("explainCounts", () => {
  it.each([
    ["ok/most failures first", counts({ ready: 2, resources: 1 }), "2 nodes not available for new tasks; insufficient resources on 1 node"],
    ["ok/most failures first even when later in the pipeline", counts({ ready: 1, resources: 2 }), "insufficient resources on 2 nodes; 1 node not available for new tasks"],
    ["ok/ties keep pipeline order", counts({ platform: 1, plugins: 1, ready: 1 }), "1 node not available for new tasks; missing plugin on 1 node; unsupported platform on 1 node"],
    ["ok/ties after the leader keep pipeline order", counts({ maxReplicas: 1, hostPorts: 1, constraints: 4 }), "scheduling constraints not satisfied on 4 nodes; host-mode port already in use on 1 node; max replicas per node limit exceed"],
    ["ok/nothing failed", counts({}), ""],
  ])("%s", (_name, c, text) => {
    expect(explainCounts(c)).toBe(text);
  });

  it.each([
    ["ok/with an explanation", "missing plugin on 2 nodes", "no suitable node (missing plugin on 2 nodes)"],
    ["ok/without one (no nodes)", "", "no suitable node"],
  ])("%s", (_name, explanation, error) => {
    expect(noSuitableNodeError(explanation)).toBe(error);
  });
});

describe("Pipeline", () => {
  it("ok/a passing node clears every counter", () => {
    const p = new Pipeline();
    p.record(FILTER.ready);
    p.record(FILTER.resources);
    expect(p.explain()).toBe("1 node not available for new tasks; insufficient resources on 1 node");
    expect(p.record(0)).toBe(true);
    expect(p.explain()).toBe("");
    expect(p.record(FILTER.plugins)).toBe(false);
    expect(p.explain()).toBe("missing plugin on 1 node");
  });
});
