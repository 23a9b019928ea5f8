import { command, type Group } from "./cli.js";
import { parseLabels, processPayloadSource, secretCreate, secretInspect, secretLs, secretRm, secretRotate } from "./secret.js";

/** How often `secret rotate` looks at the rollout while following it. */
const ROLLOUT_POLL_MS = 1000;

/** `rampart secret …`: docker's secret commands and `rotate`, each with its own usage. */
export const secret: Group = {
  name: "secret",
  summary: "Manage secrets: create, ls, inspect, rm, rotate",
  usage: `Usage:  rampart secret COMMAND

Manage secrets. A secret's value is sent once, when it is created, and never shown again.

Commands:
  create    Create a secret from a file or standard input   [--label k=v]... SECRET [FILE|-]
  ls        List secrets        [-q] [--filter name=PREFIX|id=PREFIX|label=KEY[=VALUE]]...
  inspect   Show secrets in detail (never their values)   [--pretty] SECRET...
  rm        Remove secrets      SECRET...
  rotate    Replace a secret with a new version everywhere it is used   [OPTIONS] SECRET FILE|-

Run 'rampart secret COMMAND --help' for more information on a command.`,
  commands: [
    command({
      name: "create",
      usage: `Usage:  rampart secret create [OPTIONS] SECRET [FILE|-]

Create a secret from a file, or from standard input with '-'; prints its ID. The
value must be 1 to 511999 bytes, and is never shown again.

Options:
  -l, --label k=v   Secret label (repeatable)`,
      options: { label: { type: "string", short: "l", multiple: true } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => secretCreate(client, out, positionals, values.label, processPayloadSource)),
    }),
    command({
      name: "ls",
      aliases: ["list"],
      usage: `Usage:  rampart secret ls [OPTIONS]

List secrets

Options:
  -q, --quiet           Only display IDs
  -f, --filter FILTER   Filter output (repeatable): name=PREFIX, id=PREFIX,
                        label=KEY or label=KEY=VALUE`,
      options: { quiet: { type: "boolean", short: "q" }, filter: { type: "string", short: "f", multiple: true } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => secretLs(client, out, positionals, values.quiet ?? false, values.filter)),
    }),
    command({
      name: "inspect",
      usage: `Usage:  rampart secret inspect [OPTIONS] SECRET [SECRET...]

Display detailed information on one or more secrets (JSON by default): metadata,
the services that use each one and the nodes that hold it now. Never the value.

Options:
  --pretty   Print the information in a human friendly format`,
      options: { pretty: { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => secretInspect(client, out, positionals, values.pretty ?? false)),
    }),
    command({
      name: "rm",
      aliases: ["remove"],
      usage: `Usage:  rampart secret rm SECRET [SECRET...]

Remove one or more secrets. A secret that a service uses is not removed.`,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => secretRm(client, out, positionals)),
    }),
    command({
      name: "rotate",
      usage: `Usage:  rampart secret rotate [OPTIONS] SECRET FILE|-

Replace a secret with a new version: create the new version from a file (or from
standard input with '-'), move every service that uses SECRET to it under the same
target, owner and mode, all in one step, then follow the rollout until no task holds
SECRET any more. Prints the new version's ID first. On a Docker Swarm environment
(--env), Rampart moves the services one update each, follows the rollout itself and
removes SECRET once nothing uses it.

Options:
  --name NAME       The new version's name (default: NAME_v2 for NAME, NAME_v3 for NAME_v2)
  -l, --label k=v   The new version's labels (repeatable; default: SECRET's labels)
  -d, --detach      Do not follow the rollout
  --remove-old      Remove SECRET once no task holds it (not with --detach)`,
      options: {
        name: { type: "string" },
        label: { type: "string", short: "l", multiple: true },
        detach: { type: "boolean", short: "d" },
        "remove-old": { type: "boolean" },
      },
      positionals: true,
      run: ({ admin, values, positionals }) =>
        admin((client, out) =>
          secretRotate(client, out, positionals, processPayloadSource, {
            name: values.name,
            labels: parseLabels(values.label),
            detach: values.detach ?? false,
            removeOld: values["remove-old"] ?? false,
            intervalMs: ROLLOUT_POLL_MS,
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          }),
        ),
    }),
  ],
};
