import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { escapeUnsafeText, isRampartError } from "@rampart/core";
import { createAdminClient, explainClientError, type AdminClient, type Target } from "../client/index.js";
import type { Env } from "../env.js";
import { isLoopback } from "../server/listen.js";

/**
 * The `rampart` command line as data. Each noun declares its commands in a table (its
 * `<noun>.cli.ts`): name and aliases, usage text, `parseArgs` options, whether it takes
 * arguments, and what it runs. One dispatcher walks the tables, so help, unknown
 * commands, flag errors and exit codes behave the same everywhere, and a flag is added
 * where its command is declared, beside the usage text that documents it.
 */

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command takes: which server to talk to, and help. */
export const GLOBAL_OPTIONS = {
  "data-dir": { type: "string" },
  host: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/**
 * `--env NAME`: the environment cluster commands act on (ADR 0020). Every command takes
 * it, except those where docker's own `--env` (a container's variables) comes first:
 * there, `rampart --env NAME service create …` (before the noun) or RAMPART_ENV chooses.
 */
const ENV_OPTION = { env: { type: "string" } } as const satisfies Options;

/**
 * A mistake in how a command was called: exit status 2, with `See 'rampart NOUN --help'`,
 * like a flag error. Thrown by the dispatcher and by commands checking their arguments.
 */
export class UsageError extends Error {}

/** Where a command writes: standard output and standard error, one line at a time. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** The flags a command with options `O` receives, typed as `parseArgs` returns them. */
export type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: typeof GLOBAL_OPTIONS & O; strict: true }>>["values"];

/** What a command's `run` is given. */
export interface Call<O extends Options> {
  values: Values<O>;
  positionals: string[];
  env: Env;
  io: Io;
  /**
   * Runs `work` against the server that --data-dir, or --host with --token, names. A
   * failure is printed as `Error: …` (a server that cannot be reached, said so) and is
   * exit status 1; a UsageError still is a usage error.
   */
  admin(work: (client: AdminClient, out: (line: string) => void) => Promise<number>): Promise<number>;
}

/** A command: `rampart status`, or `rampart service create` within its noun. */
export interface Command<O extends Options = Options> {
  name: string;
  aliases?: readonly string[];
  /** Its line in `rampart --help`, for a command that stands alone. */
  summary?: string;
  /** Printed for -h or --help. */
  usage: string;
  /** Its own flags; GLOBAL_OPTIONS come with every command. */
  options: O;
  /**
   * Whether it takes arguments besides flags. The admin commands all do, as they always
   * have; those that need some count them themselves, so that the message names what is
   * missing as docker's does.
   */
  positionals: boolean;
  /**
   * false: flags end at the first argument, and everything after it is an argument, as
   * pflag's SetInterspersed(false) has it for `docker service create IMAGE [COMMAND]
   * [ARG...]`, whose command may take flags of its own. Default true.
   */
  interspersed?: boolean;
  run(call: Call<O>): Promise<number>;
}

/** A noun with commands of its own: `rampart service COMMAND`. */
export interface Group {
  name: string;
  summary: string;
  /** Printed for -h, --help, or no command. */
  usage: string;
  commands: readonly Command[];
}

/** Something that takes no arguments and ignores any it is given: `rampart help`, `rampart version`. */
export interface Action {
  name: string;
  aliases?: readonly string[];
  summary?: string;
  action(io: Io): number;
}

export type Entry = Group | Command | Action;

/** Declares a command, typing its `run` by its options. */
export function command<const O extends Options>(spec: Command<O>): Command<O> {
  return spec;
}

/** An entry by its name or one of its aliases. */
export function find<E extends { name: string; aliases?: readonly string[] }>(entries: readonly E[], name: string): E | undefined {
  return entries.find((e) => e.name === name || e.aliases?.includes(name));
}

/** The `Commands:` lines of `rampart --help`: each entry with a summary, in table order. */
export function commandList(entries: readonly Entry[]): string {
  return entries.flatMap((e) => (e.summary === undefined ? [] : [`  ${e.name.padEnd(13)}${e.summary}`])).join("\n");
}

/** Go's strconv.ParseBool, which pflag reads `--flag=VALUE` of a boolean flag with. */
export function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  return undefined;
}

interface Split {
  /** What parseArgs reads. */
  flags: string[];
  /** Arguments after the first one, for a command that is not interspersed. */
  rest: string[];
  /** Boolean flags given as `--flag=VALUE`, by name: the last one given wins. */
  booleans: Map<string, boolean>;
}

/**
 * What parseArgs cannot do, done before it: pflag's `--flag=false` for a boolean flag
 * (`--read-only=false`, `--allow-privileged=false`), and the end of flags at the first
 * argument for a command that is not interspersed. A flag that takes a value takes the
 * next word whatever it looks like, as parseArgs reads it.
 */
function splitArgs(args: readonly string[], options: Options, interspersed: boolean): Split {
  const flags: string[] = [];
  const booleans = new Map<string, boolean>();
  const short = (c: string) => Object.values(options).find((o) => o.short === c);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      // pflag drops `--`; what follows is arguments. Interspersed commands leave it to parseArgs.
      if (!interspersed) return { flags, rest: args.slice(i + 1), booleans };
      flags.push(...args.slice(i));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const option = options[name];
      if (option?.type === "boolean") {
        if (eq === -1) {
          booleans.delete(name);
          flags.push(arg);
          continue;
        }
        const text = arg.slice(eq + 1);
        const value = parseGoBool(text);
        if (value === undefined) throw new UsageError(`invalid argument "${text}" for "--${name}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
        booleans.set(name, value);
        continue;
      }
      flags.push(arg);
      if (option?.type === "string" && eq === -1 && i + 1 < args.length) flags.push(args[++i]!);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      flags.push(arg);
      // `-e VALUE`, or a group of boolean letters ending with one that takes a value; `-eVALUE` holds its own.
      const takesNext = arg.length === 2 ? short(arg[1]!)?.type === "string" : short(arg[1]!)?.type !== "string" && short(arg.at(-1)!)?.type === "string";
      if (takesNext && i + 1 < args.length) flags.push(args[++i]!);
      continue;
    }
    if (!interspersed) return { flags, rest: args.slice(i), booleans };
    flags.push(arg);
  }
  return { flags, rest: [], booleans };
}

/**
 * `parseArgs` with the global flags, strict; its errors are usage errors without Node's
 * error code. Boolean flags also take pflag's `--flag=true|false`; a command that is not
 * interspersed takes its flags before its first argument only.
 */
export function parse<O extends Options>(
  args: string[],
  options: O,
  allowPositionals: boolean,
  interspersed = true,
): { values: Values<O>; positionals: string[] } {
  const all = { ...GLOBAL_OPTIONS, ...("env" in options ? {} : ENV_OPTION), ...options };
  const { flags, rest, booleans } = splitArgs(args, all, interspersed);
  let parsed: { values: Values<O>; positionals: string[] };
  try {
    parsed = parseArgs({ args: flags, options: all, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^.*?: /, ""));
  }
  if (rest.length > 0 && !allowPositionals) throw new UsageError(`Unexpected argument '${rest[0]}'. This command does not take positional arguments`);
  const values: Record<string, unknown> = parsed.values;
  for (const [name, value] of booleans) values[name] = value;
  return { values: parsed.values, positionals: [...parsed.positionals, ...rest] };
}

/** --data-dir, else RAMPART_DATA_DIR, else ./.rampart. */
export function dataDir(flag: string | undefined, env: Env): string {
  return resolve(flag ?? env.RAMPART_DATA_DIR ?? ".rampart");
}

/** The server an admin command talks to: --host with a token, checked before any request, or the local socket. */
export function adminTarget(
  values: { "data-dir"?: string | undefined; host?: string | undefined; token?: string | undefined; env?: string | undefined },
  env: Env,
): Target {
  const environment = values.env ?? env.RAMPART_ENV;
  if (environment !== undefined && environment.length === 0) throw new UsageError("--env needs an environment's name");
  const chosen = environment === undefined ? {} : { env: environment };
  const host = values.host ?? env.RAMPART_HOST;
  if (host) {
    const token = values.token ?? env.RAMPART_TOKEN;
    if (!token) throw new UsageError("--host needs an API token: pass --token or set RAMPART_TOKEN");
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      throw new UsageError(`--host must be a URL such as https://rampart.example:8080, got "${host}"`);
    }
    // The token is a bearer credential: it travels only over HTTPS, or to this machine.
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname.replace(/^\[|\]$/g, "")))) {
      throw new UsageError(`--host must use https:// (plain http:// is allowed only to loopback), got "${host}"`);
    }
    return { host, token, ...chosen };
  }
  return { socketPath: resolve(dataDir(values["data-dir"], env), "rampart.sock"), ...chosen };
}

/** A command: its flags parsed (help wins over everything but a flag error), then its run. */
async function runCommand(cmd: Command, args: string[], env: Env, io: Io, leadingEnv: string | undefined): Promise<number> {
  const { values, positionals } = parse(args, cmd.options, cmd.positionals, cmd.interspersed ?? true);
  if (values.help) return io.out(cmd.usage), 0;
  const own = "env" in cmd.options ? undefined : (values as { env?: unknown }).env;
  const chosenEnv = typeof own === "string" ? own : leadingEnv;
  return cmd.run({
    values,
    positionals,
    env,
    io,
    async admin(work) {
      const target = adminTarget({ ...values, env: chosenEnv }, env);
      try {
        return await work(createAdminClient(target), io.out);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        io.err(`Error: ${explainClientError(error, target)}`);
        return 1;
      }
    },
  });
}

/** A group's command by name; its usage for no command or help; a usage error for anything else. */
async function runGroup(group: Group, args: string[], env: Env, io: Io, leadingEnv: string | undefined): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") return io.out(group.usage), 0;
  const cmd = find(group.commands, sub);
  if (!cmd) throw new UsageError(`'${sub}' is not a rampart ${group.name} command`);
  return runCommand(cmd, rest, env, io, leadingEnv);
}

/**
 * Where every command writes, made safe for a terminal: control and bidirectional
 * characters in what is printed (a hostname, a label, a server's message) appear as
 * `\u{9b}`, `\u{202e}`, so text stored before names were checked cannot move the
 * cursor or reorder a line. The printers' own tabs and line breaks stay (ADR 0013).
 */
export function terminalSafe(io: Io): Io {
  return { out: (line) => io.out(escapeUnsafeText(line, "\t\n")), err: (line) => io.err(escapeUnsafeText(line, "\t\n")) };
}

/**
 * `rampart ARGS`: the entry named by the first argument, run. An unknown name is exit
 * status 1 (docker's), a usage error 2, any other failure `Error: …` and 1. The
 * environment is read first, so a bad variable stops every command, help included.
 */
export async function dispatch(entries: readonly Entry[], argv: readonly string[], terminal: Io, readEnv: () => Env): Promise<number> {
  const io = terminalSafe(terminal);
  const words = [...argv];
  let leadingEnv: string | undefined;
  try {
    // `rampart --env NAME COMMAND…`: the environment, before the command.
    while (words[0] === "--env" || words[0]?.startsWith("--env=")) {
      const word = words.shift()!;
      leadingEnv = word === "--env" ? words.shift() : word.slice("--env=".length);
      if (leadingEnv === undefined) throw new UsageError("--env needs an environment's name");
    }
  } catch (error) {
    io.err(`rampart: ${(error as Error).message}\nSee 'rampart --help'`);
    return 2;
  }
  const [name = "help", ...rest] = words;
  try {
    const env = readEnv();
    const entry = find(entries, name);
    if (!entry) {
      io.err(`rampart: '${name}' is not a rampart command.\nSee 'rampart --help'`);
      return 1;
    }
    if ("action" in entry) return entry.action(io);
    if ("commands" in entry) return await runGroup(entry, rest, env, io, leadingEnv);
    return await runCommand(entry, rest, env, io, leadingEnv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`rampart: ${error.message}\nSee 'rampart ${name} --help'`);
      return 2;
    }
    io.err(`Error: ${isRampartError(error) || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
