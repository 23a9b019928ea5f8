import { command, type Group } from "./cli.js";
import { envAdd, envInspect, envLs, envRm } from "./env.js";

const ENV_USAGE = `Usage:  rampart env COMMAND

Manage environments: the Docker Swarms this server administers beside its own cluster
('native'). A connection to an engine is root on its host: only administrators add and
remove them, and each connection and each use is audited.

Commands:
  add       Connect a swarm through a manager's Engine API
            NAME --docker-host URL [--tlscacert F --tlscert F --tlskey F] [--insecure]
  ls        List environments  [-q]
  inspect   Show environments in detail  [--pretty] NAME...
  rm        Forget environments (the swarms are untouched)  NAME...

Choose the environment of any cluster command with '--env NAME' after the command, or
before it ('rampart --env NAME service create …', where '--env' after 'service create'
is docker's container variable), or with RAMPART_ENV.`;

/** `rampart env …`: one usage for the noun, which each command's --help prints too. */
export const env: Group = {
  name: "env",
  summary: "Manage environments (connected Docker Swarms): add, ls, inspect, rm",
  usage: ENV_USAGE,
  commands: [
    command({
      name: "add",
      aliases: ["connect"],
      usage: `Usage:  rampart env add NAME --docker-host URL [OPTIONS]

Connect a Docker Swarm through one of its managers' Engine API, after checking that the
engine answers, is in a swarm and is a manager. Prints the swarm's ID.

Options:
  --docker-host URL   unix:///var/run/docker.sock, or tcp://HOST:PORT
  --tlscacert FILE    The engine's CA certificate (PEM)
  --tlscert FILE      This server's client certificate (PEM)
  --tlskey FILE       Its key (PEM): sealed in the store, never shown again
  --insecure          tcp:// without TLS (shown as a warning everywhere)`,
      options: {
        "docker-host": { type: "string" },
        tlscacert: { type: "string" },
        tlscert: { type: "string" },
        tlskey: { type: "string" },
        insecure: { type: "boolean" },
      },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => envAdd(client, out, positionals, values)),
    }),
    command({
      name: "ls",
      aliases: ["list"],
      usage: ENV_USAGE,
      options: { quiet: { type: "boolean", short: "q" } },
      positionals: true,
      run: ({ admin, values }) => admin((client, out) => envLs(client, out, values.quiet ?? false)),
    }),
    command({
      name: "inspect",
      usage: ENV_USAGE,
      options: { pretty: { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => envInspect(client, out, positionals, values.pretty ?? false)),
    }),
    command({
      name: "rm",
      aliases: ["remove"],
      usage: ENV_USAGE,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => envRm(client, out, positionals)),
    }),
  ],
};
