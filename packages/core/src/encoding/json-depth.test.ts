import { describe, expect, it } from "vitest";
import { jsonNestingProblem, MAX_JSON_DEPTH } from "./index.js";

const nested = (depth: number, open = "[", close = "]") => open.repeat(depth) + close.repeat(depth);

describe("jsonNestingProblem", () => {
  it.each([
    ["ok/flat object", '{"a":1,"b":[1,2,3]}'],
    ["ok/exactly the limit", nested(MAX_JSON_DEPTH)],
    ["ok/objects at the limit", '{"a":'.repeat(MAX_JSON_DEPTH) + "1" + "}".repeat(MAX_JSON_DEPTH)],
    ["ok/brackets inside a string do not count", JSON.stringify({ s: "[".repeat(1000) })],
    ["ok/an escaped quote does not end the string", JSON.stringify({ s: '\\"' + "[".repeat(1000) })],
    ["ok/not JSON at all is left to the parser", "{not json"],
  ])("%s", (_name, text) => {
    expect(jsonNestingProblem(text)).toBeUndefined();
  });

  it.each([
    ["fail/one past the limit", nested(MAX_JSON_DEPTH + 1)],
    ["fail/objects past the limit", '{"a":'.repeat(MAX_JSON_DEPTH + 1)],
    ["fail/800 KB of open brackets", "[".repeat(800_000)],
    ["fail/deep after a string with brackets", JSON.stringify("]]]]") + "," + nested(100)],
  ])("%s names the limit", (_name, text) => {
    expect(jsonNestingProblem(text)).toBe(`the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it("ok/a smaller limit is honoured", () => {
    expect(jsonNestingProblem(nested(3), 2)).toMatch(/more than 2 levels/);
    expect(jsonNestingProblem(nested(2), 2)).toBeUndefined();
  });
});
