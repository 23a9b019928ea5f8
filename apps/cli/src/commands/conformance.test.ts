import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { conformanceCommand, runConformance } from "./conformance.js";

const vendored = fileURLToPath(new URL("../../../../reference/vectors/", import.meta.url));
const shared = fileURLToPath(new URL("../../../../../shared/reference/vectors/", import.meta.url));

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the project's vectors, changed by `edit`, in a folder of its own. */
function folder(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "rampart-conformance-"));
  made.push(dir);
  cpSync(vendored, dir, { recursive: true });
  edit(dir);
  return dir;
}

async function run(dir: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await conformanceCommand(dir, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe("rampart conformance", () => {
  it("ok/passes every case in the project's copy of the vectors, ca_rotation.json's included", async () => {
    const summary = await runConformance(vendored);
    expect(summary.failures).toEqual([]);
    expect(summary.passed).toBeGreaterThan(300);
    expect(summary.notImplemented).toEqual([]);
    const rotation = summary.passed - (await runConformance(folder((dir) => rmSync(join(dir, "ca_rotation.json"))))).passed;
    expect(rotation, "ca_rotation.json's cases, each of its 21 with at least one scenario").toBeGreaterThanOrEqual(21);
    console.log(`conformance: ${summary.passed} passed, ${summary.failed} failed (ca_rotation.json: ${rotation})`);
  });

  it("ok/ends with N passed, M failed", async () => {
    const { code, out, err } = await run(vendored);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    expect(out).toHaveLength(1);
  });

  it("fail/a changed Swarm message in ca_rotation.json is reported, not passed", async () => {
    const edit = (dir: string) =>
      writeFileSync(join(dir, "ca_rotation.json"), readFileSync(join(dir, "ca_rotation.json"), "utf8").replace('"expires too soon"', '"expires far too soon"'));
    const { code, out } = await run(folder(edit));
    expect(code).toBe(1);
    expect(out.filter((l) => l.startsWith("FAIL "))).toEqual([expect.stringMatching(/^FAIL ca_rotation.json invalid\/10: expected an error containing "expires far too soon", got "CA certificate expires too soon"$/)]);
  });

  it("fail/a ca_rotation.json case the runner has no scenario for is reported, not passed", async () => {
    const edit = (dir: string) =>
      writeFileSync(join(dir, "ca_rotation.json"), readFileSync(join(dir, "ca_rotation.json"), "utf8").replace('"request": "no change"', '"request": "a new kind of change"'));
    const { code, out } = await run(folder(edit));
    expect(code).toBe(1);
    expect(out.filter((l) => l.startsWith("FAIL "))).toEqual([expect.stringContaining('FAIL ca_rotation.json valid/0: the runner has no scenario for "a new kind of change"')]);
  });

  const failing: Array<[string, (dir: string) => void, string]> = [
    ["fail/an unknown vector file fails the run and is named", (dir) => writeFileSync(join(dir, "extra.json"), "{}"), "FAIL extra.json file: unknown vector file"],
    ["fail/a vector file missing from the folder fails the run", (dir) => rmSync(join(dir, "scheduler.json")), "FAIL scheduler.json file: missing from the vector folder"],
    ["fail/a vector file that is not JSON fails the run", (dir) => writeFileSync(join(dir, "tokens.json"), "{"), "FAIL tokens.json file: not JSON"],
    [
      "fail/a vector file of the wrong shape fails the run, naming the bad field",
      (dir) => writeFileSync(join(dir, "ca_auth.json"), readFileSync(join(dir, "ca_auth.json"), "utf8").replace('"cluster_org": "C"', '"cluster_org": 7')),
      "FAIL ca_auth.json schema: cases[0].cluster_org: Invalid input: expected string, received number",
    ],
  ];
  it.each(failing)("%s", async (_name, edit, line) => {
    const { code, out } = await run(folder(edit));
    expect(code).toBe(1);
    expect(out.filter((l) => l.startsWith("FAIL "))).toEqual([expect.stringContaining(line)]);
    expect(out.at(-1)).toMatch(/^\d+ passed, 1 failed$/);
  });

  it("fail/a folder that cannot be read says so, and every vector file is missing", async () => {
    const { code, out, err } = await run(join(vendored, "no-such-folder"));
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^rampart conformance: cannot read .*no-such-folder: ENOENT/)]);
    expect(out.at(-1)).toBe("0 passed, 6 failed");
  });

  it("ok/the copy is identical to ../shared/reference/vectors, which passes too", async () => {
    // Not a skip: CI (.ci/run) needs the shared folder too, so its absence is a failure here.
    expect(existsSync(shared), `${shared} is missing: the shared vectors must sit beside the checkout (DESIGN.md §4)`).toBe(true);
    expect(readdirSync(vendored).sort()).toEqual(readdirSync(shared).sort());
    for (const file of readdirSync(shared)) {
      expect(readFileSync(`${vendored}${file}`, "utf8"), file).toBe(readFileSync(`${shared}${file}`, "utf8"));
    }
    const summary = await runConformance(shared);
    expect(summary.failures).toEqual([]);
    expect(summary.notImplemented).toEqual([]);
  });
});

describe(".ci/run and the shared vectors", () => {
  const script = fileURLToPath(new URL("../../../../.ci/run", import.meta.url));

  it("fail/without ../shared/reference/vectors CI stops before anything else, saying why", () => {
    const root = mkdtempSync(join(tmpdir(), "rampart-ci-"));
    made.push(root);
    mkdirSync(join(root, "repo", ".ci"), { recursive: true });
    copyFileSync(script, join(root, "repo", ".ci", "run"));
    const r = spawnSync("bash", [join(root, "repo", ".ci", "run")], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: ../shared/reference/vectors is missing");
    expect(r.stdout).toBe("");
  });

  it("ok/after the build, CI runs the built CLI's conformance command on the shared vectors", () => {
    const text = readFileSync(script, "utf8");
    const build = text.indexOf("\npnpm build\n");
    const conformance = text.indexOf('\nnode apps/cli/dist/main.js conformance --vectors "$shared_vectors"\n');
    expect(text).toContain("shared_vectors=../shared/reference/vectors\n");
    expect(build).toBeGreaterThan(-1);
    expect(conformance).toBeGreaterThan(build);
  });
});
