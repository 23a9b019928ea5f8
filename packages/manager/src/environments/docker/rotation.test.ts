import { describe, expect, it } from "vitest";
import { moveSecretRefs, rotationProgressOf, stalledRollout } from "./rotation.js";
import { dockerServiceSchema, dockerTaskSchema } from "./schema.js";
import type { SwarmSecretUse } from "./secrets.js";

const OLD = { id: "old-id", name: "db_password" };
const NEW = { id: "new-id", name: "db_password_v2" };

const file = (name: string, uid = "1000", gid = "1001", mode = 0o440) => ({ Name: name, UID: uid, GID: gid, Mode: mode });

/** A service as `GET /services/ID` gives it, with fields Rampart does not read. */
const inspected = {
  ID: "svc-1",
  Version: { Index: 77 },
  CreatedAt: "2026-12-06T23:07:01.001021689Z",
  UpdatedAt: "2026-12-06T23:07:01.001725661Z",
  Spec: {
    Name: "web",
    Labels: { tier: "front" },
    TaskTemplate: {
      ContainerSpec: {
        Image: "busybox@sha256:abc",
        Args: ["sleep", "600"],
        Secrets: [
          { File: file("db"), SecretID: OLD.id, SecretName: OLD.name },
          { File: file("tls", "0", "0", 0o400), SecretID: "tls-id", SecretName: "tls" },
          { File: file("db-again"), SecretID: OLD.id, SecretName: OLD.name },
        ],
        Healthcheck: { Test: ["CMD", "true"] },
        Isolation: "default",
      },
      Resources: { Limits: {}, Reservations: {} },
      ForceUpdate: 3,
      Runtime: "container",
    },
    Mode: { Replicated: { Replicas: 2 } },
    UpdateConfig: { Parallelism: 1, Order: "stop-first" },
    EndpointSpec: { Mode: "vip" },
  },
};

describe("moving a service's references", () => {
  it("ok/every reference to the old version points at the new one, with the same file; the rest of the spec is as Docker gave it", () => {
    const spec = dockerServiceSchema.parse(inspected).Spec;
    const moved = moveSecretRefs(spec, OLD.id, NEW);
    const expected = structuredClone(inspected.Spec);
    expected.TaskTemplate.ContainerSpec.Secrets = [
      { File: file("db"), SecretID: NEW.id, SecretName: NEW.name },
      { File: file("tls", "0", "0", 0o400), SecretID: "tls-id", SecretName: "tls" },
      { File: file("db-again"), SecretID: NEW.id, SecretName: NEW.name },
    ];
    expect(moved).toEqual(expected);
    // The spec read is not changed.
    expect(spec.TaskTemplate?.ContainerSpec?.Secrets?.[0]?.SecretID).toBe(OLD.id);
  });

  it("ok/a service that no longer references the old version is left alone", () => {
    const spec = dockerServiceSchema.parse(inspected).Spec;
    expect(moveSecretRefs(spec, "someone-else", NEW)).toBeNull();
  });
});

const service = (id: string, name: string, secretIds: string[], update?: { State: string; Message?: string }) =>
  dockerServiceSchema.parse({
    ID: id,
    Version: { Index: 1 },
    CreatedAt: "2026-12-06T23:07:01Z",
    UpdatedAt: "2026-12-06T23:07:01Z",
    Spec: { Name: name, TaskTemplate: { ContainerSpec: { Secrets: secretIds.map((s) => ({ File: file("db"), SecretID: s, SecretName: s })) } } },
    ...(update ? { UpdateStatus: update } : {}),
  });
const task = (serviceId: string, node: string, state: string, secretId: string) =>
  dockerTaskSchema.parse({
    ID: `${serviceId}-${node}-${state}-${secretId}`,
    CreatedAt: "2026-12-06T23:07:01Z",
    UpdatedAt: "2026-12-06T23:07:02Z",
    ServiceID: serviceId,
    NodeID: node,
    DesiredState: "running",
    Status: { State: state },
    Spec: { ContainerSpec: { Secrets: [{ File: file("db"), SecretID: secretId, SecretName: secretId }] } },
  });

describe("a rotation's progress", () => {
  it("ok/midway: one service moved with its tasks replaced, one moved and rolling, one not yet moved", () => {
    const use: SwarmSecretUse = {
      services: [service("a", "api", [NEW.id]), service("b", "web", [NEW.id], { State: "updating" }), service("c", "worker", [OLD.id]), service("d", "other", ["x"])],
      tasks: [
        task("a", "n1", "running", NEW.id),
        task("a", "n1", "shutdown", OLD.id),
        task("b", "n1", "running", OLD.id),
        task("b", "n2", "preparing", NEW.id),
        task("c", "n2", "running", OLD.id),
      ],
      hostnames: new Map([["n1", "alpha"]]),
    };
    const p = rotationProgressOf(OLD, NEW, use);
    expect(p.services).toEqual([
      { id: "a", name: "api", updated: true, tasksOnOld: 0, tasksOnNew: 1, updateState: null, updateMessage: null },
      { id: "b", name: "web", updated: true, tasksOnOld: 1, tasksOnNew: 1, updateState: "updating", updateMessage: null },
      { id: "c", name: "worker", updated: false, tasksOnOld: 1, tasksOnNew: 0, updateState: null, updateMessage: null },
    ]);
    expect(p).toMatchObject({ tasksOnOld: 2, tasksOnNew: 2, done: false, canRemoveOld: false });
    expect(p.nodesWithOld).toEqual([
      { nodeId: "n1", hostname: "alpha", tasks: 1 },
      { nodeId: "n2", hostname: null, tasks: 1 },
    ]);
  });

  it("ok/every service moved but an old task still running: not done, the old version could be removed", () => {
    const use: SwarmSecretUse = { services: [service("a", "api", [NEW.id])], tasks: [task("a", "n1", "running", OLD.id)], hostnames: new Map() };
    expect(rotationProgressOf(OLD, NEW, use)).toMatchObject({ done: false, canRemoveOld: true, tasksOnOld: 1 });
  });

  it("ok/done: nothing references or holds the old version; a moved service removed since is not listed", () => {
    const use: SwarmSecretUse = { services: [service("a", "api", [NEW.id])], tasks: [task("a", "n1", "running", NEW.id)], hostnames: new Map() };
    const p = rotationProgressOf(OLD, NEW, use, [{ id: "a", name: "api" }, { id: "gone", name: "gone" }]);
    expect(p).toMatchObject({ done: true, canRemoveOld: true, tasksOnOld: 0, tasksOnNew: 1 });
    expect(p.services.map((s) => s.name)).toEqual(["api"]);
  });

  it.each([
    [[], null],
    [[{ State: "updating" }], null],
    [[{ State: "completed" }], null],
    [[{ State: "paused", Message: "update paused due to failure or early termination of task x" }], "service web: update paused: update paused due to failure or early termination of task x"],
    [[{ State: "rollback_completed", Message: "rollback completed" }], "service web: update rollback_completed: rollback completed"],
  ])("ok/a stalled rollout is named in Docker's words: %j", (updates, expected) => {
    const use: SwarmSecretUse = { services: updates.map((u) => service("b", "web", [NEW.id], u)), tasks: [], hostnames: new Map() };
    expect(stalledRollout(rotationProgressOf(OLD, NEW, use).services)).toBe(expected);
  });
});
