import { RampartError, type ErrorCode } from "@rampart/core";
import { connectionProblem, type ConnectionTarget } from "./client.js";
import type { DockerHost } from "@rampart/core";

/**
 * The engine's own refusals, with Docker's text as it is (ADR 0020): the status tells
 * the kind, the message is Docker's. A lost race on a version index is 409 with Docker's
 * `update out of sequence`; asking a worker or a node outside a swarm is a lost manager.
 */
const BY_STATUS: Record<number, ErrorCode> = {
  400: "invalid_argument",
  401: "permission_denied",
  403: "permission_denied",
  404: "not_found",
  409: "conflict",
  // A node that is not (or no longer) a manager: Docker answers 503 with its sentence.
  503: "unavailable",
  // Docker's 500s are the swarm refusing (an rpc error from its manager), not Rampart failing.
  500: "failed_precondition",
};

/** SwarmKit's refusal of a write made at a version index that is no longer current. */
const OUT_OF_SEQUENCE = /\bupdate out of sequence\b/;

export function dockerMessage(error: unknown): string | undefined {
  const e = error as { json?: unknown; message?: string };
  const json = e?.json as { message?: unknown } | string | null | undefined;
  if (json && typeof json === "object" && typeof json.message === "string") return json.message;
  if (typeof json === "string" && json.length > 0) return json.trim();
  return undefined;
}

/** Whether the engine said it is not a swarm manager (a worker, or not in a swarm). */
export function isNotManager(error: unknown): boolean {
  const message = dockerMessage(error) ?? "";
  return (error as { statusCode?: number })?.statusCode === 503 && /not a swarm manager|not part of a swarm/i.test(message);
}

/**
 * Any failure of a call to a connected swarm, as the RampartError the API maps to a
 * status: the engine's answer, or the network's failure. Anything else (a fault in
 * Rampart's own code) is returned as it is, to be logged and answered as one.
 */
export function dockerError(error: unknown, host: DockerHost, target: Pick<ConnectionTarget, "tls">): unknown {
  if (error instanceof RampartError) return error;
  const unreachable = connectionProblem(error, host, target);
  if (unreachable) return unreachable;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== "number") return error;
  const text = dockerMessage(error) ?? `the engine answered ${status}`;
  // Engine 20.10 answers a stale version index with 500 (SwarmKit's untyped error); it is a lost race.
  if (OUT_OF_SEQUENCE.test(text)) return new RampartError("conflict", text);
  const code = BY_STATUS[status] ?? (status >= 400 && status < 500 ? "invalid_argument" : "failed_precondition");
  return new RampartError(code, text);
}
