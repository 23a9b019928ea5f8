import type { Env } from "../env.js";
import { VERSION } from "../version.js";
import { agent } from "./agent.cli.js";
import { commandList, dispatch, type Entry, type Io } from "./cli.js";
import { conformance } from "./conformance.cli.js";
import { env } from "./env.cli.js";
import { info } from "./info.cli.js";
import { network } from "./network.cli.js";
import { node } from "./node.cli.js";
import { plan } from "./plan.cli.js";
import { seccomp } from "./seccomp.cli.js";
import { secret } from "./secret.cli.js";
import { server } from "./server.cli.js";
import { service } from "./service.cli.js";
import { status } from "./status.cli.js";
import { swarm } from "./swarm.cli.js";
import { user } from "./user.cli.js";

export { UsageError, type Command, type Entry, type Group, type Io } from "./cli.js";

/** Every `rampart` command, in the order `rampart --help` lists them. */
export const ENTRIES: readonly Entry[] = [
  server,
  status,
  info,
  env,
  swarm,
  node,
  network,
  secret,
  seccomp,
  service,
  plan,
  user,
  agent,
  conformance,
  {
    name: "version",
    aliases: ["--version"],
    summary: "Show the Rampart version",
    action: (io) => (io.out(`Rampart version ${VERSION}`), 0),
  },
  { name: "help", aliases: ["--help", "-h"], action: (io) => (io.out(usage()), 0) },
];

/** `rampart --help`: the commands come from ENTRIES, so a new one is listed where it is added. */
export function usage(): string {
  return `Usage:  rampart COMMAND [OPTIONS]

Security control plane for container clusters

Commands:
${commandList(ENTRIES)}

Global options:
  --data-dir DIR   Data directory (default ./.rampart, or RAMPART_DATA_DIR)
  --host URL       Talk to a remote server instead of the local socket (or RAMPART_HOST)
  --token TOKEN    API token for --host (or RAMPART_TOKEN)
  -h, --help       Show help

Run 'rampart COMMAND --help' for more information on a command.`;
}

/** `rampart ARGS`, writing to `io`; the exit status. */
export function rampart(argv: readonly string[], io: Io, readEnv: () => Env): Promise<number> {
  return dispatch(ENTRIES, argv, io, readEnv);
}
