import { Agent, request, type AgentOptions } from "node:https";
import type { NodeDescription, SecretReference, TaskRuntime } from "@rampart/core";
import type { LogSubscription } from "@rampart/manager";
import { SWARM_CIPHERS } from "../server/node-endpoint.js";

/**
 * The agent's side of the node endpoint protocol. Every call after fetching the root
 * verifies the server against the pinned root, with the name every manager carries
 * (`swarm-ca`), as SwarmKit's nodes do.
 */
export class EndpointError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "EndpointError";
  }
}

export interface Tls {
  /** The pinned root; absent only for the first fetch of it. */
  ca?: string;
  key?: string;
  cert?: string;
}

function parseAddress(address: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  if (v6) return { host: v6[1]!, port: Number(v6[2]) };
  const match = /^([^:]+):(\d+)$/.exec(address);
  if (!match) throw new Error(`the manager address must be HOST:PORT, got "${address}"`);
  return { host: match[1]!, port: Number(match[2]) };
}

export interface NodeClient {
  fetchRoot(): Promise<string>;
  join(body: { token: string; csr: string; description: NodeDescription }): Promise<JoinResponse>;
  /** A join an external CA had not signed: its certificate once signed (NodeCertificateStatus). */
  joinStatus(body: { nodeId: string; csr: string }): Promise<{ certificatePem?: string; state: string; reason: string | null }>;
  renew(csr: string): Promise<{ certificatePem: string; role: "manager" | "worker" } | { pending: Pending }>;
  heartbeat(description?: NodeDescription, trustRoot?: string): Promise<HeartbeatResponse>;
  /** This node's tasks; with `known` (the last digest), the manager holds the answer until they change. */
  assignments(known?: string): Promise<AssignmentsResponse>;
  reportTask(taskId: string, state: TaskProgress, message?: string): Promise<void>;
  /** Several steps in one request, applied in order (a task accepted and then running). */
  reportTasks(updates: ReadonlyArray<TaskUpdate>): Promise<void>;
  /** A custom seccomp profile a task of this node names (`GET /v1/seccomp/NAME`). */
  fetchSeccompProfile(name: string): Promise<{ name: string; content: string }>;
  /** Log requests for this node's tasks; the manager holds the answer until there is one (up to 50 s). */
  logSubscriptions(): Promise<{ subscriptions: LogSubscription[] }>;
  /** Lines for a subscription; the answer says whether the reader still wants more. */
  publishLogs(body: { subscriptionId: string; lines: LogMessage[]; finished: boolean }): Promise<{ open: boolean }>;
  /** A secret's value (base64), which the manager gives only while a task of this node references it. */
  fetchSecret(secretId: string): Promise<{ id: string; name: string; data: string }>;
  /** Use a new key and certificate from now on (after a renewal). */
  setIdentity(tls: Tls): void;
  close(): void;
}

/** Why a certificate is not signed yet (`pending`, an external CA did not answer) or will not be (`failed`). */
export interface Pending {
  state: string;
  reason: string;
}

export type JoinResponse = {
  nodeId: string;
  role: "manager" | "worker";
  rootCaPem: string;
  heartbeatPeriodMs: number;
} & ({ certificatePem: string } | { pending: Pending });

/**
 * What the dispatcher session says beside tasks: renew now (a root rotation), and the
 * digest of the trust root this node should hold.
 */
export interface NodeSession {
  rotate: boolean;
  rootDigest: string;
}

export interface HeartbeatResponse extends NodeSession {
  heartbeatPeriodMs: number;
  role: "manager" | "worker";
}

/** A task as the manager hands it to its node. */
export interface AssignedTask {
  id: string;
  serviceId: string;
  serviceName: string;
  slot: number | null;
  specVersion: number;
  desiredState: string;
  state: string;
  /** The secrets the task reads, without their values. */
  secrets: SecretReference[];
  /** What to run: image, container, resources, host ports. */
  runtime: TaskRuntime;
}

export interface AssignmentsResponse {
  digest: string;
  /** Absent when nothing changed since the digest the node sent. */
  tasks?: AssignedTask[];
  session?: NodeSession;
}

/** A reader's request for the logs of some of this node's tasks, as the manager hands it out. */
export type { LogSubscription } from "@rampart/manager";

export interface LogMessage {
  taskId: string;
  stream: "stdout" | "stderr";
  /** RFC 3339, as the engine stamps it. */
  time: string;
  line: string;
}

export type TaskProgress = "accepted" | "preparing" | "ready" | "starting" | "running" | "complete" | "shutdown" | "failed" | "rejected";

/** One step of a task's life, as reported to the manager (Swarm's TaskStatus). */
export interface TaskUpdate {
  taskId: string;
  state: TaskProgress;
  message?: string;
  /** The runtime's error, for a failed or rejected task. */
  err?: string;
  containerId?: string;
  exitCode?: number;
}

export function createNodeClient(address: string, initial: Tls = {}, localAddress?: string): NodeClient {
  const { host, port } = parseAddress(address);
  let tls = initial;
  let agent = makeAgent();

  function makeAgent(): Agent {
    // Four sockets: the assignments and log-request long polls each hold one, and
    // heartbeats and reports use the others.
    const options: AgentOptions = { keepAlive: true, maxSockets: 4, timeout: 65_000, ...(localAddress ? { localAddress } : {}) };
    return new Agent({
      ...options,
      ...(tls.ca ? { ca: tls.ca, servername: "swarm-ca" } : { rejectUnauthorized: false }),
      ...(tls.key && tls.cert ? { key: tls.key, cert: tls.cert } : {}),
      minVersion: "TLSv1.2",
      ciphers: SWARM_CIPHERS,
    });
  }

  function call(method: "GET" | "POST", path: string, body?: unknown, timeoutMs = 30_000): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          path,
          method,
          agent,
          ...(localAddress ? { localAddress } : {}),
          servername: tls.ca ? "swarm-ca" : undefined,
          headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer from ${address} in ${timeoutMs / 1000} s`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  async function json<T>(method: "GET" | "POST", path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const { status, text } = await call(method, path, body, timeoutMs);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new EndpointError(status, `the manager answered ${status} with something that is not JSON`);
    }
    // 202: accepted, not done (a certificate an external CA has not signed yet); the body says why.
    if (status !== 200 && status !== 202) throw new EndpointError(status, (parsed as { error?: string }).error ?? `the manager answered ${status}`);
    return parsed as T;
  }

  return {
    async fetchRoot() {
      const { status, text } = await call("GET", "/v1/ca");
      if (status !== 200) throw new EndpointError(status, `the manager answered ${status} for its root CA`);
      return text;
    },
    join: (body) => json("POST", "/v1/join", body),
    joinStatus: (body) => json("POST", "/v1/join/status", body),
    renew: (csr) => json("POST", "/v1/renew", { csr }),
    heartbeat: (description, trustRoot) => json("POST", "/v1/heartbeat", { ...(description ? { description } : {}), ...(trustRoot ? { trustRoot } : {}) }),
    // The manager holds a poll up to 50 s; allow it 65.
    assignments: (known) => json("GET", known === undefined ? "/v1/assignments" : `/v1/assignments?known=${encodeURIComponent(known)}`, undefined, 65_000),
    fetchSecret: (secretId) => json("GET", `/v1/secrets/${encodeURIComponent(secretId)}`),
    fetchSeccompProfile: (name) => json("GET", `/v1/seccomp/${encodeURIComponent(name)}`),
    logSubscriptions: () => json("GET", "/v1/logs/subscriptions", undefined, 65_000),
    publishLogs: (body) => json("POST", "/v1/logs/publish", body),
    async reportTask(taskId, state, message) {
      await json("POST", "/v1/tasks/status", { taskId, state, ...(message ? { message } : {}) });
    },
    async reportTasks(updates) {
      await json("POST", "/v1/tasks/status", { updates });
    },
    setIdentity(next) {
      tls = next;
      agent.destroy();
      agent = makeAgent();
    },
    close() {
      agent.destroy();
    },
  };
}
