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

/** The node's private key, created (ECDSA P-256, PKCS#8, mode 0600) on first use. */
export function loadOrCreateKey(files: NodeIdentityFiles): KeyObject {
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  if (existsSync(files.keyPath)) return createPrivateKey(readFileSync(files.keyPath));
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeAtomic(files.keyPath, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), 0o600);
  return privateKey;
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
