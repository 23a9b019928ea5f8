import { describe, expect, it } from "vitest";
import { fromBase64 } from "../encoding/index.js";
import { derOid, derPrintableString, derSequence, derSet, derSmallInteger, derUtf8String } from "./der.js";
import { formatName } from "./name.js";

const atv = (oid: string, value: Uint8Array) => derSet(derSequence(derOid(oid), value));

describe("formatName", () => {
  it.each([
    // A Docker Engine 20.10 swarm's `TLSInfo.CertIssuerSubject`, as its API gives it.
    ["ok/docker's swarm-ca issuer", fromBase64("MBMxETAPBgNVBAMTCHN3YXJtLWNh")!, "CN=swarm-ca"],
    [
      "ok/a swarm node's subject, in encoded order",
      derSequence(atv("2.5.4.10", derUtf8String("clusterid")), atv("2.5.4.11", derUtf8String("swarm-manager")), atv("2.5.4.3", derUtf8String("nodeid"))),
      "O=clusterid, OU=swarm-manager, CN=nodeid",
    ],
    ["ok/an attribute without a short name is its OID", derSequence(atv("2.5.4.97", derPrintableString("VATDE-1"))), "2.5.4.97=VATDE-1"],
    ["ok/a value that is not a string is its DER in hex", derSequence(atv("2.5.4.3", derSmallInteger(5))), "CN=#020105"],
    ["ok/an empty name", derSequence(), ""],
  ])("%s", (_name, der, text) => {
    expect(formatName(der)).toBe(text);
  });

  it.each([
    ["fail/not a sequence", derSet(), "invalid name: expected a Name"],
    ["fail/an RDN that is not a set", derSequence(derSequence()), "invalid name: expected a RelativeDistinguishedName"],
    ["fail/an attribute without a value", derSequence(derSet(derSequence(derOid("2.5.4.3")))), "invalid name: malformed AttributeTypeAndValue"],
  ])("%s", (_name, der, message) => {
    expect(() => formatName(der)).toThrow(message);
  });
});
