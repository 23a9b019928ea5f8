import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    [[], "nothing to update: give --cert-expiry, --dispatcher-heartbeat or --task-history-limit"],
  ])("fail/%j is a usage error before any request", async (flags, message) => {
    const r = await rampart("swarm", "update", ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rampart: ${message}\nSee 'rampart swarm --help'\n`);
    expect(s.server.runtime.manager.cluster.current().record.taskHistoryLimit).toBe(-1);
  });
});
