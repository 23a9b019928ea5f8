import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultServiceSpec } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { describeThisMachine, memoryStore, NodeAgent } from "./agent.js";
import { SecretStoreError, tmpfsSecretStore } from "./secrets.js";
import { waitFor } from "../test-support/wait.js";

const system = { type: "system" as const, id: null, name: "test" };
const VALUE = "canary-d3l1very-s3cr3t";
/** apps/cli: on the repository's disk, unlike /tmp, which may be tmpfs. */
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));
/** statfs f_type of tmpfs and ramfs (linux/magic.h). */
const MEMORY_FS_TYPES = [0x01021994, 0x858458f6];

/**
 * Secrets reach exactly the nodes that run tasks made with them, as files on tmpfs with
 * the reference's mode; they leave when the task leaves; a node that asks for a secret
 * none of its tasks references is refused, and the refusal is audited.
 */
/** A service on the worker agents, at most one task per node, reading `db_password` as `target` (mode 0400). */
function workerService(name: string, replicas: number, secret: { secretId: string; target: string }) {
  return defaultServiceSpec({
    name,
    image: `${name}:1`,
    replicas,
    constraints: ["node.role == worker"],
    maxReplicasPerNode: 1,
    secrets: [{ secretId: secret.secretId, secretName: "db_password", target: secret.target, uid: "0", gid: "0", mode: 0o400 }],
  });
}

describe("secret delivery to real agents", () => {
  let s: TestServer;
  let token: string;
  const roots: string[] = [];
  const agents: Array<{ agent: NodeAgent; root: string; nodeId: string }> = [];

  beforeAll(async () => {
    s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" });
    token = await s.server.runtime.manager.cluster.revealToken("worker", system, null);
  });
  afterAll(async () => {
    for (const { agent } of agents) await agent.shutdown();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
    await s?.dispose();
  });


  async function startAgent(hostname: string) {
    const root = mkdtempSync("/dev/shm/rampart-test-secrets-");
    roots.push(root);
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", hostname, {}),
      store: memoryStore(),
      secrets: tmpfsSecretStore(root),
    });
    const { nodeId } = await agent.join();
    agent.start();
    agents.push({ agent, root, nodeId });
    return { agent, root, nodeId };
  }

  /** Every file under a secrets root, as `<task>/<target>`. */
  const filesIn = (root: string) =>
    existsSync(root) ? readdirSync(root).flatMap((task) => readdirSync(join(root, task)).filter((f) => !f.startsWith(".")).map((f) => `${task}/${f}`)) : [];

  it("ok/exactly the nodes running the tasks get the file, with its mode; it is withdrawn on scale-down", async () => {
    const manager = s.server.runtime.manager;
    for (const name of ["deliver-1", "deliver-2", "deliver-3"]) await startAgent(name);
    await waitFor(() => manager.nodes.constraintNodes().filter((n) => n.state === "ready").length >= 4, "Ready nodes");
    const secret = await manager.secrets.create({ name: "db_password", data: new TextEncoder().encode(VALUE), labels: {} }, system, null);
    await manager.services.create(workerService("api", 2, { secretId: secret.id, target: "db_password" }), system, null);
    const running = async () => (await manager.services.get("api")).tasks.filter((t) => t.state === "running");
    await waitFor(async () => (await running()).length === 2, "two running tasks");
    const tasks = await running();
    for (const { root, nodeId } of agents) {
      const mine = tasks.filter((t) => t.nodeId === nodeId);
      expect(filesIn(root)).toEqual(mine.map((t) => `${t.id}/db_password`));
      for (const t of mine) {
        const path = join(root, t.id, "db_password");
        expect(readFileSync(path, "utf8")).toBe(VALUE);
        expect(statSync(path).mode & 0o777).toBe(0o400);
      }
    }
    const delivered = await manager.audit.list({ action: "secret.deliver", limit: 10 });
    expect(delivered.map((e) => e.contextId).sort()).toEqual(tasks.map((t) => t.nodeId).sort());

    // Scale down: slot 2's node gives the file up, and the withdrawal is audited.
    const slot2 = tasks.find((t) => t.slot === 2)!;
    const holder = agents.find((a) => a.nodeId === slot2.nodeId)!;
    await manager.services.scale("api", 1, system, null);
    await waitFor(() => filesIn(holder.root).length === 0, "the file to be withdrawn");
    await waitFor(async () => (await manager.audit.list({ action: "secret.withdraw", limit: 10 })).length === 1, "the withdrawal audit");
    const others = agents.filter((a) => a.nodeId !== tasks.find((t) => t.slot === 1)!.nodeId);
    for (const other of others) expect(filesIn(other.root)).toEqual([]);
  }, 60_000);

  it("fail/a node asking for a secret none of its tasks references is refused, and the refusal is audited", async () => {
    const manager = s.server.runtime.manager;
    const secret = (await manager.secrets.list()).find((x) => x.name === "db_password")!;
    const running = (await manager.services.get("api")).tasks.find((t) => t.state === "running")!;
    const outsider = agents.find((a) => a.nodeId !== running.nodeId)!;
    const client = (outsider.agent as unknown as { client: { fetchSecret(id: string): Promise<unknown> } }).client;
    await expect(client.fetchSecret(secret.id)).rejects.toThrow(`no task assigned to this node references secret ${secret.id}`);
    const refused = await manager.audit.list({ action: "secret.refused", limit: 10 });
    expect(refused[0]).toMatchObject({ targetId: secret.id, contextId: outsider.nodeId, outcome: "denied" });
    expect(s.logs.join("")).not.toContain(VALUE);
  });

  it("fail/a target that escapes the task's directory fails the task with the reason, and nothing is written", async () => {
    const manager = s.server.runtime.manager;
    const secret = (await manager.secrets.list()).find((x) => x.name === "db_password")!;
    // The API refuses such a target; the node refuses it too, for a task record from before that rule
    // or written behind the API's back. The task waits for a label while its record is rewritten.
    const spec = workerService("escape", 1, { secretId: secret.id, target: "escaped" });
    const { id } = await manager.services.create({ ...spec, constraints: [...spec.constraints, "node.labels.escape == yes"] }, system, null);
    const [pending] = (await manager.services.get(id)).tasks;
    const secrets = [{ ...spec.secrets![0]!, target: "../escaped" }];
    await s.server.runtime.store.prisma.task.update({ where: { id: pending!.id }, data: { secrets } });
    for (const { nodeId } of agents) await manager.nodes.update(nodeId, { labelAdd: { escape: "yes" } }, system, null);
    const failed = async () => (await manager.services.get(id)).tasks.find((t) => t.state === "failed");
    await waitFor(async () => (await failed()) !== undefined, "the task to fail");
    expect((await failed())!.message).toBe('secret target "../escaped" escapes the task\'s directory');
    await manager.services.remove(id, system, null);
    for (const { nodeId } of agents) await manager.nodes.update(nodeId, { labelRm: ["escape"] }, system, null);
    for (const { root } of agents) expect(existsSync(join(root, "escaped"))).toBe(false);
  });

  it("ok/an agent that stops leaves no secret behind, and one that starts clears what was left", async () => {
    const holder = agents.find((a) => filesIn(a.root).length > 0)!;
    await holder.agent.shutdown();
    expect(filesIn(holder.root)).toEqual([]);
    // Something left from a crash is removed when a store opens.
    const root = mkdtempSync("/dev/shm/rampart-test-secrets-");
    roots.push(root);
    const store = tmpfsSecretStore(root);
    await store.open();
    await store.write("abcdefghijklmnopqrstuvwxy", { secretId: "x", secretName: "x", target: "left", uid: "0", gid: "0", mode: 0o400 }, Buffer.from("old"));
    await tmpfsSecretStore(root).open();
    expect(readdirSync(root)).toEqual([]);
  });

  it("fail/a secrets root swapped for a link while the agent runs stops the agent at its next poll; the link's target is untouched", async () => {
    const manager = s.server.runtime.manager;
    const root = mkdtempSync("/dev/shm/rampart-test-secrets-");
    const victim = mkdtempSync("/dev/shm/rampart-test-victim-");
    roots.push(root, `${root}.moved`, victim);
    writeFileSync(join(victim, "precious"), "keep me");
    const refused: string[] = [];
    const errors: string[] = [];
    const agent = new NodeAgent({
      address: s.server.nodeAddress,
      token,
      description: describeThisMachine("test", "deliver-swapped", {}),
      store: memoryStore(),
      secrets: tmpfsSecretStore(root),
      events: { refused: (m) => refused.push(m), error: (m) => errors.push(m) },
    });
    await agent.join();
    agent.start();
    await waitFor(() => manager.nodes.constraintNodes().some((n) => n.hostname === "deliver-swapped" && n.state === "ready"), "the node Ready");
    renameSync(root, `${root}.moved`);
    symlinkSync(victim, root);
    const secret = (await manager.secrets.list()).find((x) => x.name === "db_password")!;
    const spec = workerService("swapped", 1, { secretId: secret.id, target: "db_password" });
    await manager.services.create({ ...spec, constraints: ["node.hostname == deliver-swapped"] }, system, null);
    await waitFor(() => refused.length > 0, "the agent to give up");
    expect(refused).toEqual(["cannot keep secrets safely on this node"]);
    expect(errors).toContain(`secrets root ${root} is a symbolic link: refusing to follow it`);
    expect(readdirSync(victim)).toEqual(["precious"]);
    // Stopping does not empty the link's target either. A stop that still holds the store
    // says why it cannot; on a loaded machine the agent's own stop after its refusal may
    // have let go of the store first, and then there is nothing left to refuse.
    const stopped = await agent.shutdown().then(
      () => null,
      (error: unknown) => error as Error,
    );
    if (stopped) expect(stopped.message).toBe(`secrets root ${root} is a symbolic link: refusing to follow it`);
    expect(readdirSync(victim)).toEqual(["precious"]);
    expect(readFileSync(join(victim, "precious"), "utf8")).toBe("keep me");
    await manager.services.remove("swapped", system, null);
  });

  it("fail/a secrets root on disk (a directory under this package, checked with statfs) is refused", async () => {
    mkdirSync(join(PACKAGE_DIR, "test-results"), { recursive: true });
    const onDisk = mkdtempSync(join(PACKAGE_DIR, "test-results", "secrets-on-disk-"));
    roots.push(onDisk);
    // On a memory-backed file system the refusal could not happen: fail, do not pass unseen.
    const type = Number((await statfs(onDisk)).type);
    expect(MEMORY_FS_TYPES, `${onDisk} is on a memory-backed file system (0x${type.toString(16)}); this test needs a disk`).not.toContain(type);
    const refused = await tmpfsSecretStore(onDisk).open().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SecretStoreError);
    expect((refused as Error).message).toBe(
      `${onDisk} is not on tmpfs (file system type 0x${type.toString(16)}): secrets are only written to memory-backed storage. ` +
        "Give --secrets-root a directory on a tmpfs mount (e.g. under /dev/shm), or --allow-secrets-on-disk for development only",
    );
    await expect(tmpfsSecretStore(onDisk, { allowDisk: true }).open()).resolves.toBeUndefined();
  });
});
