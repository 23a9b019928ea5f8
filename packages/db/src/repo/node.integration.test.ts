import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStore, testStoreKinds, type TestStore } from "../testing/index.js";
import { createNode, getNode, insertJoinedNodes, listNodes, updateNode, type NewNode } from "./node.js";

/** Node IDs are Swarm's 25 characters. */
const N1 = "n1".padEnd(25, "0");
const N2 = "n2".padEnd(25, "0");
const N3 = "n3".padEnd(25, "0");
const N4 = "n4".padEnd(25, "0");
const at = new Date("2026-12-05T12:00:00.000Z");
const node = (id: string, over: Partial<NewNode> = {}): NewNode => ({
  id,
  hostname: id,
  role: "worker",
  availability: "active",
  engineLabels: {},
  os: "linux",
  arch: "x86_64",
  nanoCpus: 2e9,
  memoryBytes: 2 ** 31,
  engineVersion: "test",
  addr: null,
  isLeader: false,
  at,
  ...over,
});

describe.each(testStoreKinds())("nodes' generic resources in the store on %s", (kind) => {
  // One store for the file: each test writes nodes of its own.
  let t: TestStore | undefined;
  beforeAll(async () => {
    t = await createTestStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("ok/written by a join, a create and a new description, and read back as counts by kind", async () => {
    const db = t!.store.prisma;
    await insertJoinedNodes(db, [node(N1, { genericResources: { gpu: 2 } }), node(N2)], [], at);
    await createNode(db, node(N3, { genericResources: { fpga: 1 } }));
    expect((await listNodes(db)).map((n) => [n.id, n.resources.generic])).toEqual([
      [N1, { gpu: 2 }],
      [N2, {}],
      [N3, { fpga: 1 }],
    ]);
    const description = { hostname: "n1", os: "linux", arch: "x86_64", nanoCpus: 2e9, memoryBytes: 2 ** 31, engineVersion: "test", engineLabels: {} };
    expect(await updateNode(db, N1, undefined, { description: { ...description, genericResources: { gpu: 4, tpu: 1 } } }, at)).toBe(true);
    expect((await getNode(db, N1))!.resources.generic).toEqual({ gpu: 4, tpu: 1 });
    // Stored in Swarm's shape, beside which named resources would go.
    const rows = await db.$queryRawUnsafe<Array<{ g: unknown }>>("SELECT generic_resources AS g FROM node WHERE id = $1", N1);
    expect(rows[0]!.g).toEqual({ discrete: { gpu: 4, tpu: 1 } });
  });

  it("ok/a row from before agents advertised them, or holding anything else, reads as none", async () => {
    const db = t!.store.prisma;
    await createNode(db, node(N4));
    for (const value of ["{}", '{"discrete": []}', '{"discrete": {"gpu": -1, "fpga": "2", "tpu": 1.5}}', '{"named": {"gpu": ["GPU-1"]}}']) {
      await db.$executeRawUnsafe(`UPDATE node SET generic_resources = '${value}'::jsonb WHERE id = $1`, N4);
      expect((await getNode(db, N4))!.resources.generic, value).toEqual({});
    }
  });
});
