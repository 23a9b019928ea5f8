import { randomBytes } from "node:crypto";
import { kekSource, openKeyring } from "@rampart/db";
import { createTestStore, testStoreKinds, type TestStore } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManager, type Manager } from "../index.js";

const actor = { type: "system" as const, id: null, name: "test" };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The texts a secret's callers read, against Swarm's (manager/controlapi/secret.go, moby's daemon/cluster). */
describe.each(testStoreKinds())("secret errors on %s", (kind) => {
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
