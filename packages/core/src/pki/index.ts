/**
 * A small X.509 / PKCS#10 toolkit for Swarm-style node certificates. Pure: keys, clocks
 * and randomness come in as arguments, and signing is a callback, so the same code runs
 * in the manager (with node:crypto) and in tests against OpenSSL.
 */
export { toPem, fromPem } from "./pem.js";
export { parseCsr, buildCsr, type ParsedCsr } from "./csr.js";
export {
  buildNodeCertificate,
  buildRootCertificate,
  buildCrossSignedCertificate,
  buildCaCertificateRequest,
  basicConstraintsOf,
  type CrossSigner,
  parseCertificate,
  nodeCertificateValidity,
  type NodeCertificateTemplate,
  type RootCertificateTemplate,
  type ParsedCertificate,
  type CertificateRole,
  type Signer,
} from "./cert.js";
export {
  defaultSignatureAlgorithm,
  signatureHash,
  spkiKeyAlgorithm,
} from "./algorithms.js";
export { ecPublicKeyJwk, subjectPublicKeyBits, type EcPublicJwk, type KeyAlgorithm, type SignatureAlgorithm } from "./algorithms.js";
export { formatName, type NameSummary } from "./name.js";
