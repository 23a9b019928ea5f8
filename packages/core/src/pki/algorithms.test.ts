import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { ecPublicKeyJwk, subjectPublicKeyBits } from "./algorithms.js";
import { buildCsr, parseCsr } from "./csr.js";

const spkiOf = (namedCurve: string) => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve });
  return { publicKey, privateKey, spki: new Uint8Array(publicKey.export({ type: "spki", format: "der" })) };
};

describe("ecPublicKeyJwk", () => {
  it.each([["ok/P-256", "P-256"], ["ok/P-384", "P-384"], ["ok/P-521", "P-521"]])("%s matches Node's own JWK", (_n, namedCurve) => {
    const { publicKey, spki } = spkiOf(namedCurve);
    expect(ecPublicKeyJwk(spki)).toEqual(publicKey.export({ format: "jwk" }));
  });

  it("ok/a CSR verifies through the JWK import", () => {
    const { privateKey, spki } = spkiOf("P-256");
    const csr = parseCsr(buildCsr(spki, (info) => new Uint8Array(sign("sha256", info, privateKey))));
    const key = createPublicKey({ key: { ...ecPublicKeyJwk(csr.spki) }, format: "jwk" });
    expect(verify("sha256", csr.info, key, csr.signature)).toBe(true);
  });

  it("fail/a point that is not on the curve is refused by the import", () => {
    const { spki } = spkiOf("P-256");
    const jwk = ecPublicKeyJwk(spki);
    expect(() => createPublicKey({ key: { ...jwk, y: jwk.x }, format: "jwk" })).toThrow();
  });

  it.each([
    ["fail/RSA key", new Uint8Array(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "der" })), "not a P-256"],
    ["fail/Ed25519 key", new Uint8Array(generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "der" })), "not a P-256"],
    ["fail/compressed point", (() => {
      const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      // 30 39 | 30 13 <ecPublicKey, P-256> | 03 22 00 <33-byte compressed point>
      const point = subjectPublicKeyBits(new Uint8Array(publicKey.export({ type: "spki", format: "der" })));
      const compressed = [2 + (point[64]! & 1), ...point.subarray(1, 33)];
      const algorithm = new Uint8Array(publicKey.export({ type: "spki", format: "der" })).subarray(2, 23);
      return new Uint8Array([0x30, 0x39, ...algorithm, 0x03, 0x22, 0x00, ...compressed]);
    })(), "uncompressed"],
    ["fail/not DER", new Uint8Array([0x30, 0x01]), "invalid public key"],
  ])("%s", (_n, spki, message) => {
    let error: unknown;
    try {
      ecPublicKeyJwk(spki);
    } catch (e) {
      error = e;
    }
    expect(isRampartError(error)).toBe(true);
    expect((error as Error).message).toContain(message);
    expect((error as { field: string }).field).toBe("spki");
  });
});

describe("subjectPublicKeyBits", () => {
  it("ok/is the uncompressed point of an EC key", () => {
    const { publicKey, spki } = spkiOf("P-256");
    const jwk = publicKey.export({ format: "jwk" });
    const bits = subjectPublicKeyBits(spki);
    expect(bits[0]).toBe(4);
    expect(Buffer.from(bits.subarray(1, 33)).toString("base64url")).toBe(jwk.x);
  });
});
