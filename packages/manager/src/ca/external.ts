import { X509Certificate } from "node:crypto";
import { request } from "node:https";
import { basicConstraintsOf, buildCaCertificateRequest, fromPem, parseCertificate, toHex, toPem, type SignatureAlgorithm } from "@rampart/core";
import { derToPem } from "./pem.js";
import { readPrivateKey, signerFor } from "./roots.js";

/**
 * An external CA that speaks CFSSL's `sign` API (swarm-semantics.md §4.9, `ca/external.go`).
 * Rampart never holds its key: node CSRs and, for a rotation away from it, the new root
 * are sent to it over TLS with this manager's node certificate, and it answers with a
 * certificate.
 */

/** Per URL (`ExternalRequestTimeout`). */
export const EXTERNAL_CA_TIMEOUT_MS = 5_000;
/** The most of an answer read (`CertificateMaxSize`). */
export const EXTERNAL_CA_MAX_RESPONSE = 256 << 10;
/** The CFSSL profile a cross-signing request names (`ExternalCrossSignProfile`). */
export const CROSS_SIGN_PROFILE = "CA";

/** CFSSL's `signer.SignRequest`, with the field names and zero values Swarm sends. */
export interface CfsslSignRequest {
  /** null leaves the SANs to the CSR, as Swarm's cross-signing request does. */
  hosts: string[] | null;
  certificate_request: string;
  subject: { CN: string; names: Array<Record<string, string>>; SerialNumber: string };
  profile: string;
  crl_override: string;
  label: string;
  NotBefore: string;
  NotAfter: string;
  ReturnPrecert: boolean;
  metadata: null;
  extensions?: Array<{ id: number[]; critical: boolean; value: string }>;
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** A node CSR with the subject the CA decides (`PrepareCSR`): CN node, OU role, O cluster; managers add `swarm-ca`. */
export function nodeSignRequest(csrPem: string, nodeId: string, role: "swarm-manager" | "swarm-worker", clusterId: string): CfsslSignRequest {
  return {
    hosts: role === "swarm-manager" ? [role, nodeId, "swarm-ca"] : [role, nodeId],
    certificate_request: csrPem,
    subject: { CN: nodeId, names: [{ O: clusterId, OU: role }], SerialNumber: "" },
    profile: "",
    crl_override: "",
    label: "",
    NotBefore: ZERO_TIME,
    NotAfter: ZERO_TIME,
    ReturnPrecert: false,
    metadata: null,
  };
}

/**
 * Why an external CA did not sign. `recoverable` failures (it did not answer, answered
 * other than 200, or not in JSON) leave a node's certificate pending, to be tried again;
 * the rest fail it, as Swarm's signer does.
 */
export class ExternalCaError extends Error {
  constructor(
    message: string,
    readonly recoverable: boolean,
  ) {
    super(message);
    this.name = "ExternalCaError";
  }
}

/** What the TLS client presents and trusts: the manager's node certificate, and the swarm's root(s). */
export interface ExternalCaTls {
  ca: string[];
  cert?: string;
  key?: string;
}

function post(url: string, body: string, tls: ExternalCaTls, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new ExternalCaError(`unable to perform certificate signing request: invalid URL`, true));
      return;
    }
    const req = request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        ca: tls.ca,
        ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
        minVersion: "TLSv1.2",
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size >= EXTERNAL_CA_MAX_RESPONSE) return;
          chunks.push(chunk.subarray(0, EXTERNAL_CA_MAX_RESPONSE - size));
          size += chunk.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (error) => reject(new ExternalCaError(`unable to read CSR response body: ${error.message}`, true)));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (error) => reject(new ExternalCaError(`unable to perform certificate signing request: ${error.message}`, true)));
    req.end(body);
  });
}

/** One URL's answer, read as `makeExternalSignRequest` reads it. */
async function signAt(url: string, body: string, tls: ExternalCaTls, timeoutMs: number): Promise<string> {
  if (!url.startsWith("https://")) throw new ExternalCaError("unable to perform certificate signing request: invalid HTTP scheme", true);
  const { status, text } = await post(url, body, tls, timeoutMs);
  if (status !== 200) throw new ExternalCaError(`unexpected status code in CSR response: ${status} - ${text.slice(0, 512)}`, true);
  let reply: { success?: unknown; result?: unknown; errors?: unknown };
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    throw new ExternalCaError("unable to parse JSON response", true);
  }
  if (reply.success !== true || reply.result === null || reply.result === undefined) {
    const errors = Array.isArray(reply.errors) ? reply.errors : [];
    if (errors.length > 0) {
      const described = errors.map((e: { code?: unknown; message?: unknown }) => `{${String(e?.code ?? "")} ${String(e?.message ?? "")}}`);
      throw new ExternalCaError(`response errors: [${described.join(" ")}]`, false);
    }
    throw new ExternalCaError("certificate signing request failed", false);
  }
  if (typeof reply.result !== "object") throw new ExternalCaError(`invalid result type: ${typeof reply.result}`, false);
  const certificate = (reply.result as Record<string, unknown>).certificate;
  if (typeof certificate !== "string") throw new ExternalCaError(`invalid result certificate field type: ${typeof certificate}`, false);
  return certificate;
}

/**
 * Sends `req` to each URL in turn until one signs (`ExternalCA.Sign`); the last failure
 * is thrown otherwise. The answer's certificates are returned as PEM, followed by
 * `intermediates` (during a rotation, the cross-signed root).
 */
export async function externalSign(
  urls: readonly string[],
  req: CfsslSignRequest,
  tls: ExternalCaTls,
  intermediates = "",
  timeoutMs = EXTERNAL_CA_TIMEOUT_MS,
): Promise<string> {
  if (urls.length === 0) throw new ExternalCaError("no external CA URLs", false);
  const body = JSON.stringify(req);
  let last: unknown;
  for (const url of urls) {
    try {
      const pem = await signAt(url, body, tls, timeoutMs);
      // Only certificates are kept: anything else in the answer is not passed on to a node.
      const ders = fromPem(pem, "CERTIFICATE");
      if (ders.length === 0) throw new ExternalCaError("the external CA's answer holds no certificate", false);
      for (const der of ders) new X509Certificate(der);
      return ders.map((d) => toPem(d, "CERTIFICATE")).join("") + intermediates;
    } catch (error) {
      last = error instanceof ExternalCaError ? error : new ExternalCaError(error instanceof Error ? error.message : String(error), false);
    }
  }
  throw last;
}

const BASIC_CONSTRAINTS_OID = [2, 5, 29, 19];

/**
 * `CrossSignRootCA`: the new root's own CSR (its subject, key and extensions, signed by
 * its key) sent with CFSSL's `CA` profile and its basic constraints, so the external CA
 * issues the new root's twin under the current root.
 */
export async function externalCrossSign(
  urls: readonly string[],
  newRoot: { cert: string; key: string | null },
  tls: ExternalCaTls,
  timeoutMs = EXTERNAL_CA_TIMEOUT_MS,
): Promise<string> {
  if (!newRoot.key) throw new ExternalCaError("the new root has no key to sign its request with", false);
  const der = fromPem(newRoot.cert, "CERTIFICATE")[0];
  if (!der) throw new ExternalCaError("could not parse new CA certificate", false);
  const parsed = parseCertificate(der);
  const algorithm = parsed.signatureAlgorithm as SignatureAlgorithm;
  const csr = buildCaCertificateRequest(der, algorithm, signerFor(readPrivateKey(newRoot.key), algorithm));
  const constraints = basicConstraintsOf(der);
  const req: CfsslSignRequest = {
    hosts: null,
    certificate_request: derToPem(csr, "CERTIFICATE REQUEST"),
    subject: { CN: parsed.subject.commonName ?? "", names: [], SerialNumber: "" },
    profile: CROSS_SIGN_PROFILE,
    crl_override: "",
    label: "",
    NotBefore: ZERO_TIME,
    NotAfter: ZERO_TIME,
    ReturnPrecert: false,
    metadata: null,
    ...(constraints ? { extensions: [{ id: BASIC_CONSTRAINTS_OID, critical: constraints.critical, value: toHex(constraints.value) }] } : {}),
  };
  return externalSign(urls, req, tls, "", timeoutMs);
}
