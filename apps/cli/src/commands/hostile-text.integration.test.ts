import { unsafeCharacter } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { defaultServiceSpec } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";

/**
 * Text stored before names were checked (written here straight into the store, past
 * every rule) still prints safely: the built CLI, in its own process, shows C1 controls
 * and bidirectional characters as `\u{…}` escapes in tables and in `inspect --pretty`,
 * and as JSON's own `\u…` escapes in `inspect`, which stays valid JSON (ADR 0013).
 */
const HOSTNAME = "gnp\u202eexe";
const LABEL_KEY = "zone\u009b31m";
const LABEL_VALUE = "a\u009d0;owned\u009c";
const system = { type: "system" as const, id: null, name: "test" };

/** Nothing a terminal would act on is left, but the printers' own tabs and line breaks. */
function expectTerminalSafe(text: string): void {
  expect(unsafeCharacter(text.replace(/[\t\n]/g, ""))).toBeUndefined();
}

describe.each(testStoreKinds())("hostile stored text printed by the CLI on %s", (kind) => {
  let s: TestServer;
  let nodeId: string;

  beforeAll(async () => {
    s = await startTestServer(kind);
    const { manager, store } = s.server.runtime;
    nodeId = manager.nodes.constraintNodes()[0]!.id;
    await store.prisma.node.update({ where: { id: nodeId }, data: { hostname: HOSTNAME, labels: { [LABEL_KEY]: LABEL_VALUE } } });
    await manager.nodes.load();
    const secret = await manager.secrets.create({ name: "hostile_pw", data: new TextEncoder().encode("x"), labels: {} }, system, null);
    await store.prisma.secret.update({ where: { id: secret.id }, data: { labels: { [LABEL_KEY]: LABEL_VALUE } } });
    const service = await manager.services.create(defaultServiceSpec({ name: "hostile", image: "nginx", replicas: 0 }), system, null);
    const row = await store.prisma.service.findUniqueOrThrow({ where: { id: service.id }, select: { spec: true } });
    await store.prisma.service.update({ where: { id: service.id }, data: { spec: { ...(row.spec as object), image: `nginx\u202e` } } });
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it("ok/node ls escapes the hostname", async () => {
    const run = await runCli(s.dataDir, "node", "ls");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("gnp\\u{202e}exe");
    expectTerminalSafe(run.stdout);
  });

  it("ok/node inspect --pretty escapes the hostname and the labels", async () => {
    const run = await runCli(s.dataDir, "node", "inspect", "--pretty", nodeId);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Hostname:\t\tgnp\\u{202e}exe\n");
    expect(run.stdout).toContain(" - zone\\u{9b}31m=a\\u{9d}0;owned\\u{9c}\n");
    expectTerminalSafe(run.stdout);
  });

  it("ok/node inspect prints valid JSON that decodes to the stored text", async () => {
    const run = await runCli(s.dataDir, "node", "inspect", nodeId);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"hostname": "gnp\\u202eexe"');
    expectTerminalSafe(run.stdout);
    const [node] = JSON.parse(run.stdout) as Array<{ hostname: string; labels: Record<string, string> }>;
    expect(node).toMatchObject({ hostname: HOSTNAME, labels: { [LABEL_KEY]: LABEL_VALUE } });
  });

  it("ok/secret inspect --pretty and service ls escape labels and the image", async () => {
    const secret = await runCli(s.dataDir, "secret", "inspect", "--pretty", "hostile_pw");
    expect(secret.code).toBe(0);
    expect(secret.stdout).toContain("zone\\u{9b}31m=a\\u{9d}0;owned\\u{9c}");
    expectTerminalSafe(secret.stdout);
    const services = await runCli(s.dataDir, "service", "ls");
    expect(services.code).toBe(0);
    expect(services.stdout).toContain("nginx\\u{202e}");
    expectTerminalSafe(services.stdout);
  });
});
