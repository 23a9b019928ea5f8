import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pgliteDirectory, postgresStoreName } from "@rampart/db";
import pino from "pino";
import { createLogger, LOG_FORMATS, prettyDestination, type LogFormat } from "../server/log.js";
import { SWARM_LOCKED_MESSAGE } from "@rampart/manager";
import { UNLOCK_PAGE } from "../server/http.js";
import { startServer } from "../server/index.js";
import { VERSION } from "../version.js";
import { command, dataDir, UsageError } from "./cli.js";
import { parseExternalCa } from "./swarm-ca.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** `rampart server`: runs until SIGINT or SIGTERM, then shuts down cleanly. */
export const server = command({
  name: "server",
  summary: "Run the Rampart server (UI, API, node endpoint and cluster store)",
  usage: `Usage:  rampart server [OPTIONS]

Run the Rampart server: the web UI and API, over one cluster store.

Options:
  --data-dir DIR        Data directory (default ./.rampart, or RAMPART_DATA_DIR)
  --listen ADDR         Address for the UI and API (default 127.0.0.1:8080)
  --tls-cert FILE       Serve HTTPS with this certificate (PEM)
  --tls-key FILE        ... and this private key (PEM)
  --insecure-http       Allow plain HTTP off loopback (behind a TLS-terminating proxy)
  --trust-proxy         Take client addresses from X-Forwarded-For
  --node-listen ADDR    Address for the node endpoint, mTLS (default 0.0.0.0:2377)
  --advertise-addr ADDR Address nodes use to reach it, for join commands
                        (default: the node-listen address, or this machine's IPv4)
  --docker-host ADDR    The engine this server's own node runs its tasks through:
                        unix:///path, tcp://host:port or ssh://host (default DOCKER_HOST,
                        else unix:///var/run/docker.sock). With none reachable, the
                        node gets no tasks, and says why.
  --log-level LEVEL     trace, debug, info, warn or error (default info, or RAMPART_LOG_LEVEL)
  --log-format FORMAT   json (one object a line, for a log file) or pretty (for a person);
                        default pretty on a terminal, json otherwise, or RAMPART_LOG_FORMAT
  --external-ca protocol=cfssl,url=URL[,cacert=FILE]
                        On the start that creates the swarm (as docker swarm init
                        --external-ca): an external CA that signs node certificates,
                        repeatable; without cacert, under the root made then. Refused
                        once the swarm exists (then: rampart swarm update --external-ca)

The first line says which data directory is used and whether it holds a cluster: a
server started from another folder would otherwise quietly make a new, empty one.
The store is PGlite in DIR/pgdata unless DATABASE_URL names a PostgreSQL database.
The key-encryption key is DIR/kek unless RAMPART_KEK_FILE names another file. With
autolock on ('rampart swarm update --autolock=true') it is in the store, wrapped under
the unlock key, and the server starts locked: it serves only its unlock page and
'rampart swarm unlock' until it is given the key.`,
  options: {
    listen: { type: "string" },
    "node-listen": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    "insecure-http": { type: "boolean" },
    "trust-proxy": { type: "boolean" },
    "advertise-addr": { type: "string" },
    "docker-host": { type: "string" },
    "log-level": { type: "string" },
    "log-format": { type: "string" },
    "external-ca": { type: "string", multiple: true },
  },
  positionals: false,
  async run({ values, env }) {
    const level = values["log-level"] ?? env.RAMPART_LOG_LEVEL ?? "info";
    if (!LOG_LEVELS.includes(level)) {
      throw new UsageError(`--log-level must be one of trace, debug, info, warn, error; got "${level}"`);
    }
    const externalCas = values["external-ca"]?.map((text) => parseExternalCa(text));
    const format = values["log-format"] ?? env.RAMPART_LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json");
    if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--log-format must be json or pretty; got "${format}"`);
    // Written synchronously (pino's default), so each line is out before the next statement:
    // the notices below come after every start-up line. The volume here is small.
    const sink = (format as LogFormat) === "pretty" ? prettyDestination(process.stdout) : pino.destination({ fd: 1, sync: true });
    const log = createLogger(level, sink);
    const directory = dataDir(values["data-dir"], env);
    process.stderr.write(`${storeLine(directory, env.DATABASE_URL)}\n`);
    const webDir = env.RAMPART_WEB_DIR ?? fileURLToPath(new URL("../../../web", import.meta.url));

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

    // What the operator must see (the swarm's first words, the setup code) is held back
    // until the start-up logs are written, so it is the last thing on the terminal rather
    // than scrolled away under them; none of it goes to the log.
    const notices: string[] = [];
    const server = await startServer({
      dataDir: directory,
      databaseUrl: env.DATABASE_URL,
      kekFile: env.RAMPART_KEK_FILE,
      listen: values.listen ?? "127.0.0.1:8080",
      nodeListen: values["node-listen"] ?? "0.0.0.0:2377",
      tlsCert: values["tls-cert"],
      tlsKey: values["tls-key"],
      insecureHttp: values["insecure-http"] ?? false,
      trustProxy: values["trust-proxy"] ?? false,
      advertiseAddr: values["advertise-addr"],
      dockerHost: values["docker-host"],
      externalCas,
      engineEnv: { DOCKER_HOST: env.DOCKER_HOST, DOCKER_TLS_VERIFY: env.DOCKER_TLS_VERIFY, DOCKER_CERT_PATH: env.DOCKER_CERT_PATH },
      webDir,
      version: VERSION,
      log,
      announceSwarmInit(text) {
        notices.push(`\n${text}`);
      },
      announceSetupCode(code, url) {
        // The terminal, not the log: the code is a credential.
        notices.push(`\nRampart is not set up yet. Create the first administrator at:\n\n    ${url}\n\nwith this one-time setup code:\n\n    ${code}\n`);
      },
    });
    const where = env.DATABASE_URL ? `the store ${postgresStoreName(env.DATABASE_URL)}` : directory;
    if (server.locked) {
      // Autolock (ADR 0022): Swarm's sentence, and where to give the key. The key is never an argument.
      process.stderr.write(
        `\n${SWARM_LOCKED_MESSAGE}\nRampart is locked at ${server.url}: unlock it at ${server.url}${UNLOCK_PAGE}, or run 'rampart swarm unlock' on this machine.\n`,
      );
    }
    const ready = await Promise.race([server.ready, stopRequested.then(() => undefined)]);
    if (ready) {
      const { record } = ready.manager.cluster.current();
      const opened = ready.swarmCreated ? `Created a new cluster (${record.id})` : `Opened the existing cluster ${record.id}`;
      process.stderr.write(`${notices.join("")}\n${opened} in ${where}.\nRampart is ready at ${server.url}\n`);
    }

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
  },
});

/**
 * The server's first line: the data directory, and whether a cluster is already there.
 * For PGlite that is whether its files exist; a PostgreSQL store is only known once open,
 * so the line names it, and the ready line says whether the cluster was created.
 */
export function storeLine(directory: string, databaseUrl: string | undefined): string {
  if (databaseUrl) return `Rampart ${VERSION}: data directory ${directory}, cluster store PostgreSQL ${postgresStoreName(databaseUrl)}`;
  const existing = existsSync(pgliteDirectory(directory));
  return `Rampart ${VERSION}: data directory ${directory}, ${existing ? "opening the cluster stored there" : "no cluster there yet: creating a new one"}`;
}

