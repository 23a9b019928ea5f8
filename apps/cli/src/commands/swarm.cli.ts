import { command, type Group } from "./cli.js";
import { swarmCa, swarmInit, swarmJoinToken, swarmUpdate } from "./swarm.js";

const SWARM_USAGE = `Usage:  rampart swarm COMMAND

Manage the swarm

Commands:
  init         Show how to add nodes to the swarm this server created
  join-token   Show or rotate a join token:  join-token [-q] [--rotate] worker|manager
  ca           Show the trust root (the root CA certificate)
  update       Change settings:  update [--cert-expiry 720h] [--dispatcher-heartbeat 5s]
               [--task-history-limit N]  (tasks kept per slot once ended; negative: all)
               and the runtime policy, what services may reach on their nodes
               ('rampart info' shows it; each flag changes only what it names):
               [--allow-host-path PATH]...     allow bind mounts of PATH and what is under it
                                               (a container engine's socket or state only
                                               by its exact path)
               [--disallow-host-path PATH]...  take PATH off the allowed list
               [--allow-host-network[=false]]  allow --network host
               [--allow-privileged[=false]]    allow --privileged

Seccomp profiles for --security-opt seccomp=NAME: see 'rampart seccomp --help'.`;

/** `rampart swarm …`: one usage for the noun, which each command's --help prints too. */
export const swarm: Group = {
  name: "swarm",
  summary: "Manage the swarm: init, join-token, ca, update",
  usage: SWARM_USAGE,
  commands: [
    command({
      name: "init",
      usage: SWARM_USAGE,
      options: {},
      positionals: true,
      run: ({ admin }) => admin((client, out) => swarmInit(client, out)),
    }),
    command({
      name: "join-token",
      usage: SWARM_USAGE,
      options: { quiet: { type: "boolean", short: "q" }, rotate: { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) =>
        admin((client, out) => swarmJoinToken(client, out, positionals[0], values.quiet ?? false, values.rotate ?? false)),
    }),
    command({
      name: "ca",
      usage: SWARM_USAGE,
      options: {},
      positionals: true,
      run: ({ admin }) => admin((client, out) => swarmCa(client, out)),
    }),
    command({
      name: "update",
      usage: SWARM_USAGE,
      options: {
        "cert-expiry": { type: "string" },
        "dispatcher-heartbeat": { type: "string" },
        "task-history-limit": { type: "string" },
        "allow-host-path": { type: "string", multiple: true },
        "disallow-host-path": { type: "string", multiple: true },
        "allow-host-network": { type: "boolean" },
        "allow-privileged": { type: "boolean" },
      },
      positionals: true,
      run: ({ admin, values }) => admin((client, out) => swarmUpdate(client, out, values)),
    }),
  ],
};
