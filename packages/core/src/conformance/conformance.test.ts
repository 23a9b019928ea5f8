import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as barrel from "../index.js";
import * as conformance from "./index.js";
import { NOT_IMPLEMENTED_VECTOR_FILES, VECTOR_RUNNERS, runVectorFile, runVectorFiles, type VectorFile } from "./index.js";

const dir = fileURLToPath(new URL("../../../../reference/vectors/", import.meta.url));
const ports = { sha256Hex: (b: Uint8Array) => createHash("sha256").update(b).digest("hex") };
const read = (file: string): unknown => JSON.parse(readFileSync(`${dir}${file}`, "utf8"));

/** A copy of a vector file's data with one field set (or removed, for undefined). */
function withValue(file: string, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = read(file);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = Reflect.get(Object(node), key);
  const last = path.at(-1) ?? "";
  if (value === undefined) Reflect.deleteProperty(Object(node), last);
  else Reflect.set(Object(node), last, value);
  return copy;
}

/**
 * ca_rotation.json is built from real keys and TLS servers, which core does not have: the
 * CLI's conformance test runs it with the manager's. Here it is one failing case saying so.
 */
const NEEDS_CA_PORTS = "ca_rotation.json";
const runnable = Object.keys(VECTOR_RUNNERS).filter((file) => file !== NEEDS_CA_PORTS);
const ranHere = await Promise.all(runnable.map(async (file) => [file, await runVectorFile(file, read(file), ports)] as const));
/** A folder's failures, less the one ca_rotation.json gives without CA ports. */
const failuresOf = (results: ReadonlyArray<{ file: string; name: string; ok: boolean; detail?: string }>) =>
  results.filter((r) => !r.ok && !(r.file === NEEDS_CA_PORTS && r.name === "ports"));

describe.each(ranHere)("conformance: %s", (_file, { results, notImplemented }) => {
  it("ok/has cases", () => expect(results.length).toBeGreaterThan(5));
  it("ok/is run, not reported as not implemented", () => expect(notImplemented).toEqual([]));
  it.each(results.map((r) => [r.name, r] as const))("ok/%s", (_name, result) => {
    expect(result.detail ?? "").toBe("");
    expect(result.ok).toBe(true);
  });
});

/** The project's folder as the CLI reads it: every `*.json` file with its text. */
const projectFolder = (): VectorFile[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => ({ name, text: readFileSync(`${dir}${name}`, "utf8") }));
const without = (files: VectorFile[], name: string) => files.filter((f) => f.name !== name);

describe("conformance runner: a folder", () => {
  const cases: Array<[string, VectorFile[], Array<[string, string, string]>]> = [
    ["ok/the project's folder: every file is run or not implemented", projectFolder(), []],
    [
      "fail/an unknown file is a failure that names it",
      [...projectFolder(), { name: "extra.json", text: "{}" }],
      [["extra.json", "file", "unknown vector file"]],
    ],
    ["fail/a runner's file missing from the folder is a failure", without(projectFolder(), "tokens.json"), [["tokens.json", "file", "missing"]]],
    ["fail/a CA-rotation file missing from the folder is a failure", without(projectFolder(), "ca_rotation.json"), [["ca_rotation.json", "file", "missing"]]],
    [
      "fail/a file that is not JSON is a failure",
      [...without(projectFolder(), "secrets.json"), { name: "secrets.json", text: "{" }],
      [["secrets.json", "file", "not JSON"]],
    ],
    [
      "fail/a file that could not be read is a failure",
      [...without(projectFolder(), "secrets.json"), { name: "secrets.json", readError: "EACCES: permission denied" }],
      [["secrets.json", "file", "cannot read: EACCES"]],
    ],
  ];
  it.each(cases)("%s", async (_name, files, expected) => {
    const report = await runVectorFiles(files, ports);
    const failures = failuresOf(report.results);
    expect(failures.map((r) => [r.file, r.name])).toEqual(expected.map(([file, name]) => [file, name]));
    for (const [i, [, , mentions]] of expected.entries()) expect(failures[i]!.detail).toContain(mentions);
    expect(report.results.filter((r) => r.ok).length, "the other files still run").toBeGreaterThan(200);
  });

  it("ok/nothing is on the not-implemented list: every file is run", async () => {
    const report = await runVectorFiles(projectFolder(), ports);
    expect(report.notImplemented).toEqual([]);
  });

  it("fail/ca_rotation.json without CA ports is one failing case that says what is missing", async () => {
    const { results } = await runVectorFile(NEEDS_CA_PORTS, read(NEEDS_CA_PORTS), ports);
    expect(results).toEqual([{ file: NEEDS_CA_PORTS, name: "ports", ok: false, detail: expect.stringContaining("no CA ports") }]);
  });

  it("ok/cases come in file order", async () => {
    const files = (await runVectorFiles(projectFolder(), ports)).results.map((r) => r.file);
    expect([...new Set(files)]).toEqual(Object.keys(VECTOR_RUNNERS).sort());
  });
});

describe("conformance runner", () => {
  it("ok/the not-implemented list is empty: adding to it is a visible change", () => {
    expect(NOT_IMPLEMENTED_VECTOR_FILES).toEqual([]);
  });

  it("ok/no file both has a runner and is on the not-implemented list", () => {
    expect(NOT_IMPLEMENTED_VECTOR_FILES.filter((file) => file in VECTOR_RUNNERS)).toEqual([]);
  });

  it("fail/an unknown file is a failing case, not undefined", async () => {
    expect(await runVectorFile("not-a-vector-file.json", {}, ports)).toEqual({
      results: [{ file: "not-a-vector-file.json", name: "file", ok: false, detail: "unknown vector file: it has no runner and is not on the not-implemented list" }],
      notImplemented: [],
    });
  });

  it("ok/stays out of core's production barrel: importers use @rampart/core/conformance", () => {
    const leaked = Object.keys(conformance).filter((name) => name in barrel);
    expect(leaked).toEqual([]);
  });

  it.each(Object.entries(VECTOR_RUNNERS))("ok/%s is run by a module of its own, named after it", async (file, runner) => {
    const module: Record<string, unknown> = await import(`./${file.replace(/\.json$/, "").replaceAll("_", "-")}.js`);
    expect(Object.values(module)).toContain(runner);
  });

  it("fail/a wrong expectation is reported, not passed", async () => {
    const data = withValue("ca_auth.json", ["cases", 0, "expect"], { allow: false, error: "nope" });
    const failed = (await runVectorFile("ca_auth.json", data, ports)).results.filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toContain('expected {"allow":false,"error":"nope"}');
  });

  it("fail/a changed Swarm message in secrets.json is reported, not passed", async () => {
    const data = withValue("secrets.json", ["names", 0, "error"], "a name, please");
    const failed = (await runVectorFile("secrets.json", data, ports)).results.filter((r) => !r.ok);
    expect(failed.map((r) => r.name)).toEqual(["names/0"]);
  });
});

describe("conformance runner: a file of the wrong shape fails, naming the file and the bad field", () => {
  const step = ["scenarios", 0, "steps", 1] as const;
  const cases: Array<[string, string, unknown, string[]]> = [
    ["fail/tokens.json: a number for a string", "tokens.json", withValue("tokens.json", ["worked_example", "root_ca_pem"], 5), [
      "worked_example.root_ca_pem: Invalid input: expected string, received number",
    ]],
    ["fail/tokens.json: bytes that are not hex", "tokens.json", withValue("tokens.json", ["node_ids", "examples", 1, "bytes_hex"], "xyz"), [
      "node_ids.examples[1].bytes_hex: expected hex bytes",
    ]],
    ["fail/ca_auth.json: a missing field", "ca_auth.json", withValue("ca_auth.json", ["cases", 2, "required"], undefined), [
      "cases[2].required: Invalid input: expected array, received undefined",
    ]],
    ["fail/constraints.json: an unknown kind", "constraints.json", withValue("constraints.json", ["cases", 3, "kind"], "regex"), [
      "cases[3].kind: expected kind parse, value or node",
    ]],
    ["fail/scheduler.json: a field the runner does not know", "scheduler.json", withValue("scheduler.json", ["scenarios", 2, "tasks", 0, "priority"], 1), [
      'scenarios[2].tasks[0]: Unrecognized key: "priority"',
    ]],
    ["fail/scheduler.json: an unknown event", "scheduler.json", withValue("scheduler.json", [...step, "do"], [{ drain_node: "n1" }]), [
      "scenarios[0].steps[1].do[0]: expected one event: create_nodes, update_node, delete_node, create_tasks, update_task, delete_tasks, delete_tasks_on_node, delete_service, set_service, retry, update_assigned_of, update_pending_of",
    ]],
    ["fail/scheduler.json: a bad field inside a known event", "scheduler.json", withValue("scheduler.json", [...step, "do"], [{ update_task: { id: "t", state: "sleeping" } }]), [
      "scenarios[0].steps[1].do[0].update_task.state: expected a task state (new, pending, assigned, accepted, preparing, ready, starting, running, complete, shutdown, failed, rejected, remove, orphaned)",
    ]],
    ["fail/secrets.json: a code Swarm does not have", "secrets.json", withValue("secrets.json", ["update_rules", "code"], "Denied"), [
      'update_rules.code: Invalid option: expected one of "InvalidArgument"|"AlreadyExists"|"NotFound"',
    ]],
    ["fail/secrets.json: a mode that is not octal", "secrets.json", withValue("secrets.json", ["cli_defaults", "mode"], "rw-r--r--"), [
      "cli_defaults.mode: expected an octal mode such as 0444",
    ]],
    ["fail/a file that is not an object", "secrets.json", [], ["(the file): Invalid input: expected object, received array"]],
  ];
  it.each(cases)("%s", async (_name, file, data, problems) => {
    const { results } = await runVectorFile(file, data, ports);
    expect(results).toEqual(problems.map((detail) => ({ file, name: "schema", ok: false, detail })));
  });
});
