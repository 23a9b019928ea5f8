import { command } from "./cli.js";
import { info as infoCommand } from "./info.js";

/** `rampart info`: the Swarm section of `docker info`; with `--env NAME`, a connected swarm's own. */
export const info = command({
  name: "info",
  summary: "Show the swarm, as the Swarm section of docker info",
  usage: `Usage:  rampart info [--env NAME] [--data-dir DIR | --host URL --token TOKEN]

With --env NAME (a connected Docker Swarm), the Swarm section is Docker's own, as
'docker info' prints it, then the swarm's trust root.`,
  options: {},
  positionals: true,
  run: ({ admin }) => admin((client, out) => infoCommand(client, out)),
});
