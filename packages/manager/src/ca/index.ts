import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import {
  ROOT_CA_BACKDATE_MS,
  ROOT_CA_COMMON_NAME,
  ROOT_CA_VALIDITY_MS,
  RampartError,
  buildNodeCertificate,
  buildRootCertificate,
  defaultSignatureAlgorithm,
  ecPublicKeyJwk,
  fromPem,
  nodeCertificateValidity,
  parseCertificate,
  parseCsr,
  roleOU,
  signatureHash,
  spkiKeyAlgorithm,
  subjectPublicKeyBits,
  toHex,
  toPem,
  type NodeRole,
} from "@rampart/core";
import { derToPem, pemToDer } from "./pem.js";

/**
 * The cluster CA: it signs node certificates with the root key, which it holds in
 * memory only (the store keeps it sealed). It takes nothing from a CSR but the public
 * key; subject, SANs, usages and validity are its own (swarm-semantics.md §4.2).
 */
export interface IssuedCertificate {
  pem: string;
  der: Uint8Array;
  serial: string;
  role: "swarm-manager" | "swarm-worker";
  notBefore: Date;
  notAfter: Date;
}

/** SHA-1 of the public key's bits: RFC 5280's usual key identifier. */
export function subjectKeyId(spki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha1").update(subjectPublicKeyBits(spki)).digest());
}

/**
 * Serials are drawn from a pool refilled 1,024 at a time: one call into the system's
 * random source costs about as much as building a certificate.
 */
const SERIAL_BYTES = 16;
let pool = new Uint8Array(0);
let poolAt = 0;

/** 128 random bits, never zero: unguessable, and within X.509's 20-octet limit. */
function newSerial(): Uint8Array {
  if (poolAt + SERIAL_BYTES > pool.length) {
    pool = new Uint8Array(randomBytes(SERIAL_BYTES * 1024));
    poolAt = 0;
  }
  const serial = pool.slice(poolAt, poolAt + SERIAL_BYTES);
  pool.fill(0, poolAt, poolAt + SERIAL_BYTES);
  poolAt += SERIAL_BYTES;
  serial[15] = serial[15]! | 0x01;
  return serial;
}

const signer = (key: KeyObject) => (tbs: Uint8Array) => new Uint8Array(sign("sha256", tbs, key));

/**
 * A fresh root: ECDSA P-256, CN=swarm-ca, 20 years, backdated 5 minutes as CFSSL does.
 * `key` reuses an existing P-256 key (a root renewed with the same key); `notBefore` and
 * `validityMs` change its window.
 */
export function createRootCa(
  now: Date,
  options: { key?: KeyObject; notBefore?: Date; validityMs?: number; organizationalUnit?: string } = {},
): { certPem: string; key: KeyObject } {
  const privateKey = options.key ?? generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  const notBefore = options.notBefore ?? new Date(now.getTime() - ROOT_CA_BACKDATE_MS);
  const der = buildRootCertificate(
    {
      serial: newSerial(),
      notBefore,
      notAfter: new Date(notBefore.getTime() + (options.validityMs ?? ROOT_CA_VALIDITY_MS)),
      spki,
      subjectKeyId: subjectKeyId(spki),
      commonName: ROOT_CA_COMMON_NAME,
      ...(options.organizationalUnit ? { organizationalUnit: options.organizationalUnit } : {}),
    },
    signer(privateKey),
  );
  return { certPem: toPem(der, "CERTIFICATE"), key: privateKey };
}

/** Accepted CSR keys: ECDSA P-256 and P-384, with an ECDSA signature. */
const ACCEPTED_KEYS = new Set(["ec-p256", "ec-p384"]);
const HASH: Record<string, string> = {
  "ecdsa-with-SHA256": "sha256",
  "ecdsa-with-SHA384": "sha384",
  "ecdsa-with-SHA512": "sha512",
};

export interface VerifiedCsr {
  spki: Uint8Array;
  publicKey: KeyObject;
}

/** Checks a CSR's structure, key type and self-signature; returns its public key. */
export function verifyCsr(csrPem: string): VerifiedCsr {
  const csr = parseCsr(pemToDer(csrPem, "CERTIFICATE REQUEST", "invalid CSR", "csr"));
  if (!ACCEPTED_KEYS.has(csr.keyAlgorithm)) {
    throw new RampartError("invalid_argument", "invalid CSR: the key must be ECDSA P-256 or P-384", { field: "csr" });
  }
  const hash = HASH[csr.signatureAlgorithm];
  if (!hash) throw new RampartError("invalid_argument", "invalid CSR: the signature must be ECDSA", { field: "csr" });
  // Loading through a JWK is about twice as fast as through SPKI DER (the curve check remains).
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: { ...ecPublicKeyJwk(csr.spki) }, format: "jwk" });
  } catch {
    throw new RampartError("invalid_argument", "invalid CSR: its public key is not a valid point on the curve", { field: "csr" });
  }
  if (!verify(hash, csr.info, publicKey, csr.signature)) {
    throw new RampartError("invalid_argument", "invalid CSR: its signature does not verify", { field: "csr" });
  }
  return { spki: csr.spki, publicKey };
}

export interface CertificateAuthority {
  readonly rootPem: string;
  /** Hex SHA-256 of the root PEM bytes: what join tokens carry. */
  readonly rootDigestHex: string;
  /** The subject key ID (hex) of the certificate it signs as: what its node certificates name as their authority. */
  readonly issuerKeyIdHex: string;
  issue(input: { csr: VerifiedCsr; nodeId: string; role: NodeRole; clusterId: string; expiryMs: number; now: Date }): IssuedCertificate;
}

/**
 * A CA that signs with `key` as `signingPem` (the root itself, or during a root rotation
 * the new root cross-signed by the old one), and hands out each certificate followed by
 * `intermediates`, so that it chains to `rootPem` on nodes that trust only that.
 */
export function createCertificateAuthority(rootPem: string, key: KeyObject, options: { signingPem?: string; intermediates?: string } = {}): CertificateAuthority {
  const signingDer = fromPem(options.signingPem ?? rootPem, "CERTIFICATE")[0];
  if (!signingDer) throw new RampartError("internal", "the signing certificate is not a PEM certificate");
  const signing = parseCertificate(signingDer);
  if (!signing.subjectKeyId) throw new RampartError("internal", "the signing certificate has no subject key identifier");
  const issuerKeyId = signing.subjectKeyId;
  const algorithm = defaultSignatureAlgorithm(spkiKeyAlgorithm(signing.spki));
  if (!algorithm) throw new RampartError("internal", "the signing key is neither ECDSA nor RSA");
  const sig = algorithm === "ecdsa-with-SHA256" ? signer(key) : (tbs: Uint8Array) => new Uint8Array(sign(signatureHash(algorithm), tbs, key));
  const intermediates = options.intermediates ?? "";
  return {
    rootPem,
    rootDigestHex: createHash("sha256").update(rootPem).digest("hex"),
    issuerKeyIdHex: toHex(issuerKeyId),
    issue({ csr, nodeId, role, clusterId, expiryMs, now }) {
      const { notBefore, notAfter } = nodeCertificateValidity(now, expiryMs / 1000);
      const serial = newSerial();
      const ou = roleOU(role);
      const der = buildNodeCertificate(
        {
          serial,
          issuerName: signing.subjectName,
          issuerKeyId,
          notBefore,
          notAfter,
          clusterId,
          role: ou,
          nodeId,
          spki: csr.spki,
          subjectKeyId: subjectKeyId(csr.spki),
          signatureAlgorithm: algorithm,
        },
        sig,
      );
      return { pem: derToPem(der, "CERTIFICATE") + intermediates, der, serial: toHex(serial), role: ou, notBefore, notAfter };
    },
  };
}
