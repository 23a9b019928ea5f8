import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { defaultServiceSpec } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, type PrismaClient } from "./prisma.js";
import { DEFAULT_MIGRATIONS_DIR } from "./migrator.js";
import { openStore } from "./store.js";
import { createTestStore, testStoreKinds, type TestStore } from "./testing/index.js";

/**
 * Migrates a fresh database with the hand-written SQL, then writes, reads, updates and
 * deletes every model through Prisma. If schema.prisma and the migrations disagree on a
 * table, column, type or constraint, one of these fails.
 */
type Exercise = (prisma: PrismaClient) => Promise<void>;

const bytes = (n: number) => new Uint8Array(randomBytes(n));
const now = new Date("2026-11-28T12:00:00.000Z");

const exercises: Record<Prisma.ModelName, Exercise> = {
  DataKey: async (prisma) => {
    await prisma.dataKey.create({ data: { id: "kschema", wrapped: bytes(60), active: false } });
    const row = await prisma.dataKey.update({ where: { id: "kschema" }, data: { retiredAt: now } });
    expect(row.retiredAt).toEqual(now);
    expect(row.wrapped).toHaveLength(60);
    await prisma.dataKey.delete({ where: { id: "kschema" } });
  },
  Installation: async (prisma) => {
    const hash = bytes(32);
    await prisma.installation.upsert({
      where: { id: 1 },
      create: { id: 1, setupCodeHash: hash, setupCodeIssued: now },
      update: { setupCodeHash: hash, setupCodeIssued: now },
    });
    const row = await prisma.installation.update({ where: { id: 1 }, data: { setupCompletedAt: now } });
    expect(Buffer.from(row.setupCodeHash!)).toEqual(Buffer.from(hash));
    expect(row.setupCompletedAt).toEqual(now);
    await expect(prisma.installation.create({ data: { id: 2 } })).rejects.toThrow();
    await prisma.installation.delete({ where: { id: 1 } });
  },
  User: async (prisma) => {
    await prisma.user.create({ data: { id: "u-schema", username: "schema", passwordHash: "$argon2id$x", role: "admin" } });
    await expect(
      prisma.user.create({ data: { id: "u-dup", username: "schema", passwordHash: "x", role: "admin" } }),
    ).rejects.toMatchObject({ code: "P2002" });
    await expect(
      prisma.user.create({ data: { id: "u-role", username: "role", passwordHash: "x", role: "root" } }),
    ).rejects.toThrow();
    const row = await prisma.user.update({ where: { username: "schema" }, data: { role: "viewer" } });
    expect(row.role).toBe("viewer");
  },
  Session: async (prisma) => {
    const tokenHash = bytes(32);
    await prisma.session.create({
      data: { id: "s-schema", tokenHash, userId: "u-schema", expiresAt: now, ip: "127.0.0.1", userAgent: "test" },
    });
    const found = await prisma.session.findUnique({ where: { tokenHash }, include: { user: true } });
    expect(found?.user.username).toBe("schema");
    await prisma.session.update({ where: { id: "s-schema" }, data: { lastSeenAt: now } });
  },
  ApiToken: async (prisma) => {
    await prisma.apiToken.create({ data: { id: "t-schema", userId: "u-schema", name: "ci", secret: bytes(80), expiresAt: now } });
    const row = await prisma.apiToken.update({
      where: { id: "t-schema" },
      data: { lastUsedAt: now, revokedAt: now, expiresAt: now },
      include: { user: true },
    });
    expect(row.user.id).toBe("u-schema");
  },
  LoginThrottle: async (prisma) => {
    await prisma.loginThrottle.create({ data: { key: "ip:127.0.0.1", windowStart: now } });
    const row = await prisma.loginThrottle.update({
      where: { key: "ip:127.0.0.1" },
      data: { failures: { increment: 1 }, lockedUntil: now, nextAttemptAt: now },
    });
    expect(row.failures).toBe(1);
    await prisma.loginThrottle.delete({ where: { key: "ip:127.0.0.1" } });
  },
  Cluster: async (prisma) => {
    const data = {
      id: "0123456789abcdefghijklmno",
      certExpirySeconds: 7_776_000,
      heartbeatPeriodMs: 5000,
      rootCaCert: "-----BEGIN CERTIFICATE-----\n",
      rootCaKey: bytes(80),
      workerToken: bytes(100),
      managerToken: bytes(100),
    };
    await prisma.cluster.create({ data });
    await expect(prisma.cluster.create({ data: { ...data, id: "1123456789abcdefghijklmno" } })).rejects.toThrow();
    await expect(prisma.cluster.update({ where: { id: data.id }, data: { certExpirySeconds: 60 } })).rejects.toThrow();
    const row = await prisma.cluster.update({ where: { id: data.id }, data: { version: { increment: 1 }, forceRotate: 1, wrappedKek: bytes(60) } });
    expect(row.version).toBe(2);
    expect(row.wrappedKek).toHaveLength(60);
  },
  Node: async (prisma) => {
    const row = await prisma.node.create({
      data: {
        id: "abcdefghijklmnopqrstuvwxy",
        hostname: "worker-1",
        role: "worker",
        labels: { zone: "eu-1" },
        engineLabels: { disk: "ssd" },
        os: "linux",
        arch: "x86_64",
        nanoCpus: 4_000_000_000n,
        memoryBytes: 8n * 1024n ** 3n,
        engineVersion: "0.1.0",
        certNotAfter: now,
        certRole: "swarm-worker",
      },
    });
    expect(row.labels).toEqual({ zone: "eu-1" });
    expect(row.memoryBytes).toBe(8n * 1024n ** 3n);
    await expect(prisma.node.update({ where: { id: row.id }, data: { availability: "off" } })).rejects.toThrow();
    await expect(prisma.node.update({ where: { id: row.id }, data: { role: "king" } })).rejects.toThrow();
    const found = await prisma.node.findMany({ where: { labels: { path: ["zone"], equals: "eu-1" } } });
    expect(found).toHaveLength(1);
    await prisma.node.update({ where: { id: row.id }, data: { lastHeartbeatAt: now, availability: "drain" } });
    await prisma.node.delete({ where: { id: row.id } });
  },
  RemovedNode: async (prisma) => {
    await prisma.removedNode.create({ data: { nodeId: "abcdefghijklmnopqrstuvwxy", hostname: "worker-1", certExpiresAt: now } });
    expect(await prisma.removedNode.count()).toBe(1);
  },
  Service: async (prisma) => {
    // Stored as the repositories store it: the spec as a JSON object.
    const spec = defaultServiceSpec({ name: "web", image: "nginx", replicas: 2 }) as object;
    const row = await prisma.service.create({ data: { id: "s00000000000000000000000a", name: "web", spec } });
    expect(row.spec).toEqual(spec);
    await expect(prisma.service.create({ data: { id: "s00000000000000000000000b", name: "web", spec } })).rejects.toMatchObject({ code: "P2002" });
    await prisma.service.update({ where: { id: row.id }, data: { version: { increment: 1 }, specVersion: { increment: 1 } } });
  },
  Task: async (prisma) => {
    const spec = { name: "web", image: "nginx" };
    await prisma.task.create({
      data: { id: "t00000000000000000000000a", serviceId: "s00000000000000000000000a", serviceName: "web", spec, slot: 1, specVersion: 1, desiredState: "running", state: "pending" },
    });
    await expect(
      prisma.task.create({ data: { id: "t00000000000000000000000b", serviceId: "s00000000000000000000000a", spec, specVersion: 1, desiredState: "running", state: "sleeping" } }),
    ).rejects.toThrow();
    const row = await prisma.task.update({
      where: { id: "t00000000000000000000000a" },
      data: { nodeId: "abcdefghijklmnopqrstuvwxy", state: "assigned", message: "scheduler assigned task to node", version: { increment: 1 } },
    });
    expect(row).toMatchObject({ serviceName: "web", version: 2, spec });
    // A task outlives its service: removing the service leaves the task for the reaper.
    await prisma.service.delete({ where: { id: "s00000000000000000000000a" } });
    expect(await prisma.task.count()).toBe(1);
    await prisma.task.delete({ where: { id: "t00000000000000000000000a" } });
  },
  AuditEvent: async (prisma) => {
    const a = await prisma.auditEvent.create({
      data: { actorType: "user", actorName: "schema", action: "auth.login", targetType: "user", outcome: "success" },
    });
    const b = await prisma.auditEvent.create({
      data: { actorType: "user", actorName: "schema", action: "auth.login", targetType: "user", outcome: "failure" },
    });
    expect(b.id > a.id).toBe(true);
    await expect(
      prisma.auditEvent.create({
        data: { actorType: "user", actorName: "x", action: "auth.login", targetType: "user", outcome: "maybe" },
      }),
    ).rejects.toThrow();
    const c = await prisma.auditEvent.create({
      data: {
        actorType: "user",
        actorName: "schema",
        action: "secret.grant",
        targetType: "secret",
        outcome: "success",
        contextType: "service",
        contextId: "s00000000000000000000000a",
        contextName: "web",
      },
    });
    expect(c).toMatchObject({ contextType: "service", contextName: "web" });
  },
  Secret: async (prisma) => {
    const data = { id: "k00000000000000000000000a", name: "db.password-v2", size: 3, payload: bytes(50), labels: { env: "prod" } };
    const row = await prisma.secret.create({ data });
    expect(row).toMatchObject({ version: 1, labels: { env: "prod" } });
    await expect(prisma.secret.create({ data: { ...data, id: "k00000000000000000000000b" } })).rejects.toMatchObject({ code: "P2002" });
    for (const bad of [{ name: "-x" }, { name: "a".repeat(65) }, { size: 0 }, { size: 512_000 }, { id: "short" }]) {
      await expect(prisma.secret.create({ data: { ...data, id: "k00000000000000000000000c", name: "other", ...bad } })).rejects.toThrow();
    }
    const updated = await prisma.secret.update({ where: { id: data.id }, data: { labels: {}, version: { increment: 1 }, updatedAt: now } });
    expect(updated.version).toBe(2);
    await prisma.secret.delete({ where: { id: data.id } });
  },
  SecretDelivery: async (prisma) => {
    await prisma.secret.create({ data: { id: "k00000000000000000000000d", name: "delivered", size: 3, payload: bytes(50) } });
    const node = { id: "bcdefghijklmnopqrstuvwxyz", hostname: "holder", role: "worker", os: "linux", arch: "x86_64", engineVersion: "0.1.0", nanoCpus: 1n, memoryBytes: 1n };
    await prisma.node.create({ data: node });
    await prisma.secretDelivery.create({ data: { secretId: "k00000000000000000000000d", nodeId: node.id } });
    await expect(prisma.secretDelivery.create({ data: { secretId: "k00000000000000000000000d", nodeId: node.id } })).rejects.toMatchObject({ code: "P2002" });
    // Removing the secret, or the node, removes the holding.
    await prisma.secret.delete({ where: { id: "k00000000000000000000000d" } });
    expect(await prisma.secretDelivery.count()).toBe(0);
    await prisma.node.delete({ where: { id: node.id } });
  },
  SeccompProfile: async (prisma) => {
    const row = { id: "p00000000000000000000000a", name: "strict", content: '{"defaultAction":"SCMP_ACT_ERRNO"}', digest: "0".repeat(64) };
    await prisma.seccompProfile.create({ data: row });
    // Names are unique: services refer to a profile by name.
    await expect(prisma.seccompProfile.create({ data: { ...row, id: "p00000000000000000000000b" } })).rejects.toMatchObject({ code: "P2002" });
  },
  Environment: async (prisma) => {
    const row = { id: "e00000000000000000000000a", name: "prod", dockerHost: "tcp://10.0.0.1:2376", tlsKey: bytes(80), clusterId: "c1", createdBy: "admin" };
    const made = await prisma.environment.create({ data: row });
    expect(made.kind).toBe("docker");
    expect(made.insecure).toBe(false);
    expect(made.tlsKey).toHaveLength(80);
    await prisma.environment.update({ where: { id: row.id }, data: { eventsSince: "1700000000000000000" } });
    // A name, and a swarm, are connected once.
    await expect(prisma.environment.create({ data: { ...row, id: "e00000000000000000000000b", clusterId: "c2" } })).rejects.toMatchObject({ code: "P2002" });
    await expect(prisma.environment.create({ data: { ...row, id: "e00000000000000000000000c", name: "other" } })).rejects.toMatchObject({ code: "P2002" });
    await prisma.environment.delete({ where: { id: row.id } });
  },
};

describe.each(testStoreKinds())("schema on %s", (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("ok/every model has an exercise", () => {
    expect(Object.keys(exercises).sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });

  it("ok/migrations are recorded and a second run applies nothing", async () => {
    expect(await t.store.migrate()).toEqual([]);
    const status = await t.store.status();
    expect(status).toMatchObject({ kind, reachable: true, migrated: true, pendingMigrations: [] });
    // Every directory under prisma/migrations is one migration, and all are applied.
    expect(status.appliedMigrations).toBe(readdirSync(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).length);
  });

  // Order matters: later models refer to the user the User exercise creates.
  it.each(Object.keys(exercises) as Prisma.ModelName[])("ok/%s round-trips through Prisma", async (model) => {
    await exercises[model](t.store.prisma);
  });

  it("ok/deleting a user cascades to sessions and tokens", async () => {
    await t.store.prisma.user.delete({ where: { id: "u-schema" } });
    expect(await t.store.prisma.session.count()).toBe(0);
    expect(await t.store.prisma.apiToken.count()).toBe(0);
  });
});

describe("the embedded store's lock", () => {
  it("fail/a second open of the same directory is refused while the first is open", async () => {
    const t = await createTestStore("pglite");
    try {
      await expect(openStore({ dataDir: t.dataDir })).rejects.toThrow(
        `the data directory is in use by another Rampart process (pid ${process.pid})`,
      );
    } finally {
      await t.dispose();
    }
  });

  it("ok/the lock is released on close", async () => {
    const t = await createTestStore("pglite");
    await t.store.close();
    t.store = await openStore({ dataDir: t.dataDir });
    await t.dispose();
  });
});
