import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Env } from "../env.js";
import { VERSION } from "../version.js";
import { agentJoin, agentSimulate } from "./agent.js";
import { command, UsageError, type Group } from "./cli.js";

const AGENT_USAGE = `Usage:  rampart agent COMMAND

Run a node

Commands:
  join       Join a swarm and keep the node's identity alive
             join --token TOKEN [--state-dir DIR] [--hostname NAME] [--label k=v]... HOST:PORT
             (or --token-file FILE, or RAMPART_JOIN_TOKEN, to keep the token out of ps)
             --secrets-root DIR      where tasks' secrets are written: DIR/<task>/<target>;
                                     a directory of this user, mode 0700, on tmpfs
                                     (default: a new one under /dev/shm for each run)
             --allow-secrets-on-disk accept a secrets root that is not tmpfs (development only)
             --generic-resource KIND=N  advertise N of a generic resource, e.g. gpu=2
                                     (repeatable; as dockerd's --node-generic-resource)
             --runtime docker|simulated  what runs tasks (default docker: every task is a
                                     container of this node's engine; simulated: nothing runs)
             --docker-host ADDR      the engine: unix:///path, tcp://host:port or ssh://host
                                     (default DOCKER_HOST, else unix:///var/run/docker.sock;
                                     Podman's Docker-compatible socket works too)
  simulate   Run many simulated nodes in this process, over the real protocol
             simulate --nodes N --token TOKEN [--prefix sim] [--exit-after-join] HOST:PORT`;

/**
 * The join token: --token (as docker takes it), else --token-file, else
 * RAMPART_JOIN_TOKEN. The last two keep the token out of `ps` for the agent's whole life.
 */
export function joinToken(flag: string | undefined, file: string | undefined, env: Env): string | undefined {
  if (flag) return flag;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      throw new UsageError(`--token-file: cannot read ${file}`);
    }
    // The file's words are never echoed: it holds a credential, or something in its place.
    const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    if (lines.length === 0) throw new UsageError(`--token-file: ${file} is empty; write the token to it with \`rampart swarm join-token -q worker\``);
    if (lines.length > 1) {
      throw new UsageError(`--token-file: ${file} holds ${lines.length} lines; it must hold the token alone (a command's own output, such as pnpm's, may have been written to it)`);
    }
    return lines[0];
  }
  return env.RAMPART_JOIN_TOKEN;
}

/** `rampart agent …`: the node side, run here; one usage for the noun, which each command's --help prints too. */
export const agent: Group = {
  name: "agent",
  summary: "Run a node: join, simulate",
  usage: AGENT_USAGE,
  commands: [
    command({
      name: "join",
      usage: AGENT_USAGE,
      options: {
        "state-dir": { type: "string" },
        hostname: { type: "string" },
        label: { type: "string", multiple: true },
        "token-file": { type: "string" },
        "secrets-root": { type: "string" },
        "allow-secrets-on-disk": { type: "boolean" },
        "generic-resource": { type: "string", multiple: true },
        runtime: { type: "string" },
        "docker-host": { type: "string" },
      },
      positionals: true,
      run: ({ values, positionals, env, io }) =>
        agentJoin(
          {
            token: joinToken(values.token, values["token-file"], env),
            stateDir: resolve(values["state-dir"] ?? ".rampart-agent"),
            secretsRoot: values["secrets-root"] === undefined ? undefined : resolve(values["secrets-root"]),
            allowSecretsOnDisk: values["allow-secrets-on-disk"] ?? false,
            hostname: values.hostname,
            labels: values.label ?? [],
            genericResources: values["generic-resource"] ?? [],
            address: positionals[0],
            version: VERSION,
            runtime: values.runtime,
            dockerHost: values["docker-host"],
            env,
          },
          io.out,
          io.err,
        ),
    }),
    command({
      name: "simulate",
      usage: AGENT_USAGE,
      options: {
        nodes: { type: "string" },
        prefix: { type: "string" },
        "exit-after-join": { type: "boolean" },
        "token-file": { type: "string" },
      },
      positionals: true,
      run: ({ values, positionals, env, io }) =>
        agentSimulate(
          {
            token: joinToken(values.token, values["token-file"], env),
            nodes: values.nodes,
            prefix: values.prefix ?? "sim",
            address: positionals[0],
            exitAfterJoin: values["exit-after-join"] ?? false,
            version: VERSION,
          },
          io.out,
          io.err,
        ),
    }),
  ],
};
