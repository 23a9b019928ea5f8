import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { subjectPublicKeyBits } from "./algorithms.js";
import { MAX_EXTENSIONS, buildNodeCertificate, buildRootCertificate, nodeCertificateValidity, parseCertificate } from "./cert.js";
import { buildCsr, parseCsr } from "./csr.js";
import {
  MAX_OID_OCTETS,
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
 * "parsed" or "refused"; anything thrown but a RampartError fails the property, and a
 * refusal's message must be short. Time is not asserted here (these machines are too
 * noisy for a timed test): the work a reader does is bounded by its caps, which the
 * hostile-certificate case below checks by the reason each is refused, and the time is
 * measured by `pki.parse.hostileWorstMs` and `nodeEndpoint.hostileCert.worstMs` in
 * `pnpm bench`.
 */
function refusal(parse: () => unknown): string | null {
  try {
    parse();
    return null;
  } catch (error) {
    if (!isRampartError(error)) throw error;
    expect(error.code).toBe("invalid_argument");
    expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
    return error.message;
  }
}

const outcome = (parse: () => unknown): "parsed" | "refused" => (refusal(parse) === null ? "parsed" : "refused");

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

  it("ok/random DER trees of up to 64 KiB are refused with a short message", () => {
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

  it("ok/hostile certificates are refused at a cap, before the reader walks them, with a short message", () => {
    // A refusal names the cap that stopped the reader: the 65th extension (so thousands
    // cost 65 reads, and a duplicate at the end is never reached), or an OID's 129th
    // octet (so an OID's text is never built). The two that parse are linear walks of
    // one list or one value.
    const hostile = hostileCertificates(rootSpki, signRoot, new Date());
    const reasons = Object.fromEntries(hostile.map((h) => [h.name, refusal(() => parseCertificate(h.der))]));
    const extensions = `invalid certificate: more than ${MAX_EXTENSIONS} extensions`;
    const oid = `invalid certificate: OID is longer than ${MAX_OID_OCTETS} octets`;
    expect(reasons).toEqual({
      "many-extensions": extensions,
      "duplicate-extension-last": extensions,
      "huge-oid-arc": oid,
      "duplicate-huge-oid": oid,
      "huge-signature-algorithm": oid,
      "many-oid-arcs": oid,
      "many-rdns": null,
      "maximum-length": null,
    });
  });

  it("ok/every truncation of a valid CSR and certificate is refused", () => {
    for (const [good, parse] of [[csr, parseCsr], [cert, parseCertificate]] as const) {
      for (let end = 0; end < good.length; end++) expect(outcome(() => parse(good.subarray(0, end)))).toBe("refused");
    }
  });
});
