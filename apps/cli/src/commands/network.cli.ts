import { command, type Group } from "./cli.js";
import { networkCreate, networkInspect, networkLs, networkRm } from "./network.js";

/** `rampart network …`: a connected Docker Swarm's overlay networks (Rampart's own cluster has none). */
export const network: Group = {
  name: "network",
  summary: "Manage a connected swarm's overlay networks: ls, inspect, create, rm",
  usage: `Usage:  rampart network COMMAND --env NAME

Manage the overlay networks of a connected Docker Swarm (choose it with --env NAME or
RAMPART_ENV). Rampart's own cluster has no overlay networks.

Commands:
  ls        List networks  [-q]
  inspect   Show networks in detail  [--pretty] NETWORK...
  create    Create an overlay network, encrypted unless --encrypted=false  [OPTIONS] NETWORK
  rm        Remove networks (Docker refuses one a service uses)  NETWORK...

Run 'rampart network COMMAND --help' for more information on a command.`,
  commands: [
    command({
      name: "ls",
      aliases: ["list"],
      usage: `Usage:  rampart network ls [OPTIONS]

List the swarm's networks: docker's columns, then ENCRYPTED.

Options:
  -q, --quiet   Only display network IDs`,
      options: { quiet: { type: "boolean", short: "q" } },
      positionals: true,
      run: ({ admin, values }) => admin((client, out) => networkLs(client, out, values.quiet ?? false)),
    }),
    command({
      name: "inspect",
      usage: `Usage:  rampart network inspect [OPTIONS] NETWORK [NETWORK...]

Display detailed information on one or more networks (JSON by default), with the
services attached to each.

Options:
  --pretty   Print the information in a human friendly format`,
      options: { pretty: { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => networkInspect(client, out, positionals, values.pretty ?? false)),
    }),
    command({
      name: "create",
      usage: `Usage:  rampart network create [OPTIONS] NETWORK

Create an overlay network; prints its ID. Traffic between nodes is encrypted (the
overlay driver's 'encrypted' option) unless --encrypted=false is given.

Options:
  -d, --driver overlay     Driver (only overlay)
  -o, --opt encrypted      Encrypt traffic between nodes (the default)
      --encrypted=false    Do not encrypt traffic between nodes
      --internal           Restrict external access to the network
      --attachable         Let standalone containers attach, not only services
      --subnet CIDR        Subnet, e.g. 10.20.0.0/24 (Docker picks one otherwise)
      --label k=v          Network label (repeatable)`,
      options: {
        driver: { type: "string", short: "d" },
        opt: { type: "string", short: "o", multiple: true },
        encrypted: { type: "boolean" },
        internal: { type: "boolean" },
        attachable: { type: "boolean" },
        subnet: { type: "string", multiple: true },
        label: { type: "string", multiple: true },
      },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => networkCreate(client, out, positionals, values)),
    }),
    command({
      name: "rm",
      aliases: ["remove"],
      usage: `Usage:  rampart network rm NETWORK [NETWORK...]

Remove one or more networks. Docker refuses a network a service still uses.`,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => networkRm(client, out, positionals)),
    }),
  ],
};
