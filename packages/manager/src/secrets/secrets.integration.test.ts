import { createTestStore, testStoreKinds, type TestStore } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manager } from "../index.js";
import { openTestManager, testActor as actor } from "../test-support/manager.js";

/** The texts a secret's callers read, against Swarm's (manager/controlapi/secret.go, moby's daemon/cluster). */
describe.each(testStoreKinds())("secret errors on %s", (kind) => {
  let t: TestStore;
  let manager: Manager;

  beforeAll(async () => {
    t = await createTestStore(kind);
    manager = await openTestManager(t);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it.each([
    ["fail/removing a secret that does not exist is RemoveSecret's not found", "nope", "could not find secret nope"],
    ["fail/by an ID that does not exist too", "abcdefghijklmnopqrstuvwxy", "could not find secret abcdefghijklmnopqrstuvwxy"],
  ])("%s", async (_n, ref, message) => {
    await expect(manager.secrets.remove(ref, actor, null)).rejects.toMatchObject({ code: "not_found", message });
  });

  it("fail/inspecting one that does not exist keeps the daemon's words", async () => {
    await expect(manager.secrets.get("nope")).rejects.toMatchObject({ code: "not_found", message: "secret nope not found" });
  });
});
