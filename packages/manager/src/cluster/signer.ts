import { X509Certificate, createHash, type KeyObject } from "node:crypto";
import { normalizePems, parseCertificate, toHex, type ClusterRecord, type ExternalCa, type NodeRole } from "@rampart/core";
import { createCertificateAuthority, subjectKeyId, type CertificateAuthority, type IssuedCertificate, type VerifiedCsr } from "../ca/index.js";
import { ExternalCaError, externalSign, nodeSignRequest, type ExternalCaTls } from "../ca/external.js";
import { pemToDer } from "../ca/pem.js";

/**
 * Who signs node certificates now, and as what (swarm-semantics.md §4.4, §4.8; SwarmKit's
 * `RootCAFromAPI` and `filterExternalCAURLS`): the root's key, or during a rotation the
 * new key as the cross-signed intermediate; external CAs for the wanted root first, when
 * there are any. The trust root (what nodes are given, and tokens carry) stays the
 * current root until the rotation finishes.
 */
export interface NodeSigner {
  /** RootCA.CACert, as PEM, and the SHA-256 (hex) join tokens carry. */
  rootPem: string;
  rootDigestHex: string;
  /** The root node certificates should chain to now: the rotation's during one. */
  wantedRootPem: string;
  /** Its subject key ID (hex): a node presenting a certificate with this authority has converged. */
  wantedIssuerKeyId: string;
  /** Signs with a key this server holds; null when the wanted root is external. */
  local: CertificateAuthority | null;
  /** External CAs (CFSSL) that sign under the wanted root. */
  externalUrls: string[];
  /** What every issued certificate is followed by: the cross-signed root during a rotation. */
  intermediates: string;
}

export interface SignerKeys {
  rootKey: KeyObject | null;
  rotationKey: KeyObject | null;
}

/** The first certificate of a PEM bundle (a node's or a root's, before any intermediate), parsed. */
export function firstCertificateOf(pem: string) {
  return parseCertificate(pemToDer(`${normalizePems(pem).split("-----END CERTIFICATE-----")[0]}-----END CERTIFICATE-----\n`, "CERTIFICATE"));
}

/** The hex subject key ID of a root, as node certificates name it; computed when the root has none. */
export function keyIdOf(pem: string): string {
  const parsed = firstCertificateOf(pem);
  return toHex(parsed.subjectKeyId ?? subjectKeyId(parsed.spki));
}

/** `filterExternalCAURLS`: the CFSSL URLs whose root (the current one when not given) is `wanted`. */
export function externalUrlsFor(externalCas: readonly ExternalCa[], wantedPem: string, currentPem: string): string[] {
  const wanted = normalizePems(wantedPem);
  const current = normalizePems(currentPem);
  return externalCas
    .filter((ca) => ca.protocol === "cfssl" && (ca.caCert.length > 0 ? normalizePems(ca.caCert) : current) === wanted)
    .map((ca) => ca.url);
}

export function nodeSignerOf(record: ClusterRecord, keys: SignerKeys): NodeSigner {
  const rootPem = record.rootCaCert;
  const rotation = record.rootRotation;
  const wantedRootPem = rotation ? rotation.caCert : rootPem;
  const intermediates = rotation ? rotation.crossSignedCaCert : "";
  let local: CertificateAuthority | null = null;
  if (rotation && keys.rotationKey) {
    local = createCertificateAuthority(rootPem, keys.rotationKey, { signingPem: rotation.crossSignedCaCert, intermediates });
  } else if (!rotation && keys.rootKey) {
    local = createCertificateAuthority(rootPem, keys.rootKey);
  }
  return {
    rootPem,
    rootDigestHex: createHash("sha256").update(rootPem).digest("hex"),
    wantedRootPem,
    wantedIssuerKeyId: local?.issuerKeyIdHex ?? keyIdOf(wantedRootPem),
    local,
    externalUrls: externalUrlsFor(record.externalCas, wantedRootPem, rootPem),
    intermediates,
  };
}

export interface SignInput {
  csrPem: string;
  csr: VerifiedCsr;
  nodeId: string;
  role: NodeRole;
  clusterId: string;
  expiryMs: number;
  now: Date;
}

/**
 * Checks what an external CA returned before any node gets it: a certificate for this
 * node's key, with the subject Swarm's CA would write, that chains to the trust root
 * (directly, or through the intermediate) and is valid now.
 */
function checkExternal(pem: string, input: SignInput, signer: NodeSigner): IssuedCertificate {
  const ders = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const leafPem = ders[0];
  if (!leafPem) throw new ExternalCaError("the external CA's answer holds no certificate", false);
  const leaf = new X509Certificate(leafPem);
  const ou = input.role === "manager" ? "swarm-manager" : "swarm-worker";
  const subject = Object.fromEntries(leaf.subject.split("\n").map((line) => line.split("=", 2) as [string, string]));
  const problem = (why: string) => new ExternalCaError(`the external CA signed a certificate Rampart does not accept: ${why}`, false);
  if (subject.CN !== input.nodeId || subject.OU !== ou || subject.O !== input.clusterId) throw problem("its subject is not the node's");
  const key = Buffer.from(leaf.publicKey.export({ type: "spki", format: "der" }));
  if (!key.equals(Buffer.from(input.csr.spki))) throw problem("its key is not the one the node asked for");
  const chain = ders.slice(1).map((p) => new X509Certificate(p));
  const roots = [signer.rootPem, signer.wantedRootPem].map((p) => new X509Certificate(p));
  const issuers = [...chain, ...roots];
  const issuer = issuers.find((c) => leaf.checkIssued(c) && leaf.verify(c.publicKey));
  if (!issuer) throw problem("it does not chain to the swarm's root");
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (input.now > notAfter || input.now < new Date(notBefore.getTime() - 5 * 60_000)) throw problem("it is not valid now");
  const der = pemToDer(leafPem, "CERTIFICATE");
  return { pem, der, serial: leaf.serialNumber.toLowerCase(), role: ou, notBefore, notAfter };
}

/**
 * Signs a node's CSR (`signNodeCert`): external CAs first when there are any, else this
 * server's key. An ExternalCaError says why not; `recoverable` ones leave the node
 * pending, to be tried again.
 */
export async function signNode(signer: NodeSigner, input: SignInput, tls: ExternalCaTls): Promise<IssuedCertificate> {
  if (signer.externalUrls.length > 0) {
    const ou = input.role === "manager" ? "swarm-manager" : "swarm-worker";
    const pem = await externalSign(signer.externalUrls, nodeSignRequest(input.csrPem, input.nodeId, ou, input.clusterId), tls, signer.intermediates);
    const issued = checkExternal(pem, input, signer);
    return { ...issued, pem: issued.pem.endsWith("\n") ? issued.pem : `${issued.pem}\n` };
  }
  if (signer.local) return signer.local.issue(input);
  throw new ExternalCaError("no valid signer found", true);
}
