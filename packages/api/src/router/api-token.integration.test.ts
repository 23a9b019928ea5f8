import { createUser } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

describe.each(testStoreKinds())("API tokens on %s", (kind) => {
  let h: Harness;
  let session: string;
  beforeEach(async () => {
    h = await createHarness(kind);
    const admin = await h.setupAdmin();
    session = await h.login(admin.username, admin.password);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it("ok/a created token authenticates as its owner, and its secret is shown only once", async () => {
    const c = await h.caller({ sessionToken: session });
    const created = await c.apiToken.create({ name: "laptop CLI", expiresInDays: 30 });
    expect(created.token).toMatch(/^rmp1_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
    const listed = await c.apiToken.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.token.split("_").slice(2).join("_"));
    const viaToken = await h.caller({ bearerToken: created.token });
    expect((await viaToken.auth.me())?.via).toBe("apitoken");
    expect((await viaToken.system.status()).healthy).toBe(true);
    const row = await h.t.store.prisma.apiToken.findUniqueOrThrow({ where: { id: created.info.id } });
    expect(Buffer.from(row.secret).includes(Buffer.from(created.token.split("_").slice(2).join("_")))).toBe(false);
  });

  it("fail/a revoked, expired, altered or malformed token is refused", async () => {
    const c = await h.caller({ sessionToken: session });
    const a = await c.apiToken.create({ name: "a", expiresInDays: 1 });
    const b = await c.apiToken.create({ name: "b", expiresInDays: null });
    const altered = a.token.slice(0, -1) + (a.token.endsWith("A") ? "B" : "A");
    for (const bad of [altered, "rmp1_short", "Bearer", ""]) {
      await expect((await h.caller({ bearerToken: bad })).auth.me()).rejects.toMatchObject({
        code: "UNAUTHORIZED",
        message: "the API token is not valid, expired or revoked",
      });
    }
    await c.apiToken.revoke({ id: b.info.id });
    await expect((await h.caller({ bearerToken: b.token })).auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    h.clock.advance(24 * 60 * 60 * 1000);
    await expect((await h.caller({ bearerToken: a.token })).auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const events = await h.manager.audit.list({ limit: 10 });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["apitoken.create", "apitoken.revoke"]));
  });

  it("fail/bad names and unknown ids name the problem", async () => {
    const c = await h.caller({ sessionToken: session });
    await expect(c.apiToken.create({ name: "   ", expiresInDays: null })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "token name is required",
    });
    await expect(c.apiToken.revoke({ id: "nope" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "API token nope does not exist",
    });
  });

  it("fail/a user cannot revoke another user's token", async () => {
    const c = await h.caller({ sessionToken: session });
    const mine = await c.apiToken.create({ name: "mine", expiresInDays: null });
    const otherUser = await createUser(h.t.store.prisma, { id: "other", username: "other", passwordHash: "x", role: "viewer" });
    const otherToken = await h.manager.apiTokens.create(otherUser, { name: "o", expiresInDays: null }, null);
    const other = await h.caller({ bearerToken: otherToken.token });
    await expect(other.apiToken.revoke({ id: mine.info.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await other.apiToken.list()).toHaveLength(1);
  });

  it("ok/no token secret reaches the logs or any list response", async () => {
    const c = await h.caller({ sessionToken: session });
    const created = await c.apiToken.create({ name: "ci", expiresInDays: null });
    await (await h.caller({ bearerToken: created.token })).system.status();
    const secret = created.token.split("_").slice(2).join("_");
    expect(JSON.stringify(h.log.lines)).not.toContain(secret);
    expect(JSON.stringify(await c.apiToken.list())).not.toContain(secret);
    expect(JSON.stringify(await h.manager.audit.list({ limit: 50 }))).not.toContain(secret);
  });
});
