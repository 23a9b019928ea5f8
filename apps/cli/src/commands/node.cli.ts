import { command, type Group } from "./cli.js";
import { nodeDemote, nodeInspect, nodeLs, nodePromote, nodeRm, nodeUpdate } from "./node.js";

const NODE_USAGE = `Usage:  rampart node COMMAND

Manage nodes

Commands:
  ls        List nodes  [-q]
  inspect   Show nodes in detail  [--pretty] NODE...
  update    Update a node  [--label-add k=v]... [--label-rm k]... [--availability active|pause|drain] NODE
  promote   Make nodes managers  NODE...
  demote    Make managers workers  NODE...
  rm        Remove nodes  [--force] NODE...

'node ls' prints docker's columns, then TLS STATUS and CERT EXPIRY. STATUS is marked
'(simulated)' for a node that runs nothing (agent simulate) and '(no runtime)' for one
whose container engine could not be reached, which gets no tasks; a hostname that more
than one node reports is marked '(!)'. Each mark has a footnote under the list.
'node inspect' shows the runtime: its kind, the engine's address or why there is none,
and the engine's security options.

On a connected Docker Swarm (--env NAME), 'node ls' prints docker's columns with
Docker's words for the state and the raft's reachability, then TLS STATUS (Ready: the
node's certificate chains to the swarm's current root); Docker reports no certificate
expiry. 'node inspect --pretty' prints docker's layout, its TLS info decoded, and what
Docker does not report. Nodes are named as docker names them: ID, hostname or ID prefix.`;

/** `rampart node …`: one usage for the noun, which each command's --help prints too. */
export const node: Group = {
  name: "node",
  summary: "Manage nodes: ls, inspect, update, promote, demote, rm",
  usage: NODE_USAGE,
  commands: [
    command({
      name: "ls",
      aliases: ["list"],
      usage: NODE_USAGE,
      options: { quiet: { type: "boolean", short: "q" } },
      positionals: true,
      run: ({ admin, values }) => admin((client, out) => nodeLs(client, out, values.quiet ?? false)),
    }),
    command({
      name: "inspect",
      usage: NODE_USAGE,
      options: { pretty: { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => nodeInspect(client, out, positionals, values.pretty ?? false)),
    }),
    command({
      name: "update",
      usage: NODE_USAGE,
      options: {
        "label-add": { type: "string", multiple: true },
        "label-rm": { type: "string", multiple: true },
        availability: { type: "string" },
      },
      positionals: true,
      run: ({ admin, values, positionals }) =>
        admin((client, out) => nodeUpdate(client, out, positionals, values["label-add"] ?? [], values["label-rm"] ?? [], values.availability)),
    }),
    command({
      name: "promote",
      usage: NODE_USAGE,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => nodePromote(client, out, positionals)),
    }),
    command({
      name: "demote",
      usage: NODE_USAGE,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => nodeDemote(client, out, positionals)),
    }),
    command({
      name: "rm",
      aliases: ["remove"],
      usage: NODE_USAGE,
      options: { force: { type: "boolean", short: "f" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => nodeRm(client, out, positionals, values.force ?? false)),
    }),
  ],
};
