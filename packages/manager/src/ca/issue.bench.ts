/**
 * pki.issue.rate: node certificates issued per second, each one a full CSR check (PEM
 * decode, parse, key import, signature verification) and then subject, SANs and
 * extensions built, signed and PEM-encoded. pki.sign.rate: raw ECDSA P-256 signatures a
 * second in the same run, the ceiling issuance is measured against.
 * Target (DESIGN.md §6): at least 3,000 issuances a second.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { createCertificateAuthority, createRootCa, verifyCsr } from "./index.js";
import { buildCsr, toPem } from "@rampart/core";

const root = createRootCa(new Date());
const ca = createCertificateAuthority(root.certPem, root.key);
const clusterId = "0123456789abcdefghijklmno";

const CSRS = 2000;
const csrs: string[] = [];
for (let i = 0; i < CSRS; i++) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  csrs.push(toPem(buildCsr(spki, (info) => new Uint8Array(sign("sha256", info, privateKey))), "CERTIFICATE REQUEST"));
}

function issueAll(count: number): number {
  const now = new Date();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    ca.issue({ csr: verifyCsr(csrs[i % CSRS]!), nodeId: "abcdefghijklmnopqrstuvwxy", role: i % 2 ? "worker" : "manager", clusterId, expiryMs: 7_776_000_000, now });
  }
  return count / ((performance.now() - started) / 1000);
}

function signAll(count: number): number {
  const data = new Uint8Array(400).fill(7);
  const started = performance.now();
  for (let i = 0; i < count; i++) sign("sha256", data, root.key);
  return count / ((performance.now() - started) / 1000);
}

issueAll(500);
signAll(2000);
let issue = 0;
let signs = 0;
for (let round = 0; round < 3; round++) {
  issue = Math.max(issue, issueAll(3000));
  signs = Math.max(signs, signAll(10_000));
}
console.log(`pki.issue.rate: ${issue.toFixed(0)} certs/s`);
console.log(`pki.sign.rate: ${signs.toFixed(0)} signatures/s`);
console.log(`pki.issue.ofSignLimit: ${((issue / signs) * 100).toFixed(1)} %`);
