/**
 * pki.parse.hostileWorstMs: the slowest parse (or refusal) by parseCertificate of the
 * hostile certificates in `@rampart/core/testing` (thousands of extensions, huge OIDs,
 * thousands of RDNs, maximum length; each about 63 KiB), the reader's own time without
 * TLS. pki.parse.validUs is the same for a valid node certificate, as the baseline.
 * Each figure is the median of many runs after a warm-up. The unit tests bound the
 * reader's work by its caps; this is where its time is measured.
 *
 * Target: under 1 ms for the worst case (the quadratic reader took 370 to 880 ms).
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { subjectPublicKeyBits } from "./algorithms.js";
import { buildNodeCertificate, buildRootCertificate, nodeCertificateValidity, parseCertificate } from "./cert.js";
import { hostileCertificates } from "../testing/index.js";

const WARMUP = 20;
const RUNS = 201;

function medianMs(work: () => void): number {
  for (let i = 0; i < WARMUP; i++) work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const attempt = (der: Uint8Array) => () => {
  try {
    parseCertificate(der);
  } catch {
    // A refusal is the expected outcome for most of them; its cost is what is measured.
  }
};

const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
const signer = (data: Uint8Array) => new Uint8Array(sign("sha256", data, privateKey));
const keyId = new Uint8Array(createHash("sha1").update(subjectPublicKeyBits(spki)).digest());

const root = parseCertificate(
  buildRootCertificate({ serial: new Uint8Array(randomBytes(16)), notBefore: new Date(0), notAfter: new Date(Date.UTC(2060, 0, 1)), spki, subjectKeyId: keyId, commonName: "swarm-ca" }, signer),
);
const valid = buildNodeCertificate(
  {
    serial: new Uint8Array(randomBytes(16)),
    issuerName: root.subjectName,
    issuerKeyId: root.subjectKeyId!,
    ...nodeCertificateValidity(new Date(), 3600),
    clusterId: "cluster",
    role: "swarm-worker",
    nodeId: "node",
    spki,
    subjectKeyId: keyId,
  },
  signer,
);

let worst = { name: "", ms: 0 };
for (const h of hostileCertificates(spki, signer, new Date())) {
  const ms = medianMs(attempt(h.der));
  process.stderr.write(`${h.name}: ${ms.toFixed(3)} ms (${h.der.length} bytes)\n`);
  if (ms > worst.ms) worst = { name: h.name, ms };
}
process.stderr.write(`worst: ${worst.name}\n`);
console.log(`pki.parse.hostileWorstMs: ${worst.ms.toFixed(3)} ms`);
console.log(`pki.parse.validUs: ${(medianMs(attempt(valid)) * 1000).toFixed(1)} us`);
