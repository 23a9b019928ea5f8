import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "./cli.js";
import { parseGenericResourceFlags } from "./agent.js";
import { joinToken } from "./agent.cli.js";

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

describe("rampart agent join --token-file", () => {
  const token = `SWMTKN-1-${"a".repeat(50)}-${"b".repeat(25)}`;
  function fileWith(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), "rampart-token-file-"));
    const file = join(dir, "worker.token");
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  it("reads the token alone, with or without a final newline, and prefers --token", () => {
    expect(joinToken(undefined, fileWith(`${token}\n`), {})).toBe(token);
    expect(joinToken(undefined, fileWith(`  ${token}  `), {})).toBe(token);
    expect(joinToken("SWMTKN-flag", fileWith(`${token}\n`), {})).toBe("SWMTKN-flag");
    expect(joinToken(undefined, undefined, { RAMPART_JOIN_TOKEN: token })).toBe(token);
  });

  it("names an empty file and a file with more than the token, without echoing it", () => {
    const empty = fileWith("\n");
    expect(() => joinToken(undefined, empty, {})).toThrow(new UsageError(`--token-file: ${empty} is empty; write the token to it with \`rampart swarm join-token -q worker\``));
    const banner = fileWith(`\n> rampart@ rampart /src\n> node main.js swarm join-token -q worker\n\n${token}\n`);
    let message = "";
    try {
      joinToken(undefined, banner, {});
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      message = (error as Error).message;
    }
    expect(message).toBe(`--token-file: ${banner} holds 3 lines; it must hold the token alone (a command's own output, such as pnpm's, may have been written to it)`);
    expect(message).not.toContain("SWMTKN");
    expect(() => joinToken(undefined, join(tmpdir(), "no-such-dir", "worker.token"), {})).toThrow(/^--token-file: cannot read /);
  });
});
