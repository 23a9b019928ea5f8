import {
  MANAGER_ROLE,
  NO_CLIENT_CERTIFICATE,
  NO_VERIFIED_CHAIN,
  WORKER_ROLE,
  authorizeNode,
  deniedMessage,
  escapeUnsafeText,
  isRampartError,
  parseCertificate,
  quotePrefix,
  toHex,
  type Actor,
  type ErrorCode,
  type NameSummary,
  unsafeTextProblem,
} from "@rampart/core";
import { z } from "zod";
import { createAuditThrottle, type AuditService } from "../audit/index.js";
import { REPORTABLE_STATES, type AssignmentService } from "../assignments/index.js";
import type { RuntimeService } from "../runtime/index.js";
import { MAX_LOG_LINE, type LogService } from "../logs/index.js";
import type { DeliveryService } from "../delivery/index.js";
import type { ClusterService } from "../cluster/index.js";
import type { ManagerDeps } from "../deps.js";
import type { NodeService } from "../nodes/index.js";

/**
 * The node endpoint's routes (DESIGN.md §1, swarm-semantics.md §4.6), independent of
 * the TLS listener that carries them. The listener asks for a client certificate but
 * accepts a connection without one; authorisation is decided here, per route:
 *
 *   GET  /v1/ca         anyone (the joining node pins it to its token's digest)
 *   POST /v1/join       anyone with a valid join token (202 with the reason while an external CA has not signed)
 *   POST /v1/join/status  the certificate of such a join once signed, for the CSR the join sent
 *   POST /v1/renew      swarm-worker or swarm-manager certificate of this cluster (202 while pending)
 *   POST /v1/heartbeat  swarm-worker or swarm-manager certificate of this cluster
 *   GET  /v1/nodes      swarm-manager certificate only (the control API's node list)
 *   GET  /v1/assignments          the node's own tasks; `?known=<digest>` long-polls for a change
 *   POST /v1/tasks/status         tasks' progress (one update or up to 16), for the node's own tasks only
 *   GET  /v1/secrets/ID           a secret's value, only while a task of the node references it
 *   GET  /v1/seccomp/NAME         a custom seccomp profile, only while a task of the node names it
 *   GET  /v1/logs/subscriptions   log requests for the node's tasks (long poll)
 *   POST /v1/logs/publish         lines of the node's own tasks, for a subscription it was given
 *
 * A node only ever acts as itself: its identity is the certificate's CN, never a field
 * of the request.
 */
export interface PeerCertificate {
  /** The TLS layer verified the chain against the current root(s). */
  authorized: boolean;
  /** Why it did not, in OpenSSL's words (e.g. CERT_HAS_EXPIRED). */
  authorizationError: string | null;
  /** Whether the client sent a certificate at all. */
  presented: boolean;
  /**
   * The leaf's DER, or null if the client sent none. Asked for only once the chain is
   * verified and only once per connection: an untrusted certificate is never read here.
   */
  der(): Uint8Array | null;
  /**
   * The TLS connection the request came on (its socket). What its certificate says is
   * read once and kept against it (weakly, so it goes with the connection), however many
   * requests the connection carries; the listener refuses renegotiation, so a
   * connection's certificate never changes.
   */
  connection: object;
}

export interface EndpointRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query?: URLSearchParams;
  body: unknown;
  peer: PeerCertificate;
  ip: string | null;
}

export interface EndpointResponse {
  status: number;
  body: unknown;
  /** `text/plain` for the root CA; JSON otherwise. */
  text?: boolean;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  conflict: 409,
  failed_precondition: 412,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * What a node reports is shown in tables, terminals and the UI: no control or
 * bidirectional formatting characters, ever (core's one check, ADR 0013).
 */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((v, ctx) => {
      const problem = unsafeTextProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
const description = z.strictObject({
  hostname: text(254).min(1),
  os: text(32).min(1),
  arch: text(32).min(1),
  nanoCpus: z.number().int().min(0).max(1e15),
  memoryBytes: z.number().int().min(0).max(1e18),
  engineVersion: text(64).min(1),
  engineLabels: z.record(text(128), text(1024)).refine((l) => Object.keys(l).length <= 64, "at most 64 engine labels"),
  /** Discrete counts by kind; the node service checks kinds and counts with core's rules. */
  genericResources: z.record(text(128), z.number()).optional(),
  /** What runs the node's tasks (ADR 0019); absent from agents before containers ran. */
  runtime: z
    .strictObject({
      kind: z.enum(["docker", "simulated", "none"]),
      detail: text(512),
      securityOptions: z.array(text(64)).max(16),
    })
    .optional(),
});
// A token of any length is compared whole, as Swarm compares it, so a long one gets Swarm's
// answer rather than a size complaint; the listener's 64 KiB body limit bounds it.
const joinBody = z.strictObject({ token: z.string().default(""), csr: z.string().max(8192).default(""), description });
const renewBody = z.strictObject({ csr: z.string().max(8192).default("") });
const joinStatusBody = z.strictObject({ nodeId: z.string().regex(/^[0-9a-z]{25}$/, "nodeId must be a node ID"), csr: z.string().min(1).max(8192) });
/** The digest of the trust root a node holds (hex SHA-256), as it reports it. */
const trustRootDigest = z.string().regex(/^[0-9a-f]{64}$/, "trustRoot must be a hex SHA-256 digest");

/** IssueNodeCertificate's answer to an empty CSR (ca/server.go): the bare name of its gRPC code. */
const EMPTY_CSR = "InvalidArgument";
/** Dispatcher.Heartbeat for a node it has no session for (manager/dispatcher/nodes.go). */
const NODE_NOT_REGISTERED = "node not registered";
const heartbeatBody = z.strictObject({ description: description.optional(), trustRoot: trustRootDigest.optional() });
const statusUpdate = z.strictObject({
  taskId: z.string().regex(/^[0-9a-z]{25}$/, "taskId must be a task ID"),
  state: z.enum(REPORTABLE_STATES),
  message: text(256).optional(),
  /** The runtime's error, for a failed or rejected task (`task: non-zero exit (1)`, `No such image: …`). */
  err: text(1024).optional(),
  containerId: z.string().regex(/^[0-9a-f]{64}$/, "containerId must be a container ID").optional(),
  exitCode: z.number().int().min(-2147483648).max(2147483647).optional(),
});
const logPublish = z.strictObject({
  subscriptionId: z.string().regex(/^[A-Za-z0-9_-]{24}$/, "subscriptionId must be a log subscription ID"),
  lines: z
    .array(
      z.strictObject({
        taskId: z.string().regex(/^[0-9a-z]{25}$/, "taskId must be a task ID"),
        stream: z.enum(["stdout", "stderr"]),
        time: z.iso.datetime({ offset: true }),
        // One line: a newline in it could pass for a line of another task.
        line: z.string().max(MAX_LOG_LINE).refine((l) => !l.includes("\n"), "a log line may not hold a newline"),
      }),
    )
    .max(1000),
  finished: z.boolean().default(false),
});

/** Most updates one report may carry (Swarm's agent batches its status updates too). */
const MAX_STATUS_UPDATES = 16;
const statusBatch = z.strictObject({ updates: z.array(statusUpdate).min(1).max(MAX_STATUS_UPDATES) });
/** One update, or `{ updates: [...] }`: applied in order, stopping at the first refused. */
function statusUpdates(body: unknown): Array<z.infer<typeof statusUpdate>> {
  return typeof body === "object" && body !== null && "updates" in body ? statusBatch.parse(body).updates : [statusUpdate.parse(body)];
}

/** How often the same refusal (reason, node, address) is written to the audit log. */
const REFUSAL_AUDIT_INTERVAL_MS = 60_000;

function problem(status: number, message: string): EndpointResponse {
  return { status, body: { error: message } };
}

export function createNodeEndpoint(
  deps: ManagerDeps,
  audit: AuditService,
  cluster: ClusterService,
  nodes: NodeService,
  assignments: AssignmentService,
  delivery: DeliveryService,
  runtime: RuntimeService,
  logs: LogService,
) {
  const shouldAudit = createAuditThrottle(deps.now, REFUSAL_AUDIT_INTERVAL_MS);
  /**
   * Each verified connection's certificate, as far as it matters here: its subject, and
   * (once, for the node's TLS info) its authority key ID and serial. Null when core
   * cannot read it.
   */
  interface Presented {
    subject: NameSummary;
    issuerKeyId: string | null;
    serial: string;
    /** Whether the node's TLS info has been recorded for this connection yet. */
    recorded: boolean;
  }
  const subjects = new WeakMap<object, Presented | null>();

  /** What a verified peer's certificate says, read at most once per connection. */
  function presentedOf(peer: PeerCertificate): Presented | null {
    const known = subjects.get(peer.connection);
    if (known !== undefined) return known;
    const der = peer.der();
    let presented: Presented | null = null;
    try {
      if (der) {
        const parsed = parseCertificate(der);
        presented = { subject: parsed.subject, issuerKeyId: parsed.authorityKeyId ? toHex(parsed.authorityKeyId) : null, serial: parsed.serialHex, recorded: false };
      }
    } catch {
      presented = null;
    }
    deps.log.debug({ bytes: der?.length ?? 0, readable: presented !== null }, "node certificate read");
    subjects.set(peer.connection, presented);
    return presented;
  }

  /**
   * Refuses and audits. `node` is set only when the certificate was verified: the
   * subject of an untrusted certificate is whatever its maker wrote, so it is never
   * recorded as an actor, and the throttle is keyed on the address alone. The audit's
   * reason may say more than the node is told (`detail`: why TLS refused the chain).
   */
  async function refuse(reason: string, req: EndpointRequest, node: string | null, detail?: string): Promise<EndpointResponse> {
    const audited = detail ? `${reason} (${detail})` : reason;
    if (shouldAudit(`${audited}|${node ?? ""}|${req.ip ?? ""}`)) {
      const actor: Actor = node ? { type: "node", id: node, name: node } : { type: "anonymous", id: null, name: req.ip ?? "unknown" };
      try {
        await audit.record({ actor, action: "node.refused", target: { type: "route", name: req.path }, outcome: "denied", reason: audited, ip: req.ip });
      } catch (error) {
        deps.log.warn({ error: error instanceof Error ? error.name : typeof error }, "could not audit a refusal");
      }
    }
    return problem(403, reason);
  }

  /**
   * The calling node's ID, or a refusal: chain, then role, deny list and cluster. A node
   * is told what a Swarm node would be told (ca/auth.go, wrapped as the gRPC status
   * reads), so a missing or untrusted certificate gets getCertificateSubject's words.
   */
  async function identify(
    req: EndpointRequest,
    required: readonly string[] = [WORKER_ROLE, MANAGER_ROLE],
  ): Promise<{ nodeId: string } | { refused: EndpointResponse }> {
    const { peer } = req;
    // Verify first, read second: nothing of an untrusted certificate is parsed.
    if (!peer.presented) return { refused: await refuse(deniedMessage(NO_CLIENT_CERTIFICATE), req, null) };
    if (!peer.authorized) {
      return { refused: await refuse(deniedMessage(NO_VERIFIED_CHAIN), req, null, peer.authorizationError ?? "unknown reason") };
    }
    const presented = presentedOf(peer);
    const subject = presented?.subject;
    if (!presented || !subject) {
      // Rampart's own: TLS verified a chain whose leaf core's reader cannot read.
      return { refused: await refuse(deniedMessage("Permission denied: the client certificate cannot be read"), req, null) };
    }
    const cn = subject.commonName ?? null;
    const decision = authorizeNode({
      peer: { cn: cn ?? "", o: subject.organization[0] ?? "", ous: subject.organizationalUnit },
      blacklist: await nodes.deniedIds(cn ?? ""),
      clusterOrg: cluster.current().record.id,
      required,
    });
    if (!decision.allow) return { refused: await refuse(decision.message, req, cn) };
    if (!presented.recorded) {
      // Which certificate the node really uses: a rotation waits for this, not for what it says.
      presented.recorded = true;
      await nodes.sawTls(decision.nodeId, { issuerKeyId: presented.issuerKeyId, serial: presented.serial });
    }
    return { nodeId: decision.nodeId };
  }

  async function route(req: EndpointRequest): Promise<EndpointResponse> {
    const key = `${req.method} ${req.path}`;
    switch (key) {
      case "GET /v1/ca":
        return { status: 200, body: cluster.current().ca.rootPem, text: true };
      case "POST /v1/join": {
        const body = joinBody.parse(req.body);
        if (body.csr === "") return problem(400, EMPTY_CSR);
        const result = await nodes.join({ token: body.token, csrPem: body.csr, description: body.description }, req.ip);
        return { status: "pending" in result ? 202 : 200, body: result };
      }
      case "POST /v1/join/status": {
        const body = joinStatusBody.parse(req.body);
        return { status: 200, body: await nodes.certificateStatus(body.nodeId, body.csr) };
      }
      case "POST /v1/renew": {
        const who = await identify(req);
        if ("refused" in who) return who.refused;
        const body = renewBody.parse(req.body);
        if (body.csr === "") return problem(400, EMPTY_CSR);
        const renewed = await nodes.renew(who.nodeId, body.csr, req.ip);
        return { status: "pending" in renewed ? 202 : 200, body: renewed };
      }
      case "POST /v1/heartbeat": {
        const who = await identify(req);
        if ("refused" in who) return who.refused;
        const body = heartbeatBody.parse(req.body);
        if (body.description) await nodes.updateDescription(who.nodeId, body.description, req.ip);
        const role = nodes.roleOf(who.nodeId);
        if (!role) return problem(404, NODE_NOT_REGISTERED);
        const presented = presentedOf(req.peer);
        if (body.trustRoot && presented) {
          await nodes.sawTls(who.nodeId, { issuerKeyId: presented.issuerKeyId, serial: presented.serial, trustRootDigest: body.trustRoot });
        }
        return {
          status: 200,
          body: { ...nodes.heartbeat(who.nodeId, req.ip), role, rotate: nodes.certStateOf(who.nodeId) === "rotate", rootDigest: cluster.current().ca.rootDigestHex },
        };
      }
      case "GET /v1/nodes": {
        const who = await identify(req, [MANAGER_ROLE]);
        if ("refused" in who) return who.refused;
        // The certificate says manager; the store must too (a demoted node may not have renewed yet).
        if (nodes.roleOf(who.nodeId) !== "manager") {
          return refuse(`Permission denied: node ${who.nodeId} is not a manager`, req, who.nodeId);
        }
        const all = await nodes.list();
        return {
          status: 200,
          body: all.map((n) => ({ id: n.id, hostname: n.hostname, role: n.role, availability: n.availability, state: n.state })),
        };
      }
      case "GET /v1/assignments": {
        const who = await identify(req);
        if ("refused" in who) return who.refused;
        const known = req.query?.get("known") ?? undefined;
        return { status: 200, body: await assignments.poll(who.nodeId, known === undefined ? undefined : known.slice(0, 64)) };
      }
      case "POST /v1/tasks/status": {
        const who = await identify(req);
        if ("refused" in who) return who.refused;
        for (const update of statusUpdates(req.body)) {
          await assignments.report(who.nodeId, update);
        }
        return { status: 200, body: { ok: true } };
      }
      case "GET /v1/logs/subscriptions": {
        const who = await identify(req);
        if ("refused" in who) return who.refused;
        return { status: 200, body: { subscriptions: await logs.subscriptions(who.nodeId) } };
      }
      case "POST /v1/logs/publish": {
        const who = await identify(req);
        if ("refused" in who) return who.refused;
        const body = logPublish.parse(req.body);
        const lines = body.lines.map((l) => ({ taskId: l.taskId, stream: l.stream, time: new Date(l.time), line: l.line }));
        return { status: 200, body: { open: logs.publish(who.nodeId, body.subscriptionId, lines, body.finished) } };
      }
      default: {
        const secret = /^\/v1\/secrets\/([0-9a-z]{25})$/.exec(req.path);
        if (req.method === "GET" && secret) {
          const who = await identify(req);
          if ("refused" in who) return who.refused;
          return { status: 200, body: await delivery.fetch(who.nodeId, secret[1]!, req.ip) };
        }
        const profile = /^\/v1\/seccomp\/([A-Za-z0-9._-]{1,64})$/.exec(req.path);
        if (req.method === "GET" && profile) {
          const who = await identify(req);
          if ("refused" in who) return who.refused;
          return { status: 200, body: { name: profile[1]!, content: await runtime.profileForNode(who.nodeId, profile[1]!) } };
        }
        return problem(404, `no route for ${req.method} ${quotePrefix(req.path)}`);
      }
    }
  }

  return {
    async handle(req: EndpointRequest): Promise<EndpointResponse> {
      try {
        return await route(req);
      } catch (error) {
        if (error instanceof z.ZodError) {
          const issue = error.issues[0]!;
          // A record's key is checked by a schema of its own: its reason is inside.
          const reason = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
          // A path may hold a key the node sent (an engine label): never echoed raw.
          return problem(400, escapeUnsafeText(`${issue.path.map(String).join(".") || "body"}: ${reason}`));
        }
        if (isRampartError(error)) return problem(STATUS[error.code] ?? 500, STATUS[error.code] ? error.message : "internal error");
        deps.log.error({ route: req.path, error: error instanceof Error ? error.name : typeof error }, "node endpoint failed");
        return problem(500, "internal error");
      }
    },
  };
}

export type NodeEndpoint = ReturnType<typeof createNodeEndpoint>;
