import { describe, expect, it } from "vitest";
import { VERSION } from "../version.js";
import { parse, UsageError, type Command, type Entry, type Group } from "./cli.js";
import { ENTRIES, rampart, usage } from "./index.js";

/**
 * Walks every command table: what `rampart … --help` prints, that the usage documents
 * every flag the command takes, and how unknown commands and flags are refused. Nothing
 * here reaches a server: help and usage errors come before one is needed.
 */

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await rampart(argv, { out: (line) => out.push(line), err: (line) => err.push(line) }, () => ({}));
  return { code, out, err };
}

const isGroup = (e: Entry): e is Group => "commands" in e;
const isCommand = (e: Entry): e is Command => "run" in e;

const groups = ENTRIES.filter(isGroup);
/** Every command with the words that reach it: `["service", "ls"]`, `["service", "list"]`, `["status"]`. */
const commands: { path: string[]; cmd: Command; noun: string }[] = [
  ...ENTRIES.filter(isCommand).flatMap((cmd) => [cmd.name, ...(cmd.aliases ?? [])].map((name) => ({ path: [name], cmd, noun: cmd.name }))),
  ...groups.flatMap((g) => g.commands.flatMap((cmd) => [cmd.name, ...(cmd.aliases ?? [])].map((name) => ({ path: [g.name, name], cmd, noun: g.name })))),
];

/** A flag as a word of its own: `--label` is not found in `--label-add`. */
function mentions(text: string, flag: string): boolean {
  return new RegExp(`(?<![\\w-])${flag.replace(/[-]/g, "\\-")}(?![\\w-])`).test(text);
}

describe("the command tables", () => {
  it("ok/every noun and command has a distinct name and aliases", () => {
    const names = (entries: readonly { name: string; aliases?: readonly string[] }[]) => entries.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
    expect(new Set(names(ENTRIES)).size).toBe(names(ENTRIES).length);
    for (const g of groups) expect(new Set(names(g.commands)).size, g.name).toBe(names(g.commands).length);
  });

  it("ok/rampart --help lists every entry with a summary, in table order", async () => {
    const listed = ENTRIES.filter((e) => e.summary !== undefined).map((e) => e.name);
    expect(listed).toEqual(["server", "status", "info", "env", "swarm", "node", "network", "secret", "seccomp", "service", "plan", "user", "agent", "conformance", "version"]);
    for (const argv of [[], ["help"], ["--help"], ["-h"]]) {
      const r = await run(...argv);
      expect(r).toEqual({ code: 0, out: [usage()], err: [] });
    }
    for (const e of ENTRIES) if (e.summary !== undefined) expect(usage()).toContain(`\n  ${e.name.padEnd(13)}${e.summary}\n`);
  });

  it("ok/version and --version print the version, whatever follows", async () => {
    for (const argv of [["version"], ["--version"], ["version", "--help"]]) {
      expect(await run(...argv)).toEqual({ code: 0, out: [`Rampart version ${VERSION}`], err: [] });
    }
  });

  it("fail/an unknown command is exit status 1, docker's message", async () => {
    expect(await run("frobnicate")).toEqual({ code: 1, out: [], err: ["rampart: 'frobnicate' is not a rampart command.\nSee 'rampart --help'"] });
  });

  describe.each(groups.map((g) => [g.name, g] as const))("%s", (name, group) => {
    it("ok/no command, --help and -h print the noun's usage", async () => {
      for (const argv of [[name], [name, "--help"], [name, "-h"]]) {
        expect(await run(...argv)).toEqual({ code: 0, out: [group.usage], err: [] });
      }
    });

    it("fail/an unknown command is a usage error", async () => {
      expect(await run(name, "frobnicate")).toEqual({
        code: 2,
        out: [],
        err: [`rampart: 'frobnicate' is not a rampart ${name} command\nSee 'rampart ${name} --help'`],
      });
    });

    it("ok/the noun's usage names every command", () => {
      for (const cmd of group.commands) expect(mentions(group.usage, cmd.name), cmd.name).toBe(true);
    });
  });

  describe.each(commands.map((c) => [c.path.join(" "), c] as const))("%s", (_name, { path, cmd, noun }) => {
    it("ok/--help and -h print its usage and exit 0", async () => {
      for (const help of ["--help", "-h"]) expect(await run(...path, help)).toEqual({ code: 0, out: [cmd.usage], err: [] });
    });

    it("ok/its usage documents every flag it takes", () => {
      for (const [long, option] of Object.entries(cmd.options)) {
        const documented = mentions(cmd.usage, `--${long}`) || (option.short !== undefined && mentions(cmd.usage, `-${option.short}`));
        expect(documented, `--${long}`).toBe(true);
      }
    });

    it("fail/an unknown flag is a usage error, even with --help", async () => {
      const r = await run(...path, "--frobnicate", "--help");
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err).toEqual([expect.stringMatching(new RegExp(`^rampart: Unknown option '--frobnicate'.*\\nSee 'rampart ${noun} --help'$`, "s"))]);
    });

    it(`ok/an argument is ${cmd.positionals ? "taken" : "refused as a usage error"}, as its table says`, async () => {
      // A command that is not interspersed takes everything after its first argument as
      // arguments, --help included (its test is below), so help comes first there.
      const r = await run(...path, ...(cmd.interspersed === false ? ["--help", "extra"] : ["extra", "--help"]));
      if (cmd.positionals) expect(r).toEqual({ code: 0, out: [cmd.usage], err: [] });
      else {
        expect(r).toEqual({
          code: 2,
          out: [],
          err: [`rampart: Unexpected argument 'extra'. This command does not take positional arguments\nSee 'rampart ${noun} --help'`],
        });
      }
    });
  });
});

describe("parse: what parseArgs alone does not do", () => {
  const options = {
    init: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
    name: { type: "string" },
    env: { type: "string", short: "e", multiple: true },
  } as const;

  it.each([
    [["--init=false"], false],
    [["--init=0"], false],
    [["--init=True"], true],
    [["--init=false", "--init"], true],
    [["--init", "--init=f"], false],
    [["--init"], true],
    [[], undefined],
  ])("ok/a boolean flag takes pflag's =VALUE, the last one winning: %j", (args, value) => {
    expect(parse(args, options, true).values.init).toBe(value);
  });

  it("fail/a boolean value Go does not read is a flag error", () => {
    expect(() => parse(["--init=yes"], options, true)).toThrow(new UsageError(`invalid argument "yes" for "--init" flag: strconv.ParseBool: parsing "yes": invalid syntax`));
  });

  it("ok/not interspersed: flags end at the first argument, and what follows is arguments, flags and -- included", () => {
    const r = parse(["-q", "--name", "web", "-e", "A=1", "busybox", "sh", "-c", "echo --name", "--init=false", "--", "-e"], options, true, false);
    expect(r.values).toEqual({ quiet: true, name: "web", env: ["A=1"] });
    expect(r.positionals).toEqual(["busybox", "sh", "-c", "echo --name", "--init=false", "--", "-e"]);
  });

  it("ok/not interspersed: a flag's value is not the first argument, and -- before it is dropped as pflag drops it", () => {
    expect(parse(["--name", "busybox", "-qe", "X=1", "alpine", "-q"], options, true, false)).toMatchObject({
      values: { name: "busybox", quiet: true, env: ["X=1"] },
      positionals: ["alpine", "-q"],
    });
    expect(parse(["--init", "--", "--image-like", "x"], options, true, false)).toMatchObject({ values: { init: true }, positionals: ["--image-like", "x"] });
  });

  it("ok/interspersed, as before: flags anywhere, -- ends them", () => {
    expect(parse(["web", "--init=false", "-q", "--", "-x"], options, true)).toMatchObject({ values: { init: false, quiet: true }, positionals: ["web", "-x"] });
  });

  it("fail/an unknown flag before the first argument is still refused", () => {
    expect(() => parse(["--frobnicate", "busybox"], options, true, false)).toThrow(UsageError);
  });
});
