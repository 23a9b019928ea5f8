import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isRampartError } from "@rampart/core";
import { createAdminClient, explainClientError, type AdminClient, type Target } from "./client/index.js";
import { agentJoin, agentSimulate } from "./commands/agent.js";
import { UsageError } from "./commands/cli.js";
import { conformanceCommand } from "./commands/conformance.js";
import { info } from "./commands/info.js";
import { nodeDemote, nodeInspect, nodeLs, nodePromote, nodeRm, nodeUpdate } from "./commands/node.js";
import { planCommand, PLAN_OPTIONS, scenarioSource, serverSource } from "./commands/plan.js";
import {
  parseLabels,
  processPayloadSource,
  secretCreate,
  secretInspect,
  secretLs,
  secretRm,
  secretRotate,
  SECRET_CREATE_OPTIONS,
  SECRET_LS_OPTIONS,
  SECRET_ROTATE_OPTIONS,
} from "./commands/secret.js";
import {
  SERVICE_CREATE_OPTIONS,
  SERVICE_UPDATE_OPTIONS,
  serviceCreate,
  serviceInspect,
  serviceLs,
  servicePs,
  serviceRm,
  serviceScale,
  serviceUpdate,
} from "./commands/service.js";
import { statusCommand } from "./commands/status.js";
import { swarmCa, swarmInit, swarmJoinToken, swarmUpdate } from "./commands/swarm.js";
import { readEnv, type Env } from "./env.js";
import { createLogger } from "./server/log.js";
import { startServer } from "./server/index.js";
import { isLoopback } from "./server/listen.js";
import { VERSION } from "./version.js";

const USAGE = `Usage:  rampart COMMAND [OPTIONS]

Security control plane for container clusters

Commands:
  server       Run the Rampart server (UI, API, node endpoint and cluster store)
  status       Show the server's and the store's status
  info         Show the swarm, as the Swarm section of docker info
  swarm        Manage the swarm: init, join-token, ca, update
  node         Manage nodes: ls, inspect, update, promote, demote, rm
  secret       Manage secrets: create, ls, inspect, rm, rotate
  service      Manage services: create, ls, ps, inspect, update, scale, rm
  plan         Dry-run the scheduler: where a service would run, and why (not)
  agent        Run a node: join, simulate
  conformance  Run the SwarmKit conformance vectors
  version      Show the Rampart version

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
  --node-listen ADDR    Address for the node endpoint, mTLS (default 0.0.0.0:2377)
  --advertise-addr ADDR Address nodes use to reach it, for join commands
                        (default: the node-listen address, or this machine's IPv4)
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

function parse<O extends ParseArgsConfig["options"]>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...globalOptions, ...options }, allowPositionals, strict: true });
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
    "advertise-addr": { type: "string" },
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
    advertiseAddr: values["advertise-addr"],
    webDir,
    version: VERSION,
    log,
    announceSwarmInit(text) {
      // The worker token is in this text: the terminal, never the log.
      process.stderr.write(`\n${text}\n`);
    },
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

async function runAdmin<O extends ParseArgsConfig["options"]>(
  args: string[],
  env: Env,
  usage: string,
  options: O,
  command: (client: AdminClient, out: (line: string) => void, values: ReturnType<typeof parse<O>>) => Promise<number>,
): Promise<number> {
  const parsed = parse(args, options, true);
  const common = parsed.values as { help?: boolean; "data-dir"?: string; host?: string; token?: string };
  if (common.help) return console.log(usage), 0;
  const target = adminTarget(common, env);
  try {
    return await command(createAdminClient(target), (line) => console.log(line), parsed);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    console.error(`Error: ${explainClientError(error, target)}`);
    return 1;
  }
}

const SWARM_USAGE = `Usage:  rampart swarm COMMAND

Manage the swarm

Commands:
  init         Show how to add nodes to the swarm this server created
  join-token   Show or rotate a join token:  join-token [-q] [--rotate] worker|manager
  ca           Show the trust root (the root CA certificate)
  update       Change settings:  update [--cert-expiry 720h] [--dispatcher-heartbeat 5s]`;

const NODE_USAGE = `Usage:  rampart node COMMAND

Manage nodes

Commands:
  ls        List nodes  [-q]
  inspect   Show nodes in detail  [--pretty] NODE...
  update    Update a node  [--label-add k=v]... [--label-rm k]... [--availability active|pause|drain] NODE
  promote   Make nodes managers  NODE...
  demote    Make managers workers  NODE...
  rm        Remove nodes  [--force] NODE...`;

const AGENT_USAGE = `Usage:  rampart agent COMMAND

Run a node

Commands:
  join       Join a swarm and keep the node's identity alive
             join --token TOKEN [--state-dir DIR] [--hostname NAME] [--label k=v]... HOST:PORT
             (or --token-file FILE, or RAMPART_JOIN_TOKEN, to keep the token out of ps)
             --secrets-root DIR      where tasks' secrets are written: DIR/<task>/<target>;
                                     must be tmpfs (default /dev/shm/rampart-<state-dir hash>)
             --allow-secrets-on-disk accept a secrets root that is not tmpfs (development only)
  simulate   Run many simulated nodes in this process, over the real protocol
             simulate --nodes N --token TOKEN [--prefix sim] [--exit-after-join] HOST:PORT`;

async function runSwarm(args: string[], env: Env): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "init":
      return runAdmin(rest, env, SWARM_USAGE, {}, (client, out) => swarmInit(client, out));
    case "join-token":
      return runAdmin(rest, env, SWARM_USAGE, { quiet: { type: "boolean", short: "q" }, rotate: { type: "boolean" } }, (client, out, p) =>
        swarmJoinToken(client, out, p.positionals[0], p.values.quiet ?? false, p.values.rotate ?? false),
      );
    case "ca":
      return runAdmin(rest, env, SWARM_USAGE, {}, (client, out) => swarmCa(client, out));
    case "update":
      return runAdmin(
        rest,
        env,
        SWARM_USAGE,
        { "cert-expiry": { type: "string" }, "dispatcher-heartbeat": { type: "string" } },
        (client, out, p) => swarmUpdate(client, out, p.values["cert-expiry"], p.values["dispatcher-heartbeat"]),
      );
    case undefined:
    case "--help":
    case "-h":
      return console.log(SWARM_USAGE), 0;
    default:
      throw new UsageError(`'${sub}' is not a rampart swarm command`);
  }
}

async function runNode(args: string[], env: Env): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "ls":
    case "list":
      return runAdmin(rest, env, NODE_USAGE, { quiet: { type: "boolean", short: "q" } }, (client, out, p) =>
        nodeLs(client, out, p.values.quiet ?? false),
      );
    case "inspect":
      return runAdmin(rest, env, NODE_USAGE, { pretty: { type: "boolean" } }, (client, out, p) =>
        nodeInspect(client, out, p.positionals, p.values.pretty ?? false),
      );
    case "update":
      return runAdmin(
        rest,
        env,
        NODE_USAGE,
        {
          "label-add": { type: "string", multiple: true },
          "label-rm": { type: "string", multiple: true },
          availability: { type: "string" },
        },
        (client, out, p) => nodeUpdate(client, out, p.positionals, p.values["label-add"] ?? [], p.values["label-rm"] ?? [], p.values.availability),
      );
    case "promote":
      return runAdmin(rest, env, NODE_USAGE, {}, (client, out, p) => nodePromote(client, out, p.positionals));
    case "demote":
      return runAdmin(rest, env, NODE_USAGE, {}, (client, out, p) => nodeDemote(client, out, p.positionals));
    case "rm":
    case "remove":
      return runAdmin(rest, env, NODE_USAGE, { force: { type: "boolean", short: "f" } }, (client, out, p) =>
        nodeRm(client, out, p.positionals, p.values.force ?? false),
      );
    case undefined:
    case "--help":
    case "-h":
      return console.log(NODE_USAGE), 0;
    default:
      throw new UsageError(`'${sub}' is not a rampart node command`);
  }
}

const SERVICE_USAGE = `Usage:  rampart service COMMAND

Manage services

Commands:
  create    Create a service   [OPTIONS] IMAGE
  ls        List services      [-q]
  ps        List the tasks of services   [-q] [--no-trunc] SERVICE...
  inspect   Show services in detail      [--pretty] SERVICE...
  update    Update a service   [OPTIONS] SERVICE
  scale     Scale replicated services    SERVICE=REPLICAS...
  rm        Remove services    SERVICE...

Run 'rampart service COMMAND --help' for more information on a command.`;

const SPEC_OPTIONS_HELP = `  --replicas-max-per-node N  Maximum number of tasks per node (default 0 = unlimited)
  --reserve-cpu CPUS          Reserve CPUs, e.g. 0.5
  --reserve-memory SIZE       Reserve memory, e.g. 512MiB, 256m, 1g`;

const SERVICE_CREATE_USAGE = `Usage:  rampart service create [OPTIONS] IMAGE

Create a new service; prints its ID.

Options:
  --name NAME                 Service name (default: a random one, as docker does)
  --mode MODE                 replicated or global (default replicated)
  --replicas N                Number of tasks (default 1)
  --constraint EXPR           Placement constraint, e.g. node.labels.zone==eu (repeatable)
  --placement-pref PREF       Placement preference, spread=node.labels.zone (repeatable)
${SPEC_OPTIONS_HELP}
  --secret SECRET             Give the tasks a secret (repeatable): NAME, or
                              source=NAME,target=FILE,uid=U,gid=G,mode=M
                              (defaults: target NAME, uid 0, gid 0, mode 0444)`;

const SERVICE_UPDATE_USAGE = `Usage:  rampart service update [OPTIONS] SERVICE

Update a service. The change is made at the version that was read: if the service
changed in between, the server refuses it.

Options:
  --image IMAGE               Service image
  --replicas N                Number of tasks
  --constraint-add EXPR       Add a placement constraint (repeatable)
  --constraint-rm EXPR        Remove a placement constraint (repeatable)
  --placement-pref-add PREF   Add a placement preference, spread=node.labels.zone (repeatable)
  --placement-pref-rm PREF    Remove a placement preference (repeatable)
${SPEC_OPTIONS_HELP}
  --secret-add SECRET         Add a secret (repeatable): NAME, or
                              source=NAME,target=FILE,uid=U,gid=G,mode=M
  --secret-rm NAME            Remove a secret, every target it has (repeatable)`;

const SERVICE_LS_USAGE = `Usage:  rampart service ls [OPTIONS]

List services

Options:
  -q, --quiet   Only display IDs`;

const SERVICE_PS_USAGE = `Usage:  rampart service ps [OPTIONS] SERVICE [SERVICE...]

List the tasks of one or more services

Options:
  -q, --quiet   Only display task IDs
  --no-trunc    Do not truncate output`;

const SERVICE_INSPECT_USAGE = `Usage:  rampart service inspect [OPTIONS] SERVICE [SERVICE...]

Display detailed information on one or more services (JSON by default)

Options:
  --pretty   Print the information in a human friendly format`;

const SERVICE_SCALE_USAGE = `Usage:  rampart service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]

Scale one or multiple replicated services`;

const SERVICE_RM_USAGE = `Usage:  rampart service rm SERVICE [SERVICE...]

Remove one or more services`;

const PLAN_USAGE = `Usage:  rampart plan [SERVICE] [OPTIONS]

Dry-run the scheduler: where the tasks of a service would run, why each node is or
is not used, which tasks would wait, and which other services would move. Nothing is
changed. With SERVICE, its spec is the start and the spec options change it as
'rampart service update' would; without, the spec options describe a new service.

Spec options:
  --name NAME                 Service name (a new service needs one)
  --image IMAGE               Image (a new service needs one)
  --mode MODE                 replicated or global
  --replicas N                Number of tasks
  --constraint EXPR           Add a placement constraint (repeatable; also --constraint-add)
  --constraint-rm EXPR        Remove a placement constraint (repeatable)
  --placement-pref PREF       Add a preference, spread=node.labels.zone (repeatable; also --placement-pref-add)
  --placement-pref-rm PREF    Remove a placement preference (repeatable)
${SPEC_OPTIONS_HELP}

Node options (NODE is an ID, an ID prefix or a hostname):
  --label-add NODE:KEY=VALUE  Add or change a node label (repeatable)
  --label-rm NODE:KEY         Remove a node label (repeatable)
  --availability NODE=AVAIL   active, pause or drain (repeatable)
  --role NODE=ROLE            worker or manager (repeatable)

Other options:
  --scenario pci-dss          Plan a built-in example cluster here, without a server
  --json                      Print the plan as JSON`;

async function runService(args: string[], env: Env): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "create":
      return runAdmin(rest, env, SERVICE_CREATE_USAGE, SERVICE_CREATE_OPTIONS, (client, out, p) => serviceCreate(client, out, p.positionals, p.values));
    case "ls":
    case "list":
      return runAdmin(rest, env, SERVICE_LS_USAGE, { quiet: { type: "boolean", short: "q" } }, (client, out, p) =>
        serviceLs(client, out, p.values.quiet ?? false),
      );
    case "ps":
      return runAdmin(rest, env, SERVICE_PS_USAGE, { quiet: { type: "boolean", short: "q" }, "no-trunc": { type: "boolean" } }, (client, out, p) =>
        servicePs(client, out, p.positionals, { quiet: p.values.quiet ?? false, noTrunc: p.values["no-trunc"] ?? false }),
      );
    case "inspect":
      return runAdmin(rest, env, SERVICE_INSPECT_USAGE, { pretty: { type: "boolean" } }, (client, out, p) =>
        serviceInspect(client, out, p.positionals, p.values.pretty ?? false),
      );
    case "update":
      return runAdmin(rest, env, SERVICE_UPDATE_USAGE, SERVICE_UPDATE_OPTIONS, (client, out, p) => serviceUpdate(client, out, p.positionals, p.values));
    case "scale":
      return runAdmin(rest, env, SERVICE_SCALE_USAGE, {}, (client, out, p) => serviceScale(client, out, p.positionals));
    case "rm":
    case "remove":
      return runAdmin(rest, env, SERVICE_RM_USAGE, {}, (client, out, p) => serviceRm(client, out, p.positionals));
    case undefined:
    case "--help":
    case "-h":
      return console.log(SERVICE_USAGE), 0;
    default:
      throw new UsageError(`'${sub}' is not a rampart service command`);
  }
}

const SECRET_USAGE = `Usage:  rampart secret COMMAND

Manage secrets. A secret's value is sent once, when it is created, and never shown again.

Commands:
  create    Create a secret from a file or standard input   [--label k=v]... SECRET [FILE|-]
  ls        List secrets        [-q] [--filter name=PREFIX|id=PREFIX|label=KEY[=VALUE]]...
  inspect   Show secrets in detail (never their values)   [--pretty] SECRET...
  rm        Remove secrets      SECRET...
  rotate    Replace a secret with a new version everywhere it is used   [OPTIONS] SECRET FILE|-

Run 'rampart secret COMMAND --help' for more information on a command.`;

const SECRET_CREATE_USAGE = `Usage:  rampart secret create [OPTIONS] SECRET [FILE|-]

Create a secret from a file, or from standard input with '-'; prints its ID. The
value must be 1 to 511999 bytes, and is never shown again.

Options:
  -l, --label k=v   Secret label (repeatable)`;

const SECRET_LS_USAGE = `Usage:  rampart secret ls [OPTIONS]

List secrets

Options:
  -q, --quiet           Only display IDs
  -f, --filter FILTER   Filter output (repeatable): name=PREFIX, id=PREFIX,
                        label=KEY or label=KEY=VALUE`;

const SECRET_INSPECT_USAGE = `Usage:  rampart secret inspect [OPTIONS] SECRET [SECRET...]

Display detailed information on one or more secrets (JSON by default): metadata,
the services that use each one and the nodes that hold it now. Never the value.

Options:
  --pretty   Print the information in a human friendly format`;

const SECRET_RM_USAGE = `Usage:  rampart secret rm SECRET [SECRET...]

Remove one or more secrets. A secret that a service uses is not removed.`;

const SECRET_ROTATE_USAGE = `Usage:  rampart secret rotate [OPTIONS] SECRET FILE|-

Replace a secret with a new version: create the new version from a file (or from
standard input with '-'), move every service that uses SECRET to it under the same
target, owner and mode, all in one step, then follow the rollout until no task holds
SECRET any more. Prints the new version's ID first.

Options:
  --name NAME       The new version's name (default: NAME_v2 for NAME, NAME_v3 for NAME_v2)
  -l, --label k=v   The new version's labels (repeatable; default: SECRET's labels)
  -d, --detach      Do not follow the rollout
  --remove-old      Remove SECRET once no task holds it (not with --detach)`;

/** How often `secret rotate` looks at the rollout while following it. */
const ROLLOUT_POLL_MS = 1000;

async function runSecret(args: string[], env: Env): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "create":
      return runAdmin(rest, env, SECRET_CREATE_USAGE, SECRET_CREATE_OPTIONS, (client, out, p) =>
        secretCreate(client, out, p.positionals, p.values.label, processPayloadSource),
      );
    case "ls":
    case "list":
      return runAdmin(rest, env, SECRET_LS_USAGE, SECRET_LS_OPTIONS, (client, out, p) =>
        secretLs(client, out, p.positionals, p.values.quiet ?? false, p.values.filter),
      );
    case "inspect":
      return runAdmin(rest, env, SECRET_INSPECT_USAGE, { pretty: { type: "boolean" } }, (client, out, p) =>
        secretInspect(client, out, p.positionals, p.values.pretty ?? false),
      );
    case "rm":
    case "remove":
      return runAdmin(rest, env, SECRET_RM_USAGE, {}, (client, out, p) => secretRm(client, out, p.positionals));
    case "rotate":
      return runAdmin(rest, env, SECRET_ROTATE_USAGE, SECRET_ROTATE_OPTIONS, (client, out, p) =>
        secretRotate(client, out, p.positionals, processPayloadSource, {
          name: p.values.name,
          labels: parseLabels(p.values.label),
          detach: p.values.detach ?? false,
          removeOld: p.values["remove-old"] ?? false,
          intervalMs: ROLLOUT_POLL_MS,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        }),
      );
    case undefined:
    case "--help":
    case "-h":
      return console.log(SECRET_USAGE), 0;
    default:
      throw new UsageError(`'${sub}' is not a rampart secret command`);
  }
}

/** `rampart plan`: on the server, or with --scenario here, with no server at all. */
async function runPlan(args: string[], env: Env): Promise<number> {
  const p = parse(args, PLAN_OPTIONS, true);
  if (p.values.help) return console.log(PLAN_USAGE), 0;
  const scenario = p.values.scenario;
  if (scenario === undefined) {
    return runAdmin(args, env, PLAN_USAGE, PLAN_OPTIONS, (client, out, q) => planCommand(serverSource(client), out, q.positionals, q.values));
  }
  try {
    return await planCommand(scenarioSource(scenario), (line) => console.log(line), p.positionals, p.values);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/**
 * The join token: --token (as docker takes it), else --token-file, else
 * RAMPART_JOIN_TOKEN. The last two keep the token out of `ps` for the agent's whole life.
 */
function joinToken(flag: string | undefined, file: string | undefined, env: Env): string | undefined {
  if (flag) return flag;
  if (file) {
    try {
      return readFileSync(file, "utf8").trim();
    } catch {
      throw new UsageError(`--token-file: cannot read ${file}`);
    }
  }
  return env.RAMPART_JOIN_TOKEN;
}

async function runAgent(args: string[], env: Env): Promise<number> {
  const [sub, ...rest] = args;
  const out = (line: string) => console.log(line);
  const err = (line: string) => console.error(line);
  switch (sub) {
    case "join": {
      const p = parse(
        rest,
        {
          "state-dir": { type: "string" },
          hostname: { type: "string" },
          label: { type: "string", multiple: true },
          "token-file": { type: "string" },
          "secrets-root": { type: "string" },
          "allow-secrets-on-disk": { type: "boolean" },
        },
        true,
      );
      if (p.values.help) return console.log(AGENT_USAGE), 0;
      return await agentJoin(
        {
          token: joinToken(p.values.token, p.values["token-file"], env),
          stateDir: resolve(p.values["state-dir"] ?? ".rampart-agent"),
          secretsRoot: p.values["secrets-root"] === undefined ? undefined : resolve(p.values["secrets-root"]),
          allowSecretsOnDisk: p.values["allow-secrets-on-disk"] ?? false,
          hostname: p.values.hostname,
          labels: p.values.label ?? [],
          address: p.positionals[0],
          version: VERSION,
        },
        out,
        err,
      );
    }
    case "simulate": {
      const p = parse(
        rest,
        { nodes: { type: "string" }, prefix: { type: "string" }, "exit-after-join": { type: "boolean" }, "token-file": { type: "string" } },
        true,
      );
      if (p.values.help) return console.log(AGENT_USAGE), 0;
      return await agentSimulate(
        {
          token: joinToken(p.values.token, p.values["token-file"], env),
          nodes: p.values.nodes,
          prefix: p.values.prefix ?? "sim",
          address: p.positionals[0],
          exitAfterJoin: p.values["exit-after-join"] ?? false,
          version: VERSION,
        },
        out,
        err,
      );
    }
    case undefined:
    case "--help":
    case "-h":
      return console.log(AGENT_USAGE), 0;
    default:
      throw new UsageError(`'${sub}' is not a rampart agent command`);
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
        return await runAdmin(rest, env, STATUS_USAGE, {}, (client, out) => statusCommand(client, out));
      case "info":
        return await runAdmin(rest, env, "Usage:  rampart info [--data-dir DIR | --host URL --token TOKEN]", {}, (client, out) => info(client, out));
      case "swarm":
        return await runSwarm(rest, env);
      case "node":
        return await runNode(rest, env);
      case "service":
        return await runService(rest, env);
      case "secret":
        return await runSecret(rest, env);
      case "plan":
        return await runPlan(rest, env);
      case "agent":
        return await runAgent(rest, env);
      case "conformance": {
        const p = parse(rest, { vectors: { type: "string" } });
        if (p.values.help) return console.log("Usage:  rampart conformance --vectors DIR"), 0;
        if (!p.values.vectors) throw new UsageError("--vectors DIR is required");
        return conformanceCommand(resolve(p.values.vectors), (l) => console.log(l), (l) => console.error(l));
      }
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
