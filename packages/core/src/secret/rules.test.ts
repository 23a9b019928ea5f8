import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  MAX_SECRET_SIZE,
  checkPayloadSize,
  checkSecretName,
  checkSecretReferences,
  checkSwarmSecretReferences,
  secretTargetEscape,
  checkSecretSpec,
  checkSecretsExist,
  checkSecretUpdate,
  completeSecretReference,
  mountPath,
  parseGoUint32,
  parseSecretFlag,
  referencedSecretIds,
  secretAlreadyExists,
  secretInUse,
  type SecretReferenceDraft,
} from "./index.js";

const vectors = JSON.parse(readFileSync(fileURLToPath(new URL("../../../../reference/vectors/secrets.json", import.meta.url)), "utf8")) as {
  names: Array<{ name: string; valid: boolean; error?: string }>;
};

const INVALID = "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]";

describe("secret names (vectors)", () => {
  it.each(vectors.names.map((n) => [`${n.valid ? "ok" : "fail"}/${JSON.stringify(n.name)}`, n] as const))("%s", (_name, item) => {
    if (item.valid) expect(checkSecretName(item.name)).toBe(item.name);
    else expect(() => checkSecretName(item.name)).toThrow(expect.objectContaining({ code: "invalid_argument", message: item.error, field: "name" }));
  });

  it.each([
    ["ok/64 characters", "a".repeat(64), undefined],
    ["fail/65 characters", "a".repeat(65), INVALID],
    ["fail/a trailing newline ($ is end of text, as in Go)", "name\n", INVALID],
    ["fail/a tab", "a\tb", INVALID],
  ])("%s", (_name, name, error) => {
    if (error === undefined) expect(checkSecretName(name)).toBe(name);
    else expect(() => checkSecretName(name)).toThrow(error);
  });
});

describe("payload size", () => {
  const message = "secret data must be larger than 0 and less than 512000 bytes";
  it.each([
    ["fail/empty", 0, message],
    ["ok/one byte", 1, undefined],
    ["ok/511999 bytes", MAX_SECRET_SIZE - 1, undefined],
    ["fail/512000 bytes", MAX_SECRET_SIZE, message],
    ["fail/not a length", 1.5, message],
  ])("%s", (_name, size, error) => {
    if (error === undefined) expect(() => checkPayloadSize(size)).not.toThrow();
    else expect(() => checkPayloadSize(size)).toThrow(expect.objectContaining({ code: "invalid_argument", message: error, field: "data" }));
  });

  it("fail/configs have their own limit and words", () => {
    expect(() => checkPayloadSize(1_024_000, "config")).toThrow("config data must be larger than 0 and less than 1024000 bytes");
    expect(() => checkPayloadSize(1_023_999, "config")).not.toThrow();
  });

  it("fail/the name is checked before the payload, as in Swarm", () => {
    expect(() => checkSecretSpec({ name: "", size: 0 })).toThrow("name must be provided");
  });

  it("ok/a driver replaces the payload check, and needs a name", () => {
    expect(() => checkSecretSpec({ name: "a", size: 0, driver: { name: "vault" } })).not.toThrow();
    expect(() => checkSecretSpec({ name: "a", size: 1, driver: { name: "" } })).toThrow("secret driver must have a name");
  });
});

describe("create, update, remove", () => {
  it("fail/a duplicate name is already_exists with Swarm's words", () => {
    expect(secretAlreadyExists("db")).toMatchObject({ code: "already_exists", message: "secret db already exists" });
  });

  it.each([
    ["fail/a new name", { name: "other" }, false],
    ["fail/different data", { sameData: false }, false],
    ["ok/the same name", { name: "db" }, true],
    ["ok/identical data", { sameData: true }, true],
    ["ok/labels only", {}, true],
  ])("%s", (_name, change, ok) => {
    const run = () => checkSecretUpdate({ name: "db" }, change);
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(expect.objectContaining({ code: "invalid_argument", message: "only updates to Labels are allowed" }));
  });

  it.each([
    ["fail/one service", ["redis"], "secret 'db' is in use by the following service: redis"],
    ["fail/two services", ["api", "worker"], "secret 'db' is in use by the following services: api, worker"],
  ])("%s", (_name, services, message) => {
    expect(secretInUse("db", services)).toMatchObject({ code: "invalid_argument", message });
  });
});

describe("service references", () => {
  const ref = (secretName: string, target: string | undefined, extra: Partial<SecretReferenceDraft> = {}): SecretReferenceDraft => ({
    secretId: `id-${secretName}`,
    secretName,
    target,
    ...extra,
  });

  it.each<[string, SecretReferenceDraft[], string | undefined]>([
    ["ok/none", [], undefined],
    ["ok/the same secret under two targets", [ref("a", "a.txt"), ref("a", "b.txt")], undefined],
    ["ok/a file in a subfolder, and dots that are not a '..' segment", [ref("c", "sub/x"), ref("d", "file../.txt"), ref("e", ".file"), ref("f", "c:notes")], undefined],
    ["fail/a target that climbs out", [ref("a", "../escape.txt")], "secret target '../escape.txt' leaves /run/secrets: '..' is not allowed in a target"],
    ["fail/'..' anywhere, even where it would stay inside", [ref("a", "sub/../x")], "secret target 'sub/../x' leaves /run/secrets: '..' is not allowed in a target"],
    ["fail/'..' after a backslash", [ref("a", "sub\\..\\x")], "secret target 'sub\\..\\x' leaves /run/secrets: '..' is not allowed in a target"],
    ["fail/an absolute path", [ref("a", "/etc/passwd")], "secret target '/etc/passwd' is an absolute path: give a file name, which tasks read under /run/secrets"],
    ["fail/a Windows absolute path", [ref("a", "C:\\x")], "secret target 'C:\\x' is an absolute path: give a file name, which tasks read under /run/secrets"],
    ["fail/'.' alone names the folder itself", [ref("a", ".")], "secret target '.' names a folder, not a file: end it with a file name"],
    ["fail/a target ending in a slash names a folder", [ref("a", "sub/")], "secret target 'sub/' names a folder, not a file: end it with a file name"],
    ["fail/Swarm's errors come before the path rule", [ref("a", "../x"), ref("b", "")], "malformed file secret reference, invalid target file name provided"],
    ["fail/no ID", [{ secretId: "", secretName: "a", target: "a" }], "malformed secret reference"],
    ["fail/no name", [{ secretId: "x", secretName: "", target: "a" }], "malformed secret reference"],
    ["fail/no target", [ref("a", undefined)], "malformed secret reference, no target provided"],
    ["fail/an empty file name", [ref("a", "")], "malformed file secret reference, invalid target file name provided"],
    ["fail/two references to one file", [ref("a", "x"), ref("b", "y"), ref("c", "x")], "secret references 'a' and 'c' have a conflicting target: 'x'"],
    ["fail/a uid that is not a number", [ref("a", "a", { uid: "root" })], "invalid uid 'root' for secret 'a': must be a decimal number"],
    ["fail/a negative gid", [ref("a", "a", { gid: "-1" })], "invalid gid '-1' for secret 'a': must be a decimal number"],
    ["fail/a setuid mode", [ref("a", "a", { mode: 0o4755 })], "invalid mode for secret 'a': use permission bits from 0 to 0777"],
    ["fail/Swarm's errors come before Rampart's", [ref("a", "a", { uid: "x" }), ref("b", "")], "malformed file secret reference, invalid target file name provided"],
  ])("%s", (_name, refs, error) => {
    if (error === undefined) expect(() => checkSecretReferences(refs)).not.toThrow();
    else expect(() => checkSecretReferences(refs)).toThrow(expect.objectContaining({ code: "invalid_argument", message: error }));
  });

  it("ok/Swarm's own check leaves paths alone: the node refuses escapes there", () => {
    expect(() => checkSwarmSecretReferences([ref("a", "../../x"), ref("b", "/etc/x"), ref("c", "sub/x")])).not.toThrow();
  });

  it("ok/a breaking target the service already had stays accepted while kept (scale, edit, rotation to a new version); a new one is refused", () => {
    const stored = [ref("a", "../old")];
    expect(() => checkSecretReferences([ref("a", "../old"), ref("b", "b")], stored)).not.toThrow();
    expect(() => checkSecretReferences([{ ...ref("a2", "../old") }], stored)).not.toThrow();
    expect(() => checkSecretReferences([ref("a", "../new")], stored)).toThrow(expect.objectContaining({ field: "secrets[0].target" }));
  });

  it("ok/the refusal names the field of the reference at fault", () => {
    expect(() => checkSecretReferences([ref("a", "a"), ref("b", "../b")])).toThrow(expect.objectContaining({ field: "secrets[1].target" }));
    expect(secretTargetEscape("a/b.txt")).toBeNull();
  });

  const stored = new Map([
    ["id-a", "a"],
    ["id-b", "b"],
  ]);
  it.each<[string, Array<{ secretId: string; secretName: string }>, string | undefined]>([
    ["ok/both exist under their names", [{ secretId: "id-a", secretName: "a" }, { secretId: "id-b", secretName: "b" }], undefined],
    ["fail/an unknown ID", [{ secretId: "404", secretName: "404" }], "secret not found: 404"],
    ["fail/a name that is not the secret's", [{ secretId: "id-a", secretName: "b" }], "secret not found: b"],
    ["fail/every missing one is listed", [{ secretId: "x", secretName: "x" }, { secretId: "id-a", secretName: "a" }, { secretId: "y", secretName: "y" }], "secrets not found: x, y"],
  ])("%s", (_name, refs, error) => {
    const run = () => checkSecretsExist(refs, (id) => stored.get(id));
    if (error === undefined) expect(run).not.toThrow();
    else expect(run).toThrow(expect.objectContaining({ code: "invalid_argument", message: error }));
  });

  it("ok/a complete reference takes the CLI's defaults for what was left out", () => {
    expect(completeSecretReference(ref("a", "a.txt"))).toEqual({ secretId: "id-a", secretName: "a", target: "a.txt", uid: "0", gid: "0", mode: 0o444 });
    expect(completeSecretReference(ref("a", "a.txt", { uid: "1000", gid: "1001", mode: 0o400 }))).toMatchObject({ uid: "1000", gid: "1001", mode: 0o400 });
  });

  it("ok/the secrets a spec grants, once each", () => {
    expect(referencedSecretIds([{ secretId: "b" }, { secretId: "a" }, { secretId: "b" }])).toEqual(["b", "a"]);
    expect(referencedSecretIds(undefined)).toEqual([]);
  });
});

describe("--secret (docker CLI)", () => {
  const flag = (secretName: string, target: string, uid = "0", gid = "0", mode = 0o444) => ({ secretName, target, uid, gid, mode });
  it.each([
    ["ok/a bare name", "db", flag("db", "db")],
    ["ok/the long syntax", "source=db,target=app.conf,uid=1000,gid=1001,mode=0400", flag("db", "app.conf", "1000", "1001", 0o400)],
    ["ok/src, and keys in any case", "SRC=db,Target=x", flag("db", "x")],
    ["ok/an empty target is the name", "source=db,target=", flag("db", "db")],
    ["ok/a decimal mode is decimal, as in docker", "source=db,mode=292", flag("db", "db", "0", "0", 0o444)],
    ["ok/a quoted field may hold a comma", '"source=db","target=a,b"', flag("db", "a,b")],
    ["ok/a doubled quote is a quote", '"source=db","target=a""b"', flag("db", 'a"b')],
    ["ok/a value may hold '='", "source=db,target=a=b", flag("db", "a=b")],
  ])("%s", (_name, input, expected) => {
    expect(parseSecretFlag(input)).toEqual(expected);
  });

  it.each([
    ["fail/no source", "target=x", "source is required"],
    ["fail/a field without '='", "source=db,readonly", "invalid field 'readonly' must be a key=value pair"],
    ["fail/an empty key", "=db", "invalid field '=db' must be a key=value pair"],
    ["fail/an unknown key", "source=db,Owner=me", "invalid field in secret request: Owner"],
    ["fail/a mode that is not a number", "source=db,mode=rw", 'invalid mode specified: strconv.ParseUint: parsing "rw": invalid syntax'],
    ["fail/a mode too large for 32 bits", "source=db,mode=4294967296", 'invalid mode specified: strconv.ParseUint: parsing "4294967296": value out of range'],
    ["fail/a bare quote", 'source=d"b', 'parse error on line 1, column 9: bare " in non-quoted-field'],
    ["fail/nothing at all", "", "EOF"],
  ])("%s", (_name, input, message) => {
    expect(() => parseSecretFlag(input)).toThrow(expect.objectContaining({ code: "invalid_argument", message, field: "secret" }));
  });
});

describe("Go's ParseUint(s, 0, 32)", () => {
  it.each([
    ["0", 0],
    ["0400", 0o400],
    ["0o400", 0o400],
    ["0O400", 0o400],
    ["0x1A4", 0x1a4],
    ["0b100", 4],
    ["420", 420],
    ["4_00", 400],
    ["0_400", 0o400],
    ["0x_1f", 0x1f],
    ["4294967295", 4294967295],
  ])("ok/%s", (text, value) => expect(parseGoUint32(text)).toBe(value));

  it.each([
    ["", "invalid syntax"],
    ["0x", "invalid syntax"],
    ["08", "invalid syntax"],
    ["-1", "invalid syntax"],
    ["+1", "invalid syntax"],
    ["_400", "invalid syntax"],
    ["400_", "invalid syntax"],
    ["4__00", "invalid syntax"],
    ["4294967296", "value out of range"],
    ["0x100000000", "value out of range"],
  ])("fail/%j", (text, why) => expect(() => parseGoUint32(text)).toThrow(`strconv.ParseUint: parsing ${JSON.stringify(text)}: ${why}`));
});

describe("mount paths", () => {
  it.each<[string, string, "linux" | "windows", "secret" | "config", string]>([
    ["ok/linux secret", "db", "linux", "secret", "/run/secrets/db"],
    ["ok/linux secret in a subfolder", "sub/db", "linux", "secret", "/run/secrets/sub/db"],
    ["ok/linux absolute target verbatim", "/etc/db", "linux", "secret", "/etc/db"],
    ["ok/linux joins clean '..' as Go does", "../../db", "linux", "secret", "/db"],
    ["ok/linux config", "app.conf", "linux", "config", "/app.conf"],
    ["ok/windows secret", "db", "windows", "secret", "C:\\ProgramData\\Docker\\secrets\\db"],
    ["ok/windows absolute target verbatim", "D:\\keys\\db", "windows", "secret", "D:\\keys\\db"],
    ["ok/windows config", "app.conf", "windows", "config", "C:\\app.conf"],
  ])("%s", (_name, target, os, kind, path) => {
    expect(mountPath(target, os, kind)).toBe(path);
  });
});
