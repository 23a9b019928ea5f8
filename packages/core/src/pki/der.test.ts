import { describe, expect, it } from "vitest";
import { isRampartError } from "../errors/index.js";
import {
  concatBytes,
  derBitString,
  derBoolean,
  derExplicit,
  derImplicit,
  derInteger,
  derNode,
  derNull,
  derOctetString,
  derOid,
  derPrintableString,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derUtf8String,
  encodeLength,
  encodeNode,
  oidToString,
  readBitString,
  readBoolean,
  readChildren,
  readInteger,
  readOid,
  readOnly,
  readString,
  readTime,
  readTlv,
  TAG,
  tlv,
} from "./der.js";

const hex = (text: string) => new Uint8Array(text.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
const toHex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("DER lengths", () => {
  it.each([
    ["ok/0", 0, "00"],
    ["ok/0x7f is the last short form", 0x7f, "7f"],
    ["ok/0x80 is the first long form", 0x80, "8180"],
    ["ok/0xff", 0xff, "81ff"],
    ["ok/0x100 takes two octets", 0x100, "820100"],
    ["ok/0xffff", 0xffff, "82ffff"],
    ["ok/0x10000 takes three octets", 0x10000, "83010000"],
  ])("%s", (_n, length, expected) => {
    expect(toHex(encodeLength(length))).toBe(expected);
    const encoded = tlv(TAG.OCTET_STRING, new Uint8Array(length));
    expect(toHex(encoded.subarray(1, 1 + expected.length / 2))).toBe(expected);
    expect(readTlv(encoded, 0)).toEqual({ tag: 4, headerLength: 1 + expected.length / 2, length, start: 1 + expected.length / 2, end: encoded.length });
  });

  it("fail/a negative length cannot be written", () => {
    expect(() => encodeLength(-1)).toThrow("non-negative");
  });
});

describe("DER writer", () => {
  it.each([
    ["ok/zero", "", "020100"],
    ["ok/zero byte", "00", "020100"],
    ["ok/small", "01", "020101"],
    ["ok/high bit gets a leading zero", "80", "02020080"],
    ["ok/leading zeros are dropped", "00007f", "02017f"],
    ["ok/leading zeros are dropped before a high bit", "0000ff01", "020300ff01"],
    ["ok/16 random-looking bytes", "f0".repeat(16), "021100" + "f0".repeat(16)],
  ])("%s", (_n, input, expected) => {
    expect(toHex(derInteger(hex(input)))).toBe(expected);
  });

  it.each([
    ["ok/version 3", 2, "020102"],
    ["ok/255", 255, "020200ff"],
    ["ok/256", 256, "02020100"],
  ])("%s", (_n, value, expected) => {
    expect(toHex(derSmallInteger(value))).toBe(expected);
  });

  it.each([
    ["ok/ecdsa-with-SHA256", "1.2.840.10045.4.3.2", "06082a8648ce3d040302"],
    ["ok/commonName", "2.5.4.3", "0603550403"],
    ["ok/serverAuth", "1.3.6.1.5.5.7.3.1", "06082b06010505070301"],
    ["ok/first arc 2 with a big second arc", "2.999.3", "0603883703"],
  ])("%s", (_n, dotted, expected) => {
    const encoded = derOid(dotted);
    expect(toHex(encoded)).toBe(expected);
    expect(oidToString(readOid(encoded, readTlv(encoded, 0)))).toBe(dotted);
  });

  it.each([["fail/not dotted", "1"], ["fail/leading zero arc", "1.02"], ["fail/second arc too big", "1.40"], ["fail/first arc 3", "3.1"], ["fail/empty", ""]])(
    "%s",
    (_n, dotted) => {
      expect(() => derOid(dotted)).toThrow();
    },
  );

  it("ok/fixed encodings", () => {
    expect(toHex(derBoolean(true))).toBe("0101ff");
    expect(toHex(derBoolean(false))).toBe("010100");
    expect(toHex(derNull())).toBe("0500");
    expect(toHex(derBitString(hex("a0"), 5))).toBe("030205a0");
    expect(toHex(derBitString(new Uint8Array()))).toBe("030100");
    expect(toHex(derOctetString(hex("0102")))).toBe("04020102");
    expect(toHex(derUtf8String("é"))).toBe("0c02c3a9");
    expect(toHex(derPrintableString("swarm-ca"))).toBe("1308737761726d2d6361");
    expect(toHex(derSequence(derNull(), derNull()))).toBe("300405000500");
    expect(toHex(derSet(derNull()))).toBe("31020500");
    expect(toHex(derExplicit(0, hex("020102")))).toBe("a003020102");
    expect(toHex(derExplicit(3, derSequence()))).toBe("a3023000");
    expect(toHex(derImplicit(2, hex("6162")))).toBe("82026162");
    expect(toHex(derImplicit(1, hex("0500"), true))).toBe("a1020500");
    expect(toHex(concatBytes([hex("01"), new Uint8Array(), hex("0203")]))).toBe("010203");
  });

  it.each([
    ["ok/empty", 0],
    ["ok/short", 10],
    ["ok/crosses 0x80 when nested", 0x7e],
    ["ok/crosses 0x100 when nested", 0xfd],
    ["ok/0x10000", 0x10000],
  ])("%s: a node tree encodes the same bytes as nested tlv calls", (_n, size) => {
    const leaf = new Uint8Array(size).fill(7);
    const nested = derSequence(derSet(derOctetString(leaf), derNull()), derExplicit(3, derSequence(leaf)));
    const tree = derNode(TAG.SEQUENCE, derNode(TAG.SET, derNode(TAG.OCTET_STRING, leaf), derNull()), derNode(0xa3, derNode(TAG.SEQUENCE, leaf)));
    expect(tree.size).toBe(nested.length);
    expect(encodeNode(tree)).toEqual(nested);
  });

  it.each([
    ["fail/unused bits set", () => derBitString(hex("a1"), 5)],
    ["fail/unused bits out of range", () => derBitString(hex("00"), 8)],
    ["fail/unused bits on an empty string", () => derBitString(new Uint8Array(), 1)],
    ["fail/printable string with @", () => derPrintableString("a@b")],
    ["fail/context tag 31", () => derExplicit(31, new Uint8Array())],
    ["fail/multi-octet tag", () => tlv(0x1f, new Uint8Array())],
    ["fail/invalid date", () => derTime(new Date(Number.NaN))],
    ["fail/year 10000", () => derTime(new Date(Date.UTC(10000, 0, 1)))],
  ])("%s", (_n, write) => {
    expect(write).toThrow();
  });
});

describe("DER times (RFC 5280 §4.1.2.5)", () => {
  const time = (iso: string) => new Date(iso);
  it.each([
    ["ok/1950 is the first UTCTime year", "1950-01-01T00:00:00Z", "170d3530303130313030303030305a"],
    ["ok/1949 is GeneralizedTime", "1949-12-31T23:59:59Z", "180f31393439313233313233353935395a"],
    ["ok/2049 is the last UTCTime year", "2049-12-31T23:59:59Z", "170d3439313233313233353935395a"],
    ["ok/2050 is GeneralizedTime", "2050-01-01T00:00:00Z", "180f32303530303130313030303030305a"],
    ["ok/milliseconds are dropped", "2024-02-29T12:34:56.789Z", "170d3234303232393132333435365a"],
  ])("%s", (_n, iso, expected) => {
    const encoded = derTime(time(iso));
    expect(toHex(encoded)).toBe(expected);
    const back = readTime(encoded, readTlv(encoded, 0));
    expect(back.toISOString()).toBe(new Date(Math.floor(time(iso).getTime() / 1000) * 1000).toISOString());
  });

  const ascii = (tag: number, text: string) => tlv(tag, new TextEncoder().encode(text));
  it.each([
    ["fail/no seconds", ascii(TAG.UTC_TIME, "2401011200Z")],
    ["fail/no Z", ascii(TAG.UTC_TIME, "240101120000+")],
    ["fail/fraction", ascii(TAG.GENERALIZED_TIME, "20240101120000.5Z")],
    ["fail/month 13", ascii(TAG.UTC_TIME, "241301120000Z")],
    ["fail/February 30", ascii(TAG.UTC_TIME, "240230120000Z")],
    ["fail/hour 24", ascii(TAG.UTC_TIME, "240101240000Z")],
    ["fail/non-digit", ascii(TAG.UTC_TIME, "24010112000aZ")],
    ["fail/not a time", derNull()],
  ])("%s", (_n, encoded) => {
    expect(() => readTime(encoded, readTlv(encoded, 0))).toThrow(/invalid DER/);
  });
});

describe("DER reader", () => {
  it.each([
    ["fail/empty", "", "truncated value"],
    ["fail/tag only", "30", "truncated value"],
    ["fail/indefinite length", "3080", "indefinite length"],
    ["fail/long form for a short length", "30810100", "not minimal"],
    ["fail/long form with a leading zero", "3082000100", "not minimal"],
    ["fail/five length octets", "30850000000001", "too large"],
    ["fail/length runs past the end", "300500", "runs past the end"],
    ["fail/long length runs past the end", "30820100" + "00".repeat(10), "runs past the end"],
    ["fail/truncated long length", "3082", "truncated length"],
    ["fail/multi-octet tag", "1f0100", "multi-octet tags"],
  ])("%s", (_n, input, message) => {
    let thrown: unknown;
    try {
      readTlv(hex(input), 0);
    } catch (error) {
      thrown = error;
    }
    expect(isRampartError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain(message);
    expect((thrown as { code: string }).code).toBe("invalid_argument");
  });

  it("fail/a child may not run past its parent", () => {
    // SEQUENCE of length 2 whose child claims 3 bytes; the buffer has them, the parent does not.
    const bytes = hex("3002040301020304");
    const parent = readTlv(bytes, 0);
    expect(() => readChildren(bytes, parent)).toThrow("runs past the end");
  });

  it("fail/trailing bytes after the only value", () => {
    expect(() => readOnly(hex("300000"), TAG.SEQUENCE, "a thing")).toThrow("trailing bytes");
    expect(() => readOnly(hex("3100"), TAG.SEQUENCE, "a thing")).toThrow("expected a thing");
  });

  it.each([
    ["fail/non-minimal positive INTEGER", "02020001", () => readInteger],
    ["fail/non-minimal negative INTEGER", "0202ff80", () => readInteger],
    ["fail/empty INTEGER", "0200", () => readInteger],
    ["fail/BOOLEAN that is not 00 or ff", "010101", () => readBoolean],
    ["fail/BIT STRING with non-zero padding", "030205a1", () => readBitString],
    ["fail/BIT STRING padding over 7", "03020800", () => readBitString],
    ["fail/OID with a non-minimal arc", "06028001", () => readOid],
    ["fail/truncated OID", "060185", () => readOid],
    ["fail/UTF8String that is not UTF-8", "0c01ff", () => readString],
    ["fail/PrintableString with a high byte", "1301ff", () => readString],
    ["fail/unsupported string type", "1c0100", () => readString],
  ])("%s", (_n, input, reader) => {
    const bytes = hex(input);
    expect(() => reader()(bytes, readTlv(bytes, 0))).toThrow(/invalid DER/);
  });

  it("ok/string types", () => {
    const read = (h: string) => {
      const bytes = hex(h);
      return readString(bytes, readTlv(bytes, 0));
    };
    expect(read("0c02c3a9")).toBe("é");
    expect(read("1303414243")).toBe("ABC");
    expect(read("160141")).toBe("A");
    expect(read("1401e9")).toBe("é");
    expect(read("1e0200e9")).toBe("é");
  });
});

describe("DER reader limits", () => {
  const oid = (contents: Uint8Array) => tlv(TAG.OID, contents);
  const arc = (octets: number) => new Uint8Array(octets).fill(0x81).fill(0x01, octets - 1);

  it("ok/a UUID arc under 2.25 (128 bits, 19 octets) is read and rendered whole", () => {
    // The writer takes safe integers only; encode the 128-bit arc by hand.
    const groups: number[] = [];
    for (let v = 329800735698586629295641978511506172918n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | (groups.length ? 0x80 : 0));
    expect(groups).toHaveLength(19);
    const encoded = oid(new Uint8Array([0x69, ...groups]));
    expect(oidToString(readOid(encoded, readTlv(encoded, 0)))).toBe("2.25.329800735698586629295641978511506172918");
  });

  it.each([
    ["fail/an arc of 21 octets", oid(new Uint8Array([0x2b, ...arc(21)])), "OID arc is longer than 20 octets"],
    ["fail/an OID of 129 octets", oid(new Uint8Array(129).fill(0x01)), "OID is longer than 128 octets"],
    ["fail/an OID of 60,000 arcs", oid(new Uint8Array(60_000).fill(0x01)), "OID is longer than 128 octets"],
  ])("%s", (_n, encoded, reason) => {
    expect(() => readOid(encoded, readTlv(encoded, 0))).toThrow(`invalid DER: ${reason}`);
  });

  it.each([
    ["ok/a 60,000-octet arc renders as a short prefix", new Uint8Array([0x2b, ...arc(60_000)]), "1.3.…"],
    ["ok/60,000 arcs render as 64 octets' worth", new Uint8Array(60_000).fill(0x01), `0.1.${Array(63).fill(1).join(".")}.…`],
    ["ok/an arc cut by the text limit is left out", new Uint8Array([0x2b, ...new Uint8Array(62).fill(0x01), 0x81, 0x81, 0x01]), `1.3.${Array(62).fill(1).join(".")}.…`],
  ])("%s", (_n, contents, text) => {
    expect(oidToString(contents)).toBe(text);
  });

  it("fail/a list longer than its limit is refused at the first child past it", () => {
    const list = tlv(TAG.SEQUENCE, ...Array.from({ length: 5 }, () => derNull()));
    expect(readChildren(list, readTlv(list, 0), 5)).toHaveLength(5);
    expect(() => readChildren(list, readTlv(list, 0), 4, "too many")).toThrow("invalid DER: too many");
  });
});
