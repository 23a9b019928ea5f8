#!/usr/bin/env node
/**
 * Prints one line, `N passed, M failed, S skipped, T todo`, from the JSON reports vitest
 * and Playwright write under CI=1, then one line for each skipped or todo test with its
 * name, which states why (no skip goes unseen). CI judges the run by exit code; this is
 * for people.
 *
 * Usage: node tooling/ci-summary.mjs [ROOT] (the repository by default).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Where vitest's reports are: every package and app, and tooling itself. */
function vitestReports(root) {
  const dirs = [];
  for (const group of ["packages", "apps"]) {
    if (!existsSync(join(root, group))) continue;
    for (const entry of readdirSync(join(root, group)).sort()) dirs.push(join(root, group, entry));
  }
  dirs.push(join(root, "tooling"));
  return dirs.map((dir) => join(dir, "test-results", "vitest.json")).filter((file) => existsSync(file));
}

/** Playwright's suites nest (file, then describe blocks); yields each test with the titles above it. */
function* playwrightTests(suites, titles = []) {
  for (const suite of suites ?? []) {
    // The outermost suite's title is its file, which is printed on its own.
    const inner = titles.length === 0 && suite.title === suite.file ? [] : [...titles, suite.title];
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) yield { file: spec.file, titles: [...inner, spec.title], test };
    }
    yield* playwrightTests(suite.suites, inner);
  }
}

/** Totals over every report under `root`, and the skipped and todo tests by name. */
export function summarise(root) {
  const totals = { passed: 0, failed: 0, skipped: 0, todo: 0, reports: 0 };
  const notRun = [];
  for (const file of vitestReports(root)) {
    const report = JSON.parse(readFileSync(file, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests;
    totals.todo += report.numTodoTests;
    totals.reports++;
    for (const result of report.testResults ?? []) {
      for (const test of result.assertionResults ?? []) {
        if (test.status !== "skipped" && test.status !== "pending" && test.status !== "todo") continue;
        const kind = test.status === "todo" ? "todo" : "skipped";
        notRun.push(`${kind}: ${[relative(root, result.name), ...test.ancestorTitles, test.title].join(" › ")}`);
      }
    }
  }
  const e2e = join(root, "e2e", "reports", "results.json");
  if (existsSync(e2e)) {
    const report = JSON.parse(readFileSync(e2e, "utf8"));
    totals.passed += report.stats.expected + (report.stats.flaky ?? 0);
    totals.failed += report.stats.unexpected;
    totals.skipped += report.stats.skipped ?? 0;
    totals.reports++;
    for (const { file, titles, test } of playwrightTests(report.suites)) {
      if (test.status !== "skipped") continue;
      const reasons = (test.annotations ?? []).filter((a) => a.type === "skip" || a.type === "fixme").map((a) => a.description).filter(Boolean);
      const project = test.projectName ? ` [${test.projectName}]` : "";
      notRun.push(`skipped: ${["e2e/tests/" + file, ...titles].join(" › ")}${project}${reasons.length ? ` (${reasons.join("; ")})` : ""}`);
    }
  }
  return { ...totals, notRun };
}

/** The lines to print: the totals first, then the tests that did not run. */
export function formatSummary(summary) {
  const counts = `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.todo} todo`;
  if (summary.reports === 0) return [`${counts} (no test reports found)`];
  return [counts, ...summary.notRun];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = process.argv[2] ? resolve(process.argv[2]) : join(dirname(fileURLToPath(import.meta.url)), "..");
  console.log(formatSummary(summarise(root)).join("\n"));
}
