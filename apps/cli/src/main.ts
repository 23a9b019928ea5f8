import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isRampartError } from "@rampart/core";
import { createAdminClient, explainClientError, type Target } from "./client/index.js";
import { statusCommand } from "./commands/status.js";
import { readEnv, type Env } from "./env.js";
import { createLogger } from "./server/log.js";
import { startServer } from "./server/index.js";
import { isLoopback } from "./server/listen.js";
import { VERSION } from "./version.js";

const USAGE = `Usage:  rampart COMMAND [OPTIONS]

Security control plane for container clusters

Commands:
  server      Run the Rampart server (UI, API and cluster store)
  status      Show the server's and the store's status
  version     Show the Rampart version

Global options:
  --data-dir DIR   Data directory (default ./.rampart, or RAMPART_DATA_DIR)
  --host URL       Talk to a remote server instead of the local socket (or RAMPART_HOST)
  --token TOKEN    API token for --host (or RAMPART_TOKEN)
  -h, --help       Show help

Run 'rampart COMMAND --help' for more information on a command.`;

const SERVER_USAGE = `Usage:  rampart server [OPTIONS]

Run the Rampart server: the web UI and API, over one cluster store.

Options:
  --data-dir DIR        Data directory (default ./.rampart, or RAMPART_DATA_DIR)
  --listen ADDR         Address for the UI and API (default 127.0.0.1:8080)
  --tls-cert FILE       Serve HTTPS with this certificate (PEM)
  --tls-key FILE        ... and this private key (PEM)
  --insecure-http       Allow plain HTTP off loopback (behind a TLS-terminating proxy)
  --trust-proxy         Take client addresses from X-Forwarded-For
  --node-listen ADDR    Address for the node endpoint (default 0.0.0.0:2377; reserved)
  --log-level LEVEL     trace, debug, info, warn or error (default info, or RAMPART_LOG_LEVEL)

The store is PGlite in DIR/pgdata unless DATABASE_URL names a PostgreSQL database.
The key-encryption key is DIR/kek unless RAMPART_KEK_FILE names another file.`;

const STATUS_USAGE = `Usage:  rampart status [OPTIONS]

Show the server's and the store's status. Exits 0 when healthy, 1 otherwise.

Options:
  --data-dir DIR   Talk to the server that owns this data directory
  --host URL       Talk to a remote server (with --token)
  --token TOKEN    API token for --host`;

const globalOptions = {
  "data-dir": { type: "string" },
  host: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

class UsageError extends Error {}

function parse<O extends ParseArgsConfig["options"]>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...globalOptions, ...options }, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^.*?: /, ""));
  }
}

function dataDir(flag: string | undefined, env: Env): string {
  return resolve(flag ?? env.RAMPART_DATA_DIR ?? ".rampart");
}

function adminTarget(values: { "data-dir"?: string | undefined; host?: string | undefined; token?: string | undefined }, env: Env): Target {
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
    return { host, token };
  }
  return { socketPath: resolve(dataDir(values["data-dir"], env), "rampart.sock") };
}

async function runServer(args: string[], env: Env): Promise<number> {
  const { values } = parse(args, {
    listen: { type: "string" },
    "node-listen": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    "insecure-http": { type: "boolean" },
    "trust-proxy": { type: "boolean" },
    "log-level": { type: "string" },
  });
  if (values.help) return console.log(SERVER_USAGE), 0;
  const level = values["log-level"] ?? env.RAMPART_LOG_LEVEL ?? "info";
  if (!["trace", "debug", "info", "warn", "error", "fatal", "silent"].includes(level)) {
    throw new UsageError(`--log-level must be one of trace, debug, info, warn, error; got "${level}"`);
  }
  const log = createLogger(level);
  const webDir = env.RAMPART_WEB_DIR ?? fileURLToPath(new URL("../../web", import.meta.url));

  // Signals are caught from the start: one that arrives while the store is still
  // opening or migrating waits for that to finish, then shuts down cleanly.
  let signalled: (signal: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => (signalled = resolve));
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) {
      process.stderr.write("forced exit\n");
      process.exit(130);
    }
    signalled(signal);
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  const server = await startServer({
    dataDir: dataDir(values["data-dir"], env),
    databaseUrl: env.DATABASE_URL,
    kekFile: env.RAMPART_KEK_FILE,
    listen: values.listen ?? "127.0.0.1:8080",
    nodeListen: values["node-listen"] ?? "0.0.0.0:2377",
    tlsCert: values["tls-cert"],
    tlsKey: values["tls-key"],
    insecureHttp: values["insecure-http"] ?? false,
    trustProxy: values["trust-proxy"] ?? false,
    webDir,
    version: VERSION,
    log,
    announceSetupCode(code, url) {
      // Straight to the terminal, not the log: the code is a credential.
      process.stderr.write(
        `\nRampart is not set up yet. Create the first administrator at:\n\n    ${url}\n\nwith this one-time setup code:\n\n    ${code}\n\n`,
      );
    },
  });
  process.stderr.write(`Rampart is ready at ${server.url}\n`);

  const signal = await stopRequested;
  log.info({ signal }, "shutting down");
  const code = await server.close().then(
    () => 0,
    (error: unknown) => {
      log.error({ error: error instanceof Error ? error.name : String(error) }, "shutdown failed");
      return 1;
    },
  );
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return code;
}

async function runAdmin(
  args: string[],
  env: Env,
  usage: string,
  command: (client: ReturnType<typeof createAdminClient>, out: (line: string) => void) => Promise<number>,
): Promise<number> {
  const { values } = parse(args, {});
  if (values.help) return console.log(usage), 0;
  const target = adminTarget(values, env);
  try {
    return await command(createAdminClient(target), (line) => console.log(line));
  } catch (error) {
    console.error(`Error: ${explainClientError(error, target)}`);
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const env = readEnv();
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return 0;
      case "version":
      case "--version":
        console.log(`Rampart version ${VERSION}`);
        return 0;
      case "server":
        return await runServer(rest, env);
      case "status":
        return await runAdmin(rest, env, STATUS_USAGE, statusCommand);
      default:
        console.error(`rampart: '${command}' is not a rampart command.\nSee 'rampart --help'`);
        return 1;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`rampart: ${error.message}\nSee 'rampart ${command ?? ""} --help'`.replace("  ", " "));
      return 2;
    }
    console.error(`Error: ${isRampartError(error) || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
