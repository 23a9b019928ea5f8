import { command, type Group } from "./cli.js";
import { seccompCreate, seccompInspect, seccompLs, seccompRm } from "./seccomp.js";
import { processPayloadSource } from "./secret.js";

/**
 * `rampart seccomp …`: Rampart's own noun, shaped like docker's `secret` (create, ls,
 * inspect, rm). Docker has none: `docker run --security-opt seccomp=FILE` reads a file on
 * the machine it runs on, which a swarm's nodes are not.
 */
export const seccomp: Group = {
  name: "seccomp",
  summary: "Manage seccomp profiles for --security-opt: create, ls, inspect, rm",
  usage: `Usage:  rampart seccomp COMMAND

Manage the seccomp profiles stored in the swarm. A service uses one with
'--security-opt seccomp=NAME'; the nodes that run its tasks get the profile from the
swarm. A profile never changes: store a new version under a new name.

Commands:
  create    Store a profile from a file or standard input   NAME FILE|-
  ls        List profiles       [-q]
  inspect   Show profiles in detail, with the services that use them   [--pretty] NAME...
  rm        Remove profiles no service uses   NAME...

Run 'rampart seccomp COMMAND --help' for more information on a command.`,
  commands: [
    command({
      name: "create",
      usage: `Usage:  rampart seccomp create NAME FILE|-

Store a seccomp profile (the JSON 'docker run --security-opt seccomp=FILE' reads) from a
file, or from standard input with '-'; prints its ID. NAME is 1 to 64 letters, digits,
'.', '_' or '-'.`,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => seccompCreate(client, out, positionals, processPayloadSource)),
    }),
    command({
      name: "ls",
      aliases: ["list"],
      usage: `Usage:  rampart seccomp ls [OPTIONS]

List seccomp profiles

Options:
  -q, --quiet   Only display names`,
      options: { quiet: { type: "boolean", short: "q" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => seccompLs(client, out, positionals, values.quiet ?? false)),
    }),
    command({
      name: "inspect",
      usage: `Usage:  rampart seccomp inspect [OPTIONS] NAME [NAME...]

Display one or more seccomp profiles (JSON by default, with each profile's content),
and the services that use each one.

Options:
  --pretty   Print the information in a human friendly format, without the content`,
      options: { pretty: { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => seccompInspect(client, out, positionals, values.pretty ?? false)),
    }),
    command({
      name: "rm",
      aliases: ["remove"],
      usage: `Usage:  rampart seccomp rm NAME [NAME...]

Remove one or more seccomp profiles. A profile that a service uses is not removed.`,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => seccompRm(client, out, positionals)),
    }),
  ],
};
