import { RampartError } from "../errors/index.js";

/**
 * Environments (ADR 0020): Rampart's own cluster, always named `native`, and the Docker
 * Swarms a server is connected to, each reached through one manager's Engine API.
 */
export const NATIVE_ENV = "native";

export const ENV_NAME_MAX_LENGTH = 63;
const ENV_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** A new environment's name: what `--env NAME` and the UI's address use. */
export function checkEnvironmentName(name: string): string {
  if (name.length === 0) throw new RampartError("invalid_argument", "an environment needs a name", { field: "name" });
  if (name.length > ENV_NAME_MAX_LENGTH) {
    throw new RampartError("invalid_argument", `environment name is ${name.length} characters long: the limit is ${ENV_NAME_MAX_LENGTH}`, { field: "name" });
  }
  if (!ENV_NAME.test(name)) {
    throw new RampartError("invalid_argument", `environment name ${JSON.stringify(name)} must be lower-case letters, digits, '_', '.' and '-', starting with a letter or digit`, {
      field: "name",
    });
  }
  if (name === NATIVE_ENV) throw new RampartError("invalid_argument", `"${NATIVE_ENV}" is the name of Rampart's own cluster`, { field: "name" });
  return name;
}

/** Where a Docker Engine listens, as `DOCKER_HOST` writes it. */
export type DockerHost = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

export const DOCKER_HOST_MAX_LENGTH = 512;

/** Parses `unix:///path` or `tcp://host:port` (IPv6 hosts in brackets), with Docker's default TLS port when none is given. */
export function parseDockerHost(url: string): DockerHost {
  const bad = (why: string) => new RampartError("invalid_argument", `docker host ${JSON.stringify(url)} ${why}`, { field: "dockerHost" });
  if (url.length > DOCKER_HOST_MAX_LENGTH) throw bad(`is longer than ${DOCKER_HOST_MAX_LENGTH} characters`);
  if (url.startsWith("unix://")) {
    const path = url.slice("unix://".length);
    if (!path.startsWith("/")) throw bad("must name an absolute socket path: unix:///var/run/docker.sock");
    if (/[\0\n\r]/.test(path)) throw bad("holds a control character");
    return { kind: "unix", path };
  }
  if (url.startsWith("tcp://")) {
    const rest = url.slice("tcp://".length).replace(/\/$/, "");
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(rest);
    if (!match) throw bad("must be tcp://HOST:PORT");
    const port = match[2] === undefined ? 2376 : Number(match[2]);
    if (port < 1 || port > 65535) throw bad(`has port ${port}: a port is 1 to 65535`);
    return { kind: "tcp", host: match[1]!.replace(/^\[|\]$/g, ""), port };
  }
  throw bad("must start with unix:// or tcp://");
}

/** A connection's health, as the shell shows it at all times. */
export type ConnectionState =
  /** The manager answers as a manager. */
  | "connected"
  /** The engine does not answer (since `since`). */
  | "unreachable"
  /** The engine answers but is no longer a swarm manager (demoted, left the swarm). */
  | "manager-lost";
