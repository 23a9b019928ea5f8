import { spawnSync } from "node:child_process";
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { subjectPublicKeyBits } from "./algorithms.js";
import {
  buildNodeCertificate,
  buildRootCertificate,
  nodeCertificateValidity,
  parseCertificate,
  type NodeCertificateTemplate,
  type CertificateRole,
  type Signer,
} from "./cert.js";
import { buildCsr, parseCsr } from "./csr.js";
import { readTlv } from "./der.js";
import { fromPem, toPem } from "./pem.js";
import { buildTestCertificate, extension as testExtension } from "../testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-cert-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { status: number | null; out: string } {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

const spkiOf = (key: KeyObject) => new Uint8Array(key.export({ type: "spki", format: "der" }));
const keyIdOf = (spki: Uint8Array) => new Uint8Array(createHash("sha1").update(subjectPublicKeyBits(spki)).digest());
const signerFor = (key: KeyObject): Signer => (data) => new Uint8Array(sign("sha256", data, key));

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const now = new Date("2025-03-14T15:09:26.535Z");
const CLUSTER = "4ouqz3nt3y6wl2j8tq1vzw0hc";

const root = (() => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = spkiOf(publicKey);
  const der = buildRootCertificate(
    {
      serial: new Uint8Array(randomBytes(16)),
      notBefore: new Date(now.getTime() - 5 * 60_000),
      notAfter: new Date(now.getTime() + 630_720_000_000),
      spki,
      subjectKeyId: keyIdOf(spki),
      commonName: "swarm-ca",
    },
    signerFor(privateKey),
  );
  const pem = toPem(der, "CERTIFICATE");
  writeFileSync(join(dir, "root.pem"), pem);
  return { der, pem, publicKey, sign: signerFor(privateKey), parsed: parseCertificate(der) };
})();

function issue(role: CertificateRole, nodeId: string, overrides: Partial<NodeCertificateTemplate> = {}): Uint8Array {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const csr = parseCsr(buildCsr(spkiOf(publicKey), signerFor(privateKey)));
  return buildNodeCertificate(
    {
      serial: new Uint8Array(randomBytes(16)),
      issuerName: root.parsed.subjectName,
      issuerKeyId: root.parsed.subjectKeyId!,
      ...nodeCertificateValidity(now, 90 * 24 * 3600),
      clusterId: CLUSTER,
      role,
      nodeId,
      spki: csr.spki,
      subjectKeyId: keyIdOf(csr.spki),
      ...overrides,
    },
    root.sign,
  );
}

describe("buildRootCertificate", () => {
  it("ok/a self-signed CA that OpenSSL and Node accept", () => {
    const text = openssl(["x509", "-in", "root.pem", "-noout", "-text"]);
    expect(text.status).toBe(0);
    expect(text.out).toContain("Issuer: CN = swarm-ca");
    expect(text.out).toContain("Subject: CN = swarm-ca");
    expect(text.out).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text.out).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text.out).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(openssl(["verify", "-CAfile", "root.pem", "root.pem"]).out.trim()).toBe("root.pem: OK");

    const cert = new X509Certificate(root.pem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(root.publicKey)).toBe(true);
    expect(root.parsed).toMatchObject({
      subject: { commonName: "swarm-ca", organization: [], organizationalUnit: [] },
      issuer: { commonName: "swarm-ca", organization: [], organizationalUnit: [] },
      isCa: true,
      dnsNames: [],
      signatureAlgorithm: "ecdsa-with-SHA256",
    });
    expect(BigInt(`0x${root.parsed.serialHex}`)).toBe(BigInt(`0x${cert.serialNumber}`));
    expect(root.parsed.serialHex).toMatch(/^([0-9a-f]{2})+$/);
    expect(root.parsed.subjectName).toEqual(root.parsed.issuerName);
    expect(cert.checkIssued(cert)).toBe(true);
  });
});

describe("buildNodeCertificate", () => {
  it.each([
    ["ok/worker", "swarm-worker", "n0deid1worker000000000000", ["swarm-worker", "n0deid1worker000000000000"]],
    ["ok/manager also names swarm-ca", "swarm-manager", "n0deid2manager00000000000", ["swarm-manager", "n0deid2manager00000000000", "swarm-ca"]],
  ] as const)("%s", (name, role, nodeId, dnsNames) => {
    const der = issue(role, nodeId);
    const pem = toPem(der, "CERTIFICATE");
    const file = `${role}.pem`;
    writeFileSync(join(dir, file), pem);

    const text = openssl(["x509", "-in", file, "-noout", "-text"]);
    expect(text.status, text.out).toBe(0);
    expect(text.out).toContain(`Subject: O = ${CLUSTER}, OU = ${role}, CN = ${nodeId}`);
    expect(text.out).toContain("Issuer: CN = swarm-ca");
    expect(text.out).toContain(dnsNames.map((n) => `DNS:${n}`).join(", "));
    expect(text.out).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text.out).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text.out).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    expect(text.out).toContain("Signature Algorithm: ecdsa-with-SHA256");
    const verified = openssl(["verify", "-attime", String(Math.floor(now.getTime() / 1000)), "-CAfile", "root.pem", file]);
    expect(verified.out.trim(), name).toBe(`${file}: OK`);
    expect(verified.status).toBe(0);

    const cert = new X509Certificate(pem);
    const rootCert = new X509Certificate(root.pem);
    expect(cert.verify(root.publicKey)).toBe(true);
    expect(cert.checkIssued(rootCert)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBe(dnsNames.map((n) => `DNS:${n}`).join(", "));

    const parsed = parseCertificate(der);
    const validity = nodeCertificateValidity(now, 90 * 24 * 3600);
    expect(parsed).toMatchObject({
      subject: { commonName: nodeId, organization: [CLUSTER], organizationalUnit: [role] },
      issuer: { commonName: "swarm-ca", organization: [], organizationalUnit: [] },
      dnsNames: [...dnsNames],
      isCa: false,
      signatureAlgorithm: "ecdsa-with-SHA256",
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
    });
    expect(BigInt(`0x${parsed.serialHex}`)).toBe(BigInt(`0x${cert.serialNumber}`));
    expect(parsed.issuerName).toEqual(root.parsed.subjectName);
    expect(parsed.subjectKeyId).toEqual(keyIdOf(parsed.spki));
    expect(new Date(cert.validFrom)).toEqual(validity.notBefore);
    expect(new Date(cert.validTo)).toEqual(validity.notAfter);
  });

  it("ok/a certificate valid past 2049 uses GeneralizedTime and still verifies", () => {
    const der = issue("swarm-worker", "late", { notBefore: new Date("2049-12-31T23:00:00Z"), notAfter: new Date("2050-06-01T00:00:00Z") });
    writeFileSync(join(dir, "late.pem"), toPem(der, "CERTIFICATE"));
    const text = openssl(["x509", "-in", "late.pem", "-noout", "-dates"]);
    expect(text.out).toContain("notBefore=Dec 31 23:00:00 2049 GMT");
    expect(text.out).toContain("notAfter=Jun  1 00:00:00 2050 GMT");
    const parsed = parseCertificate(der);
    expect(parsed.notAfter.toISOString()).toBe("2050-06-01T00:00:00.000Z");
    expect(new X509Certificate(toPem(der, "CERTIFICATE")).verify(root.publicKey)).toBe(true);
  });

  it("ok/a 20-byte serial with the top bit clear, and one with a leading zero byte", () => {
    const serial = new Uint8Array(20).fill(0x7f);
    expect(parseCertificate(issue("swarm-worker", "n1", { serial })).serialHex).toBe("7f".repeat(20));
    expect(parseCertificate(issue("swarm-worker", "n1", { serial: new Uint8Array([0, 0, 0x80]) })).serialHex).toBe("80");
  });

  it.each([
    ["fail/zero serial", { serial: new Uint8Array(4) }, "serial"],
    ["fail/21-octet serial", { serial: new Uint8Array(20).fill(0xff) }, "serial"],
    ["fail/node ID with a space", { nodeId: "a b" }, "nodeId"],
    ["fail/empty node ID", { nodeId: "" }, "nodeId"],
    ["fail/empty cluster ID", { clusterId: "" }, "clusterId"],
    ["fail/cluster ID with a newline", { clusterId: "a\nb" }, "clusterId"],
    ["fail/unknown role", { role: "swarm-ca" as CertificateRole }, "role"],
    ["fail/notAfter before notBefore", { notBefore: now, notAfter: new Date(now.getTime() - 1) }, "notAfter"],
    ["fail/invalid date", { notBefore: new Date(Number.NaN) }, "notBefore"],
    ["fail/empty key id", { subjectKeyId: new Uint8Array() }, "subjectKeyId"],
    ["fail/issuer name is not DER", { issuerName: new Uint8Array([0x30, 0x05]) }, "issuerName"],
    ["fail/spki is not DER", { spki: new Uint8Array([0x30, 0x00]) }, "spki"],
  ] as const)("%s", (_n, overrides, field) => {
    const error = caught(() => issue("swarm-worker", "n1", overrides));
    expect(isRampartError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("invalid_argument");
    expect((error as { field: string }).field).toBe(field);
  });
});

describe("parseCertificate with OpenSSL's certificates", () => {
  it("ok/an RSA CA with several OUs, a v1-style name mix and IP SANs", () => {
    const made = openssl([
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-sha384", "-days", "30",
      "-subj", "/C=US/O=acme/OU=one/OU=two/CN=Example Root",
      "-addext", "subjectAltName=DNS:a.example,IP:10.0.0.1,DNS:b.example",
      "-out", "rsa.pem",
    ]);
    expect(made.status, made.out).toBe(0);
    const [der] = fromPem(readFileSync(join(dir, "rsa.pem"), "utf8"), "CERTIFICATE");
    const parsed = parseCertificate(der!);
    expect(parsed).toMatchObject({
      subject: { commonName: "Example Root", organization: ["acme"], organizationalUnit: ["one", "two"] },
      dnsNames: ["a.example", "b.example"],
      isCa: true,
      signatureAlgorithm: "sha384WithRSAEncryption",
    });
    expect(parsed.subjectKeyId).toHaveLength(20);
  });
});

describe("parseCertificate refusals", () => {
  const good = issue("swarm-worker", "n1");
  it.each([
    ["fail/empty", new Uint8Array(), "invalid certificate: truncated value"],
    ["fail/truncated", good.subarray(0, good.length - 10), "invalid certificate: length runs past the end"],
    ["fail/trailing garbage", new Uint8Array([...good, 0, 0]), "invalid certificate: trailing bytes after a Certificate"],
    ["fail/wrong outer tag", new Uint8Array([0x31, ...good.subarray(1)]), "invalid certificate: expected a Certificate"],
    ["fail/a length that runs past the end", new Uint8Array([0x30, 0x83, 0x01, 0x00, 0x00, ...good.subarray(2)]), "invalid certificate: length runs past the end"],
    ["fail/a CSR is not a certificate", buildCsr(root.parsed.spki, root.sign), "invalid certificate: missing subject"],
  ])("%s", (_n, der, message) => {
    const error = caught(() => parseCertificate(der));
    expect(isRampartError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
    expect((error as { field: string }).field).toBe("certificate");
  });

  it("fail/the inner and outer signature algorithms must agree", () => {
    // Both AlgorithmIdentifiers are 30 0a 06 08 2a 86 48 ce 3d 04 03 02; change the outer one's last arc to 3.
    const tampered = good.slice();
    const tbsEnd = readTlv(good, 0).headerLength + parseCertificate(good).tbs.length;
    expect(tampered[tbsEnd + 11]).toBe(0x02);
    tampered[tbsEnd + 11] = 0x03;
    expect(() => parseCertificate(tampered)).toThrow("invalid certificate: signature algorithms disagree");
  });
});

describe("nodeCertificateValidity", () => {
  it.each([
    ["ok/rounds to the nearest minute (up) and backdates an hour", "2025-03-14T15:09:59.999Z", 3600, "2025-03-14T14:10:00.000Z", "2025-03-14T16:10:00.000Z"],
    ["ok/rounds to the nearest minute (down)", "2025-03-14T15:09:29.999Z", 3600, "2025-03-14T14:09:00.000Z", "2025-03-14T16:09:00.000Z"],
    ["ok/90 days", "2025-01-01T00:00:00.000Z", 90 * 86400, "2024-12-31T23:00:00.000Z", "2025-04-01T00:00:00.000Z"],
  ])("%s", (_n, nowIso, expiry, notBefore, notAfter) => {
    const v = nodeCertificateValidity(new Date(nowIso), expiry);
    expect(v.notBefore.toISOString()).toBe(notBefore);
    expect(v.notAfter.toISOString()).toBe(notAfter);
  });

  it.each([["fail/zero expiry", now, 0], ["fail/NaN expiry", now, Number.NaN], ["fail/invalid now", new Date(Number.NaN), 3600]])(
    "%s",
    (_n, at, expiry) => {
      expect(() => nodeCertificateValidity(at, expiry)).toThrow();
    },
  );
});

describe("certificate reader limits", () => {
  const key = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const build = (extensions: Uint8Array[]) =>
    buildTestCertificate(
      { serial: new Uint8Array([1]), subject: [["2.5.4.3", "limits"]], notBefore: new Date(0), notAfter: new Date(Date.UTC(2040, 0, 1)), spki: spkiOf(key.publicKey), extensions },
      (data) => new Uint8Array(sign("sha256", data, key.privateKey)),
    );
  const privateExtension = (n: number) => testExtension(`1.3.6.1.4.1.${n}`, new Uint8Array(0));

  it("ok/64 distinct extensions are read", () => {
    expect(parseCertificate(build(Array.from({ length: 64 }, (_, i) => privateExtension(i)))).subject.commonName).toBe("limits");
  });

  it("fail/65 extensions are refused before any is read", () => {
    expect(() => parseCertificate(build(Array.from({ length: 65 }, (_, i) => privateExtension(i))))).toThrow("invalid certificate: more than 64 extensions");
  });

  it("fail/a duplicate among 64 is found and named", () => {
    const list = Array.from({ length: 63 }, (_, i) => privateExtension(i));
    expect(() => parseCertificate(build([...list, privateExtension(0)]))).toThrow("invalid certificate: duplicate extension 1.3.6.1.4.1.0");
  });
});
