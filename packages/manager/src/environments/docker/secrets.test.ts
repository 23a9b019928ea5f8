import { describe, expect, it } from "vitest";
import { dockerSecretSchema, dockerServiceSchema, dockerTaskSchema } from "./schema.js";
import { matchesSearch, nodesHolding, secretViewOf, servicesUsing, type SwarmSecretUse } from "./secrets.js";

/** Answers shaped as the Engine API gives them (fields this module does not read included). */
const secret = dockerSecretSchema.parse({
  ID: "s3cr3tidaaaaaaaaaaaaaaaaa",
  Version: { Index: 41 },
  CreatedAt: "2026-12-01T10:00:00.123456789Z",
  UpdatedAt: "2026-12-01T10:05:00Z",
  Spec: { Name: "db_password", Labels: { team: "a" } },
});

const ref = (id: string, target: string, mode = 0o444) => ({ File: { Name: target, UID: "1000", GID: "1001", Mode: mode }, SecretID: id, SecretName: "x" });

const service = (id: string, name: string, refs: unknown[]) =>
  dockerServiceSchema.parse({ ID: id, Version: { Index: 9 }, CreatedAt: "2026-12-01T10:00:00Z", UpdatedAt: "2026-12-01T10:00:00Z", Spec: { Name: name, Labels: {}, TaskTemplate: { ContainerSpec: { Image: "busybox", Secrets: refs } } } });

const task = (service: string, node: string | undefined, state: string, refs: unknown[]) =>
  dockerTaskSchema.parse({ ID: `${service}-${state}`, CreatedAt: "2026-12-01T10:00:00Z", UpdatedAt: "2026-12-01T10:00:01Z", ServiceID: service, NodeID: node, Status: { State: state }, DesiredState: "running", Spec: { ContainerSpec: { Secrets: refs } } });

const use: SwarmSecretUse = {
  services: [
    service("svc-b", "web", [ref(secret.ID, "db", 0o400), ref("other", "tls")]),
    service("svc-a", "api", [ref(secret.ID, "pw")]),
    service("svc-c", "cache", [ref("other", "db")]),
    // A runtime reference (Windows credential specs) names no file.
    service("svc-d", "win", [{ SecretID: secret.ID, SecretName: "db_password" }]),
  ],
  tasks: [
    task("svc-a", "node-1", "running", [ref(secret.ID, "pw")]),
    task("svc-a", "node-1", "starting", [ref(secret.ID, "pw")]),
    task("svc-b", "node-2", "preparing", [ref(secret.ID, "db")]),
    // Not holding: ended, not yet assigned, or made without the secret.
    task("svc-b", "node-2", "shutdown", [ref(secret.ID, "db")]),
    task("svc-b", undefined, "pending", [ref(secret.ID, "db")]),
    task("svc-c", "node-3", "running", [ref("other", "db")]),
  ],
  hostnames: new Map([["node-1", "alpha"]]),
};

describe("a Docker secret in the native view", () => {
  it("ok/metadata, where it is used, size null (Docker never reports it)", () => {
    const view = secretViewOf(secret, use);
    expect(view).toMatchObject({ id: secret.ID, name: "db_password", size: null, labels: { team: "a" }, version: 41, docker: { driver: null } });
    expect(view.createdAt.toISOString()).toBe("2026-12-01T10:00:00.123Z");
    expect(view.services).toEqual([
      { id: "svc-a", name: "api", references: [{ target: "pw", uid: "1000", gid: "1001", mode: 0o444 }] },
      { id: "svc-b", name: "web", references: [{ target: "db", uid: "1000", gid: "1001", mode: 0o400 }] },
      { id: "svc-d", name: "win", references: [] },
    ]);
    expect(view.nodes).toEqual([
      { nodeId: "node-1", hostname: "alpha", tasks: 2 },
      { nodeId: "node-2", hostname: null, tasks: 1 },
    ]);
  });

  it("ok/a secret nothing uses", () => {
    expect(servicesUsing(use.services, "nobody")).toEqual([]);
    expect(nodesHolding(use.tasks, use.hostnames, "nobody")).toEqual([]);
  });

  it("ok/a driver is Docker's own part", () => {
    const driven = dockerSecretSchema.parse({ ...secret, Spec: { ...secret.Spec, Driver: { Name: "vault" } } });
    expect(secretViewOf(driven, use).docker).toEqual({ driver: "vault" });
  });

  it.each([
    [undefined, true],
    ["", true],
    ["PASS", true],
    ["s3cr3t", true],
    ["S3CR3T", true],
    ["aaaa", false],
    ["web", false],
  ])("ok/search %j matches: %s", (search, expected) => {
    expect(matchesSearch(secret, search)).toBe(expected);
  });

  it("fail/an answer without the fields read is refused, not guessed", () => {
    expect(() => dockerSecretSchema.parse({ ID: "x", Spec: { Name: "y" } })).toThrow();
  });
});
