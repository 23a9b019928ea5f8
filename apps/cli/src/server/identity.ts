import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildCsr, toPem } from "@rampart/core";

/**
 * A node's identity on disk, laid out as Swarm does (`swarm-node.key` 0600,
 * `swarm-node.crt`, `swarm-root-ca.crt`). The key is made here and never leaves the
 * machine; only a CSR does. Both the server (for its own node) and agents use this.
 */
export interface NodeIdentityFiles {
  dir: string;
  keyPath: string;
  certPath: string;
  rootPath: string;
}

export function identityFiles(dir: string): NodeIdentityFiles {
  return {
    dir,
    keyPath: join(dir, "swarm-node.key"),
    certPath: join(dir, "swarm-node.crt"),
    rootPath: join(dir, "swarm-root-ca.crt"),
  };
}

/** Writes a file by rename, so a crash never leaves half a key or certificate. */
export function writeAtomic(path: string, content: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

/**
 * How the key in a directory is kept (ADR 0022): with autolock, the server's own node key
 * is encrypted (PKCS#8 PBES2, AES-256-CBC) under a passphrase derived from the KEK.
 * `passphrase` opens it either way; `encrypt` says whether a key written there is
 * encrypted. Agents register nothing: their keys are in the clear, as Swarm's workers'.
 */
export interface KeyProtection {
  passphrase: string;
  encrypt: boolean;
}

/**
 * The protection of each key directory that has one, by directory. The server's identity
 * is read and made by the same functions agents use (`loadOrCreateKey` from its start and
 * its renewals), so the server registers its certificates directory here once its KEK is
 * open, and they honour it.
 */
const protections = new Map<string, KeyProtection>();

export function protectKeysIn(dir: string, protection: KeyProtection | undefined): void {
  if (protection) protections.set(dir, protection);
  else protections.delete(dir);
}

const ENCRYPTED_PEM = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

/** Whether a key file holds an encrypted key (autolock) or one in the clear. */
export function isEncryptedKeyFile(path: string): boolean {
  return readFileSync(path, "latin1").includes(ENCRYPTED_PEM);
}

/** The PEM a key is written as: encrypted under `passphrase`, or in the clear. */
function keyPem(key: KeyObject, passphrase: string | null): string {
  const options = passphrase === null ? { type: "pkcs8" as const, format: "pem" as const } : { type: "pkcs8" as const, format: "pem" as const, cipher: "aes-256-cbc", passphrase };
  return key.export(options).toString();
}

/** Reads a key file, encrypted or not; an encrypted one needs its directory's passphrase. */
function readKey(files: NodeIdentityFiles): KeyObject {
  const pem = readFileSync(files.keyPath, "utf8");
  if (!pem.includes(ENCRYPTED_PEM)) return createPrivateKey(pem);
  const protection = protections.get(files.dir);
  if (!protection) throw new Error(`${files.keyPath} is encrypted (autolock) and this process has no key to open it`);
  return createPrivateKey({ key: pem, format: "pem", passphrase: protection.passphrase });
}

/** The node's private key, created (ECDSA P-256, PKCS#8, mode 0600) on first use. */
export function loadOrCreateKey(files: NodeIdentityFiles): KeyObject {
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  if (existsSync(files.keyPath)) return readKey(files);
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const protection = protections.get(files.dir);
  writeAtomic(files.keyPath, keyPem(privateKey, protection?.encrypt ? protection.passphrase : null), 0o600);
  return privateKey;
}

/**
 * Rewrites the key as autolock now wants it, and registers that for what comes next:
 * encrypted under `passphrase`, or in the clear for null. The file is replaced whole
 * (by rename); one already as wanted is left alone. No key yet: only the registration.
 */
export function reprotectKey(files: NodeIdentityFiles, passphrase: string | null): void {
  const previous = protections.get(files.dir);
  if (existsSync(files.keyPath)) {
    const encrypted = isEncryptedKeyFile(files.keyPath);
    const key = readKey(files);
    const asWanted = passphrase === null ? !encrypted : encrypted && previous?.passphrase === passphrase;
    if (!asWanted) writeAtomic(files.keyPath, keyPem(key, passphrase), 0o600);
  }
  protectKeysIn(files.dir, passphrase === null ? (previous ? { passphrase: previous.passphrase, encrypt: false } : undefined) : { passphrase, encrypt: true });
}

/** A CSR with an empty subject: the CA decides the rest. */
export function csrFor(key: KeyObject): string {
  const spki = new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
  return toPem(buildCsr(spki, (info) => new Uint8Array(sign("sha256", info, key))), "CERTIFICATE REQUEST");
}

export interface StoredCertificate {
  pem: string;
  nodeId: string;
  organization: string;
  role: string;
  notBefore: Date;
  notAfter: Date;
}

/** The node's current certificate, or undefined if there is none yet. */
export function readCertificate(files: NodeIdentityFiles): StoredCertificate | undefined {
  if (!existsSync(files.certPath)) return undefined;
  const pem = readFileSync(files.certPath, "utf8");
  const cert = new X509Certificate(pem);
  const field = (name: string) => /^(\w+)=(.*)$/.exec(cert.subject.split("\n").find((l) => l.startsWith(`${name}=`)) ?? "")?.[2] ?? "";
  return {
    pem,
    nodeId: field("CN"),
    organization: field("O"),
    role: field("OU"),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** Certificates are public, but nothing else on the machine needs to read them: 0600 like the key. */
export function saveCertificate(files: NodeIdentityFiles, certPem: string, rootPem: string): void {
  writeAtomic(files.rootPath, rootPem, 0o600);
  writeAtomic(files.certPath, certPem, 0o600);
}
