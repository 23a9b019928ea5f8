import { X509Certificate, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { connect } from "node:tls";
import {
  buildCrossSignedCertificate,
  fromPem,
  invalidArgument,
  parseCertificate,
  signatureHash,
  toPem,
  type ParsedCertificate,
  type RootSummary,
  type SignatureAlgorithm,
} from "@rampart/core";
import { createRootCa } from "./index.js";

/**
 * Roots an administrator hands in, checked as SwarmKit's `ca.NewRootCA` checks them
 * (swarm-semantics.md §4.1), and the cross-signing a root rotation needs (§4.8). Every
 * refusal is an invalid_argument error in Swarm's words, on the field at fault.
 */

const ACCEPTED: ReadonlySet<string> = new Set<SignatureAlgorithm>([
  "ecdsa-with-SHA256",
  "ecdsa-with-SHA384",
  "ecdsa-with-SHA512",
  "sha256WithRSAEncryption",
  "sha384WithRSAEncryption",
  "sha512WithRSAEncryption",
]);
const CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

/** Go's time format in x509 errors (RFC 3339, seconds). */
const goTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

interface ReadCertificate {
  der: Uint8Array;
  parsed: ParsedCertificate;
  x509: X509Certificate;
}

function readCertificates(pem: string, field: string, what: string): ReadCertificate[] {
  let ders: Uint8Array[];
  try {
    ders = fromPem(pem, "CERTIFICATE");
  } catch (error) {
    throw invalidArgument(field, `${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return ders.map((der) => {
    try {
      return { der, parsed: parseCertificate(der), x509: new X509Certificate(der) };
    } catch (error) {
      throw invalidArgument(field, `${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

function checkAlgorithm(cert: ParsedCertificate, field: string): void {
  if (!ACCEPTED.has(cert.signatureAlgorithm)) throw invalidArgument(field, `unsupported signature algorithm: ${cert.signatureAlgorithm}`);
}

/** `ensureCertKeyMatch`: the key families and sizes Swarm signs with, and the same public key. */
function checkKeyMatch(cert: X509Certificate, key: KeyObject, field: string): void {
  const details = cert.publicKey.asymmetricKeyDetails ?? {};
  if (cert.publicKey.asymmetricKeyType === "rsa") {
    if ((details.modulusLength ?? 0) < 2048 || details.publicExponent === 1n) throw invalidArgument(field, "unsupported RSA key parameters");
  } else if (cert.publicKey.asymmetricKeyType === "ec") {
    if (!CURVES.has(details.namedCurve ?? "")) throw invalidArgument(field, "unsupported ECDSA key parameters");
  } else {
    throw invalidArgument(field, "unknown or unsupported certificate public key algorithm");
  }
  const mine = createPublicKey(key).export({ type: "spki", format: "der" });
  const theirs = cert.publicKey.export({ type: "spki", format: "der" });
  if (!mine.equals(theirs)) throw invalidArgument(field, "certificate key mismatch");
}

/** A private key in any PEM form Swarm reads (PKCS#8, SEC 1, PKCS#1), never echoed in an error. */
export function readPrivateKey(pem: string, field = "signingCaKey"): KeyObject {
  try {
    const key = createPrivateKey({ key: pem, format: "pem" });
    if (key.type !== "private") throw new Error("not a private key");
    return key;
  } catch {
    throw invalidArgument(field, "malformed private key");
  }
}

/**
 * `ca.NewRootCA(certs, signingCert, key)`: every certificate of `certPem` is a root that
 * verifies itself with an accepted algorithm and is valid now; a signing certificate and
 * key come together, the certificate chains to one of those roots, and the key is its own.
 */
export function checkRoot(certPem: string, signingCertPem: string, keyPem: string, now: Date): RootSummary {
  const roots = readCertificates(certPem, "signingCaCert", "invalid root certificates");
  if (roots.length === 0) throw invalidArgument("signingCaCert", "no valid root CA certificates found");
  for (const root of roots) {
    checkAlgorithm(root.parsed, "signingCaCert");
    if (now < root.parsed.notBefore || now > root.parsed.notAfter) {
      const limit = now < root.parsed.notBefore ? `is before ${goTime(root.parsed.notBefore)}` : `is after ${goTime(root.parsed.notAfter)}`;
      throw invalidArgument(
        "signingCaCert",
        `error while validating Root CA Certificate: x509: certificate has expired or is not yet valid: current time ${goTime(now)} ${limit}`,
      );
    }
    if (!root.x509.checkIssued(root.x509) || !root.x509.verify(root.x509.publicKey)) {
      throw invalidArgument("signingCaCert", "error while validating Root CA Certificate: x509: certificate signed by unknown authority");
    }
  }
  if (signingCertPem.length > 0 || keyPem.length > 0) {
    if (signingCertPem.length === 0 || keyPem.length === 0) {
      throw invalidArgument("signingCaKey", "must provide both a signing key and a signing cert, or neither");
    }
    const signing = readCertificates(signingCertPem, "signingCaCert", "invalid signing CA cert")[0];
    if (!signing) throw invalidArgument("signingCaCert", "no valid signing CA certificates found");
    checkAlgorithm(signing.parsed, "signingCaCert");
    if (!roots.some((r) => signing.x509.checkIssued(r.x509) && signing.x509.verify(r.x509.publicKey))) {
      throw invalidArgument(
        "signingCaCert",
        "error while validating signing CA certificate against roots and intermediates: x509: certificate signed by unknown authority",
      );
    }
    checkKeyMatch(signing.x509, readPrivateKey(keyPem), "signingCaKey");
  }
  return { certificates: roots.length, notAfter: roots[0]!.parsed.notAfter };
}

/**
 * A fresh root for `swarm ca --rotate`, with its key as PKCS#8 PEM. `organizationalUnit`
 * names it apart from a current root that is also `CN=swarm-ca` (see ADR 0021).
 */
export function createRootPem(now: Date, organizationalUnit?: string): { cert: string; key: string } {
  const root = createRootCa(now, organizationalUnit ? { organizationalUnit } : {});
  return { cert: root.certPem, key: root.key.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** Signs `tbs` as `algorithm` says: DER ECDSA, or PKCS#1 v1.5 for RSA. */
export function signerFor(key: KeyObject, algorithm: SignatureAlgorithm): (tbs: Uint8Array) => Uint8Array {
  const hash = signatureHash(algorithm);
  return (tbs) => new Uint8Array(sign(hash, tbs, key));
}

/** `CrossSignCACertificate`: the new root's certificate, issued by the old root with the old key's algorithm. */
export function crossSign(oldRoot: { cert: string; key: string }, newCertPem: string): string {
  const old = readCertificates(oldRoot.cert, "signingCaCert", "invalid root certificates")[0];
  const next = readCertificates(newCertPem, "signingCaCert", "could not parse new CA certificate")[0];
  if (!old || !next) throw invalidArgument("signingCaCert", "could not parse new CA certificate");
  if (!next.parsed.isCa) throw invalidArgument("signingCaCert", "certificate not a CA");
  const algorithm = old.parsed.signatureAlgorithm as SignatureAlgorithm;
  if (!ACCEPTED.has(algorithm)) throw invalidArgument("signingCaCert", `unsupported signature algorithm: ${algorithm}`);
  const der = buildCrossSignedCertificate(
    next.der,
    { issuerName: old.parsed.subjectName, ...(old.parsed.subjectKeyId ? { issuerKeyId: old.parsed.subjectKeyId } : {}), signatureAlgorithm: algorithm },
    signerFor(readPrivateKey(oldRoot.key), algorithm),
  );
  return toPem(der, "CERTIFICATE");
}

/** How long a reachability check waits for the TLS handshake (`validateExternalCAURL`). */
export const EXTERNAL_CA_DIAL_TIMEOUT_MS = 5_000;

/**
 * `validateExternalCAURL`: an https URL whose server completes a TLS handshake trusting
 * only `wantedCertPem`, with this manager's node certificate offered as the client's.
 * False for anything else, including a URL that does not parse.
 */
export async function externalCaReachable(
  url: string,
  wantedCertPem: string,
  client: { cert: string; key: string } | undefined,
  timeoutMs = EXTERNAL_CA_DIAL_TIMEOUT_MS,
): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "https:") return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const port = parsed.port === "" ? 443 : Number(parsed.port);
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      ca: [wantedCertPem],
      ...(client ? { cert: client.cert, key: client.key } : {}),
      timeout: timeoutMs,
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("secureConnect", () => done(socket.authorized));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}
