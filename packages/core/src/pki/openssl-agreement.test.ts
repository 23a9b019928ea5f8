import { spawnSync } from "node:child_process";
import { X509Certificate, generateKeyPairSync, sign, verify, createPublicKey, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { basicConstraintsExtension, buildTestCertificate, dnsNamesExtension, extension, subjectKeyIdExtension } from "../testing/index.js";
import { parseCertificate } from "./cert.js";
import { buildCsr, parseCsr } from "./csr.js";

/**
 * Core's readers against OpenSSL on random input: on well-formed certificates they read
 * what node:crypto's X509Certificate reads, and a CSR core accepts (parsed, signature
 * verified, as the CA checks it) is one `openssl req -verify` accepts too.
 */
const keys = [
  generateKeyPairSync("ec", { namedCurve: "P-256" }),
  generateKeyPairSync("ec", { namedCurve: "P-384" }),
];
const spkiOf = (key: KeyObject) => new Uint8Array(key.export({ type: "spki", format: "der" }));
const signerOf = (key: KeyObject) => (data: Uint8Array) => new Uint8Array(sign("sha256", data, key));

const ATTRIBUTES = { CN: "2.5.4.3", O: "2.5.4.10", OU: "2.5.4.11" } as const;
type Attribute = keyof typeof ATTRIBUTES;
/** Letters, digits and inner spaces or dashes: text OpenSSL prints without escaping. */
const value = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 -]{0,30}[A-Za-z0-9]$/);
const rdns = fc.array(fc.tuple(fc.constantFrom<Attribute>("CN", "O", "OU"), value), { minLength: 1, maxLength: 5 });
const dnsName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){0,2}$/);
/** Whole seconds from 1950 to 2100: both UTCTime and GeneralizedTime. */
const time = fc.integer({ min: Date.UTC(1950, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }).map((s) => new Date(s * 1000));

const certificate = fc.record({
  serial: fc.uint8Array({ minLength: 1, maxLength: 19 }).filter((b) => b.some((x) => x !== 0)),
  subject: rdns,
  issuer: rdns,
  times: fc.tuple(time, time).filter(([a, b]) => a.getTime() < b.getTime()),
  key: fc.nat({ max: keys.length - 1 }),
  dnsNames: fc.option(fc.uniqueArray(dnsName, { minLength: 1, maxLength: 4 })),
  isCa: fc.option(fc.boolean()),
  keyId: fc.option(fc.uint8Array({ minLength: 1, maxLength: 32 })),
  privateExtensions: fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 8 }),
});

const toDn = (names: ReadonlyArray<readonly [Attribute, string]>) => names.map(([type, v]) => `${type}=${v}`).join("\n");
const withTypes = (names: ReadonlyArray<readonly [Attribute, string]>) => names.map(([type, v]) => [ATTRIBUTES[type], v] as const);
const hexValue = (hex: string) => BigInt(`0x${hex}`);

describe("core's readers agree with OpenSSL", () => {
  it("ok/random well-formed certificates: subject, issuer, serial, validity, SANs, CA flag, key id and public key", () => {
    fc.assert(
      fc.property(certificate, (c) => {
        const { publicKey, privateKey } = keys[c.key]!;
        const extensions = [
          ...(c.dnsNames ? [dnsNamesExtension(c.dnsNames)] : []),
          ...(c.isCa === null ? [] : [basicConstraintsExtension(c.isCa)]),
          ...(c.keyId ? [subjectKeyIdExtension(c.keyId)] : []),
          ...c.privateExtensions.map((n) => extension(`1.3.6.1.4.1.${n}`, new Uint8Array([0x05, 0x00]))),
        ];
        const der = buildTestCertificate(
          { serial: c.serial, subject: withTypes(c.subject), issuer: withTypes(c.issuer), notBefore: c.times[0], notAfter: c.times[1], spki: spkiOf(publicKey), extensions },
          signerOf(privateKey),
        );
        const ours = parseCertificate(der);
        const theirs = new X509Certificate(der);
        expect(toDn(c.subject)).toBe(theirs.subject);
        expect(toDn(c.issuer)).toBe(theirs.issuer);
        const last = (type: Attribute, names: typeof c.subject) => names.filter(([t]) => t === type).map(([, v]) => v);
        expect(ours.subject).toEqual({ organization: last("O", c.subject), organizationalUnit: last("OU", c.subject), ...(last("CN", c.subject).length ? { commonName: last("CN", c.subject).at(-1) } : {}) });
        expect(ours.issuer.organization).toEqual(last("O", c.issuer));
        expect(hexValue(ours.serialHex)).toBe(hexValue(theirs.serialNumber));
        expect(ours.notBefore.getTime()).toBe(Date.parse(theirs.validFrom));
        expect(ours.notAfter.getTime()).toBe(Date.parse(theirs.validTo));
        expect(ours.dnsNames.map((n) => `DNS:${n}`).join(", ")).toBe(theirs.subjectAltName ?? "");
        expect(ours.isCa).toBe(theirs.ca);
        expect(ours.subjectKeyId && Buffer.from(ours.subjectKeyId).toString("hex")).toBe(c.keyId ? Buffer.from(c.keyId).toString("hex") : undefined);
        expect(Buffer.from(ours.spki).equals(theirs.publicKey.export({ type: "spki", format: "der" }))).toBe(true);
        expect(theirs.verify(publicKey)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  /** What the CA does with a CSR before it signs anything: parse, then check the self-signature. */
  function coreAccepts(der: Uint8Array): boolean {
    try {
      const csr = parseCsr(der);
      const key = createPublicKey({ key: Buffer.from(csr.spki), format: "der", type: "spki" });
      const hash = { "ecdsa-with-SHA256": "sha256", "ecdsa-with-SHA384": "sha384", "ecdsa-with-SHA512": "sha512" }[csr.signatureAlgorithm as string];
      return hash !== undefined && verify(hash, csr.info, key, csr.signature);
    } catch (error) {
      if (isRampartError(error)) return false;
      // node:crypto refusing a key the structure check let through is a refusal too.
      if (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_OSSL")) return false;
      throw error;
    }
  }

  function opensslAccepts(der: Uint8Array): boolean {
    return spawnSync("openssl", ["req", "-verify", "-noout", "-inform", "DER"], { input: der, encoding: "utf8" }).status === 0;
  }

  it("ok/a CSR, valid or corrupted, is accepted only when openssl req -verify accepts it", () => {
    // Core may be stricter than OpenSSL (it is, on DER it does not need), never looser.
    const tally = { accepted: 0, refused: 0, refusedByCoreOnly: 0 };
    fc.assert(
      fc.property(
        fc.nat({ max: keys.length - 1 }),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { freq: 3 }),
        (k, corruption) => {
          const { publicKey, privateKey } = keys[k]!;
          const der = buildCsr(spkiOf(publicKey), signerOf(privateKey));
          if (corruption) der[corruption[0] % der.length]! ^= corruption[1];
          const ours = coreAccepts(der);
          const theirs = opensslAccepts(der);
          tally[ours ? "accepted" : theirs ? "refusedByCoreOnly" : "refused"]++;
          if (ours) expect(theirs).toBe(true);
          if (!corruption) expect(ours).toBe(true);
        },
      ),
      // Each run spawns openssl: about 10 ms each, a few seconds in all.
      { numRuns: 150 },
    );
    expect(tally.accepted).toBeGreaterThan(10);
    expect(tally.refused).toBeGreaterThan(10);
    console.log(`CSR agreement with openssl: ${JSON.stringify(tally)}`);
  });
});
