import { createPublicKey, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { buildRootCertificate, jsonNestingProblem, toPem } from "@rampart/core";
import { SWARM_LOCKED_MESSAGE, subjectKeyId, type EndpointResponse, type Logger, type NodeEndpoint } from "@rampart/manager";
import { PUBLIC_LISTENER_OPTIONS } from "./connections.js";

/**
 * The node endpoint's TLS listener (port 2377). TLS 1.2 or later with Swarm's cipher
 * suites; a client certificate is asked for but not required, because joining nodes
 * have none yet. The chain is verified here against the current root; whether the
 * certificate may call a route is decided by the manager's handlers.
 */
export const SWARM_CIPHERS = [
  // TLS 1.3 suites: without them in the list, Node turns TLS 1.3 off.
  "TLS_AES_256_GCM_SHA384",
  "TLS_AES_128_GCM_SHA256",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

const MAX_BODY_BYTES = 64 * 1024;
/**
 * A body over the limit is still read, and thrown away, up to this much more before the
 * 413 goes out: a server that closes while the client is still sending makes the
 * client's kernel see a reset, and the client never reads the answer. Past this the
 * 413 is sent and the connection closed at once.
 */
const MAX_DISCARDED_BYTES = 1024 * 1024;

export interface NodeEndpointTls {
  key: string;
  cert: string;
  rootPem: string;
}

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES + MAX_DISCARDED_BYTES) resolve("too-large");
      else if (size > MAX_BODY_BYTES) chunks.length = 0;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, text = false): void {
  const payload = text ? String(body) : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": text ? "application/x-pem-file" : "application/json",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
  });
  res.end(payload);
}

/**
 * The node endpoint of a locked server (ADR 0022): every route answers Swarm's sentence
 * with 503, and nothing else is read or written.
 */
export const LOCKED_NODE_ENDPOINT: Pick<NodeEndpoint, "handle"> = {
  handle: (): Promise<EndpointResponse> => Promise.resolve({ status: 503, body: { error: SWARM_LOCKED_MESSAGE } }),
};

/** The locked listener's name, as a client that does not verify sees it. */
export const LOCKED_COMMON_NAME = "rampart-locked";

/**
 * The TLS identity of a locked server's node listener: a key made in memory for this
 * start and never written, in a self-signed certificate (CN rampart-locked) that chains
 * to no swarm root. The node key is encrypted and nothing else may stand in for it, so a
 * node that verifies its manager (every agent, once joined) refuses the handshake and
 * retries, as it does with a manager that is down; a client that does not verify (the
 * first `GET /v1/ca` of a join, curl -k) reads Swarm's sentence.
 */
export function lockedTls(now: Date = new Date()): NodeEndpointTls {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const der = buildRootCertificate(
    {
      serial,
      notBefore: new Date(now.getTime() - 60 * 60_000),
      notAfter: new Date(now.getTime() + 7 * 86_400_000),
      spki,
      subjectKeyId: subjectKeyId(spki),
      commonName: LOCKED_COMMON_NAME,
    },
    (tbs) => new Uint8Array(sign("sha256", tbs, privateKey)),
  );
  const cert = toPem(der, "CERTIFICATE");
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert, rootPem: cert };
}

/**
 * The listener. `endpoint` is read on every request, so a locked server's listener
 * (LOCKED_NODE_ENDPOINT, `lockedTls`) becomes the manager's once it is unlocked: its
 * context is replaced (`setSecureContext`) and the connections made while locked closed.
 */
export function createNodeEndpointServer(endpoint: () => Pick<NodeEndpoint, "handle">, tls: NodeEndpointTls, log: Logger, onRequest?: () => () => void): Server {
  const server = createServer(
    {
      ...PUBLIC_LISTENER_OPTIONS,
      key: tls.key,
      cert: tls.cert,
      ca: [tls.rootPem],
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: "TLSv1.2",
      ciphers: SWARM_CIPHERS,
      honorCipherOrder: true,
    },
    (req, res) => {
      const leave = onRequest?.();
      handle(req, res)
        .catch((error: unknown) => log.error({ error: error instanceof Error ? error.name : typeof error }, "node endpoint request failed"))
        .finally(() => leave?.());
    },
  );
  // The manager reads a connection's certificate once and keeps what it says for the
  // connection's life; TLS 1.2 renegotiation could swap the certificate under it.
  server.on("secureConnection", (socket: TLSSocket) => socket.disableRenegotiation());
  // Agents keep one connection open across heartbeats.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 20_000;
  // Assignment polls are held up to 50 s.
  server.requestTimeout = 70_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as TLSSocket;
    // The request target is the client's text: split it by hand (`new URL` throws on `//x`).
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? "" : target.slice(queryAt + 1));
    const started = performance.now();
    res.on("finish", () =>
      log.debug({ method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started), channel: "node" }, "request"),
    );
    try {
      let body: unknown;
      if (req.method === "POST") {
        if ((req.headers["content-type"] ?? "").split(";")[0]!.trim() !== "application/json") {
          return send(res, 415, { error: "requests must be sent as application/json" });
        }
        const raw = await readBody(req);
        if (raw === "too-large") {
          // Answer, then close: what is left of the body is not read as a next request.
          res.setHeader("connection", "close");
          return send(res, 413, { error: `the request body is larger than ${MAX_BODY_BYTES} bytes` });
        }
        const tooDeep = jsonNestingProblem(raw.toString("utf8"));
        if (tooDeep) return send(res, 400, { error: tooDeep });
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          return send(res, 400, { error: "the request body is not valid JSON" });
        }
      }
      const response = await endpoint().handle({
        method: req.method ?? "GET",
        path,
        query,
        body,
        ip: socket.remoteAddress ?? null,
        peer: {
          authorized: socket.authorized,
          authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
          // OpenSSL already holds the certificate; neither of these parses it again.
          presented: socket.getPeerX509Certificate() !== undefined,
          der: () => {
            const certificate = socket.getPeerX509Certificate();
            return certificate ? new Uint8Array(certificate.raw) : null;
          },
          connection: socket,
        },
      });
      send(res, response.status, response.body, response.text);
    } catch (error) {
      log.error({ path, error: error instanceof Error ? error.name : typeof error }, "node endpoint request failed");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    }
  }

  return server;
}
