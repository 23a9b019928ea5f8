import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultServiceSpec, newId, type SecretReference, type ServiceSpec } from "@rampart/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kekSource } from "../sealed/kek.js";
import { openKeyring } from "../sealed/keyring.js";
import type { SealedCodec } from "../sealed/codec.js";
import { openStore } from "../store.js";
import { countCanary, createTestStore, newCanary, testStoreKinds, type TestStore } from "../testing/index.js";
import {
  createSecret,
  deleteSecret,
  findSecretIds,
  getSecret,
  listSecrets,
  lockSecretNames,
  readSealedSecretsForNodes,
  recordSecretDeliveries,
  listSecretDeliveries,
  readSealedSecretPayload,
  secretHoldings,
  secretPayloadContext,
  servicesReferencingSecrets,
  updateSecretLabels,
} from "./secret.js";
import { createService, createTasks } from "./service.js";

const id = () => newId(new Uint8Array(randomBytes(17)));
const at = new Date("2026-11-28T12:00:00.000Z");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const spec = (name: string, secrets: SecretReference[] = []): ServiceSpec =>
  defaultServiceSpec({ name, image: "nginx", ...(secrets.length > 0 ? { secrets } : {}) });

const ref = (secretId: string, secretName: string, target = secretName): SecretReference => ({ secretId, secretName, target, uid: "0", gid: "0", mode: 0o444 });

describe.each(testStoreKinds())("secrets in the store on %s", (kind) => {
  let t: TestStore | undefined;
  let codec: SealedCodec;
  beforeEach(async () => {
    t = await createTestStore(kind);
    ({ codec } = await openKeyring(t.store.prisma, kekSource(t.dataDir, undefined)));
  });
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  async function addSecret(name: string, payload: Uint8Array, labels: Record<string, string> = {}) {
    const secretId = id();
    return createSecret(t!.store.prisma, {
      id: secretId,
      name,
      labels,
      size: payload.length,
      sealedPayload: codec.seal(secretPayloadContext(secretId), payload),
      at,
    });
  }

  /** Nodes n…a (node-a) and n…b (node-b). */
  async function addNodes() {
    await t!.store.prisma.node.createMany({
      data: ["a", "b"].map((x) => ({
        id: `n00000000000000000000000${x}`,
        hostname: `node-${x}`,
        role: "worker",
        os: "linux",
        arch: "x86_64",
        nanoCpus: 1n,
        memoryBytes: 1n,
        engineVersion: "t",
      })),
    });
  }

  it("ok/metadata in, metadata out: no read but one returns the payload", async () => {
    const created = await addSecret("db_password", Buffer.from("hunter2"), { env: "prod" });
    expect(created).toEqual({ id: created.id, name: "db_password", size: 7, labels: { env: "prod" }, version: 1, createdAt: at, updatedAt: at });
    expect(await getSecret(t!.store.prisma, created.id)).toEqual(created);
    expect(await listSecrets(t!.store.prisma)).toEqual([created]);
    expect(await listSecrets(t!.store.prisma, { search: "PASS" })).toEqual([created]);
    expect(await listSecrets(t!.store.prisma, { search: created.id.slice(0, 6) })).toEqual([created]);
    expect(await listSecrets(t!.store.prisma, { search: "nothing" })).toEqual([]);
    const sealed = await readSealedSecretPayload(t!.store.prisma, created.id);
    expect(codec.open(secretPayloadContext(created.id), sealed!.sealed).toString()).toBe("hunter2");
  });

  it("ok/lookup by ID, name or unambiguous prefix", async () => {
    const a = await addSecret("a", Buffer.from("1"));
    expect(await findSecretIds(t!.store.prisma, a.id)).toEqual([a.id]);
    expect(await findSecretIds(t!.store.prisma, "a")).toEqual([a.id]);
    expect(await findSecretIds(t!.store.prisma, a.id.slice(0, 5))).toEqual([a.id]);
    expect(await findSecretIds(t!.store.prisma, "no-such")).toEqual([]);
  });

  it("ok/labels change only at the version read; the row goes once", async () => {
    const a = await addSecret("a", Buffer.from("1"));
    const later = new Date(at.getTime() + 1000);
    expect(await updateSecretLabels(t!.store.prisma, a.id, 1, { x: "y" }, later)).toMatchObject({ version: 2, labels: { x: "y" }, updatedAt: later });
    expect(await updateSecretLabels(t!.store.prisma, a.id, 1, { x: "z" }, later)).toBeNull();
    expect(await deleteSecret(t!.store.prisma, a.id)).toBe(true);
    expect(await deleteSecret(t!.store.prisma, a.id)).toBe(false);
  });

  it("fail/a sealed payload moved to another secret's row does not open", async () => {
    const a = await addSecret("a", Buffer.from("payload-a"));
    const b = await addSecret("b", Buffer.from("payload-b"));
    const sealedA = (await readSealedSecretPayload(t!.store.prisma, a.id))!.sealed;
    await t!.store.prisma.secret.update({ where: { id: b.id }, data: { payload: new Uint8Array(sealedA) } });
    const moved = (await readSealedSecretPayload(t!.store.prisma, b.id))!.sealed;
    expect(() => codec.open(secretPayloadContext(b.id), moved)).toThrow(expect.objectContaining({ code: "sealed_open_failed" }));
  });

  it("ok/which services reference a secret, and which nodes hold it (ASSIGNED to RUNNING only)", async () => {
    const db = t!.store.prisma;
    const a = await addSecret("a", Buffer.from("1"));
    const b = await addSecret("b", Buffer.from("2"));
    const web = await createService(db, { id: id(), spec: spec("web", [ref(a.id, "a"), ref(a.id, "a", "again")]), at });
    const api = await createService(db, { id: id(), spec: spec("api", [ref(b.id, "b")]), at });
    await createService(db, { id: id(), spec: spec("plain"), at });
    await addNodes();
    // Tasks record the references they were made with: their service's at creation.
    const refs = new Map([
      [web.id, [ref(a.id, "a"), ref(a.id, "a", "again")]],
      [api.id, [ref(b.id, "b")]],
    ]);
    const task = (serviceId: string, nodeId: string | null, state: "pending" | "assigned" | "running" | "shutdown", secrets = refs.get(serviceId) ?? []) => ({
      id: id(),
      serviceId,
      serviceName: serviceId === web.id ? "web" : "api",
      spec: { ...web.spec, secrets },
      slot: 1,
      nodeId,
      specVersion: 1,
      desiredState: "running" as const,
      state,
      at,
    });
    await createTasks(db, [
      task(web.id, "n00000000000000000000000a", "running"),
      task(web.id, "n00000000000000000000000a", "assigned"),
      task(web.id, "n00000000000000000000000b", "shutdown"),
      task(web.id, null, "pending"),
      task(api.id, "n00000000000000000000000b", "running"),
    ]);

    expect((await servicesReferencingSecrets(db, a.id)).map((s) => s.name)).toEqual(["web"]);
    expect((await servicesReferencingSecrets(db, b.id)).map((s) => s.name)).toEqual(["api"]);
    expect((await servicesReferencingSecrets(db)).map((s) => s.name)).toEqual(["api", "web"]);
    expect((await servicesReferencingSecrets(db, "k00000000000000000000000z"))).toEqual([]);

    expect(await secretHoldings(db, a.id)).toEqual([{ secretId: a.id, nodeId: "n00000000000000000000000a", hostname: "node-a", tasks: 2 }]);
    const all = await secretHoldings(db);
    expect(all).toHaveLength(2);
    expect(all).toContainEqual({ secretId: b.id, nodeId: "n00000000000000000000000b", hostname: "node-b", tasks: 1 });

    // Only the task's own references count: a task made before a grant does not hold it.
    await createTasks(db, [task(api.id, "n00000000000000000000000a", "running", [])]);
    expect(await secretHoldings(db, b.id)).toEqual([{ secretId: b.id, nodeId: "n00000000000000000000000b", hostname: "node-b", tasks: 1 }]);
    const asked = [
      { nodeId: "n00000000000000000000000a", secretId: b.id },
      { nodeId: "n00000000000000000000000b", secretId: b.id },
      // A node whose only task with the secret has shut down, and a secret that does not exist.
      { nodeId: "n00000000000000000000000b", secretId: a.id },
      { nodeId: "n00000000000000000000000a", secretId: "k00000000000000000000000z" },
      { nodeId: "n00000000000000000000000a", secretId: a.id },
    ];
    const read = await readSealedSecretsForNodes(db, asked);
    expect(read.map((r) => r?.name ?? null)).toEqual([null, "b", null, null, "a"]);
    expect(await readSealedSecretsForNodes(db, [])).toEqual([]);
  });

  it("ok/deliveries are recorded in one statement, each audited the first time only", async () => {
    const db = t!.store.prisma;
    const a = await addSecret("a", Buffer.from("1"));
    const b = await addSecret("b", Buffer.from("2"));
    await addNodes();
    const event = (secretId: string, nodeId: string) => ({
      actor: { type: "system" as const, id: null, name: "rampart" },
      action: "secret.deliver" as const,
      target: { type: "secret", id: secretId, name: null },
      context: { type: "node", id: nodeId, name: nodeId },
      outcome: "success" as const,
    });
    const ask = (nodeId: string, secretId: string, ip = "192.0.2.1") => ({ nodeId, secretId, event: { ...event(secretId, nodeId), ip } });
    const first = await recordSecretDeliveries(
      db,
      [ask("n00000000000000000000000a", a.id), ask("n00000000000000000000000b", a.id), ask("n00000000000000000000000a", a.id, "192.0.2.99")],
      at,
    );
    expect(first).toEqual([true, true, false]);
    // The audit row is the one of the call told it was the delivery.
    expect(await db.auditEvent.count({ where: { ip: "192.0.2.99" } })).toBe(0);
    const again = await recordSecretDeliveries(db, [ask("n00000000000000000000000a", a.id), ask("n00000000000000000000000a", b.id)], at);
    expect(again).toEqual([false, true]);
    expect((await listSecretDeliveries(db, "n00000000000000000000000a")).map((d) => d.name).sort()).toEqual(["a", "b"]);
    const audited = await db.auditEvent.findMany({ where: { action: "secret.deliver" }, select: { targetId: true, contextId: true } });
    expect(audited).toHaveLength(3);
    expect(await recordSecretDeliveries(db, [], at)).toEqual([]);
  });

  it("ok/locking names returns the current names of the secrets that exist", async () => {
    const a = await addSecret("a", Buffer.from("1"));
    const names = await t!.store.transaction((tx) => lockSecretNames(tx, [a.id, "k00000000000000000000000z"]));
    expect([...names]).toEqual([[a.id, "a"]]);
    expect(await lockSecretNames(t!.store.prisma, [])).toEqual(new Map());
  });

  it("ok/a dump of the store holds no form of a secret's payload", async () => {
    const canary = newCanary("secret");
    // A control stored in plain text (a label): the search must find it, or it proves nothing.
    const control = newCanary("control");
    for (let i = 0; i < 20; i++) await addSecret(`canary-${i}`, Buffer.from(`${canary}\n`), i === 19 ? { note: control } : {});
    const [first] = await listSecrets(t!.store.prisma, { search: "canary-0" });
    const sealed = (await readSealedSecretPayload(t!.store.prisma, first!.id))!.sealed;
    expect(codec.open(secretPayloadContext(first!.id), sealed).toString()).toBe(`${canary}\n`);

    let dump: Buffer;
    if (kind === "postgres") {
      dump = execFileSync("pg_dump", ["--no-owner", "--data-only", t!.databaseUrl!], { maxBuffer: 256 << 20 });
    } else {
      await t!.store.close();
      dump = Buffer.concat(filesUnder(t!.dataDir).map((f) => readFileSync(f)));
      t!.store = await openStore({ dataDir: t!.dataDir });
    }
    expect(countCanary(dump, control).get("raw")).toBeGreaterThan(0);
    const counts = countCanary(dump, canary);
    console.log(`secrets.dump.${kind}.canaryHits: ${[...counts.values()].reduce((x, y) => x + y, 0)} (${dump.length} bytes searched)`);
    for (const [form, n] of counts) expect(n, `canary found as ${form}`).toBe(0);
  });
});
