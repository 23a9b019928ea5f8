import {
  DerParseError,
  TAG,
  checkOid,
  contentsOf,
  derNode,
  derSequence,
  encodeNode,
  encodingOf,
  oidToString,
  readBitString,
  readChildren,
  readOnly,
  readSmallInteger,
  withParseContext,
  type Tlv,
} from "./der.js";
import { readName } from "./name.js";
import {
  ECDSA_WITH_SHA256,
  checkEcdsaSignature,
  checkSpki,
  readAlgorithmIdentifier,
  readSpki,
  signatureAlgorithmName,
  type KeyAlgorithm,
  type SignatureAlgorithm,
} from "./algorithms.js";

/**
 * A PKCS#10 request reduced to what a Swarm CA uses: the public key, its family, and the
 * signature to check. The subject is kept only so a caller can log what was asked for;
 * Swarm's CA overrides it (TestParseValidateAndSignMaliciousCSR).
 */
export interface ParsedCsr {
  /** Exact DER of certificationRequestInfo: the bytes the signature covers. */
  info: Uint8Array;
  /** Exact DER of the SubjectPublicKeyInfo, to verify with and to put in the certificate. */
  spki: Uint8Array;
  keyAlgorithm: KeyAlgorithm;
  signatureAlgorithm: SignatureAlgorithm;
  /** The signature bytes (for ECDSA, a DER `SEQUENCE { r, s }`). */
  signature: Uint8Array;
  /** What the requester asked for. Informational only: never copy it into a certificate. */
  requested: { commonName?: string; organization?: string[]; organizationalUnit?: string[] };
}

/**
 * Parses a DER CSR. It checks structure only; the caller must still verify `signature`
 * over `info` with `spki` before trusting that the requester holds the key.
 */
export function parseCsr(der: Uint8Array): ParsedCsr {
  return withParseContext("invalid CSR", "csr", () => {
    const outer = readOnly(der, TAG.SEQUENCE, "a CertificationRequest");
    const parts = readChildren(der, outer);
    if (parts.length !== 3) throw new DerParseError("CertificationRequest must have three parts");
    const [infoTlv, algorithmTlv, signatureTlv] = parts as [Tlv, Tlv, Tlv];
    if (infoTlv.tag !== TAG.SEQUENCE) throw new DerParseError("expected certificationRequestInfo");
    const info = readChildren(der, infoTlv);
    if (info.length !== 4) throw new DerParseError("certificationRequestInfo must have four parts");
    const [versionTlv, subjectTlv, spkiTlv, attributesTlv] = info as [Tlv, Tlv, Tlv, Tlv];
    if (readSmallInteger(der, versionTlv) !== 0) throw new DerParseError("unsupported version");
    const subject = readName(der, subjectTlv);
    const key = readSpki(der, spkiTlv);
    if (attributesTlv.tag !== 0xa0) throw new DerParseError("expected attributes");
    for (const attribute of readChildren(der, attributesTlv)) {
      if (attribute.tag !== TAG.SEQUENCE) throw new DerParseError("expected an Attribute");
      const [type, values, ...rest] = readChildren(der, attribute);
      if (type === undefined || values === undefined || rest.length > 0 || values.tag !== TAG.SET) throw new DerParseError("malformed Attribute");
      checkOid(der, type);
      readChildren(der, values);
    }
    const algorithm = readAlgorithmIdentifier(der, algorithmTlv);
    const signatureAlgorithm = signatureAlgorithmName(der, algorithm.oid);
    if (signatureAlgorithm === undefined) throw new DerParseError(`unsupported signature algorithm ${oidToString(contentsOf(der, algorithm.oid))}`);
    const signature = readBitString(der, signatureTlv);
    if (signature.unusedBits !== 0) throw new DerParseError("signature is not whole bytes");
    const requested: ParsedCsr["requested"] = {};
    if (subject.commonName !== undefined) requested.commonName = subject.commonName;
    if (subject.organization.length > 0) requested.organization = subject.organization;
    if (subject.organizationalUnit.length > 0) requested.organizationalUnit = subject.organizationalUnit;
    return {
      info: encodingOf(der, infoTlv),
      spki: encodingOf(der, spkiTlv),
      keyAlgorithm: key.keyAlgorithm,
      signatureAlgorithm,
      signature: signature.bytes,
      requested,
    };
  });
}

const VERSION_0 = new Uint8Array([TAG.INTEGER, 1, 0]);
const EMPTY_NAME = new Uint8Array([TAG.SEQUENCE, 0]);
const NO_ATTRIBUTES = new Uint8Array([0xa0, 0]);
const NO_UNUSED_BITS = new Uint8Array([0]);

/**
 * A CSR the way a Swarm node sends one: empty subject, no attributes, signed
 * ecdsa-with-SHA256. The CA decides the name, so asking for one would only be ignored.
 * `sign` receives the certificationRequestInfo and returns a DER ECDSA signature (what
 * Node's `crypto.sign("sha256", data, key)` returns).
 */
export function buildCsr(spki: Uint8Array, sign: (info: Uint8Array) => Uint8Array): Uint8Array {
  checkSpki(spki);
  const info = derSequence(VERSION_0, EMPTY_NAME, spki, NO_ATTRIBUTES);
  const signature = sign(info);
  checkEcdsaSignature(signature);
  return encodeNode(derNode(TAG.SEQUENCE, info, ECDSA_WITH_SHA256, derNode(TAG.BIT_STRING, NO_UNUSED_BITS, signature)));
}
