import { ECDSA_WITH_SHA256, OID, checkEcdsaSignature } from "../pki/algorithms.js";
import type { Signer } from "../pki/cert.js";
import {
  TAG,
  derBoolean,
  derExplicit,
  derImplicit,
  derInteger,
  derNode,
  derOctetString,
  derOid,
  derSequence,
  derTime,
  encodeNode,
  ia5Bytes,
  tlv,
  type DerNode,
} from "../pki/der.js";
import { rdn } from "../pki/name.js";

/**
 * Certificates for tests, built with core's own DER writer and signed by the caller:
 * any subject, any extensions (including ones no CA of ours would write), so property
 * tests can compare the reader with OpenSSL and the node endpoint can be attacked with
 * what a hostile client would send. Never used to issue anything.
 */
export interface TestCertificateTemplate {
  /** Big-endian magnitude; written as a positive INTEGER. */
  serial: Uint8Array;
  /** RDNs in order, each one attribute: [OID in dotted form, UTF8String value]. */
  subject: ReadonlyArray<readonly [string, string]>;
  /** Defaults to the subject (self-signed). */
  issuer?: ReadonlyArray<readonly [string, string]>;
  notBefore: Date;
  notAfter: Date;
  /** Exact DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** Whole encoded Extension values (see `extension`); none means a v3 certificate without the field. */
  extensions?: readonly Uint8Array[];
  /** The AlgorithmIdentifier written in both places; the signature is still ECDSA with SHA-256. */
  signatureAlgorithm?: Uint8Array;
}

/** An Extension: `SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }`. */
export function extension(oid: string | Uint8Array, value: Uint8Array, critical = false): Uint8Array {
  const id = typeof oid === "string" ? derOid(oid) : oid;
  return critical ? derSequence(id, derBoolean(true), derOctetString(value)) : derSequence(id, derOctetString(value));
}

/** subjectAltName with dNSNames. */
export function dnsNamesExtension(names: readonly string[]): Uint8Array {
  return extension(OID.subjectAltName, derSequence(...names.map((n) => derImplicit(2, ia5Bytes(n)))));
}

/** basicConstraints; cA is DEFAULT FALSE, so false writes an empty SEQUENCE. */
export function basicConstraintsExtension(isCa: boolean): Uint8Array {
  return extension(OID.basicConstraints, isCa ? derSequence(derBoolean(true)) : derSequence(), true);
}

/** subjectKeyIdentifier. */
export function subjectKeyIdExtension(keyId: Uint8Array): Uint8Array {
  return extension(OID.subjectKeyIdentifier, derOctetString(keyId));
}

function name(rdns: ReadonlyArray<readonly [string, string]>): DerNode {
  return derNode(TAG.SEQUENCE, ...rdns.map(([type, value]) => rdn(derOid(type), value)));
}

/** Builds and signs (ecdsa-with-SHA256) a certificate from a template. */
export function buildTestCertificate(t: TestCertificateTemplate, sign: Signer): Uint8Array {
  const extensions = t.extensions && t.extensions.length > 0 ? [derExplicit(3, derSequence(...t.extensions))] : [];
  const algorithm = t.signatureAlgorithm ?? ECDSA_WITH_SHA256;
  const tbs = encodeNode(
    derNode(
      TAG.SEQUENCE,
      derExplicit(0, derInteger(new Uint8Array([2]))),
      derInteger(t.serial),
      algorithm,
      name(t.issuer ?? t.subject),
      derNode(TAG.SEQUENCE, derTime(t.notBefore), derTime(t.notAfter)),
      name(t.subject),
      t.spki,
      ...extensions,
    ),
  );
  const signature = sign(tbs);
  checkEcdsaSignature(signature);
  return encodeNode(derNode(TAG.SEQUENCE, tbs, algorithm, tlv(TAG.BIT_STRING, new Uint8Array([0]), signature)));
}

/** OID contents of `count` arcs of `arc`, after 1.3 (so the first octet is 0x2b). */
function oidWithArcs(arcBytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(1 + arcBytes.length * count);
  out[0] = 0x2b;
  for (let i = 0; i < count; i++) out.set(arcBytes, 1 + i * arcBytes.length);
  return tlv(TAG.OID, out);
}

/** A distinct private-enterprise OID per index: 1.3.6.1.4.1.<index>. */
function privateOid(index: number): string {
  return `1.3.6.1.4.1.${index}`;
}

/** What a hostile client sends: a name for the case and the certificate's DER. */
export interface HostileCertificate {
  name: string;
  der: Uint8Array;
}

/**
 * The largest certificate a TLS client can present to Node's server is bounded by
 * OpenSSL's max_cert_list (100 KiB for the whole Certificate message); these stay a
 * little under 64 KiB, the size the attack used, so every handshake completes and the
 * certificate reaches the application.
 */
export const HOSTILE_CERTIFICATE_BYTES = 63 * 1024;

/**
 * Certificates built to make a reader do as much work as it can: thousands of distinct
 * extensions, thousands with a duplicate at the very end, an OID of one enormous arc,
 * an OID of thousands of arcs, thousands of RDNs, and one huge opaque extension value.
 * Each is self-signed with the caller's key and about `HOSTILE_CERTIFICATE_BYTES` long.
 */
export function hostileCertificates(spki: Uint8Array, sign: Signer, now: Date): HostileCertificate[] {
  const base = {
    serial: new Uint8Array([0x42]),
    subject: [["2.5.4.3", "hostile"]] as Array<readonly [string, string]>,
    issuer: [["2.5.4.3", "hostile"]] as Array<readonly [string, string]>,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 86_400_000),
    spki,
  };
  const room = HOSTILE_CERTIFICATE_BYTES - 400;
  const distinct = (count: number) => Array.from({ length: count }, (_, i) => extension(privateOid(100_000 + i), new Uint8Array(0)));
  // Each distinct extension is SEQUENCE { OID(1.3.6.1.4.1.1xxxxx), OCTET STRING {} }: 15 octets.
  const extensionCount = Math.floor(room / 15);
  const many = distinct(extensionCount);
  const build = (overrides: Partial<TestCertificateTemplate>) => buildTestCertificate({ ...base, ...overrides }, sign);
  const hugeArc = (size: number) => {
    const arc = new Uint8Array(size).fill(0xff);
    arc[size - 1] = 0x7f;
    return tlv(TAG.OID, new Uint8Array([0x2b]), arc);
  };
  // Each RDN is SET { SEQUENCE { OID(2.5.4.11), UTF8String "x" } }: 12 octets.
  const rdnCount = Math.floor(room / 12);
  return [
    { name: "many-extensions", der: build({ extensions: many }) },
    { name: "duplicate-extension-last", der: build({ extensions: [...many.slice(0, -1), many[0]!] }) },
    { name: "huge-oid-arc", der: build({ extensions: [extension(hugeArc(room - 16), new Uint8Array(0))] }) },
    { name: "duplicate-huge-oid", der: build({ extensions: [extension(hugeArc(room / 2 - 16), new Uint8Array(0)), extension(hugeArc(room / 2 - 16), new Uint8Array(0))] }) },
    { name: "huge-signature-algorithm", der: build({ signatureAlgorithm: derSequence(hugeArc(room / 2 - 16)) }) },
    { name: "many-oid-arcs", der: build({ extensions: [extension(oidWithArcs(new Uint8Array([0x01]), room - 16), new Uint8Array(0))] }) },
    { name: "many-rdns", der: build({ subject: Array.from({ length: rdnCount }, () => ["2.5.4.11", "x"] as const) }) },
    { name: "maximum-length", der: build({ extensions: [extension(privateOid(1), new Uint8Array(room - 16))] }) },
  ];
}
