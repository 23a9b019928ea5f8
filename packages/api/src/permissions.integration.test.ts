import { SYSTEM_ACTOR } from "@rampart/core";
import { createUser } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./test-support/harness.js";

/**
 * What a viewer may not do to connected swarms, through each way a viewer reaches the
 * API (a signed-in session, an API token of theirs): connect or remove an environment
 * (`environments:admin`: a connection to an engine is root on its host), create or
 * remove a swarm's network (`cluster:admin`). Each is refused with 403 before anything is
 * read or written: no environment is looked up, nothing is audited as done.
 */
describe.each(testStoreKinds())("a viewer and connected swarms on %s", (kind) => {
  let h: Harness;
  let viaSession: Awaited<ReturnType<Harness["caller"]>>;
  let viaToken: Awaited<ReturnType<Harness["caller"]>>;

  beforeAll(async () => {
    h = await createHarness(kind);
    const viewer = await createUser(h.t.store.prisma, { id: "env-viewer", username: "env-viewer", passwordHash: "x", role: "viewer" });
    await h.manager.auth.resetPassword({ username: viewer.username, password: "a viewer's passphrase" }, SYSTEM_ACTOR, { ip: null, userAgent: null });
    viaSession = await h.caller({ sessionToken: await h.login(viewer.username, "a viewer's passphrase") });
    viaToken = await h.caller({ bearerToken: (await h.manager.apiTokens.create(viewer, { name: "viewer-token" }, null)).token });
  });
  afterAll(async () => {
    await h.dispose();
  });

  const calls = (c: typeof viaSession) =>
    [
      ["environment.add", () => c.environment.add({ name: "prod", dockerHost: "unix:///nonexistent/rampart-permissions-test.sock" })],
      ["environment.remove", () => c.environment.remove({ name: "prod" })],
      ["network.create", () => c.network.create({ env: "prod", name: "backend" })],
      ["network.remove", () => c.network.remove({ env: "prod", ref: "backend" })],
    ] as const;

  it.each(["session", "API token"] as const)("fail/through a %s: connect, remove, and a network's create and remove are 403", async (way) => {
    for (const [path, call] of calls(way === "session" ? viaSession : viaToken)) {
      await expect(call(), path).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await h.manager.audit.list({ actions: ["env.connect", "env.remove", "network.create", "network.remove"], outcome: "success", limit: 10 })).toEqual([]);
    expect(await h.manager.environments.list()).toEqual([]);
  });

  it("ok/control: an administrator's token passes the same calls' permission, to be refused for what they ask (no engine, no environment)", async () => {
    const admin = await createUser(h.t.store.prisma, { id: "env-admin", username: "env-admin", passwordHash: "x", role: "admin" });
    const viaAdmin = await h.caller({ bearerToken: (await h.manager.apiTokens.create(admin, { name: "admin-token" }, null)).token });
    for (const [path, call] of calls(viaAdmin)) {
      const refused = await call().then(
        () => undefined,
        (error: unknown) => error as { code?: string },
      );
      expect(refused?.code, path).toBeDefined();
      expect(refused?.code, path).not.toBe("FORBIDDEN");
    }
  });
});
