import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { apiTokenSecretContext, createApiToken } from "../repo/api-token.js";
import { createUser } from "../repo/user.js";
import { openStore } from "../store.js";
import { countCanary, createTestStore, newCanary, testStoreKinds, type TestStore } from "../testing/index.js";
import { kekSource } from "./kek.js";
import { openKeyring } from "./keyring.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe.each(testStoreKinds())("sealed fields on %s", (kind) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("ok/a new store gets a 0600 KEK and one active data key, and reopens with it", async () => {
    t = await createTestStore(kind);
    const source = kekSource(t.dataDir, undefined);
    const first = await openKeyring(t.store.prisma, source);
    expect(first.kekCreated).toBe(true);
    expect(statSync(source.path).mode & 0o777).toBe(0o600);
    const sealed = first.codec.sealText({ table: "t", rowId: "r", column: "c" }, "v");
    const again = await openKeyring(t.store.prisma, source);
    expect(again.kekCreated).toBe(false);
    expect(again.codec.activeKeyId).toBe(first.codec.activeKeyId);
    expect(again.codec.openText({ table: "t", rowId: "r", column: "c" }, sealed)).toBe("v");
    expect(await t.store.prisma.dataKey.count({ where: { active: true } })).toBe(1);
  });

  it("fail/a wrong key-encryption key is refused", async () => {
    t = await createTestStore(kind);
    await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined));
    const wrong = join(t.dataDir, "wrong-kek");
    writeFileSync(wrong, randomBytes(32).toString("hex"), { mode: 0o600 });
    await expect(openKeyring(t.store.prisma, kekSource(t.dataDir, wrong))).rejects.toMatchObject({
      code: "key_mismatch",
      message: expect.stringContaining("does not match this store"),
    });
  });

  it("fail/a missing KEK is not silently replaced once data keys exist", async () => {
    t = await createTestStore(kind);
    const source = kekSource(t.dataDir, undefined);
    await openKeyring(t.store.prisma, source);
    unlinkSync(source.path);
    await expect(openKeyring(t.store.prisma, source)).rejects.toMatchObject({ code: "key_mismatch" });
  });

  it("fail/a KEK file other users can read is refused", async () => {
    t = await createTestStore(kind);
    const source = kekSource(t.dataDir, undefined);
    await openKeyring(t.store.prisma, source);
    chmodSync(source.path, 0o644);
    await expect(openKeyring(t.store.prisma, source)).rejects.toThrow("readable by other users");
  });

  it("fail/a named KEK file that does not exist is not created", async () => {
    t = await createTestStore(kind);
    await expect(openKeyring(t.store.prisma, kekSource(t.dataDir, join(t.dataDir, "nope")))).rejects.toMatchObject({
      code: "key_mismatch",
    });
  });

  it("ok/a dump of the store holds no form of a sealed canary", async () => {
    t = await createTestStore(kind);
    const { codec } = await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined));
    const canary = newCanary();
    // A control stored in plain text: the search must find it, or it proves nothing.
    const control = newCanary("control");
    await createUser(t.store.prisma, { id: "u1", username: "dump", passwordHash: "x", role: "admin" });
    for (let i = 0; i < 20; i++) {
      const id = `tok${i}`;
      await createApiToken(t.store.prisma, {
        id,
        userId: "u1",
        name: i === 19 ? control : `token ${i}`,
        sealedSecret: codec.sealText(apiTokenSecretContext(id), canary),
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 86_400_000),
      });
    }
    // The value is really there and opens through the codec...
    const row = await t.store.prisma.apiToken.findUniqueOrThrow({ where: { id: "tok0" } });
    expect(codec.openText(apiTokenSecretContext("tok0"), row.secret)).toBe(canary);

    let dump: Buffer;
    if (kind === "postgres") {
      dump = execFileSync("pg_dump", ["--no-owner", "--data-only", t.databaseUrl!], { maxBuffer: 256 << 20 });
    } else {
      await t.store.close();
      dump = Buffer.concat(filesUnder(t.dataDir).map((f) => readFileSync(f)));
      t.store = await openStore({ dataDir: t.dataDir });
    }
    expect(countCanary(dump, control).get("raw")).toBeGreaterThan(0);
    const counts = countCanary(dump, canary);
    console.log(`seal.dump.${kind}.canaryHits: ${[...counts.values()].reduce((a, b) => a + b, 0)} (${dump.length} bytes searched)`);
    for (const [form, n] of counts) expect(n, `canary found as ${form}`).toBe(0);
  });
});
