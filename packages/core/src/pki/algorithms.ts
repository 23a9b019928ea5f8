import { toBase64Url } from "../encoding/index.js";
import { RampartError, invalidArgument } from "../errors/index.js";
import {
  DerParseError,
  TAG,
  checkBitString,
  checkInteger,
  checkOid,
  contentsEqual,
  derOid,
  derSequence,
  readOnly,
  readTlv,
  withParseContext,
  type Tlv,
} from "./der.js";

/**
 * Object identifiers and algorithm identifiers, each encoded once at module load so
 * that writing one is a copy and recognising one is a byte comparison.
 */
export const OID = {
  commonName: derOid("2.5.4.3"),
  organization: derOid("2.5.4.10"),
  organizationalUnit: derOid("2.5.4.11"),
  subjectKeyIdentifier: derOid("2.5.29.14"),
  keyUsage: derOid("2.5.29.15"),
  subjectAltName: derOid("2.5.29.17"),
  basicConstraints: derOid("2.5.29.19"),
  authorityKeyIdentifier: derOid("2.5.29.35"),
  extKeyUsage: derOid("2.5.29.37"),
  serverAuth: derOid("1.3.6.1.5.5.7.3.1"),
  clientAuth: derOid("1.3.6.1.5.5.7.3.2"),
  ecPublicKey: derOid("1.2.840.10045.2.1"),
  p256: derOid("1.2.840.10045.3.1.7"),
  p384: derOid("1.3.132.0.34"),
  p521: derOid("1.3.132.0.35"),
  rsaEncryption: derOid("1.2.840.113549.1.1.1"),
} as const;

/** The signature algorithms Swarm accepts (`ca/certificates.go`), by their usual names. */
export type SignatureAlgorithm =
  | "ecdsa-with-SHA256"
  | "ecdsa-with-SHA384"
  | "ecdsa-with-SHA512"
  | "sha256WithRSAEncryption"
  | "sha384WithRSAEncryption"
  | "sha512WithRSAEncryption";

/** The public-key families Swarm distinguishes; anything else is "other" and left to policy. */
export type KeyAlgorithm = "ec-p256" | "ec-p384" | "ec-p521" | "rsa" | "other";

/** The contents of a constant OID (every constant here is shorter than 128 bytes). */
function oidBody(oid: Uint8Array): Uint8Array {
  return oid.subarray(2);
}

const SIGNATURE_OIDS: ReadonlyArray<readonly [SignatureAlgorithm, Uint8Array]> = (
  [
    ["ecdsa-with-SHA256", "1.2.840.10045.4.3.2"],
    ["ecdsa-with-SHA384", "1.2.840.10045.4.3.3"],
    ["ecdsa-with-SHA512", "1.2.840.10045.4.3.4"],
    ["sha256WithRSAEncryption", "1.2.840.113549.1.1.11"],
    ["sha384WithRSAEncryption", "1.2.840.113549.1.1.12"],
    ["sha512WithRSAEncryption", "1.2.840.113549.1.1.13"],
  ] as const
).map(([name, dotted]) => [name, oidBody(derOid(dotted))] as const);

/** AlgorithmIdentifier for ecdsa-with-SHA256; RFC 5758 says the parameters are absent. */
export const ECDSA_WITH_SHA256 = derSequence(derOid("1.2.840.10045.4.3.2"));

/**
 * The AlgorithmIdentifier written for each signature algorithm: ECDSA's without
 * parameters (RFC 5758), RSA's with NULL (RFC 4055), as Go's crypto/x509 writes them.
 */
export const SIGNATURE_ALGORITHM_IDS: Readonly<Record<SignatureAlgorithm, Uint8Array>> = {
  "ecdsa-with-SHA256": ECDSA_WITH_SHA256,
  "ecdsa-with-SHA384": derSequence(derOid("1.2.840.10045.4.3.3")),
  "ecdsa-with-SHA512": derSequence(derOid("1.2.840.10045.4.3.4")),
  "sha256WithRSAEncryption": derSequence(derOid("1.2.840.113549.1.1.11"), new Uint8Array([TAG.NULL, 0])),
  "sha384WithRSAEncryption": derSequence(derOid("1.2.840.113549.1.1.12"), new Uint8Array([TAG.NULL, 0])),
  "sha512WithRSAEncryption": derSequence(derOid("1.2.840.113549.1.1.13"), new Uint8Array([TAG.NULL, 0])),
};

/** The hash a signature algorithm uses, as node:crypto names it. */
export function signatureHash(algorithm: SignatureAlgorithm): "sha256" | "sha384" | "sha512" {
  return algorithm.includes("384") ? "sha384" : algorithm.includes("512") ? "sha512" : "sha256";
}

/** What a CA signs with for a key of this family (CFSSL's `DefaultSigAlgo`). */
export function defaultSignatureAlgorithm(key: KeyAlgorithm): SignatureAlgorithm | undefined {
  switch (key) {
    case "ec-p256":
      return "ecdsa-with-SHA256";
    case "ec-p384":
      return "ecdsa-with-SHA384";
    case "ec-p521":
      return "ecdsa-with-SHA512";
    case "rsa":
      return "sha256WithRSAEncryption";
    default:
      return undefined;
  }
}

/** The key family of a DER SubjectPublicKeyInfo. */
export function spkiKeyAlgorithm(spki: Uint8Array): KeyAlgorithm {
  return withParseContext("invalid public key", "spki", () => readSpki(spki, readOnly(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo"))).keyAlgorithm;
}

/** An AlgorithmIdentifier read from a document: where its OID and optional parameters are. */
export interface AlgorithmIdentifier {
  oid: Tlv;
  parameters: Tlv | undefined;
}

/** Reads `SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`. */
export function readAlgorithmIdentifier(bytes: Uint8Array, found: Tlv): AlgorithmIdentifier {
  if (found.tag !== TAG.SEQUENCE) throw new DerParseError("expected an AlgorithmIdentifier");
  const oid = readTlv(bytes, found.start, found.end);
  checkOid(bytes, oid);
  if (oid.end === found.end) return { oid, parameters: undefined };
  const parameters = readTlv(bytes, oid.end, found.end);
  if (parameters.end !== found.end) throw new DerParseError("malformed AlgorithmIdentifier");
  return { oid, parameters };
}

/** The name of a supported signature algorithm, or undefined. */
export function signatureAlgorithmName(bytes: Uint8Array, oid: Tlv): SignatureAlgorithm | undefined {
  for (const [name, known] of SIGNATURE_OIDS) if (contentsEqual(bytes, oid, known)) return name;
  return undefined;
}

const EC_PUBLIC_KEY = oidBody(OID.ecPublicKey);
const RSA_ENCRYPTION = oidBody(OID.rsaEncryption);
const CURVES: ReadonlyArray<readonly [KeyAlgorithm, Uint8Array]> = [
  ["ec-p256", oidBody(OID.p256)],
  ["ec-p384", oidBody(OID.p384)],
  ["ec-p521", oidBody(OID.p521)],
];

/** What SubjectPublicKeyInfo checks found: the key family and where the subjectPublicKey BIT STRING is. */
export interface SpkiSummary {
  keyAlgorithm: KeyAlgorithm;
  publicKey: Tlv;
}

/**
 * Checks a SubjectPublicKeyInfo's shape (`SEQUENCE { AlgorithmIdentifier, BIT STRING }`)
 * and names its key family. It does not validate the key itself; the signature check
 * that follows does that.
 */
export function readSpki(bytes: Uint8Array, found: Tlv): SpkiSummary {
  if (found.tag !== TAG.SEQUENCE) throw new DerParseError("expected a SubjectPublicKeyInfo");
  const algorithmTlv = readTlv(bytes, found.start, found.end);
  const algorithm = readAlgorithmIdentifier(bytes, algorithmTlv);
  const publicKey = readTlv(bytes, algorithmTlv.end, found.end);
  if (publicKey.end !== found.end) throw new DerParseError("malformed SubjectPublicKeyInfo");
  if (checkBitString(bytes, publicKey) !== 0) throw new DerParseError("public key is not whole bytes");
  let keyAlgorithm: KeyAlgorithm = "other";
  if (contentsEqual(bytes, algorithm.oid, EC_PUBLIC_KEY)) {
    const params = algorithm.parameters;
    if (params === undefined || params.tag !== TAG.OID) throw new DerParseError("EC key without a named curve");
    checkOid(bytes, params);
    for (const [name, known] of CURVES) if (contentsEqual(bytes, params, known)) keyAlgorithm = name;
  } else if (contentsEqual(bytes, algorithm.oid, RSA_ENCRYPTION)) {
    keyAlgorithm = "rsa";
  }
  return { keyAlgorithm, publicKey };
}

/**
 * The subjectPublicKey bits of a DER SubjectPublicKeyInfo. RFC 5280's usual
 * subjectKeyIdentifier is the SHA-1 of exactly these bytes; core cannot hash, so the
 * caller hashes what this returns.
 */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const { publicKey } = withParseContext("invalid public key", "spki", () => readSpki(spki, readOnly(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo")));
  return spki.subarray(publicKey.start + 1, publicKey.end);
}

/**
 * Refuses a SubjectPublicKeyInfo that is not one well-formed DER value before it is
 * copied into a signed document, where a stray byte would corrupt everything after it.
 */
export function checkSpki(spki: Uint8Array): void {
  withParseContext("invalid public key", "spki", () => readSpki(spki, readOnly(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo")));
}

/**
 * Checks a signer returned a DER `SEQUENCE { r INTEGER, s INTEGER }`. A signer handing
 * back raw r||s (WebCrypto's format) is a wiring mistake, so this is an internal error.
 */
export function checkEcdsaSignature(signature: Uint8Array): void {
  try {
    const outer = readOnly(signature, TAG.SEQUENCE, "an ECDSA signature");
    const r = readTlv(signature, outer.start, outer.end);
    checkInteger(signature, r);
    const s = readTlv(signature, r.end, outer.end);
    checkInteger(signature, s);
    if (s.end !== outer.end) throw new DerParseError("ECDSA signature must have two INTEGERs");
  } catch (error) {
    if (error instanceof DerParseError) {
      throw new RampartError("internal", `signer returned a malformed ECDSA signature: ${error.reason}`, { field: "signature", cause: error });
    }
    throw error;
  }
}

/** An EC public key as a JWK (RFC 7518 §6.2.1), the form Node and WebCrypto import fastest. */
export interface EcPublicJwk {
  kty: "EC";
  crv: "P-256" | "P-384" | "P-521";
  x: string;
  y: string;
}

const JWK_CURVES: Partial<Record<KeyAlgorithm, { crv: EcPublicJwk["crv"]; size: number }>> = {
  "ec-p256": { crv: "P-256", size: 32 },
  "ec-p384": { crv: "P-384", size: 48 },
  "ec-p521": { crv: "P-521", size: 66 },
};

/**
 * The JWK of an EC SubjectPublicKeyInfo. Verifying a CSR means importing its key, and
 * with OpenSSL 3 behind Node, importing SPKI DER costs about twice what importing the
 * same key as a JWK does (its generic decoder is slow): at thousands of issuances a
 * second that import is the single largest cost. The curve import still checks the
 * point is on the curve. Compressed points are refused, as Go's crypto/x509 refuses them.
 */
export function ecPublicKeyJwk(spki: Uint8Array): EcPublicJwk {
  const summary = withParseContext("invalid public key", "spki", () => readSpki(spki, readOnly(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo")));
  const curve = JWK_CURVES[summary.keyAlgorithm];
  if (curve === undefined) throw invalidArgument("spki", "public key is not a P-256, P-384 or P-521 EC key");
  const point = spki.subarray(summary.publicKey.start + 1, summary.publicKey.end);
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) throw invalidArgument("spki", "EC public key must be an uncompressed point");
  return {
    kty: "EC",
    crv: curve.crv,
    x: toBase64Url(point.subarray(1, 1 + curve.size)),
    y: toBase64Url(point.subarray(1 + curve.size)),
  };
}
