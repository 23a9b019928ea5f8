import { fromBase64 } from "@rampart/core/encoding";
import { describe, expect, it } from "vitest";
import {
  checkGrants,
  defaultRotationName,
  draftError,
  draftPayload,
  EMPTY_GRANT,
  EMPTY_VALUE,
  encodePayload,
  filterSecrets,
  formatBytes,
  formatMode,
  grantField,
  grantRowsFromSpec,
  labelsFromRows,
  listNames,
  MAX_SECRET_BYTES,
  modeString,
  parseMode,
  payloadSizeError,
  rotationProgress,
  secretNameError,
  textBytes,
  wipeDraft,
  type GrantRow,
  type RotationStatus,
} from "./secrets";

const SIZE_MESSAGE = "secret data must be larger than 0 and less than 512000 bytes";
const NAME_MESSAGE = "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]";

describe("payloadSizeError", () => {
  it.each([
    ["fail/empty", 0, SIZE_MESSAGE],
    ["ok/one byte", 1, null],
    ["ok/the largest Swarm takes", 511_999, null],
    ["fail/exactly the limit", 512_000, SIZE_MESSAGE],
    ["fail/over", 600_000, SIZE_MESSAGE],
  ])("%s", (_, size, expected) => expect(payloadSizeError(size)).toBe(expected));

  it("ok/the largest size is one under the limit", () => expect(MAX_SECRET_BYTES).toBe(511_999));

  it("ok/typed text counts UTF-8 bytes, not characters", () => {
    expect(draftError({ ...EMPTY_VALUE, text: "é".repeat(256_000) })).toBe(SIZE_MESSAGE);
    expect(draftError({ ...EMPTY_VALUE, text: "e".repeat(256_000) })).toBeNull();
    expect(draftError(EMPTY_VALUE)).toBe(SIZE_MESSAGE);
  });

  it("ok/a file over the limit is refused by its size, unread", () => {
    expect(draftError({ source: "file", text: "", file: { name: "big.pem", size: 512_000, bytes: null } })).toBe(SIZE_MESSAGE);
    expect(draftError({ source: "file", text: "", file: null })).toBe("choose or drop a file");
  });
});

describe("base64", () => {
  it.each([
    ["ok/no padding", "abc", "YWJj"],
    ["ok/one pad", "ab", "YWI="],
    ["ok/two pads", "a", "YQ=="],
    ["ok/UTF-8", "pässwörd", "cMOkc3N3w7ZyZA=="],
    ["ok/a trailing newline is kept", "s3cret\n", "czNjcmV0Cg=="],
  ])("%s", (_, text, expected) => expect(encodePayload(textBytes(text))).toBe(expected));

  it("ok/binary round-trips through the server's decoder, and the buffer is wiped", () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256);
    const copy = bytes.slice();
    const text = encodePayload(bytes);
    expect(fromBase64(text)).toEqual(copy);
    expect(bytes.every((b) => b === 0)).toBe(true);
  });

  it("ok/a file draft is encoded from a copy, and wiped when forgotten", () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const draft = { source: "file" as const, text: "", file: { name: "k", size: 3, bytes } };
    expect(draftPayload(draft)).toBe("AQID");
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(wipeDraft(draft)).toEqual({ ...EMPTY_VALUE, source: "file" });
    expect([...bytes]).toEqual([0, 0, 0]);
  });
});

describe("secretNameError", () => {
  it.each([
    ["ok/plain", "db_password", null],
    ["ok/dots and dashes inside", "a.b-c_d", null],
    ["ok/64 characters", "a".repeat(64), null],
    ["fail/empty", "", "name must be provided"],
    ["fail/65 characters", "a".repeat(65), NAME_MESSAGE],
    ["fail/ends with a dash", "db-", NAME_MESSAGE],
    ["fail/space", "db password", NAME_MESSAGE],
  ])("%s", (_, name, expected) => expect(secretNameError(name)).toBe(expected));
});

describe("defaultRotationName", () => {
  it.each([
    ["ok/no version gets _v2", "db_password", "db_password_v2"],
    ["ok/_v1 becomes _v2", "db_v1", "db_v2"],
    ["ok/_v9 becomes _v10", "db_v9", "db_v10"],
    ["ok/big numbers stay exact", "db_v99999999999999999999", "db_v100000000000000000000"],
    ["ok/a v without a number is a name", "db_v", "db_v_v2"],
    ["ok/-v is not the suffix", "db-v3", "db-v3_v2"],
    ["ok/leading zeros are read as a number", "db_v09", "db_v10"],
    ["ok/a 64-character name overflows, and the name rule then says so", `${"a".repeat(61)}_v9`, `${"a".repeat(61)}_v10`],
  ])("%s", (_, name, expected) => expect(defaultRotationName(name)).toBe(expected));
});

describe("modes", () => {
  it.each([
    [0o444, "0444", "r--r--r--"],
    [0o400, "0400", "r--------"],
    [0o640, "0640", "rw-r-----"],
    [0o777, "0777", "rwxrwxrwx"],
    [0, "0000", "---------"],
  ])("ok/%o is %s", (mode, octal, rwx) => {
    expect(formatMode(mode)).toBe(octal);
    expect(modeString(mode)).toBe(rwx);
    expect(parseMode(octal)).toEqual({ mode });
  });

  it.each([
    ["ok/no leading zero", "400", { mode: 0o400 }],
    ["ok/0o prefix", "0o440", { mode: 0o440 }],
    ["ok/blank is the default", " ", { mode: 0o444 }],
    ["fail/decimal digits", "0489", { error: "mode must be octal, e.g. 0444 or 0400" }],
    ["fail/letters", "rw", { error: "mode must be octal, e.g. 0444 or 0400" }],
    ["fail/setuid", "4755", { error: "mode must be permission bits from 0000 to 0777" }],
    ["fail/too long", "00444", { error: "mode must be octal, e.g. 0444 or 0400" }],
  ])("%s", (_, text, expected) => expect(parseMode(text)).toEqual(expected));
});

describe("labelsFromRows", () => {
  it("ok/blank rows are ignored; errors name the row", () => {
    const { labels, errors } = labelsFromRows([
      { key: "env", value: "prod" },
      { key: "", value: "" },
      { key: "bad key", value: "x" },
      { key: "env", value: "dev" },
    ]);
    expect(labels).toEqual({ env: "prod" });
    expect(errors).toEqual({ "labels.2.key": `invalid label key "bad key": use 1 to 128 characters, no spaces or '='`, "labels.3.key": "label env is given twice" });
  });
});

describe("checkGrants", () => {
  const secrets = [
    { id: "s1", name: "db" },
    { id: "s2", name: "tls" },
  ];
  const row = (over: Partial<GrantRow>): GrantRow => ({ ...EMPTY_GRANT, ...over });

  it("ok/defaults: the target is the name, 0:0, 0444", () => {
    expect(checkGrants([row({ secretName: "db" }), row({ secretName: "tls", target: "cert.pem", uid: "101", mode: "0400" })], secrets)).toEqual({
      secrets: [
        { secretId: "s1", secretName: "db", target: "db", uid: "0", gid: "0", mode: 0o444 },
        { secretId: "s2", secretName: "tls", target: "cert.pem", uid: "101", gid: "0", mode: 0o400 },
      ],
      errors: {},
    });
  });

  it("ok/round-trips a stored spec", () => {
    const refs = [{ secretId: "gone", secretName: "old", target: "x", uid: "1", gid: "2", mode: 0o440 }];
    expect(checkGrants(grantRowsFromSpec(refs), secrets, refs).secrets).toEqual(refs);
  });

  it.each([
    ["fail/no secret chosen", [row({})], { "secrets.0.secretName": "choose a secret" }],
    ["fail/unknown name, Swarm's words", [row({ secretName: "nope" })], { "secrets.0.secretName": "secret not found: nope" }],
    ["fail/mode", [row({ secretName: "db", mode: "999" })], { "secrets.0.mode": "mode must be octal, e.g. 0444 or 0400" }],
    [
      "fail/duplicate target, Swarm's words",
      [row({ secretName: "db", target: "x" }), row({ secretName: "tls", target: "x" })],
      { "secrets.1.target": "secret references 'db' and 'tls' have a conflicting target: 'x'" },
    ],
    ["fail/uid not decimal", [row({ secretName: "db", uid: "root" })], { "secrets.0.uid": "invalid uid 'root' for secret 'db': must be a decimal number" }],
    [
      "fail/a target that leaves /run/secrets",
      [row({ secretName: "db" }), row({ secretName: "tls", target: "../escape.txt" })],
      { "secrets.1.target": "secret target '../escape.txt' leaves /run/secrets: '..' is not allowed in a target" },
    ],
  ])("%s", (_, rows, errors) => expect(checkGrants(rows, secrets).errors).toEqual(errors));

  it.each([
    ["secrets[1].target", "secrets.1.target"],
    ["spec.secrets.0.mode", "secrets.0.mode"],
    ["secrets[2]", "secrets.2.secretName"],
    ["secrets", "secrets"],
    ["name", "form"],
    [undefined, "form"],
  ])("ok/server field %s goes under %s", (field, expected) => expect(grantField(field)).toBe(expected));
});

describe("rotationProgress", () => {
  const status = (over: Partial<RotationStatus>): RotationStatus => ({ services: [], tasksOnOld: 0, tasksOnNew: 0, done: false, ...over });
  it.each([
    ["ok/nothing moved yet", status({ services: [{ id: "a", name: "a", updated: false }], tasksOnOld: 2 }), 0],
    ["ok/service moved, tasks on their way", status({ services: [{ id: "a", name: "a", updated: true }], tasksOnOld: 1, tasksOnNew: 1 }), 2 / 3],
    ["ok/never 100% before done", status({ services: [{ id: "a", name: "a", updated: true }], tasksOnNew: 2 }), 0.99],
    ["ok/done is done", status({ done: true }), 1],
    ["ok/nothing to move but not done yet", status({}), 0],
  ])("%s", (_, s, expected) => expect(rotationProgress(s)).toBeCloseTo(expected));
});

describe("formatBytes and filterSecrets", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [511_999, "500 KiB"],
  ])("ok/%d is %s", (n, text) => expect(formatBytes(n)).toBe(text));

  it("ok/name, ID prefix or label", () => {
    const list: Array<{ id: string; name: string; labels: Record<string, string> }> = [
      { id: "abc123", name: "db_password", labels: { env: "prod" } },
      { id: "def456", name: "tls_cert", labels: {} },
    ];
    expect(filterSecrets(list, "DB").map((s) => s.name)).toEqual(["db_password"]);
    expect(filterSecrets(list, "def").map((s) => s.name)).toEqual(["tls_cert"]);
    expect(filterSecrets(list, "env=prod").map((s) => s.name)).toEqual(["db_password"]);
    expect(filterSecrets(list, "123")).toEqual([]);
    expect(filterSecrets(list, " ")).toHaveLength(2);
  });
});

describe("listNames", () => {
  it.each([
    [["api"], "api"],
    [["worker", "api"], "api and worker"],
    [["c", "a10", "a2"], "a2, a10, and c"],
    [["e", "d", "c", "b", "a"], "a, b, c, and 2 more"],
  ])("ok/%j reads %s", (names, text) => expect(listNames(names)).toBe(text));
});
