import { defaultServiceSpec } from "@rampart/core";
import { createTestStore, testStoreKinds, type TestStore } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manager } from "../index.js";
import { openTestManager, testActor as actor } from "../test-support/manager.js";

/** The texts a service's callers read, against Swarm's (manager/controlapi/service.go) and the docker CLI's. */
describe.each(testStoreKinds())("service errors on %s", (kind) => {
  let t: TestStore;
  let manager: Manager;

  beforeAll(async () => {
    t = await createTestStore(kind);
    manager = await openTestManager(t);
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
