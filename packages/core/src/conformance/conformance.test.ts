import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as barrel from "../index.js";
import * as conformance from "./index.js";
import { COVERED_VECTOR_FILES, VECTOR_RUNNERS, runVectorFile } from "./index.js";

const dir = fileURLToPath(new URL("../../../../reference/vectors/", import.meta.url));
const ports = { sha256Hex: (b: Uint8Array) => createHash("sha256").update(b).digest("hex") };

describe.each(COVERED_VECTOR_FILES)("conformance: %s", (file) => {
  const results = runVectorFile(file, JSON.parse(readFileSync(`${dir}${file}`, "utf8")), ports)!;
  it("ok/has cases", () => expect(results.length).toBeGreaterThan(5));
  it.each(results.map((r) => [r.name, r] as const))("ok/%s", (_name, result) => {
    expect(result.detail ?? "").toBe("");
    expect(result.ok).toBe(true);
  });
});

describe("conformance runner", () => {
  it("ok/stays out of core's production barrel: importers use @rampart/core/conformance", () => {
    const leaked = Object.keys(conformance).filter((name) => name in barrel);
    expect(leaked).toEqual([]);
  });

  it("fail/a wrong expectation is reported, not passed", () => {
    const data = JSON.parse(readFileSync(`${dir}ca_auth.json`, "utf8")) as { cases: Array<{ expect: unknown }> };
    data.cases[0]!.expect = { allow: false, error: "nope" };
    const results = runVectorFile("ca_auth.json", data, ports)!;
    expect(results.filter((r) => !r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)!.detail).toContain('expected {"allow":false,"error":"nope"}');
  });

  it.each(Object.entries(VECTOR_RUNNERS))("ok/%s is run by a module of its own, named after it", async (file, runner) => {
    const module: Record<string, unknown> = await import(`./${file.replace(/\.json$/, "").replaceAll("_", "-")}.js`);
    expect(Object.values(module)).toContain(runner);
  });

  it("ok/every vector file named here is in the folder, secrets.json among them", () => {
    expect(readdirSync(dir)).toEqual(expect.arrayContaining([...COVERED_VECTOR_FILES]));
    expect(COVERED_VECTOR_FILES).toContain("secrets.json");
  });

  it("ok/files not yet covered are reported as such", () => {
    expect(runVectorFile("not-a-vector-file.json", {}, ports)).toBeUndefined();
  });

  it("fail/a changed Swarm message in secrets.json is reported, not passed", () => {
    const data = JSON.parse(readFileSync(`${dir}secrets.json`, "utf8")) as { names: Array<{ error?: string }> };
    data.names[0]!.error = "a name, please";
    const failed = runVectorFile("secrets.json", data, ports)!.filter((r) => !r.ok);
    expect(failed.map((r) => r.name)).toEqual(["names/0"]);
  });
});
