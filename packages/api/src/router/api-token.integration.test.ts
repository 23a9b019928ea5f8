import { API_TOKEN_DEFAULT_DAYS } from "@rampart/core";
import { createUser } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, serveApi, type Harness } from "../test-support/harness.js";

const DAY_MS = 24 * 60 * 60 * 1000;

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
    const b = await c.apiToken.create({ name: "b" });
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
    await expect(c.apiToken.create({ name: "   " })).rejects.toMatchObject({
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
    const mine = await c.apiToken.create({ name: "mine" });
    const otherUser = await createUser(h.t.store.prisma, { id: "other", username: "other", passwordHash: "x", role: "viewer" });
    const otherToken = await h.manager.apiTokens.create(otherUser, { name: "o" }, null);
    const other = await h.caller({ bearerToken: otherToken.token });
    await expect(other.apiToken.revoke({ id: mine.info.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await other.apiToken.list()).toHaveLength(1);
  });

  it("ok/no token secret reaches the logs or any list response", async () => {
    const c = await h.caller({ sessionToken: session });
    const created = await c.apiToken.create({ name: "ci" });
    await (await h.caller({ bearerToken: created.token })).system.status();
    const secret = created.token.split("_").slice(2).join("_");
    expect(JSON.stringify(h.log.lines)).not.toContain(secret);
    expect(JSON.stringify(await c.apiToken.list())).not.toContain(secret);
    expect(JSON.stringify(await h.manager.audit.list({ limit: 50 }))).not.toContain(secret);
  });

  it("fail/a request made with an API token cannot create a token, and none is made", async () => {
    const c = await h.caller({ sessionToken: session });
    const held = await c.apiToken.create({ name: "held" });
    const viaToken = await h.caller({ bearerToken: held.token });
    await expect(viaToken.apiToken.create({ name: "minted", expiresInDays: 365 })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "an API token cannot create API tokens: sign in to the web UI to create one",
    });
    // The token still does what it may: list and revoke its owner's tokens.
    expect((await viaToken.apiToken.list()).map((t) => t.name)).toEqual(["held"]);
    expect(await h.t.store.prisma.apiToken.count()).toBe(1);
    expect(await h.manager.audit.list({ action: "apitoken.create", limit: 10 })).toHaveLength(1);
  });

  it("fail/over real HTTP, a bearer token's create is a 403 that says why", async () => {
    const held = await (await h.caller({ sessionToken: session })).apiToken.create({ name: "held" });
    const api = await serveApi(h);
    try {
      const response = await fetch(`${api.base}/apiToken.create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${held.token}` },
        body: JSON.stringify({ json: { name: "minted" } }),
      });
      expect(response.status).toBe(403);
      const body = (await response.json()) as { error: { json: { message: string } } };
      expect(body.error.json.message).toBe("an API token cannot create API tokens: sign in to the web UI to create one");
      expect(JSON.stringify(body)).not.toContain(held.token);
    } finally {
      await api.close();
    }
    expect(await h.t.store.prisma.apiToken.count()).toBe(1);
  });

  it("fail/the admin socket cannot create a token: it has no user account to own one", async () => {
    const local = await h.caller({ channel: "socket" });
    await expect(local.apiToken.create({ name: "root" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "API tokens belong to a user account: sign in to the web UI to create one",
    });
  });

  it("ok/a token expires after 90 days unless told otherwise, and the list shows when", async () => {
    const c = await h.caller({ sessionToken: session });
    const created = await c.apiToken.create({ name: "default" });
    expect(created.info.expiresAt).toEqual(new Date(h.clock.now.getTime() + API_TOKEN_DEFAULT_DAYS * DAY_MS));
    const year = await c.apiToken.create({ name: "year", expiresInDays: 365 });
    expect(year.info.expiresAt).toEqual(new Date(h.clock.now.getTime() + 365 * DAY_MS));
    const listed = await c.apiToken.list();
    expect(Object.fromEntries(listed.map((t) => [t.name, t.expiresAt]))).toEqual({
      default: created.info.expiresAt,
      year: year.info.expiresAt,
    });
  });

  it.each([
    // Sentences naming the field and the rule (schema/messages.ts), never zod's own words.
    [366, "Expiry must be at most 365 days"],
    [3650, "Expiry must be at most 365 days"],
    [0, "Expiry must be at least 1 day"],
    [-30, "Expiry must be at least 1 day"],
    [1.5, "Expiry must be a whole number of days"],
    [null, "Expiry must be a number of days"],
    ["90", "Expiry must be a number of days"],
  ])("fail/expiresInDays %s is a 400 naming the field, over real HTTP", async (days, message) => {
    const api = await serveApi(h);
    try {
      const response = await fetch(`${api.base}/apiToken.create`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: `http://${api.host}`, cookie: `__Host-rampart_session=${session}` },
        body: JSON.stringify({ json: { name: "bad", expiresInDays: days } }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { json: { message: string; data: { field?: string } } } };
      expect(body.error.json).toMatchObject({ message, data: { field: "expiresInDays" } });
      expect(body.error.json.message).not.toMatch(/Invalid input|expected|received|NaN|expiresInDays/);
    } finally {
      await api.close();
    }
    expect(await h.t.store.prisma.apiToken.count()).toBe(0);
  });

  it("fail/the manager refuses a lifetime out of bounds too, naming the field", async () => {
    const user = (await h.manager.auth.authenticate(session))!.user;
    await expect(h.manager.apiTokens.create(user, { name: "x", expiresInDays: 400 }, null)).rejects.toMatchObject({
      code: "invalid_argument",
      field: "expiresInDays",
    });
  });

  it("fail/an expired token is refused like an unknown one, from the instant it expires", async () => {
    const c = await h.caller({ sessionToken: session });
    const created = await c.apiToken.create({ name: "short", expiresInDays: 7 });
    h.clock.advance(7 * DAY_MS - 1);
    expect((await (await h.caller({ bearerToken: created.token })).auth.me())?.via).toBe("apitoken");
    h.clock.advance(1);
    const expired = await (await h.caller({ bearerToken: created.token })).auth.me().catch((e: unknown) => e);
    const unknown = await (await h.caller({ bearerToken: created.token.replace(/_[^_]+_/, "_0000000000000000_") })).auth
      .me()
      .catch((e: unknown) => e);
    expect(expired).toMatchObject({ code: "UNAUTHORIZED", message: "the API token is not valid, expired or revoked" });
    expect((expired as Error).message).toBe((unknown as Error).message);
  });
});
