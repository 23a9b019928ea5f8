import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { subjectPublicKeyBits } from "./algorithms.js";
import { buildNodeCertificate, buildRootCertificate, nodeCertificateValidity, parseCertificate } from "./cert.js";
import { buildCsr, parseCsr } from "./csr.js";
import {
  TAG,
  contentsOf,
  oidToString,
  readBitString,
  readBoolean,
  readChildren,
  readInteger,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  readTlv,
  tlv,
  type Tlv,
} from "./der.js";
import { hostileCertificates } from "../testing/index.js";

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

/** A byte-level change to a valid document: flips, a truncation, or a flipped bit where the outer lengths live. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), values: fc.uint8Array({ minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip-header" as const), at: fc.nat({ max: 11 }), bit: fc.nat({ max: 7 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Uint8Array, changes: readonly Mutation[]): Uint8Array {
  let out = input.slice();
  for (const change of changes) {
    if (out.length === 0) break;
    if (change.kind === "set") for (const [i, v] of change.values.entries()) out[(change.at + i * 7919) % out.length] = v;
    else if (change.kind === "truncate") out = out.subarray(0, change.at % out.length);
    else out[change.at % out.length]! ^= 1 << change.bit;
  }
  return out;
}

/** The longest message a refusal may carry: it quotes at most a short prefix of anything. */
const MAX_MESSAGE = 200;

/**
 * "parsed" or "refused"; anything thrown but a RampartError fails the property. Work is
 * bounded by time, generously: the fastest of three parses must take under 50 ms. A
 * linear reader takes well under 1 ms on 64 KiB; the quadratic duplicate search took
 * 370 to 880 ms on the hostile certificates, so the bound catches it with room for a
 * loaded machine (the minimum of three discards a pause for GC or scheduling).
 */
function outcome(parse: () => unknown): "parsed" | "refused" {
  let fastest = Infinity;
  let result: "parsed" | "refused" = "parsed";
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    try {
      parse();
      result = "parsed";
    } catch (error) {
      if (!isRampartError(error)) throw error;
      expect(error.code).toBe("invalid_argument");
      expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
      result = "refused";
    }
    fastest = Math.min(fastest, performance.now() - started);
  }
  expect(fastest).toBeLessThan(50);
  return result;
}

describe("malformed input", () => {
  it.each([
    ["ok/CSR: mutations parse or are refused with a RampartError", csr, parseCsr],
    ["ok/certificate: mutations parse or are refused with a RampartError", cert, parseCertificate],
  ] as const)("%s", (_n, good, parse) => {
    const counts = { parsed: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (changes) => {
        counts[outcome(() => parse(mutate(good, changes)))]++;
      }),
      { numRuns: 2000 },
    );
    // The generator must reach both sides, or the property proves little.
    expect(counts.refused).toBeGreaterThan(500);
    expect(counts.parsed).toBeGreaterThan(0);
  });

  it.each([
    ["ok/CSR: random bytes are refused", parseCsr],
    ["ok/certificate: random bytes are refused", parseCertificate],
  ] as const)("%s", (_n, parse) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, sequence) => {
        if (sequence && bytes.length > 2) bytes[0] = 0x30;
        expect(outcome(() => parse(bytes))).toBe("refused");
      }),
      { numRuns: 500 },
    );
  });

  it("ok/random DER trees of up to 64 KiB are refused quickly with a short message", () => {
    // Nested SEQUENCEs, SETs and OIDs of any size: the shapes a reader might walk repeatedly.
    const LIMIT = 60 * 1024;
    const leaf = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((b) => tlv(TAG.OCTET_STRING, b)),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => tlv(TAG.OID, b)),
      fc.integer({ min: 1, max: 5000 }).map((n) => tlv(TAG.OID, new Uint8Array([0x2b]), new Uint8Array(n).fill(0x81), new Uint8Array([1]))),
    );
    const tree = fc.letrec<{ node: Uint8Array }>((self) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc
          .tuple(fc.constantFrom(TAG.SEQUENCE, TAG.SET, 0xa3), fc.array(self("node"), { maxLength: 8 }))
          .map(([tag, parts]) => (parts.reduce((n, p) => n + p.length, 0) > LIMIT ? tlv(tag) : tlv(tag, ...parts))),
        fc
          .tuple(self("node"), fc.integer({ min: 1, max: 3000 }))
          .map(([node, n]) => tlv(TAG.SEQUENCE, ...Array.from({ length: Math.min(n, Math.floor(LIMIT / node.length)) }, () => node))),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (bytes) => {
        outcome(() => parseCertificate(bytes));
        outcome(() => parseCsr(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("ok/the DER reader's functions, on random bytes at any offset, return or throw a RampartError", () => {
    const readers = [readOid, readString, readTime, readInteger, readSmallInteger, readBoolean, readBitString, (b: Uint8Array, t: Tlv) => readChildren(b, t, 16)];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat({ max: readers.length - 1 }), (bytes, at, which) => {
        outcome(() => {
          const found = readTlv(bytes, bytes.length === 0 ? 0 : at % bytes.length);
          readers[which]!(bytes, found);
          oidToString(contentsOf(bytes, found));
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("ok/hostile certificates are refused or read in bounded work, with a short message", () => {
    const hostile = hostileCertificates(rootSpki, signRoot, new Date());
    const refused = hostile.filter((h) => outcome(() => parseCertificate(h.der)) === "refused").map((h) => h.name);
    expect(refused).toEqual(["many-extensions", "duplicate-extension-last", "huge-oid-arc", "duplicate-huge-oid", "huge-signature-algorithm", "many-oid-arcs"]);
  });

  it("ok/every truncation of a valid CSR and certificate is refused", () => {
    for (const [good, parse] of [[csr, parseCsr], [cert, parseCertificate]] as const) {
      for (let end = 0; end < good.length; end++) expect(outcome(() => parse(good.subarray(0, end)))).toBe("refused");
    }
  });
});
