import { spawnSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { buildCsr, parseCsr } from "./csr.js";
import { derBitString, derOid, derSequence } from "./der.js";
import { fromPem, toPem } from "./pem.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-csr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { status: number | null; out: string } {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: "spki", format: "der" }));
}

function verifies(info: Uint8Array, spki: Uint8Array, signature: Uint8Array): boolean {
  return verify("sha256", info, createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }), signature);
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("buildCsr", () => {
  it.each([["ok/P-256", "P-256", "ec-p256"], ["ok/P-384 key (still signed SHA-256)", "P-384", "ec-p384"], ["ok/P-521 key", "P-521", "ec-p521"]] as const)(
    "%s",
    (_n, namedCurve, keyAlgorithm) => {
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve });
      const spki = spkiOf(publicKey);
      const csr = buildCsr(spki, (info) => new Uint8Array(sign("sha256", info, privateKey)));
      const parsed = parseCsr(csr);
      expect(parsed.keyAlgorithm).toBe(keyAlgorithm);
      expect(parsed.signatureAlgorithm).toBe("ecdsa-with-SHA256");
      expect(parsed.spki).toEqual(spki);
      expect(parsed.requested).toEqual({});
      expect(verifies(parsed.info, parsed.spki, parsed.signature)).toBe(true);

      const file = join(dir, `${namedCurve}.csr`);
      writeFileSync(file, toPem(csr, "CERTIFICATE REQUEST"));
      const checked = openssl(["req", "-in", file, "-noout", "-verify"]);
      expect(checked.out).toContain("verify OK");
      expect(checked.status).toBe(0);
      expect(openssl(["req", "-in", file, "-noout", "-subject"]).out.trim()).toBe("subject=");
    },
  );

  it("fail/a tampered CSR no longer verifies", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const other = spkiOf(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
    const csr = buildCsr(spkiOf(publicKey), (info) => new Uint8Array(sign("sha256", info, privateKey)));
    const parsed = parseCsr(csr);
    expect(verifies(parsed.info, other, parsed.signature)).toBe(false);
  });

  it.each([
    ["fail/spki is not DER", new Uint8Array([0x30, 0x05, 0x00])],
    ["fail/spki has trailing bytes", new Uint8Array([...spkiOf(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey), 0])],
  ])("%s", (_n, spki) => {
    const error = caught(() => buildCsr(spki, () => new Uint8Array([0x30, 0])));
    expect(isRampartError(error)).toBe(true);
    expect((error as { field: string }).field).toBe("spki");
  });

  it("fail/a signer returning raw r||s is a wiring error", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const error = caught(() => buildCsr(spkiOf(publicKey), (info) => new Uint8Array(sign("sha256", info, { key: privateKey, dsaEncoding: "ieee-p1363" }))));
    expect(isRampartError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("internal");
  });
});

describe("parseCsr with OpenSSL's CSRs", () => {
  it("ok/a CSR asking for a name parses, and requested shows what it asked for", () => {
    const key = join(dir, "k.pem");
    writeFileSync(key, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }));
    const made = openssl(["req", "-new", "-key", key, "-subj", "/O=evil/OU=swarm-manager/CN=other", "-out", "evil.csr"]);
    expect(made.status).toBe(0);
    const [der] = fromPem(readFileSync(join(dir, "evil.csr"), "utf8"), "CERTIFICATE REQUEST");
    const parsed = parseCsr(der!);
    expect(parsed.requested).toEqual({ commonName: "other", organization: ["evil"], organizationalUnit: ["swarm-manager"] });
    expect(parsed.keyAlgorithm).toBe("ec-p256");
    expect(parsed.signatureAlgorithm).toBe("ecdsa-with-SHA256");
    expect(verifies(parsed.info, parsed.spki, parsed.signature)).toBe(true);
  });

  it.each([
    ["ok/RSA 2048 signed SHA-384", ["-newkey", "rsa:2048", "-sha384"], "rsa", "sha384WithRSAEncryption"],
    ["ok/P-384 signed SHA-512", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha512"], "ec-p384", "ecdsa-with-SHA512"],
    ["ok/Ed25519 key is other, and its algorithm is refused", ["-newkey", "ed25519"], "other", undefined],
  ])("%s", (name, keyArgs, keyAlgorithm, signatureAlgorithm) => {
    const out = `${name.replace(/\W/g, "_")}.csr`;
    const made = openssl(["req", "-new", ...keyArgs, "-nodes", "-keyout", `${out}.key`, "-subj", "/CN=x", "-outform", "DER", "-out", out]);
    expect(made.status, made.out).toBe(0);
    const der = new Uint8Array(readFileSync(join(dir, out)));
    if (signatureAlgorithm === undefined) {
      const error = caught(() => parseCsr(der));
      expect(isRampartError(error)).toBe(true);
      expect((error as Error).message).toBe("invalid CSR: unsupported signature algorithm 1.3.101.112");
      expect((error as { field: string }).field).toBe("csr");
      return;
    }
    const parsed = parseCsr(der);
    expect(parsed.keyAlgorithm).toBe(keyAlgorithm);
    expect(parsed.signatureAlgorithm).toBe(signatureAlgorithm);
    expect(parsed.requested).toEqual({ commonName: "x" });
  });
});

describe("parseCsr refusals", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = spkiOf(publicKey);
  const good = buildCsr(spki, (info) => new Uint8Array(sign("sha256", info, privateKey)));
  const info = parseCsr(good).info.slice();
  const signature = derBitString(new Uint8Array(sign("sha256", info, privateKey)));

  it.each([
    ["fail/empty", new Uint8Array(), "invalid CSR: truncated value"],
    ["fail/truncated", good.subarray(0, good.length - 1), "invalid CSR: length runs past the end"],
    ["fail/trailing garbage", new Uint8Array([...good, 0]), "invalid CSR: trailing bytes after a CertificationRequest"],
    ["fail/wrong outer tag", new Uint8Array([0x31, ...good.subarray(1)]), "invalid CSR: expected a CertificationRequest"],
    ["fail/random bytes", new Uint8Array([0x17, 0x02, 0x99, 0x01]), "invalid CSR: expected a CertificationRequest"],
    ["fail/a length that runs past the end", new Uint8Array([0x30, 0x82, 0x7f, 0xff, ...good.subarray(2)]), "invalid CSR: length runs past the end"],
    ["fail/unsupported signature algorithm", derSequence(info, derSequence(derOid("1.2.840.113549.1.1.5")), signature), "invalid CSR: unsupported signature algorithm 1.2.840.113549.1.1.5"],
    ["fail/missing signature", derSequence(info, derSequence(derOid("1.2.840.10045.4.3.2"))), "invalid CSR: CertificationRequest must have three parts"],
  ])("%s", (_n, der, message) => {
    const error = caught(() => parseCsr(der));
    expect(isRampartError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
    expect((error as { code: string; field: string }).code).toBe("invalid_argument");
    expect((error as { field: string }).field).toBe("csr");
  });
});
