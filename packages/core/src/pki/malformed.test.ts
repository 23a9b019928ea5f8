import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { subjectPublicKeyBits } from "./algorithms.js";
import { buildNodeCertificate, buildRootCertificate, nodeCertificateValidity, parseCertificate } from "./cert.js";
import { buildCsr, parseCsr } from "./csr.js";

/**
 * Whatever bytes arrive, the parsers either return or throw a RampartError: a TypeError
 * or RangeError from a bad offset would become a 500 and would mean a bounds check is
 * missing.
 */
const spkiOf = (key: KeyObject) => new Uint8Array(key.export({ type: "spki", format: "der" }));
const keyIdOf = (spki: Uint8Array) => new Uint8Array(createHash("sha1").update(subjectPublicKeyBits(spki)).digest());

const rootKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rootSpki = spkiOf(rootKey.publicKey);
const signRoot = (data: Uint8Array) => new Uint8Array(sign("sha256", data, rootKey.privateKey));
const root = parseCertificate(
  buildRootCertificate(
    { serial: new Uint8Array(randomBytes(16)), notBefore: new Date(0), notAfter: new Date(Date.UTC(2060, 0, 1)), spki: rootSpki, subjectKeyId: keyIdOf(rootSpki), commonName: "swarm-ca" },
    signRoot,
  ),
);
const nodeKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
const csr = buildCsr(spkiOf(nodeKey.publicKey), (info) => new Uint8Array(sign("sha256", info, nodeKey.privateKey)));
const cert = buildNodeCertificate(
  {
    serial: new Uint8Array(randomBytes(16)),
    issuerName: root.subjectName,
    issuerKeyId: root.subjectKeyId!,
    ...nodeCertificateValidity(new Date(), 3600),
    clusterId: "cluster",
    role: "swarm-manager",
    nodeId: "node",
    spki: parseCsr(csr).spki,
    subjectKeyId: keyIdOf(parseCsr(csr).spki),
  },
  signRoot,
);

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const out = input.slice();
  const kind = Math.floor(random() * 4);
  if (kind === 0 || kind === 2) {
    const flips = 1 + Math.floor(random() * 3);
    for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
  }
  if (kind === 1 || kind === 2) return out.subarray(0, Math.floor(random() * out.length));
  if (kind === 3) {
    // Flip one bit of a byte in the first 12, where the outer lengths live.
    out[Math.floor(random() * Math.min(12, out.length))]! ^= 1 << Math.floor(random() * 8);
  }
  return out;
}

function outcome(parse: () => unknown): "parsed" | "refused" {
  try {
    parse();
    return "parsed";
  } catch (error) {
    if (!isRampartError(error)) throw error;
    expect(error.code).toBe("invalid_argument");
    return "refused";
  }
}

describe("malformed input", () => {
  it.each([
    ["ok/CSR: 2,000 mutations parse or are refused with a RampartError", csr, parseCsr, 1],
    ["ok/certificate: 2,000 mutations parse or are refused with a RampartError", cert, parseCertificate, 2],
  ] as const)("%s", (_n, good, parse, seed) => {
    const random = prng(seed);
    const counts = { parsed: 0, refused: 0 };
    for (let i = 0; i < 2000; i++) counts[outcome(() => parse(mutate(good, random)))]++;
    expect(counts.refused).toBeGreaterThan(500);
    expect(counts.parsed + counts.refused).toBe(2000);
  });

  it.each([
    ["ok/CSR: random bytes", parseCsr, 3],
    ["ok/certificate: random bytes", parseCertificate, 4],
  ] as const)("%s", (_n, parse, seed) => {
    const random = prng(seed);
    for (let i = 0; i < 500; i++) {
      const bytes = new Uint8Array(Math.floor(random() * 300)).map(() => Math.floor(random() * 256));
      if (i % 2 === 0 && bytes.length > 2) bytes[0] = 0x30;
      expect(outcome(() => parse(bytes))).toBe("refused");
    }
  });

  it("ok/every truncation of a valid CSR and certificate is refused", () => {
    for (const [good, parse] of [[csr, parseCsr], [cert, parseCertificate]] as const) {
      for (let end = 0; end < good.length; end++) expect(outcome(() => parse(good.subarray(0, end)))).toBe("refused");
    }
  });
});
