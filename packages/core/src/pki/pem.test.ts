import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import { fromPem, toPem } from "./pem.js";

const bytes = (n: number) => new Uint8Array(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));

describe("toPem", () => {
  it.each([["ok/empty", 0], ["ok/one byte", 1], ["ok/two bytes", 2], ["ok/exactly one line", 48], ["ok/several lines", 1000]])("%s", (_n, n) => {
    const der = bytes(n);
    const pem = toPem(der, "CERTIFICATE");
    expect(pem.startsWith("-----BEGIN CERTIFICATE-----\n")).toBe(true);
    expect(pem.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
    // The base64 text in lines of 64 characters, the last one shorter (RFC 7468 §2).
    const base64 = Buffer.from(der).toString("base64");
    const expected = Array.from({ length: Math.ceil(base64.length / 64) }, (_, i) => base64.slice(64 * i, 64 * (i + 1)));
    expect(pem.split("\n").slice(1, -2)).toEqual(expected);
    if (n > 0) expect(fromPem(pem, "CERTIFICATE")).toEqual([der]);
  });

  it("ok/matches what Node writes for a public key", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const der = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
    expect(toPem(der, "PUBLIC KEY")).toBe(publicKey.export({ type: "spki", format: "pem" }));
  });

  it("fail/a label that is not upper-case words", () => {
    expect(() => toPem(bytes(3), "certificate")).toThrow("PEM label");
    expect(() => toPem(bytes(3), "X-----")).toThrow("PEM label");
  });
});

describe("fromPem", () => {
  const a = toPem(bytes(100), "CERTIFICATE");
  const b = toPem(bytes(7), "CERTIFICATE");
  const key = toPem(bytes(40), "PRIVATE KEY");

  it("ok/every block of the label, in order, skipping other labels and text around them", () => {
    const text = `subject=CN = x\n${a}\nsome text\n${key}${b.replace(/\n/g, "\r\n")}`;
    expect(fromPem(text, "CERTIFICATE")).toEqual([bytes(100), bytes(7)]);
    expect(fromPem(text, "PRIVATE KEY")).toEqual([bytes(40)]);
  });

  it("ok/Node's X509Certificate reads what toPem wrote", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = publicKey.export({ type: "spki", format: "pem" }) as string;
    expect(fromPem(pem, "PUBLIC KEY")[0]).toEqual(new Uint8Array(publicKey.export({ type: "spki", format: "der" })));
    expect(() => new X509Certificate(toPem(bytes(10), "CERTIFICATE"))).toThrow();
  });

  it.each([
    ["fail/no block of the label", key, "no CERTIFICATE block"],
    ["fail/no PEM at all", "hello", "no CERTIFICATE block"],
    ["fail/not base64", "-----BEGIN CERTIFICATE-----\nAB$D\n-----END CERTIFICATE-----\n", "not base64"],
    ["fail/bad length", "-----BEGIN CERTIFICATE-----\nABCDE\n-----END CERTIFICATE-----\n", "multiple of 4"],
    ["fail/padding in the middle", "-----BEGIN CERTIFICATE-----\nAB==ABCD\n-----END CERTIFICATE-----\n", "not base64"],
    ["fail/stray bits", "-----BEGIN CERTIFICATE-----\nAB==\n-----END CERTIFICATE-----\n", "stray bits"],
    ["fail/empty block", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", "empty block"],
    ["fail/unclosed block", "-----BEGIN CERTIFICATE-----\nAAAA\n", "not closed"],
    ["fail/unclosed block before another", `-----BEGIN CERTIFICATE-----\nAAAA\n${b}`, "not closed"],
    ["fail/mismatched END", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n", "closed by END PRIVATE KEY"],
    ["fail/encapsulated headers", "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END CERTIFICATE-----\n", "headers"],
  ])("%s", (_n, text, message) => {
    let error: unknown;
    try {
      fromPem(text, "CERTIFICATE");
    } catch (e) {
      error = e;
    }
    expect(isRampartError(error)).toBe(true);
    expect((error as Error).message).toContain(message);
    expect((error as { field: string }).field).toBe("pem");
  });
});
