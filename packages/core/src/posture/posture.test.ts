import { describe, expect, it } from "vitest";
import { collectWarnings, failingSlots, postureCounts, WARNING_PRODUCERS, type PostureSnapshot, type PostureTask, type Warning, type WarningProducer } from "./index.js";

const NOW = new Date("2026-11-28T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

function snapshot(patch: Partial<PostureSnapshot> = {}): PostureSnapshot {
  return {
    cluster: { createdAt: ago(3_600_000), autolock: true },
    nodes: [],
    services: [],
    tasks: [],
    secrets: [],
    tokenRotations: { manager: ago(1000), worker: ago(1000) },
    failedLogins: [],
    ...patch,
  };
}

function task(patch: Partial<PostureTask> & Pick<PostureTask, "id" | "serviceId" | "state">): PostureTask {
  return { slot: 1, nodeId: null, desiredState: "running", err: null, message: null, createdAt: ago(10_000), updatedAt: ago(10_000), ...patch };
}

const warning = (kind: string, severity: Warning["severity"], n: number): Warning => ({
  id: `${kind}:${n}`,
  kind,
  severity,
  title: `${kind} ${n}`,
  detail: "",
  href: "/",
  action: "Open",
  subject: null,
});

const producer = (kind: string, produced: Warning[] | null): WarningProducer => ({
  kind,
  checks: kind,
  listHref: `/${kind}`,
  more: (n) => `${n} more ${kind}`,
  produce: () => produced,
});

describe("collectWarnings", () => {
  it("ok/severity first, then registry order, then the producer's own order", () => {
    const { warnings } = collectWarnings(
      [producer("a", [warning("a", "info", 1), warning("a", "critical", 2)]), producer("b", [warning("b", "critical", 1), warning("b", "warning", 2)])],
      snapshot(),
      NOW,
    );
    expect(warnings.map((w) => w.id)).toEqual(["a:2", "b:1", "b:2", "a:1"]);
  });

  it("ok/more than the limit of one kind folds into one line linking to the list, at the rest's highest severity", () => {
    const many = [1, 2, 3, 4].map((n) => warning("a", n === 4 ? "critical" : "info", n));
    const { warnings } = collectWarnings([producer("a", many)], snapshot(), NOW, 2);
    expect(warnings.map((w) => w.id)).toEqual(["a:4", "a:1", "a:more"]);
    expect(warnings[2]).toMatchObject({ title: "2 more a", href: "/a", severity: "info" });
  });

  it("ok/a producer without its data is reported as not run; one with nothing to say as run", () => {
    const { warnings, checks } = collectWarnings([producer("a", null), producer("b", [])], snapshot(), NOW);
    expect(warnings).toEqual([]);
    expect(checks).toEqual([
      { kind: "a", checks: "a", ran: false },
      { kind: "b", checks: "b", ran: true },
    ]);
  });

  it("ok/the registry's kinds are unique and a quiet snapshot raises nothing", () => {
    const kinds = WARNING_PRODUCERS.map((p) => p.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(collectWarnings(WARNING_PRODUCERS, snapshot(), NOW).warnings).toEqual([]);
  });
});

describe("failed sign-in bursts", () => {
  const kinds = (s: PostureSnapshot) => collectWarnings(WARNING_PRODUCERS, s, NOW).warnings.filter((w) => w.kind === "logins.failed-burst");
  const failures = (n: number, spacingMs: number, address: string | null, account: string | null, endAgoMs = 0) =>
    Array.from({ length: n }, (_, i) => ({ at: ago(endAgoMs + i * spacingMs), address, account }));

  it.each([
    ["ok/five within 15 minutes from one address is a burst, critical while it lasts", failures(5, 60_000, "203.0.113.9", "admin"), ["critical"]],
    ["ok/an old burst within the day is a warning", failures(5, 60_000, "203.0.113.9", null, 5 * 3_600_000), ["warning"]],
    ["fail/four is not a burst", failures(4, 60_000, "203.0.113.9", "admin"), []],
    ["fail/five spread over more than 15 minutes is not a burst", failures(5, 4 * 60_000, "203.0.113.9", "admin"), []],
    ["fail/a burst over a day ago is not raised", failures(5, 60_000, "203.0.113.9", "admin", 25 * 3_600_000), []],
  ])("%s", (_name, failedLogins, severities) => {
    expect(kinds(snapshot({ failedLogins })).map((w) => w.severity)).toEqual(severities);
  });

  it("ok/one address's burst is not raised again for its account because another address failed hours before", () => {
    const failedLogins = [...failures(5, 60_000, "203.0.113.9", "admin"), { at: ago(6 * 3_600_000), address: "198.51.100.1", account: "admin" }];
    expect(kinds(snapshot({ failedLogins })).map((w) => w.title)).toEqual(["5 failed sign-ins from 203.0.113.9 within 15 minutes"]);
  });

  it("ok/one account guessed at from five addresses is a burst though no address is", () => {
    const failedLogins = [1, 2, 3, 4, 5].map((i) => ({ at: ago(i * 1000), address: `198.51.100.${i}`, account: "admin" }));
    expect(kinds(snapshot({ failedLogins })).map((w) => w.title)).toEqual(["5 failed sign-ins to admin within 15 minutes"]);
  });
});

describe("postureCounts", () => {
  it("ok/nodes by state and drain, services by convergence, tasks, secrets by use", () => {
    const counts = postureCounts(
      snapshot({
        nodes: [
          { id: "n1", hostname: "a", role: "manager", availability: "active", state: "ready", lastHeartbeatAt: NOW, certificateNotAfter: null, labels: {}, engineLabels: {} },
          { id: "n2", hostname: "b", role: "worker", availability: "drain", state: "down", lastHeartbeatAt: null, certificateNotAfter: null, labels: {}, engineLabels: {} },
        ],
        services: [
          { id: "ok", name: "ok", mode: "replicated", replicas: 1, constraints: [], secrets: 0 },
          { id: "wait", name: "wait", mode: "replicated", replicas: 1, constraints: [], secrets: 0 },
          { id: "bad", name: "bad", mode: "replicated", replicas: 1, constraints: [], secrets: 0 },
        ],
        tasks: [
          task({ id: "t1", serviceId: "ok", state: "running" }),
          task({ id: "t2", serviceId: "wait", state: "pending" }),
          task({ id: "t3", serviceId: "bad", state: "failed", desiredState: "shutdown", err: "exit 1" }),
          task({ id: "t4", serviceId: "gone", state: "failed", desiredState: "shutdown" }),
          task({ id: "t5", serviceId: "wait", state: "assigned", nodeId: "n1" }),
          task({ id: "t6", serviceId: "wait", state: "ready", nodeId: "n1" }),
        ],
        secrets: [
          { id: "s1", name: "used", createdAt: NOW, services: [{ id: "ok", name: "ok" }] },
          { id: "s2", name: "idle", createdAt: NOW, services: [] },
        ],
      }),
    );
    expect(counts).toEqual({
      nodes: { total: 2, ready: 1, down: 1, unknown: 0, drained: 1 },
      services: { total: 3, converged: 1, pending: 1, failing: 1 },
      tasks: { running: 1, pending: 1, starting: 2, failed: 1 },
      secrets: { total: 2, inUse: 1, unused: 1 },
    });
  });
});

describe("failing slots of a global service", () => {
  const node = (id: string, availability: "active" | "drain") => ({ id, hostname: id, role: "worker" as const, availability, state: "ready" as const, lastHeartbeatAt: NOW, certificateNotAfter: null, labels: {}, engineLabels: {} });
  const failed = (id: string, nodeId: string) => task({ id, serviceId: "glob", slot: null, nodeId, state: "failed", desiredState: "shutdown", err: "exit 1" });

  it("ok/a failed task on a node that is gone or drained is history, not a failing service; on an active node it is", () => {
    const services = [{ id: "glob", name: "glob", mode: "global" as const, replicas: null, constraints: [], secrets: 0 }];
    const tasks = [failed("t1", "gone"), failed("t2", "drained"), failed("t3", "active")];
    const nodes = [node("drained", "drain"), node("active", "active")];
    expect(failingSlots(tasks, nodes).map((f) => f.nodeId)).toEqual(["active"]);
    expect(postureCounts(snapshot({ services, tasks, nodes })).services.failing).toBe(1);
    expect(postureCounts(snapshot({ services, tasks: tasks.slice(0, 2), nodes })).services).toMatchObject({ failing: 0 });
    // Without the nodes, every slot counts (the service page, which knows only its tasks).
    expect(failingSlots(tasks)).toHaveLength(3);
  });
});
