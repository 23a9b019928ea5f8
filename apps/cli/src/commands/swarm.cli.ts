import { command, UsageError, type Group } from "./cli.js";
import { swarmInit, swarmJoinToken, swarmUpdate } from "./swarm.js";
import { swarmCaCommand } from "./swarm-ca.js";
import { processKeySource, swarmUnlock, swarmUnlockKey } from "./swarm-autolock.js";

const SWARM_USAGE = `Usage:  rampart swarm COMMAND

Manage the swarm

Commands:
  init         Show how to add nodes to the swarm this server created
  join-token   Show or rotate a join token:  join-token [-q] [--rotate] worker|manager
  ca           Show the trust root, or rotate it:  ca [--rotate] [--ca-cert FILE [--ca-key FILE]]
               [--external-ca protocol=cfssl,url=URL[,cacert=FILE]]... [--cert-expiry 2160h]
               [-d|--detach] [-q|--quiet]  (with --rotate and no files, a new root is made;
               the rotation is followed until every node has a certificate from it)
  unlock       Unlock a locked server: the key is read from the terminal (not echoed),
               or from the first line of standard input; never from an argument
  unlock-key   Show or rotate the unlock key:  unlock-key [-q] [--rotate]
  update       Change settings:  update [--cert-expiry 720h] [--dispatcher-heartbeat 5s]
               [--task-history-limit N]  (tasks kept per slot once ended; negative: all)
               [--external-ca protocol=cfssl,url=URL[,cacert=FILE]]...  the external CAs
               that sign node certificates, replacing the list (without cacert, under the
               current root; each must answer over TLS, as Swarm checks)
               and the runtime policy, what services may reach on their nodes
               ('rampart info' shows it; each flag changes only what it names):
               [--allow-host-path PATH]...     allow bind mounts of PATH and what is under it
                                               (a container engine's socket or state only
                                               by its exact path)
               [--disallow-host-path PATH]...  take PATH off the allowed list
               [--allow-host-network[=false]]  allow --network host
               [--allow-privileged[=false]]    allow --privileged
               [--autolock[=false]]            with autolock, the server starts locked and
                                               needs the unlock key it prints now

Seccomp profiles for --security-opt seccomp=NAME: see 'rampart seccomp --help'.

On a connected Docker Swarm (--env NAME), join-token shows and rotates Docker's tokens
('docker swarm join' commands to the leader's address); ca shows its trust root and
rotates it (Docker's ForceRotate, or a given root and key) or changes its external CAs
and expiry; update changes its certificate expiry, dispatcher heartbeat, task history
limit and autolock; unlock-key shows (audited) and rotates Docker's unlock key. Docker
Swarm has no runtime policy or seccomp profile store. 'rampart swarm unlock' unlocks this
Rampart server; a connected swarm's locked manager is unlocked on its own engine
(docker swarm unlock).`;

/** `rampart swarm …`: one usage for the noun, which each command's --help prints too. */
export const swarm: Group = {
  name: "swarm",
  summary: "Manage the swarm: init, join-token, ca, update, unlock, unlock-key",
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
      options: {
        rotate: { type: "boolean" },
        "ca-cert": { type: "string" },
        "ca-key": { type: "string" },
        "external-ca": { type: "string", multiple: true },
        "cert-expiry": { type: "string" },
        detach: { type: "boolean", short: "d" },
        quiet: { type: "boolean", short: "q" },
      },
      positionals: true,
      run: ({ admin, values }) => admin((client, out) => swarmCaCommand(client, out, values)),
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
        autolock: { type: "boolean" },
        "external-ca": { type: "string", multiple: true },
      },
      positionals: true,
      run: ({ admin, values }) => admin((client, out) => swarmUpdate(client, out, values)),
    }),
    command({
      name: "unlock",
      usage: SWARM_USAGE,
      options: {},
      positionals: false,
      run: ({ admin, values }) => {
        // --env comes with every command (cli.ts adds it); here it would name the wrong server.
        if ((values as { env?: unknown }).env !== undefined) {
          throw new UsageError("rampart swarm unlock unlocks this Rampart server, not an environment; a connected swarm's locked manager is unlocked on its own engine (docker swarm unlock)");
        }
        return admin((client) => swarmUnlock(client, processKeySource));
      },
    }),
    command({
      name: "unlock-key",
      usage: SWARM_USAGE,
      options: { quiet: { type: "boolean", short: "q" }, rotate: { type: "boolean" } },
      positionals: false,
      run: ({ admin, values }) => admin((client, out) => swarmUnlockKey(client, out, values.quiet ?? false, values.rotate ?? false)),
    }),
  ],
};
