#!/usr/bin/env node
/**
 * Prints one line, `N passed, M failed`, from the JSON reports vitest and Playwright
 * write under CI=1. CI judges the run by exit code; this line is for people.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
let passed = 0;
let failed = 0;
let reports = 0;

for (const group of ["packages", "apps", "tooling"]) {
  const dirs = group === "tooling" ? [join(root, "tooling")] : readdirSync(join(root, group)).map((d) => join(root, group, d));
  for (const dir of dirs) {
    const file = join(dir, "test-results", "vitest.json");
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    reports++;
  }
}
const e2e = join(root, "e2e", "reports", "results.json");
if (existsSync(e2e)) {
  const { stats } = JSON.parse(readFileSync(e2e, "utf8"));
  passed += stats.expected + (stats.flaky ?? 0);
  failed += stats.unexpected;
  reports++;
}
if (reports === 0) console.log("0 passed, 0 failed (no test reports found)");
else console.log(`${passed} passed, ${failed} failed`);
