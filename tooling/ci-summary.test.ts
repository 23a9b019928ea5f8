import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

/**
 * The CI summary over small reports shaped as vitest's and Playwright's JSON reporters
 * write them (fields as vitest 4 and Playwright 1.65 name them), laid out in a
 * repository of their own, through the script itself.
 */
const script = join(dirname(fileURLToPath(import.meta.url)), "ci-summary.mjs");

type Status = "passed" | "failed" | "skipped" | "todo";
/** One test: its status, the describe blocks above it, and its title. */
type VitestCase = [Status, string[], string];

/** A vitest JSON report of one file's tests, with the totals vitest would count. */
function vitestReport(file: string, cases: VitestCase[]) {
  const count = (status: Status) => cases.filter(([s]) => s === status).length;
  return {
    numTotalTests: cases.length,
    numPassedTests: count("passed"),
    numFailedTests: count("failed"),
    numPendingTests: count("skipped"),
    numTodoTests: count("todo"),
    success: count("failed") === 0,
    testResults: [
      {
        name: file,
        status: count("failed") ? "failed" : "passed",
        assertionResults: cases.map(([status, ancestorTitles, title]) => ({
          ancestorTitles,
          fullName: [...ancestorTitles, title].join(" "),
          status,
          title,
          failureMessages: [],
        })),
      },
    ],
  };
}

/** A Playwright JSON report: one file, its specs' statuses and annotations, and the stats. */
function playwrightReport(file: string, specs: Array<{ title: string; describe?: string; status: string; skip?: string }>) {
  const spec = (s: (typeof specs)[number]) => ({
    title: s.title,
    file,
    tests: [
      {
        projectName: "chromium",
        status: s.status,
        annotations: s.status === "skipped" ? [{ type: "skip", ...(s.skip ? { description: s.skip } : {}) }] : [],
      },
    ],
  });
  const count = (status: string) => specs.filter((s) => s.status === status).length;
  return {
    suites: [
      {
        title: file,
        file,
        specs: specs.filter((s) => !s.describe).map(spec),
        suites: [...new Set(specs.flatMap((s) => (s.describe ? [s.describe] : [])))].map((title) => ({
          title,
          file,
          specs: specs.filter((s) => s.describe === title).map(spec),
        })),
      },
    ],
    stats: { expected: count("expected"), unexpected: count("unexpected"), flaky: count("flaky"), skipped: count("skipped") },
  };
}

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** Writes the reports into a fresh repository layout and runs the summary over it. */
function summaryOf(reports: { vitest?: Record<string, VitestCase[]>; e2e?: ReturnType<typeof playwrightReport> }): string[] {
  root = mkdtempSync(join(tmpdir(), "rampart-ci-summary-"));
  mkdirSync(join(root, "packages"));
  mkdirSync(join(root, "apps"));
  for (const [pkg, cases] of Object.entries(reports.vitest ?? {})) {
    mkdirSync(join(root, pkg, "test-results"), { recursive: true });
    const report = vitestReport(join(root, pkg, "src", "x.test.ts"), cases);
    writeFileSync(join(root, pkg, "test-results", "vitest.json"), JSON.stringify(report));
  }
  if (reports.e2e) {
    mkdirSync(join(root, "e2e", "reports"), { recursive: true });
    writeFileSync(join(root, "e2e", "reports", "results.json"), JSON.stringify(reports.e2e));
  }
  return execFileSync(process.execPath, [script, root], { encoding: "utf8" }).trimEnd().split("\n");
}

describe("ci-summary", () => {
  it.each<[string, Parameters<typeof summaryOf>[0], string[]]>([
    ["ok/no reports at all says so", {}, ["0 passed, 0 failed, 0 skipped, 0 todo (no test reports found)"]],
    [
      "ok/every package's, app's and tooling's reports are added up",
      {
        vitest: {
          "packages/core": [["passed", [], "ok/a"], ["passed", ["parse"], "ok/b"], ["failed", [], "fail/c"]],
          "apps/web": [["passed", [], "ok/d"]],
          tooling: [["passed", [], "ok/e"], ["failed", [], "fail/f"]],
        },
      },
      ["4 passed, 2 failed, 0 skipped, 0 todo"],
    ],
    [
      "ok/skipped and todo tests are counted and listed by file and name, which carry the reason",
      {
        vitest: {
          "packages/db": [
            ["passed", ["migrator on pglite"], "ok/a"],
            ["skipped", ["migrator on pglite"], "ok/b (PostgreSQL only)"],
          ],
          "apps/cli": [["todo", [], "ok/agent restarts (needs Docker)"], ["passed", [], "ok/c"]],
        },
      },
      [
        "2 passed, 0 failed, 1 skipped, 1 todo",
        "skipped: packages/db/src/x.test.ts › migrator on pglite › ok/b (PostgreSQL only)",
        "todo: apps/cli/src/x.test.ts › ok/agent restarts (needs Docker)",
      ],
    ],
    [
      "ok/Playwright's expected and flaky tests pass, unexpected fail, skipped are listed with their reason",
      {
        vitest: { "packages/api": [["passed", [], "ok/a"]] },
        e2e: playwrightReport("secrets.spec.ts", [
          { title: "ok/create", status: "expected" },
          { title: "ok/retry", status: "flaky" },
          { title: "fail/reveal", describe: "detail", status: "unexpected" },
          { title: "ok/on docker", describe: "detail", status: "skipped", skip: "no Docker engine here" },
          { title: "ok/bare", status: "skipped" },
        ]),
      },
      [
        "3 passed, 1 failed, 2 skipped, 0 todo",
        "skipped: e2e/tests/secrets.spec.ts › ok/bare [chromium]",
        "skipped: e2e/tests/secrets.spec.ts › detail › ok/on docker [chromium] (no Docker engine here)",
      ],
    ],
    [
      "ok/Playwright alone is a report too",
      { e2e: playwrightReport("login.spec.ts", [{ title: "ok/login", status: "expected" }]) },
      ["1 passed, 0 failed, 0 skipped, 0 todo"],
    ],
  ])("%s", (_name, reports, lines) => {
    expect(summaryOf(reports)).toEqual(lines);
  });

  it("ok/the first line keeps the `N passed, M failed` prefix other scripts read", () => {
    const [first] = summaryOf({ vitest: { "packages/core": [["passed", [], "ok/a"], ["skipped", [], "ok/b (why)"]] } });
    expect(first).toMatch(/^1 passed, 0 failed, /);
  });
});
