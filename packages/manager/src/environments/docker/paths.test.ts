import { isRampartError } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { MAX_REF_LENGTH, objectRefPath } from "./paths.js";

/** The sentence `objectRefPath` refuses `ref` with, or undefined when it takes it. */
function refusal(ref: string): string | undefined {
  try {
    objectRefPath(ref, "secret");
    return undefined;
  } catch (error) {
    expect(isRampartError(error) && error.code).toBe("invalid_argument");
    expect(isRampartError(error) && error.field).toBe("ref");
    return (error as Error).message;
  }
}

describe("a reference in the Engine API's path", () => {
  it.each([
    ["ok/an ID prefix", "par5", "par5"],
    ["ok/a name with characters a path cannot hold", "web 1?x", "web%201%3Fx"],
    ["ok/a query cannot be started", "a?force=true", "a%3Fforce%3Dtrue"],
    ["ok/a fragment cannot be started", "a#b", "a%23b"],
    ["ok/an encoded slash stays a name's characters (Docker decodes once: %2F, never /)", "%2F", "%252F"],
    ["ok/an encoded dot-dot likewise", "%2E%2E", "%252E%252E"],
    ["ok/dots inside a name", "a..b", "a..b"],
    ["ok/the longest reference taken", "x".repeat(MAX_REF_LENGTH), "x".repeat(MAX_REF_LENGTH)],
  ])("%s", (_name, ref, path) => {
    expect(objectRefPath(ref, "secret")).toBe(path);
  });

  it.each([["../swarm"], ["a/b"], ["/"], ["secrets/../nodes"]])("fail/%j would be another endpoint's path", (ref) => {
    expect(refusal(ref)).toBe(`secret ${JSON.stringify(ref)} not found: a secret is named by its ID, an ID prefix or its name, none of which holds "/"`);
  });

  it.each([["."], [".."]])("fail/%j is a path segment the HTTP client folds away", (ref) => {
    expect(refusal(ref)).toBe(`secret ${JSON.stringify(ref)} not found: a secret is named by its ID, an ID prefix or its name, none of which is "." or ".."`);
  });

  it("fail/nothing at all would be the list's path", () => {
    expect(refusal("")).toBe("a secret is named by its ID, an ID prefix or its name: none was given");
  });

  it("fail/an overlong reference is refused before it is sent", () => {
    expect(refusal("x".repeat(MAX_REF_LENGTH + 1))).toBe(`a secret is named by its ID, an ID prefix or its name, of at most ${MAX_REF_LENGTH} characters: this one has ${MAX_REF_LENGTH + 1}`);
  });
});
