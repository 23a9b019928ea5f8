import { randomBytes } from "node:crypto";
import { defaultServiceSpec } from "@rampart/core";
import { kekSource, openKeyring } from "@rampart/db";
import { createTestStore, testStoreKinds, type TestStore } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManager, type Manager } from "../index.js";

const actor = { type: "system" as const, id: null, name: "test" };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The texts a service's callers read, against Swarm's (manager/controlapi/service.go) and the docker CLI's. */
describe.each(testStoreKinds())("service errors on %s", (kind) => {
  let t: TestStore;
  let manager: Manager;

  beforeAll(async () => {
    t = await createTestStore(kind);
    const { codec } = await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined));
    manager = createManager({
      store: t.store,
      codec,
      log: quiet,
      now: () => new Date("2026-11-28T12:00:00.000Z"),
      random: (n) => new Uint8Array(randomBytes(n)),
      version: "test",
      nodeAddress: "127.0.0.1:2377",
    });
    await manager.cluster.init();
    await manager.nodes.load();
    await manager.services.create(defaultServiceSpec({ name: "web", image: "nginx" }), actor, null);
    await manager.services.create(defaultServiceSpec({ name: "agent", image: "agent:1", mode: "global", replicas: 0 }), actor, null);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("fail/a name in use is CreateService's AlreadyExists, the store's words first", async () => {
    await expect(manager.services.create(defaultServiceSpec({ name: "web", image: "nginx" }), actor, null)).rejects.toMatchObject({
      code: "already_exists",
      message: "name conflicts with an existing object: service web already exists",
    });
  });

  it("fail/scaling a global service is refused in the docker CLI's words", async () => {
    await expect(manager.services.scale("agent", 2, actor, null)).rejects.toMatchObject({
      code: "invalid_argument",
      message: "scale can only be used with replicated or replicated-job mode",
    });
  });

  it.each([
    ["fail/by name", "nope", "service nope not found"],
    ["fail/by ID", "abcdefghijklmnopqrstuvwxy", "service abcdefghijklmnopqrstuvwxy not found"],
  ])("%s: a service that does not exist is NotFound", async (_n, ref, message) => {
    await expect(manager.services.remove(ref, actor, null)).rejects.toMatchObject({ code: "not_found", message });
  });
});
