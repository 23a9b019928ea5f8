import { command } from "./cli.js";
import { statusCommand } from "./status.js";

/** `rampart status`: exit status 0 only when the server and its store are healthy. */
export const status = command({
  name: "status",
  summary: "Show the server's and the store's status",
  usage: `Usage:  rampart status [OPTIONS]

Show the server's and the store's status. Exits 0 when healthy, 1 otherwise.

Options:
  --data-dir DIR   Talk to the server that owns this data directory
  --host URL       Talk to a remote server (with --token)
  --token TOKEN    API token for --host`,
  options: {},
  positionals: true,
  run: ({ admin }) => admin((client, out) => statusCommand(client, out)),
});
