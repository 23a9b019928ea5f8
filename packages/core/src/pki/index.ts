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
  parseCertificate,
  nodeCertificateValidity,
  type NodeCertificateTemplate,
  type RootCertificateTemplate,
  type ParsedCertificate,
  type CertificateRole,
  type Signer,
} from "./cert.js";
export { ecPublicKeyJwk, subjectPublicKeyBits, type EcPublicJwk, type KeyAlgorithm, type SignatureAlgorithm } from "./algorithms.js";
export { type NameSummary } from "./name.js";
