import { command } from "./cli.js";
import { info as infoCommand } from "./info.js";

/** `rampart info`: the Swarm section of `docker info`. */
export const info = command({
  name: "info",
  summary: "Show the swarm, as the Swarm section of docker info",
  usage: "Usage:  rampart info [--data-dir DIR | --host URL --token TOKEN]",
  options: {},
  positionals: true,
  run: ({ admin }) => admin((client, out) => infoCommand(client, out)),
});
