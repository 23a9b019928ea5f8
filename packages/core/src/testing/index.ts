/**
 * `@rampart/core/testing`: builders for tests and benches only, outside the production
 * barrel. They write certificates no CA of ours would issue, which is their point.
 */
export {
  HOSTILE_CERTIFICATE_BYTES,
  basicConstraintsExtension,
  buildTestCertificate,
  dnsNamesExtension,
  extension,
  hostileCertificates,
  subjectKeyIdExtension,
  type HostileCertificate,
  type TestCertificateTemplate,
} from "./certificates.js";
