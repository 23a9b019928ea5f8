import { describe, expect, it } from "vitest";
import { UsageError } from "./cli.js";
import { parseGenericResourceFlags } from "./agent.js";

describe("rampart agent join --generic-resource", () => {
  it("ok/each kind with its count", () => {
    expect(parseGenericResourceFlags([])).toEqual({});
    expect(parseGenericResourceFlags(["gpu=2", "fpga=1"])).toEqual({ gpu: 2, fpga: 1 });
  });

  it.each([
    ["gpu=0", "generic resource gpu must be a positive whole number, got 0"],
    ["gpu", "expected KIND=N, e.g. gpu=2"],
    ["gpu=GPU-7f3a", "named resources are not supported: give a count, e.g. gpu=2"],
  ])("fail/%s is a flag error naming the value", (value, reason) => {
    expect(() => parseGenericResourceFlags([value])).toThrow(new UsageError(`invalid argument "${value}" for "--generic-resource" flag: ${reason}`));
  });

  it("fail/a kind given twice", () => {
    expect(() => parseGenericResourceFlags(["gpu=1", "gpu=2"])).toThrow(new UsageError('invalid argument "gpu=2" for "--generic-resource" flag: gpu is given twice'));
  });
});
