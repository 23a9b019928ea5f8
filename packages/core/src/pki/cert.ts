import { invalidArgument } from "../errors/index.js";
import {
  DerParseError,
  TAG,
  bytesEqual,
  contentsOf,
  derBitString,
  derBoolean,
  derExplicit,
  derImplicit,
  derInteger,
  derNode,
  derOid,
  derSequence,
  derTime,
  encodeNode,
  encodingOf,
  ia5Bytes,
  oidToString,
  readBitString,
  readBoolean,
  readChildren,
  readInteger,
  readOid,
  readOnly,
  readSmallInteger,
  readString,
  readTime,
  withParseContext,
  type DerNode,
  type DerPart,
  type Tlv,
} from "./der.js";
import {
  OID,
  SIGNATURE_ALGORITHM_IDS,
  checkEcdsaSignature,
  checkSpki,
  readAlgorithmIdentifier,
  readSpki,
  signatureAlgorithmName,
  type SignatureAlgorithm,
} from "./algorithms.js";
import { rdn, readName, type NameSummary } from "./name.js";

/**
 * Signs the DER bytes of a to-be-signed structure and returns the signature (DER for
 * ECDSA). The key stays with the caller (Node's `crypto.sign("sha256", data, key)` fits as is),
 * which is what keeps this module pure.
 */
export type Signer = (data: Uint8Array) => Uint8Array;

/** The two roles Swarm writes in a node certificate's OU. */
export type CertificateRole = "swarm-manager" | "swarm-worker";

/** Everything a node certificate contains; the CA decides all of it, nothing comes from the CSR but `spki`. */
export interface NodeCertificateTemplate {
  /** Random bytes (16 is plenty), encoded as a positive INTEGER of at most 20 octets. */
  serial: Uint8Array;
  /** Exact DER of the issuer's subject Name (`parseCertificate(root).subjectName`). */
  issuerName: Uint8Array;
  /** The issuer's subjectKeyIdentifier, written as the authorityKeyIdentifier. */
  issuerKeyId: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** Written as O; Swarm uses the cluster ID ("FIPS." + ID in FIPS clusters). */
  clusterId: string;
  role: CertificateRole;
  /** Written as CN and as a DNS SAN. */
  nodeId: string;
  /** Exact DER SubjectPublicKeyInfo, from the verified CSR. */
  spki: Uint8Array;
  /** Usually the SHA-1 of `subjectPublicKeyBits(spki)`; core cannot hash, so the caller does. */
  subjectKeyId: Uint8Array;
  /** What the issuer's key signs with; ECDSA with SHA-256 unless the root is another kind. */
  signatureAlgorithm?: SignatureAlgorithm;
}

/** What a self-signed Swarm root contains (Swarm's default CN is "swarm-ca"). */
export interface RootCertificateTemplate {
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  subjectKeyId: Uint8Array;
  commonName: string;
  /** Written before the CN when given, so a root can differ by name from another `swarm-ca`. */
  organizationalUnit?: string;
}

// Constant fragments, encoded once.
const VERSION_3 = derExplicit(0, new Uint8Array([TAG.INTEGER, 1, 2]));
const CRITICAL = derBoolean(true);
const NO_UNUSED_BITS = new Uint8Array([0]);

function extension(oid: Uint8Array, critical: boolean, value: DerPart): DerNode {
  const wrapped = derNode(TAG.OCTET_STRING, value);
  return critical ? derNode(TAG.SEQUENCE, oid, CRITICAL, wrapped) : derNode(TAG.SEQUENCE, oid, wrapped);
}

/** keyUsage critical: digitalSignature (bit 0) + keyEncipherment (bit 2), 5 unused bits. */
const KU_NODE = encodeNode(extension(OID.keyUsage, true, derBitString(new Uint8Array([0xa0]), 5)));
/** keyUsage critical: keyCertSign (bit 5) + cRLSign (bit 6), 1 unused bit. */
const KU_CA = encodeNode(extension(OID.keyUsage, true, derBitString(new Uint8Array([0x06]), 1)));
const EKU_SERVER_CLIENT = encodeNode(extension(OID.extKeyUsage, false, derSequence(OID.serverAuth, OID.clientAuth)));
/** cA is DEFAULT FALSE, so DER omits it: the value is an empty SEQUENCE. */
const BC_END_ENTITY = encodeNode(extension(OID.basicConstraints, true, derSequence()));
const BC_CA = encodeNode(extension(OID.basicConstraints, true, derSequence(derBoolean(true))));

const ROLE_FRAGMENTS: Record<CertificateRole, { ou: Uint8Array; sanBefore: Uint8Array; sanAfter: Uint8Array }> = {
  "swarm-manager": {
    ou: encodeNode(rdn(OID.organizationalUnit, "swarm-manager")),
    sanBefore: derImplicit(2, ia5Bytes("swarm-manager")),
    sanAfter: derImplicit(2, ia5Bytes("swarm-ca")),
  },
  "swarm-worker": {
    ou: encodeNode(rdn(OID.organizationalUnit, "swarm-worker")),
    sanBefore: derImplicit(2, ia5Bytes("swarm-worker")),
    sanAfter: new Uint8Array(0),
  },
};

const MAX_SERIAL_OCTETS = 20;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/;

/** ub-organization-name and ub-common-name are 64 (RFC 5280 appendix A); control characters are refused. */
function isNameText(text: string): boolean {
  if (text.length === 0 || [...text].length > 64) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

function checkSerial(serial: Uint8Array): Uint8Array {
  const encoded = derInteger(serial);
  if (encoded.length === 3 && encoded[2] === 0) throw invalidArgument("serial", "serial must be a positive number");
  if (encoded.length - 2 > MAX_SERIAL_OCTETS) throw invalidArgument("serial", "serial must encode in at most 20 octets (use at most 19 random bytes, or clear the top bit)");
  return encoded;
}

function checkKeyId(keyId: Uint8Array, field: string): void {
  if (keyId.length < 1 || keyId.length > 64) throw invalidArgument(field, `${field} must be 1 to 64 bytes`);
}

function checkValidity(notBefore: Date, notAfter: Date): DerNode {
  if (!Number.isFinite(notBefore.getTime()) || !Number.isFinite(notAfter.getTime())) throw invalidArgument("notBefore", "validity dates must be valid");
  if (notAfter.getTime() <= notBefore.getTime()) throw invalidArgument("notAfter", "notAfter must be after notBefore");
  return derNode(TAG.SEQUENCE, derTime(notBefore), derTime(notAfter));
}

function subjectKeyIdExtension(subjectKeyId: Uint8Array): DerNode {
  checkKeyId(subjectKeyId, "subjectKeyId");
  return extension(OID.subjectKeyIdentifier, false, derNode(TAG.OCTET_STRING, subjectKeyId));
}

/** Writes the body once, signs it, and writes the certificate around it: two buffers in all. */
function signed(tbsNode: DerNode, sign: Signer, algorithm: SignatureAlgorithm = "ecdsa-with-SHA256"): Uint8Array {
  const tbs = encodeNode(tbsNode);
  const signature = sign(tbs);
  if (algorithm.startsWith("ecdsa")) checkEcdsaSignature(signature);
  return encodeNode(derNode(TAG.SEQUENCE, tbs, SIGNATURE_ALGORITHM_IDS[algorithm], derNode(TAG.BIT_STRING, NO_UNUSED_BITS, signature)));
}

function algorithmOf(name: SignatureAlgorithm | undefined): { name: SignatureAlgorithm; id: Uint8Array } {
  const chosen = name ?? "ecdsa-with-SHA256";
  const id = SIGNATURE_ALGORITHM_IDS[chosen];
  if (id === undefined) throw invalidArgument("signatureAlgorithm", "signature algorithm must be ECDSA or RSA with SHA-256, SHA-384 or SHA-512");
  return { name: chosen, id };
}

/**
 * Issues a Swarm node certificate (swarm-semantics §4.2): O=<cluster>, OU=<role>,
 * CN=<node ID>; SANs role, node ID and, for managers, "swarm-ca"; usable for both TLS
 * server and client auth. Every constant part is precomputed, so an issuance is mostly
 * copying plus one call to `sign`.
 */
export function buildNodeCertificate(t: NodeCertificateTemplate, sign: Signer): Uint8Array {
  const fragments = ROLE_FRAGMENTS[t.role];
  if (fragments === undefined) throw invalidArgument("role", "role must be swarm-manager or swarm-worker");
  if (!HOSTNAME.test(t.nodeId)) throw invalidArgument("nodeId", "node ID must be a host name of at most 64 characters");
  if (!isNameText(t.clusterId)) throw invalidArgument("clusterId", "cluster ID must be 1 to 64 printable characters");
  const serial = checkSerial(t.serial);
  withParseContext("invalid issuer name", "issuerName", () => readOnly(t.issuerName, TAG.SEQUENCE, "a Name"));
  checkKeyId(t.issuerKeyId, "issuerKeyId");
  checkSpki(t.spki);
  const validity = checkValidity(t.notBefore, t.notAfter);
  const subject = derNode(TAG.SEQUENCE, rdn(OID.organization, t.clusterId), fragments.ou, rdn(OID.commonName, t.nodeId));
  const san = derNode(TAG.SEQUENCE, fragments.sanBefore, derNode(0x82, ia5Bytes(t.nodeId)), fragments.sanAfter);
  const extensions = derNode(
    0xa3,
    derNode(
      TAG.SEQUENCE,
      KU_NODE,
      EKU_SERVER_CLIENT,
      BC_END_ENTITY,
      subjectKeyIdExtension(t.subjectKeyId),
      extension(OID.authorityKeyIdentifier, false, derNode(TAG.SEQUENCE, derNode(0x80, t.issuerKeyId))),
      extension(OID.subjectAltName, false, san),
    ),
  );
  const algorithm = algorithmOf(t.signatureAlgorithm);
  return signed(derNode(TAG.SEQUENCE, VERSION_3, serial, algorithm.id, t.issuerName, validity, subject, t.spki, extensions), sign, algorithm.name);
}

/**
 * Creates a self-signed root like Swarm's (`CreateRootCA`, §4.1): CN only, CA:TRUE,
 * keyCertSign + cRLSign, ECDSA with SHA-256. `sign` must use the key whose public half
 * is `spki`, or the root will not verify against itself.
 */
export function buildRootCertificate(t: RootCertificateTemplate, sign: Signer): Uint8Array {
  if (!isNameText(t.commonName)) throw invalidArgument("commonName", "common name must be 1 to 64 printable characters");
  const serial = checkSerial(t.serial);
  checkSpki(t.spki);
  const validity = checkValidity(t.notBefore, t.notAfter);
  if (t.organizationalUnit !== undefined && !isNameText(t.organizationalUnit)) throw invalidArgument("organizationalUnit", "organizational unit must be 1 to 64 printable characters");
  const name = encodeNode(
    t.organizationalUnit === undefined
      ? derNode(TAG.SEQUENCE, rdn(OID.commonName, t.commonName))
      : derNode(TAG.SEQUENCE, rdn(OID.organizationalUnit, t.organizationalUnit), rdn(OID.commonName, t.commonName)),
  );
  const extensions = derNode(0xa3, derNode(TAG.SEQUENCE, BC_CA, KU_CA, subjectKeyIdExtension(t.subjectKeyId)));
  return signed(derNode(TAG.SEQUENCE, VERSION_3, serial, SIGNATURE_ALGORITHM_IDS["ecdsa-with-SHA256"], name, validity, name, t.spki, extensions), sign);
}

const AKI = OID.authorityKeyIdentifier.subarray(2);

/** A certificate's extensions as they are written: each one's OID contents and whole DER. */
function rawExtensions(parsed: ParsedCertificate): Array<{ id: Uint8Array; der: Uint8Array }> {
  const fields = readChildren(parsed.tbs, readOnly(parsed.tbs, TAG.SEQUENCE, "tbsCertificate"));
  const wrapper = fields.find((f) => f.tag === 0xa3);
  if (!wrapper) return [];
  const [list] = readChildren(parsed.tbs, wrapper);
  return readChildren(parsed.tbs, list!).map((entry) => ({
    id: readOid(parsed.tbs, readChildren(parsed.tbs, entry)[0]!),
    der: encodingOf(parsed.tbs, entry),
  }));
}

const EXTENSION_REQUEST = derOid("1.2.840.113549.1.9.14");

/**
 * A CSR for an existing CA certificate: its exact subject, public key and extensions
 * (as an extensionRequest), signed by its own key. This is what an external CA is sent
 * to cross-sign a root (`CrossSignRootCA`, swarm-semantics §4.9).
 */
export function buildCaCertificateRequest(certificate: Uint8Array, algorithm: SignatureAlgorithm, sign: Signer): Uint8Array {
  const parsed = parseCertificate(certificate);
  const chosen = algorithmOf(algorithm);
  const extensions = rawExtensions(parsed).map((e) => e.der);
  const attributes =
    extensions.length === 0
      ? derNode(0xa0)
      : derNode(0xa0, derNode(TAG.SEQUENCE, EXTENSION_REQUEST, derNode(TAG.SET, derNode(TAG.SEQUENCE, ...extensions))));
  const info = encodeNode(derNode(TAG.SEQUENCE, new Uint8Array([TAG.INTEGER, 1, 0]), parsed.subjectName, parsed.spki, attributes));
  const signature = sign(info);
  if (chosen.name.startsWith("ecdsa")) checkEcdsaSignature(signature);
  return encodeNode(derNode(TAG.SEQUENCE, info, chosen.id, derNode(TAG.BIT_STRING, NO_UNUSED_BITS, signature)));
}

/** The DER of a certificate's basicConstraints extension value, and whether it is critical; undefined if it has none. */
export function basicConstraintsOf(certificate: Uint8Array): { critical: boolean; value: Uint8Array } | undefined {
  const parsed = parseCertificate(certificate);
  const found = rawExtensions(parsed).find((e) => bytesEqual(e.id, BC));
  if (!found) return undefined;
  const parts = readChildren(found.der, readOnly(found.der, TAG.SEQUENCE, "an Extension"));
  const critical = parts.length === 3 ? readBoolean(found.der, parts[1]!) : false;
  return { critical, value: contentsOf(found.der, parts[parts.length - 1]!) };
}

/** Who signs a cross-signed root: the old root's subject and key identifier, and its key's algorithm. */
export interface CrossSigner {
  issuerName: Uint8Array;
  /** The old root's subjectKeyIdentifier, written as the authorityKeyIdentifier; none if it has none. */
  issuerKeyId?: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
}

/**
 * The new root re-signed by the old one (`CrossSignCACertificate`, swarm-semantics §4.8):
 * the same serial, validity, subject, public key and extensions, with the old root as
 * issuer and its key identifier as the authority key identifier. A node that trusts
 * only the old root then accepts whatever the new key signs, through this certificate.
 */
export function buildCrossSignedCertificate(newRoot: Uint8Array, signer: CrossSigner, sign: Signer): Uint8Array {
  const parsed = parseCertificate(newRoot);
  if (!parsed.isCa) throw invalidArgument("certificate", "certificate not a CA");
  withParseContext("invalid issuer name", "issuerName", () => readOnly(signer.issuerName, TAG.SEQUENCE, "a Name"));
  const algorithm = algorithmOf(signer.signatureAlgorithm);
  // parseCertificate has checked the layout: version, serial, signature, issuer, validity, subject, SPKI, [ids], extensions.
  const fields = readChildren(parsed.tbs, readOnly(parsed.tbs, TAG.SEQUENCE, "tbsCertificate"));
  const at = (i: number) => encodingOf(parsed.tbs, fields[i]!);
  const kept = rawExtensions(parsed).filter((e) => !bytesEqual(e.id, AKI)).map((e) => e.der);
  if (signer.issuerKeyId) {
    checkKeyId(signer.issuerKeyId, "issuerKeyId");
    kept.push(encodeNode(extension(OID.authorityKeyIdentifier, false, derNode(TAG.SEQUENCE, derNode(0x80, signer.issuerKeyId)))));
  }
  const offset = fields[0]!.tag === 0xa0 ? 1 : 0;
  const tbs = derNode(
    TAG.SEQUENCE,
    VERSION_3,
    at(offset),
    algorithm.id,
    signer.issuerName,
    at(offset + 3),
    at(offset + 4),
    at(offset + 5),
    ...(kept.length > 0 ? [derNode(0xa3, derNode(TAG.SEQUENCE, ...kept))] : []),
  );
  return signed(tbs, sign, algorithm.name);
}

/** A certificate's fields as Swarm reads them. Byte fields are views into the input. */
export interface ParsedCertificate {
  /** Exact DER of tbsCertificate: the bytes the signature covers. */
  tbs: Uint8Array;
  /** Exact DER of the subject Name; a root's becomes the issuerName of what it signs. */
  subjectName: Uint8Array;
  issuerName: Uint8Array;
  subject: NameSummary;
  issuer: NameSummary;
  /** Lower-case hex of the serial, two digits per octet, without the sign octet. */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  subjectKeyId?: Uint8Array;
  /** The authorityKeyIdentifier's keyIdentifier: the issuer's subjectKeyId. */
  authorityKeyId?: Uint8Array;
  dnsNames: string[];
  isCa: boolean;
  /** A name such as "ecdsa-with-SHA256", or the dotted OID of an algorithm not listed. */
  signatureAlgorithm: string;
  signature: Uint8Array;
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

const SKI = OID.subjectKeyIdentifier.subarray(2);
const SAN = OID.subjectAltName.subarray(2);
const BC = OID.basicConstraints.subarray(2);

interface ExtensionSummary {
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  dnsNames: string[];
  isCa: boolean;
}

/**
 * The most extensions a certificate may carry. Swarm's have six and a CA's a dozen or
 * so; a client certificate of thousands is an attempt to make the reader work, and is
 * refused before any one of them is read.
 */
export const MAX_EXTENSIONS = 64;

/** A checked OID's contents (at most MAX_OID_OCTETS) as a string key, so duplicates are found with a Set. */
function oidKey(id: Uint8Array): string {
  return String.fromCharCode(...id);
}

function readExtensions(der: Uint8Array, wrapper: Tlv): ExtensionSummary {
  const out: ExtensionSummary = { dnsNames: [], isCa: false };
  const [list, ...extra] = readChildren(der, wrapper);
  if (list === undefined || extra.length > 0 || list.tag !== TAG.SEQUENCE) throw new DerParseError("malformed extensions");
  const entries = readChildren(der, list, MAX_EXTENSIONS, `more than ${MAX_EXTENSIONS} extensions`);
  if (entries.length === 0) throw new DerParseError("empty extensions");
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.tag !== TAG.SEQUENCE) throw new DerParseError("expected an Extension");
    const parts = readChildren(der, entry, 3, "malformed Extension");
    if (parts.length < 2) throw new DerParseError("malformed Extension");
    const id = readOid(der, parts[0]!);
    if (parts.length === 3) readBoolean(der, parts[1]!);
    const valueTlv = parts[parts.length - 1]!;
    if (valueTlv.tag !== TAG.OCTET_STRING) throw new DerParseError("expected an extension value");
    const key = oidKey(id);
    if (seen.has(key)) throw new DerParseError(`duplicate extension ${oidToString(id)}`);
    seen.add(key);
    const value = contentsOf(der, valueTlv);
    if (bytesEqual(id, SKI)) {
      out.subjectKeyId = contentsOf(value, readOnly(value, TAG.OCTET_STRING, "a key identifier"));
    } else if (bytesEqual(id, AKI)) {
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
      const first = readChildren(value, readOnly(value, TAG.SEQUENCE, "authorityKeyIdentifier"))[0];
      if (first?.tag === 0x80) out.authorityKeyId = contentsOf(value, first);
    } else if (bytesEqual(id, BC)) {
      const constraints = readChildren(value, readOnly(value, TAG.SEQUENCE, "basicConstraints"));
      let next = 0;
      if (constraints[next]?.tag === TAG.BOOLEAN) out.isCa = readBoolean(value, constraints[next++]!);
      if (constraints[next]?.tag === TAG.INTEGER) readSmallInteger(value, constraints[next++]!);
      if (next !== constraints.length) throw new DerParseError("malformed basicConstraints");
    } else if (bytesEqual(id, SAN)) {
      const names = readChildren(value, readOnly(value, TAG.SEQUENCE, "subjectAltName"));
      if (names.length === 0) throw new DerParseError("empty subjectAltName");
      for (const name of names) if (name.tag === 0x82) out.dnsNames.push(readString(value, { ...name, tag: TAG.IA5_STRING }));
    }
  }
  return out;
}

/**
 * Parses a DER X.509 certificate, strictly: every length is checked against its parent,
 * nothing may follow the certificate, and the two signature algorithm fields must agree.
 * It does not verify the signature or check dates; the caller does, with `tbs`.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  return withParseContext("invalid certificate", "certificate", () => {
    const outer = readOnly(der, TAG.SEQUENCE, "a Certificate");
    const parts = readChildren(der, outer);
    if (parts.length !== 3) throw new DerParseError("Certificate must have three parts");
    const [tbsTlv, algorithmTlv, signatureTlv] = parts as [Tlv, Tlv, Tlv];
    if (tbsTlv.tag !== TAG.SEQUENCE) throw new DerParseError("expected tbsCertificate");
    const fields = readChildren(der, tbsTlv);
    let i = 0;
    let version = 0;
    if (fields[i]?.tag === 0xa0) {
      const [inner, ...extra] = readChildren(der, fields[i++]!);
      if (inner === undefined || extra.length > 0) throw new DerParseError("malformed version");
      version = readSmallInteger(der, inner);
      if (version > 2) throw new DerParseError("unsupported version");
    }
    const next = (what: string): Tlv => {
      const field = fields[i++];
      if (field === undefined) throw new DerParseError(`missing ${what}`);
      return field;
    };
    const serial = readInteger(der, next("serialNumber"));
    const innerAlgorithm = next("signature");
    const issuerTlv = next("issuer");
    const validityTlv = next("validity");
    const subjectTlv = next("subject");
    const spkiTlv = next("subjectPublicKeyInfo");
    if (validityTlv.tag !== TAG.SEQUENCE) throw new DerParseError("expected validity");
    const times = readChildren(der, validityTlv);
    if (times.length !== 2) throw new DerParseError("validity must have two times");
    const notBefore = readTime(der, times[0]!);
    const notAfter = readTime(der, times[1]!);
    const issuer = readName(der, issuerTlv);
    const subject = readName(der, subjectTlv);
    readSpki(der, spkiTlv);
    if (fields[i]?.tag === 0x81) i++;
    if (fields[i]?.tag === 0x82) i++;
    let extensions: ExtensionSummary = { dnsNames: [], isCa: false };
    if (fields[i]?.tag === 0xa3) {
      if (version !== 2) throw new DerParseError("extensions need version 3");
      extensions = readExtensions(der, fields[i++]!);
    }
    if (i !== fields.length) throw new DerParseError("unexpected field in tbsCertificate");
    const algorithmBytes = encodingOf(der, algorithmTlv);
    if (!bytesEqual(algorithmBytes, encodingOf(der, innerAlgorithm))) throw new DerParseError("signature algorithms disagree");
    const algorithm = readAlgorithmIdentifier(der, algorithmTlv);
    const signature = readBitString(der, signatureTlv);
    if (signature.unusedBits !== 0) throw new DerParseError("signature is not whole bytes");
    const result: ParsedCertificate = {
      tbs: encodingOf(der, tbsTlv),
      subjectName: encodingOf(der, subjectTlv),
      issuerName: encodingOf(der, issuerTlv),
      subject,
      issuer,
      serialHex: toHex(serial.length > 1 && serial[0] === 0 ? serial.subarray(1) : serial),
      notBefore,
      notAfter,
      spki: encodingOf(der, spkiTlv),
      dnsNames: extensions.dnsNames,
      isCa: extensions.isCa,
      signatureAlgorithm: signatureAlgorithmName(der, algorithm.oid) ?? oidToString(contentsOf(der, algorithm.oid)),
      signature: signature.bytes,
    };
    if (extensions.subjectKeyId !== undefined) result.subjectKeyId = extensions.subjectKeyId;
    if (extensions.authorityKeyId !== undefined) result.authorityKeyId = extensions.authorityKeyId;
    return result;
  });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Swarm's node certificate window (`CertBackdate`): notBefore is now rounded to the
 * nearest minute (Go's `Round(time.Minute)`, as CFSSL does) less one hour, so a peer whose clock is a little behind still accepts the
 * certificate; notAfter adds the same hour back on top of the expiry.
 */
export function nodeCertificateValidity(now: Date, expirySeconds: number): { notBefore: Date; notAfter: Date } {
  const ms = now.getTime();
  if (!Number.isFinite(ms)) throw invalidArgument("now", "now must be a valid date");
  if (!Number.isFinite(expirySeconds) || expirySeconds <= 0) throw invalidArgument("expirySeconds", "certificate expiry must be a positive number of seconds");
  const notBefore = Math.round(ms / MINUTE) * MINUTE - HOUR;
  return { notBefore: new Date(notBefore), notAfter: new Date(notBefore + expirySeconds * 1000 + HOUR) };
}
