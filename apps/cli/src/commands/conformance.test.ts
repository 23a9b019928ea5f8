import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { conformanceCommand, runConformance } from "./conformance.js";

const vendored = fileURLToPath(new URL("../../../../reference/vectors/", import.meta.url));
const shared = fileURLToPath(new URL("../../../../../shared/reference/vectors/", import.meta.url));

describe("rampart conformance", () => {
  it("ok/passes every covered case in the project's copy of the vectors", () => {
    const summary = runConformance(vendored);
    expect(summary.failures).toEqual([]);
    expect(summary.passed).toBeGreaterThan(30);
    console.log(`conformance: ${summary.passed} passed, ${summary.failed} failed; not covered yet: ${summary.skipped.join(", ")}`);
  });

  it("ok/prints a line per failure and ends with N passed, M failed", () => {
    const lines: string[] = [];
    const code = conformanceCommand(vendored, (l) => lines.push(l), () => undefined);
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  });

  it.runIf(existsSync(shared))("ok/the copy is identical to ../shared/reference/vectors, which passes too", () => {
    for (const file of readdirSync(shared)) {
      expect(readFileSync(`${vendored}${file}`, "utf8"), file).toBe(readFileSync(`${shared}${file}`, "utf8"));
    }
    expect(runConformance(shared).failed).toBe(0);
  });
});
