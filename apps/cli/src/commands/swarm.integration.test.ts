import { generateKeyPairSync } from "node:crypto";
import { DUPLICATE_HOSTNAME_NOTE } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrFor } from "../server/identity.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";

/** `rampart swarm update` and `rampart info` as a user runs them, against a real server. */
describe.each(testStoreKinds())("rampart swarm update and info against a server on %s", (kind) => {
  let s: TestServer;
  const rampart = (...args: string[]) => runCli(s.dataDir, ...args);

  beforeAll(async () => {
    s = await startTestServer(kind);
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it("ok/node ls marks a hostname two nodes report, with a footnote, and keeps docker's columns", async () => {
    const manager = s.server.runtime.manager;
    const token = await manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
    const join = (hostname: string) =>
      manager.nodes.join(
        { token, csrPem: csrFor(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey), description: { hostname, os: "linux", arch: "x86_64", nanoCpus: 1e9, memoryBytes: 1e9, engineVersion: "test", engineLabels: {} } },
        null,
      );
    const real = await join("w1");
    const claimant = await join("W1");
    const other = await join("w2");
    const r = await rampart("node", "ls");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +HOSTNAME +STATUS +AVAILABILITY +MANAGER STATUS +ENGINE VERSION +TLS STATUS +CERT EXPIRY$/);
    for (const id of [real.nodeId, claimant.nodeId]) expect(lines.find((l) => l.startsWith(id))).toMatch(new RegExp(`^${id} +w1 \\(!\\) `, "i"));
    expect(lines.find((l) => / w2 /.test(l))).not.toContain("(!)");
    expect(lines.at(-1)).toBe(DUPLICATE_HOSTNAME_NOTE);
    for (const n of [real, claimant, other]) await manager.nodes.remove(n.nodeId, true, { type: "system", id: null, name: "test" }, null);
  });

  it("ok/info prints docker's Orchestration block, after Nodes, with Swarm's default limit of 5", async () => {
    const r = await rampart("info");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/\n {2}Nodes: 1\n {2}Orchestration:\n {3}Task History Retention Limit: 5\n {2}Dispatcher:\n/);
  });

  it("ok/--task-history-limit changes the swarm's limit, which info then shows", async () => {
    expect(await rampart("swarm", "update", "--task-history-limit", "2")).toMatchObject({ code: 0, stdout: "Swarm updated.\n", stderr: "" });
    expect(s.server.runtime.manager.cluster.current().record.taskHistoryLimit).toBe(2);
    expect((await rampart("info")).stdout).toContain("  Orchestration:\n   Task History Retention Limit: 2\n");
    expect((await rampart("swarm", "update", "--task-history-limit=-1")).code).toBe(0);
    expect((await rampart("info")).stdout).toContain("   Task History Retention Limit: -1\n");
  });

  it.each([
    [["--task-history-limit", "x"], 'invalid argument "x" for "--task-history-limit" flag: strconv.ParseInt: parsing "x": invalid syntax'],
    [["--task-history-limit", "99999999999999999999"], 'invalid argument "99999999999999999999" for "--task-history-limit" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    [["--task-history-limit", "4294967296"], 'invalid argument "4294967296" for "--task-history-limit" flag: task history limit must be a whole number (negative keeps every task)'],
    [[], "nothing to update: give --cert-expiry, --dispatcher-heartbeat, --task-history-limit, --external-ca, --allow-host-path, --disallow-host-path, --allow-host-network, --allow-privileged or --autolock"],
    [["--allow-host-path", "srv/data"], 'invalid argument "srv/data" for "--allow-host-path" flag: host path "srv/data" must be absolute'],
    [["--allow-host-path", "/"], 'invalid argument "/" for "--allow-host-path" flag: allowing / would allow every host path; list the directories tasks need'],
    [["--allow-privileged=maybe"], 'invalid argument "maybe" for "--allow-privileged" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ])("fail/%j is a usage error before any request", async (flags, message) => {
    const r = await rampart("swarm", "update", ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rampart: ${message}\nSee 'rampart swarm --help'\n`);
    expect(s.server.runtime.manager.cluster.current().record.taskHistoryLimit).toBe(-1);
  });
});
