import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditEvent } from "@rampart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../server/index.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { startSwarm, type TestSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

/**
 * A connected swarm's own event stream, recorded as observed audit events: changes made
 * with the docker CLI straight on the leader (no Rampart involved) appear with the actor
 * `external`; changes made while the recorder is stopped, while its stream is cut (the
 * leader's dockerd frozen until the connection is seen lost), and while the whole server
 * is down, are recorded once each when it comes back. Docker's own account of the same
 * period (`docker events --since … --until …`) is the reference: the audit log must hold
 * exactly its events, no fewer and no more.
 */
const ENV = "ev";
const patiently = { timeoutMs: 60_000, intervalMs: 250 };

const dockerEventSchema = (line: string) => JSON.parse(line) as { Type: string; Action: string; Actor: { ID: string; Attributes?: Record<string, string> } };

describe("a connected swarm's events in the audit log", () => {
  let swarm: TestSwarm;
  let s: TestServer;
  let dir: string;
  let envId: string;
  let connectedAt: Date;

  beforeAll(async () => {
    swarm = await startSwarm(["ev-manager", "ev-worker"]);
    s = await startTestServer("pglite");
    dir = mkdtempSync(join(tmpdir(), "rampart-docker-events-"));
    const added = await runCli(s.dataDir, "env", "add", ENV, "--docker-host", swarm.leader.host);
    expect(added.code, added.stderr).toBe(0);
    const record = await s.server.runtime.manager.environments.get(ENV);
    envId = record.id;
    connectedAt = record.createdAt;
  }, 240_000);

  afterAll(async () => {
    await s?.dispose();
    await swarm?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const manager = () => s.server.runtime.manager;

  function docker(...args: string[]): string {
    const result = swarm.leader.cli(...args);
    if (result.status !== 0) throw new Error(`docker ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
  }

  function secretFile(): string {
    const path = join(dir, "value");
    writeFileSync(path, "not-a-real-secret");
    return path;
  }

  /** The observed events of this environment, oldest first. */
  async function observed(): Promise<AuditEvent[]> {
    return (await manager().audit.list({ env: envId, action: "env.observed", limit: 1000 })).reverse();
  }

  const seen = async (type: string, name: string, reason: string) =>
    (await observed()).filter((e) => e.targetType === type && e.targetName === name && e.reason === reason).length;

  it("ok/changes made with the docker CLI appear as observed events from outside Rampart", async () => {
    docker("secret", "create", "ev_one", secretFile());
    docker("network", "create", "--driver", "overlay", "ev_net");
    docker("node", "update", "--label-add", "zone=a", "ev-worker");
    await waitFor(async () => (await seen("secret", "ev_one", "create")) === 1 && (await seen("network", "ev_net", "create")) === 1 && (await seen("node", "ev-worker", "update")) >= 1, "the three changes to be recorded", patiently);
    const secret = (await observed()).find((e) => e.targetName === "ev_one")!;
    expect(secret).toMatchObject({ actorType: "external", actorName: "outside Rampart", targetType: "secret", targetId: docker("secret", "inspect", "--format", "{{.ID}}", "ev_one"), outcome: "success", envId, envName: ENV });
  });

  it("ok/what changed while the recorder was stopped is recorded once it is back, and only then", async () => {
    await manager().environmentEvents.stop();
    const before = (await observed()).length;
    docker("secret", "create", "ev_two", secretFile());
    docker("network", "create", "--driver", "overlay", "ev_net2");
    docker("node", "update", "--label-add", "zone=b", "ev-worker");
    docker("secret", "rm", "ev_one");
    const restartedAt = Date.now();
    manager().environmentEvents.start();
    await waitFor(async () => (await seen("secret", "ev_two", "create")) === 1 && (await seen("secret", "ev_one", "remove")) === 1 && (await seen("network", "ev_net2", "create")) === 1, "the changes made meanwhile", patiently);
    // Nothing was recorded while stopped: every event since is from after the start.
    const meanwhile = (await observed()).slice(before);
    expect(meanwhile.length).toBeGreaterThanOrEqual(4);
    expect(meanwhile.filter((e) => e.at.getTime() < restartedAt)).toEqual([]);
  });

  it("ok/a stream cut while the recorder runs (the leader's dockerd frozen until its connection is seen lost) resumes with nothing lost or repeated", async () => {
    const cuts = () => s.logs.filter((l) => l.includes("environment event stream cut")).length;
    const cutsBefore = cuts();
    // Made just before the freeze: its event may reach the stream before it, or only the resumed one.
    docker("secret", "create", "ev_cut_before", secretFile());
    process.kill(swarm.leader.pid, "SIGSTOP");
    try {
      await waitFor(async () => (await manager().environments.get(ENV)).connection.state === "unreachable", "the connection check to see the leader unreachable", patiently);
      await waitFor(() => cuts() > cutsBefore, "the recorder to cut the stream", patiently);
    } finally {
      process.kill(swarm.leader.pid, "SIGCONT");
    }
    docker("secret", "create", "ev_cut_after", secretFile());
    docker("network", "create", "--driver", "overlay", "ev_cut_net");
    await waitFor(
      async () => (await seen("secret", "ev_cut_before", "create")) >= 1 && (await seen("secret", "ev_cut_after", "create")) >= 1 && (await seen("network", "ev_cut_net", "create")) >= 1,
      "the changes around the cut",
      patiently,
    );
    expect([await seen("secret", "ev_cut_before", "create"), await seen("secret", "ev_cut_after", "create"), await seen("network", "ev_cut_net", "create")]).toEqual([1, 1, 1]);
  });

  it("ok/what changed while the server was down is recorded once it is back, from the resume point in the store", async () => {
    await s.server.close();
    docker("secret", "create", "ev_three", secretFile());
    docker("network", "rm", "ev_net");
    s.server = await startServer(s.options);
    await waitFor(async () => (await seen("secret", "ev_three", "create")) === 1 && (await seen("network", "ev_net", "remove")) === 1, "the changes made while down", patiently);
  });

  it("ok/the audit log holds exactly Docker's own account of the period: nothing missing, nothing twice", async () => {
    const since = (connectedAt.getTime() / 1000).toFixed(3);
    const until = (Date.now() / 1000 + 1).toFixed(3);
    const lines = docker("events", "--since", since, "--until", until, "--filter", "scope=swarm", ...["node", "service", "secret", "config", "network"].flatMap((t) => ["--filter", `type=${t}`]), "--format", "{{json .}}");
    const reason = (action: string, attributes: Record<string, string> = {}) => {
      const changed = Object.keys(attributes).filter((k) => k.endsWith(".new")).map((k) => k.slice(0, -4)).sort();
      return changed.length > 0 ? `${action}: ${changed.join(", ")}` : action;
    };
    const expected = lines.split("\n").filter(Boolean).map(dockerEventSchema).map((e) => `${e.Type} ${e.Actor.ID} ${reason(e.Action, e.Actor.Attributes)}`).sort();
    // Let the recorder catch up with the last of them.
    await waitFor(async () => (await observed()).filter((e) => e.actorType === "external").length >= expected.length, "the recorder to catch up", patiently);
    const events = await observed();
    const recorded = events.filter((e) => e.actorType === "external").map((e) => `${e.targetType} ${e.targetId} ${e.reason}`).sort();
    expect(recorded).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    // No resume found its last event gone from the engine's buffer.
    expect(events.filter((e) => e.outcome !== "success")).toEqual([]);
  });
});
