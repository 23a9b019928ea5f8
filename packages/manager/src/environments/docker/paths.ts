import { RampartError } from "@rampart/core";
import type Docker from "dockerode";

/**
 * References people give (an ID, an ID prefix or a name) as path segments of the Engine
 * API. Docker resolves the reference itself; what could make the request another
 * endpoint's (a `/`, a `.` or `..` segment that the HTTP client folds away, nothing at
 * all) is refused here, and everything else is percent-encoded so that `?`, `#` or `%`
 * stay part of the name.
 */

/** The longest reference sent: Docker's IDs are 25 or 64 characters and its names shorter than this. */
export const MAX_REF_LENGTH = 256;

/** `ref` as one path segment of an Engine API call about a `noun` (node, service, secret, network). */
export function objectRefPath(ref: string, noun: string): string {
  const refuse = (why: string) => new RampartError("invalid_argument", why, { field: "ref" });
  if (ref === "") throw refuse(`a ${noun} is named by its ID, an ID prefix or its name: none was given`);
  if (ref.length > MAX_REF_LENGTH) throw refuse(`a ${noun} is named by its ID, an ID prefix or its name, of at most ${MAX_REF_LENGTH} characters: this one has ${ref.length}`);
  if (ref.includes("/")) throw refuse(`${noun} ${JSON.stringify(ref)} not found: a ${noun} is named by its ID, an ID prefix or its name, none of which holds "/"`);
  if (ref === "." || ref === "..") throw refuse(`${noun} ${JSON.stringify(ref)} not found: a ${noun} is named by its ID, an ID prefix or its name, none of which is "." or ".."`);
  return encodeURIComponent(ref);
}

/**
 * `GET /networks/{ref}?scope=swarm`: a name answers only for the swarm's networks, never
 * for an engine's local one. dockerode sends an inspect's options as the query; its
 * types leave them out.
 */
export function inspectNetworkInSwarm(docker: Docker, ref: string): Promise<unknown> {
  const network = docker.getNetwork(objectRefPath(ref, "network"));
  return (network.inspect as unknown as (options: { scope: string }) => Promise<unknown>).call(network, { scope: "swarm" });
}
